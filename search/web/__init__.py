"""The Flask front end: a thin layer of pages, a JSON API and embedding over the search core."""

from __future__ import annotations

import logging

from flask import Flask

from search.web.settings import REPO_ROOT, Settings

log = logging.getLogger(__name__)


class PrefixMiddleware:
    """Serve the app under a fixed URL prefix, whether or not the proxy strips it from the path."""

    def __init__(self, app, prefix: str) -> None:
        self.app = app
        self.prefix = prefix

    def __call__(self, environ, start_response):
        prefix = environ.get("SCRIPT_NAME", "").rstrip("/") or self.prefix
        path = environ.get("PATH_INFO", "") or "/"
        if prefix and (path == prefix or path.startswith(prefix + "/")):
            path = path[len(prefix) :] or "/"
        environ["SCRIPT_NAME"] = prefix
        environ["PATH_INFO"] = path
        return self.app(environ, start_response)


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app: settings, blueprints, error handlers, security headers and proxy handling."""
    settings = settings or Settings.from_env()
    app = Flask(
        __name__,
        static_folder=str(REPO_ROOT / "static"),
        static_url_path="/static",
        template_folder=str(REPO_ROOT / "templates"),
    )
    app.config.update(
        MAX_CONTENT_LENGTH=64 * 1024,  # the service only answers GETs; refuse large bodies early
        JSON_SORT_KEYS=False,
        SEND_FILE_MAX_AGE_DEFAULT=3600,
    )
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    app.extensions["search.settings"] = settings
    from search.web.archive import ArchiveHolder  # here, so gunicorn's master (gunicorn_conf) loads no search core

    app.extensions["search.archive"] = ArchiveHolder(settings.index_dir, settings.result_cache)

    from search.web import api, embed, errors, filters, headers, pages

    filters.register(app)
    errors.register(app)
    headers.register(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(embed.bp)

    from search.web.proxy import HostGuard, TrustedProxies

    # Outermost first: forwarded headers (from trusted proxies only), the prefix, then a valid Host.
    wsgi = TrustedProxies(
        PrefixMiddleware(HostGuard(app.wsgi_app, settings.allowed_hosts), settings.url_prefix), settings
    )
    app.wsgi_app = wsgi  # type: ignore[method-assign]
    return app
