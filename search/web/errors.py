"""Map errors to answers: JSON for API clients, a page for people, never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from search.query.errors import IndexUnavailable
from search.web.context import current_holder
from search.web.params import BadParameter

log = logging.getLogger(__name__)

JSON_PATHS = ("/api/", "/export.json", "/healthz")  # answered in JSON, errors too


def wants_json() -> bool:
    """Whether this request is from a program (JSON API, JSON export, health check)."""
    return request.path.startswith(JSON_PATHS) or request.blueprint == "api"


def _answer(status: int, body: dict[str, object], title: str) -> Response | tuple[str, int]:
    if wants_json():
        response = jsonify(body)
        response.status_code = status
        return response
    return render_template("error.html", status=status, title=title, error=body), status


def bad_parameter(exc: BadParameter) -> Response | tuple[str, int]:
    return _answer(400, exc.to_json(), "That request could not be understood")


# What a client is told when the index cannot be opened: never the server's paths (they go to the log).
UNAVAILABLE_REASON = "the index is missing, empty or unreadable (the service's log names the folder and the cause)"
UNAVAILABLE_FIX = "build the index with `python -m search index`, or check the folder the service's log names"


def index_trouble(exc: BaseException) -> str:
    """Log why the index cannot be opened (with its path) and return the reason a client may see."""
    log.warning("index unavailable: %s", exc or type(exc).__name__)
    return UNAVAILABLE_REASON


def index_unavailable(exc: Exception) -> Response | tuple[str, int]:
    current_holder().forget()  # the next request opens the index afresh (it may be back by then)
    body = {
        "error": "index_unavailable",
        "message": "The archive's index cannot be read right now.",
        "reason": index_trouble(exc),
        "fix": UNAVAILABLE_FIX,
    }
    answer = _answer(503, body, "The archive is not available")
    response = answer if isinstance(answer, Response) else Response(answer[0], status=503, mimetype="text/html")
    response.headers["Retry-After"] = "30"
    return response


def http_error(exc: HTTPException) -> Response | tuple[str, int]:
    status = exc.code or 500
    body = {"error": (exc.name or "error").lower().replace(" ", "_"), "message": exc.description or ""}
    if status == 404:
        body["message"] = "Nothing here: check the address, or search the archive."
    answer = _answer(status, body, exc.name or "Error")
    if status == 405 and isinstance(exc, HTTPException):
        response = answer if isinstance(answer, Response) else Response(answer[0], status=405)
        response.headers["Allow"] = "GET, HEAD, OPTIONS"
        return response
    return answer


def unexpected(exc: Exception) -> Response | tuple[str, int]:
    if isinstance(exc, HTTPException):
        return http_error(exc)
    log.exception("unexpected error on %s", request.path)
    body = {"error": "internal_error", "message": InternalServerError.description}
    return _answer(500, body, "Something went wrong on our side")


def register(app: Flask) -> None:
    app.register_error_handler(BadParameter, bad_parameter)
    app.register_error_handler(IndexUnavailable, index_unavailable)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Exception, unexpected)
