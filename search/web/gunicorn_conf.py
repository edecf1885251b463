"""gunicorn settings for `python -m search serve`; its --bind and --workers flags override these."""

from __future__ import annotations

import os

# Loopback only unless told otherwise: the service is meant to sit behind an intranet reverse proxy.
bind = os.environ.get("SEARCH_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("SEARCH_WORKERS", "2"))
# Threads let a worker answer while another request waits on a slow client; the archive is thread-safe.
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
# Trust X-Forwarded-* only from a proxy on this machine; search.web applies them with ProxyFix.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
