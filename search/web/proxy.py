"""The WSGI layers in front of the app: forwarded headers from trusted proxies only, and a valid Host."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable

from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.sansio.utils import host_is_trusted

from search.web.errors import JSON_PATHS
from search.web.headers import security_headers
from search.web.settings import Settings

log = logging.getLogger(__name__)

_FORWARDED = ("HTTP_X_FORWARDED_", "HTTP_FORWARDED")


class TrustedProxies:
    """Apply X-Forwarded-For/-Proto/-Host/-Port/-Prefix (werkzeug's ProxyFix, `proxy_hops` deep) only to requests
    from the configured proxy addresses; from anyone else those headers are dropped unread."""

    def __init__(self, app: Callable, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        hops = settings.proxy_hops
        self.fixed = ProxyFix(app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if self.settings.proxy_allowed(environ.get("REMOTE_ADDR", "")):
            return self.fixed(environ, start_response)
        for key in [k for k in environ if k.startswith(_FORWARDED)]:
            del environ[key]
        return self.app(environ, start_response)


def valid_host(host: str) -> bool:
    """Whether a Host value is a name, IPv4 or [IPv6] address with an optional port that URLs can be built on.

    Werkzeug checks the characters; a name must also encode to IDNA (no empty label, none over 63 characters),
    which werkzeug's router needs to bind it and would otherwise fail on inside the app.
    """
    if not host_is_trusted(host):
        return False
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    if name.startswith("["):
        return True
    try:
        name.encode("idna")
    except UnicodeError:
        return False
    return True


class HostGuard:
    """Answer a request whose Host (after any trusted proxy's X-Forwarded-Host) is not a valid host name, or not
    one of ALLOWED_HOSTS when that is set, with a 400 of its own (the app cannot build its URLs on it)."""

    def __init__(self, app: Callable, allowed_hosts: tuple[str, ...] = ()) -> None:
        self.app = app
        self.allowed_hosts = allowed_hosts

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        host = environ.get("HTTP_HOST")
        if host is None or (valid_host(host) and host_is_trusted(host.lower(), self.allowed_hosts)):
            return self.app(environ, start_response)
        log.info("refused a request for the Host %r", host[:100])
        if valid_host(host):
            message = "This service does not answer for that host name: use the address you were given."
        else:
            message = "The Host header is not a valid host name: send the name of this server."
        if environ.get("PATH_INFO", "").startswith(JSON_PATHS):
            body = json.dumps({"error": "bad_host", "message": message}).encode()
            content_type = "application/json"
        else:
            body = f"<!doctype html><title>Bad request</title><h1>Bad request</h1><p>{message}</p>\n".encode()
            content_type = "text/html; charset=utf-8"
        headers = [("Content-Type", content_type), ("Content-Length", str(len(body))), *security_headers()]
        start_response("400 Bad Request", headers)
        return [body]
