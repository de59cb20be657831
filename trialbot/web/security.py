"""Security headers on every response, and errors as plain pages (never a traceback).

Also what a trusted reverse proxy says about a request (``TRIALBOT_WEB_TRUST_PROXY``),
and the check of staff free text (notes) for control characters.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from trialbot.accounts import has_control_characters as has_control_characters  # re-exported
from trialbot.store import StoreUnavailable
from trialbot.web import keys
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

# Said (with a 422) when a note carries NUL or another control character, which no
# database stores as text; tab and line breaks are fine.
CONTROL_CHARACTERS_MESSAGE = (
    "Notes cannot contain control characters (such as NUL); tabs and line breaks are fine. "
    "Remove them and try again. Nothing was changed."
)


def _proxy_value(request: web.Request, header: str) -> str:
    """The last comma-separated value of ``header``: the one the nearest proxy set."""
    values = ",".join(request.headers.getall(header, []))
    return values.rsplit(",", 1)[-1].strip()


def came_over_tls(request: web.Request) -> bool:
    """Over TLS to this app, or (trusting the proxy) to the proxy in front of it."""
    if request.secure:
        return True
    settings = request.app[keys.SETTINGS]
    return settings.trust_proxy and _proxy_value(request, "X-Forwarded-Proto").lower() == "https"


def client_address(request: web.Request) -> str:
    """The client's address: the peer's, or (trusting the proxy) the one it forwarded."""
    if request.app[keys.SETTINGS].trust_proxy:
        forwarded = _proxy_value(request, "X-Forwarded-For")
        try:
            return str(ipaddress.ip_address(forwarded))
        except ValueError:
            pass
    return request.remote or "unknown"


def _hsts(request: web.Request) -> str | None:
    settings = request.app.get(keys.SETTINGS)
    if settings is None or settings.hsts == "off":
        return None
    if settings.hsts == "always" or came_over_tls(request):
        return f"max-age={settings.hsts_max_age}"
    return None


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
    # Only over TLS: on plain local HTTP it would make the browser refuse the app.
    hsts = _hsts(request)
    if hsts is not None:
        response.headers["Strict-Transport-Security"] = hsts
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
