"""The web service's settings: read once from environment variables into a frozen dataclass."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from search.paths import DEFAULT_INDEX, default_index_dir

REPO_ROOT = Path(__file__).resolve().parents[2]


class SettingsError(ValueError):
    """An environment variable holds a value the service cannot use."""


def _split(value: str) -> tuple[str, ...]:
    """Split a comma- or space-separated list, dropping empty items."""
    return tuple(item for item in re.split(r"[,\s]+", value.strip()) if item)


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}, got {value}")
    return value


def _prefix(raw: str) -> str:
    """Normalise a URL prefix to '' or '/a/b' (leading slash, no trailing slash)."""
    raw = raw.strip().strip("/")
    if not raw:
        return ""
    if not re.fullmatch(r"[A-Za-z0-9._~!$&'()*+,;=:@%/-]+", raw) or "//" in raw:
        raise SettingsError(f"URL_PREFIX must be a URL path such as /archive/search, got {raw!r}")
    return "/" + raw


def _origins(raw: str) -> tuple[str, ...]:
    """Origins for CORS: '*' or scheme://host[:port], without a trailing slash."""
    origins = []
    for item in _split(raw):
        if item == "*":
            origins.append(item)
            continue
        if not re.fullmatch(r"https?://[^/\s]+", item.rstrip("/")):
            raise SettingsError(f"ALLOWED_ORIGINS items must look like https://host[:port], got {item!r}")
        origins.append(item.rstrip("/"))
    return tuple(origins)


def _frame_sources(raw: str) -> tuple[str, ...]:
    """Sources for CSP frame-ancestors; anything that could break out of the header is refused."""
    items = _split(raw)
    for item in items:
        if re.search(r"[;\"'<>]", item.strip("'")) or not item.isprintable():
            raise SettingsError(f"FRAME_ANCESTORS items must be CSP sources like https://host, got {item!r}")
    return items


def _proxy_addresses(raw: str) -> tuple[str, ...]:
    """Addresses or networks of trusted reverse proxies (as gunicorn's FORWARDED_ALLOW_IPS), or '*'."""
    items = _split(raw)
    for item in items:
        if item == "*":
            continue
        try:
            ipaddress.ip_network(item)
        except ValueError:
            raise SettingsError(
                f"FORWARDED_ALLOW_IPS items must be IP addresses or networks like 10.0.0.0/8 (or *), got {item!r}"
            ) from None
    return items


def _hosts(raw: str) -> tuple[str, ...]:
    """Host names the service answers for: names or addresses, '.example.org' for every name under it."""
    hosts = tuple(item.lower().rstrip(".") or item for item in _split(raw))
    for item in hosts:
        if not re.fullmatch(r"\.?[a-z0-9-]+(\.[a-z0-9-]+)*|\[[0-9a-f:.]+\]", item):
            raise SettingsError(f"ALLOWED_HOSTS items must be host names like archive.example.org, got {item!r}")
    return hosts


@dataclass(frozen=True)
class Settings:
    """Everything the web layer is configured with; built once, never looked up inside a view."""

    index_dir: Path = DEFAULT_INDEX
    site_title: str = "News archive search"
    url_prefix: str = ""
    allowed_origins: tuple[str, ...] = ()
    allowed_hosts: tuple[str, ...] = ()  # Host names answered for (empty: any valid one)
    frame_ancestors: tuple[str, ...] = ("'self'",)
    proxy_hops: int = 0  # reverse proxies in front whose X-Forwarded-* headers are applied (0: trust none)
    forwarded_allow_ips: tuple[str, ...] = ("127.0.0.1", "::1")  # the only peers those headers are taken from
    per_page: int = 10
    max_per_page: int = 100
    max_page: int = 1000
    export_limit: int = 0  # most articles an export holds (0: no cap; a cap is stated in the file and on the page)
    feed_size: int = 20
    result_cache: int = 512  # search results kept per worker for repeated requests (0 turns the cache off)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from environment variables (see docs/configuration.md)."""
        env = os.environ if env is None else env
        frames = env.get("FRAME_ANCESTORS")
        return cls(
            index_dir=default_index_dir(env),
            site_title=env.get("SITE_TITLE", "").strip() or cls.site_title,
            url_prefix=_prefix(env.get("URL_PREFIX", "")),
            allowed_origins=_origins(env.get("ALLOWED_ORIGINS", "")),
            allowed_hosts=_hosts(env.get("ALLOWED_HOSTS", "")),
            frame_ancestors=_frame_sources(frames) if frames is not None and frames.strip() else ("'self'",),
            proxy_hops=_int(env, "PROXY_HOPS", 0, 0, 10),
            forwarded_allow_ips=_proxy_addresses(env.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")),
            per_page=_int(env, "PER_PAGE", 10, 1, 100),
            max_per_page=_int(env, "MAX_PER_PAGE", 100, 1, 1000),
            max_page=_int(env, "MAX_PAGE", 1000, 1, 100_000),
            export_limit=_int(env, "EXPORT_LIMIT", 0, 0, 100_000_000),
            feed_size=_int(env, "FEED_SIZE", 20, 1, 200),
            result_cache=_int(env, "RESULT_CACHE", 512, 0, 100_000),
        )

    def proxy_allowed(self, address: str) -> bool:
        """Whether a request from this peer address may set X-Forwarded-* headers."""
        if not self.proxy_hops:
            return False
        if "*" in self.forwarded_allow_ips:
            return True
        try:
            peer = ipaddress.ip_address(address)
        except ValueError:
            return False
        if isinstance(peer, ipaddress.IPv6Address) and peer.ipv4_mapped:
            peer = peer.ipv4_mapped  # an IPv4 proxy seen through a dual-stack socket
        return any(peer in ipaddress.ip_network(item) for item in self.forwarded_allow_ips)

    def origin_allowed(self, origin: str) -> bool:
        """Whether a browser page from this origin may read the JSON API (CORS)."""
        return bool(origin) and ("*" in self.allowed_origins or origin.rstrip("/") in self.allowed_origins)
