"""Security headers on every response, framing rules per page, and CORS for the allow-listed origins."""

from __future__ import annotations

from flask import Flask, Response, g, request

from search.web.context import settings
from search.web.refusals import refusals

# Paths other intranet pages may read from their own origin (with CORS) besides /api/.
_CORS_PATHS = ("/feed.atom", "/export.json", "/export.jsonl", "/export.csv", "/opensearch.xml", "/healthz")


def _csp(frame_ancestors: str) -> str:
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "form-action 'self'",
            "base-uri 'none'",
            f"frame-ancestors {frame_ancestors}",
        ]
    )


def security_headers(frame_ancestors: str = "'self'") -> list[tuple[str, str]]:
    """The headers every answer carries, the app's own and those written before the app runs (a bad Host,
    gunicorn's error pages): CSP, no-sniff, referrer and opener policy, and X-Frame-Options unless the page
    may be framed by others."""
    headers = [("Content-Security-Policy", _csp(frame_ancestors))]
    if frame_ancestors == "'self'":
        headers.append(("X-Frame-Options", "SAMEORIGIN"))
    headers += [
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
    return headers


def _wants_cors(path: str) -> bool:
    return path.startswith("/api/") or path in _CORS_PATHS


def add_headers(response: Response) -> Response:
    """Set CSP, framing, no-sniff, referrer and CORS headers."""
    conf = settings()
    embeddable = request.blueprint == "embed"
    # A page may widen its own framing (the embed page's "not allowed here" notice, which holds no content).
    frame_ancestors = g.get("frame_ancestors") or (" ".join(conf.frame_ancestors) if embeddable else "'self'")
    for name, value in security_headers(frame_ancestors):
        response.headers[name] = value
    if _wants_cors(request.path):
        response.vary.add("Origin")
        origin = request.headers.get("Origin", "")
        if conf.origin_allowed(origin):
            response.headers["Access-Control-Allow-Origin"] = "*" if "*" in conf.allowed_origins else origin
            response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
            response.headers["Access-Control-Max-Age"] = "600"
        elif origin and origin.rstrip("/") != request.host_url.rstrip("/"):
            refusals.note("cors", origin[:200])
    return response


def register(app: Flask) -> None:
    app.after_request(add_headers)
