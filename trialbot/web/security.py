"""Security headers on every response, and errors as plain pages (never a traceback)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from trialbot.store import StoreUnavailable
from trialbot.web.render import render_page

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

MESSAGES = {
    400: ("Bad request", "The request could not be understood."),
    401: ("Please sign in", "You need to sign in to see this page."),
    403: ("Not allowed", "Your account cannot do this."),
    404: ("Not found", "There is nothing here. The handoff may not exist."),
    405: ("Not allowed", "This page does not accept that kind of request."),
    409: ("Conflict", "That change is not possible in the current state."),
    413: ("Too large", "The form was too large to accept. Nothing was changed."),
    422: ("Cannot accept this", "Some of the form's values are not valid."),
    429: ("Too many attempts", "Too many attempts. Please wait and try again later."),
    500: ("Something went wrong", "Something went wrong on our side. Nothing was shown."),
    503: ("Unavailable", "The database cannot be reached right now. Please try again soon."),
}


async def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """``on_response_prepare``: runs for every response, errors included."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers["Server"] = "trialbot"  # not aiohttp's name and version
    if not request.path.startswith("/static/"):
        # Pages carry personal data: keep them out of shared and browser caches.
        response.headers.setdefault("Cache-Control", "no-store")


def error_response(request: web.Request, status: int, message: str | None = None) -> web.Response:
    title, default = MESSAGES.get(status, ("Error", "The request failed."))
    text = message or default
    if request.path.startswith("/api/"):
        return web.json_response({"error": title.lower(), "message": text}, status=status)
    return render_page(request, "error.html", http_status=status, title=title, message=text)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise  # redirects
        message = exc.text if exc.text and not exc.text.startswith(f"{exc.status}:") else None
        response = error_response(request, exc.status, message)
        for name in ("WWW-Authenticate", "Allow", "Retry-After"):
            if name in exc.headers:
                response.headers[name] = exc.headers[name]
        return response
    except StoreUnavailable:
        log.exception("database unavailable")
        return error_response(request, 503)
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(request, 500)
