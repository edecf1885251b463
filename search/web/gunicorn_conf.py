"""gunicorn settings for `python -m search serve`; its --bind and --workers flags override these."""

from __future__ import annotations

import html
import os

from search.web.headers import security_headers

# Loopback only unless told otherwise: the service is meant to sit behind an intranet reverse proxy.
bind = os.environ.get("SEARCH_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("SEARCH_WORKERS", "2"))
# Threads let a worker answer while another request waits on a slow client; the archive is thread-safe.
# They do not stop many slow clients from holding every thread: put a buffering proxy in front
# (docs/deploying.md), which is how the service is meant to be reached.
worker_class = "gthread"
threads = int(os.environ.get("SEARCH_THREADS", "4"))
timeout = 30
graceful_timeout = 10
keepalive = 5
# Each worker opens the index itself (and picks up new commits); nothing is shared through a fork.
preload_app = False
# Bounded requests: long URLs and many headers are refused before they reach the app.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# No control socket under ~/.gunicorn: the service writes nothing outside its index and log locations.
control_socket_disable = True
accesslog = os.environ.get("SEARCH_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("SEARCH_LOG_LEVEL", "info")
# Forwarded headers are applied by the app alone (search.web.proxy: ProxyFix for PROXY_HOPS proxies, from the
# addresses in FORWARDED_ALLOW_IPS only). gunicorn applies none itself: its defaults would let every local
# client (127.0.0.1) and any unix-socket peer set the scheme (X-Forwarded-Proto/-Ssl) or SCRIPT_NAME.
forwarded_allow_ips = ""
secure_scheme_headers: dict[str, str] = {}
forwarder_headers = ""


def _write_error(sock, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's own error answer (malformed request line, header too large...) with the security headers."""
    from gunicorn import util

    title = html.escape(reason)
    body = f"<!doctype html>\n<title>{title}</title>\n<h1>{title}</h1>\n<p>{html.escape(mesg)}</p>\n".encode()
    head = [f"HTTP/1.1 {status_int} {reason}", "Connection: close", "Content-Type: text/html; charset=utf-8"]
    head += [f"Content-Length: {len(body)}", *(f"{name}: {value}" for name, value in security_headers())]
    util.write_nonblock(sock, ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)


def on_starting(server) -> None:
    """Before any worker forks: gunicorn has no hook for its own error pages, so replace the one function
    that writes them (gunicorn.util.write_error, same arguments) with one adding the security headers."""
    from gunicorn import util

    util.write_error = _write_error
