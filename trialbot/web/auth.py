"""Who is asking: staff sessions for pages, bearer tokens for ``/api``.

Every route needs one or the other, except those marked :func:`public` (the login
page) and static files. The middleware also enforces CSRF on state-changing form
posts and roles are checked by :func:`require_role`.
"""

from __future__ import annotations

import logging
import math
import re
from datetime import timedelta
from typing import Any
from urllib.parse import unquote, urlencode

from aiohttp import web

from trialbot import accounts
from trialbot.accounts import Staff
from trialbot.blocking import in_thread
from trialbot.roles import Role
from trialbot.web import csrf, keys
from trialbot.web.render import render_page
from trialbot.web.security import Handler, client_address, error_response
from trialbot.web.sessions import (
    LoginPolicy,
    SessionState,
    begin_login_attempt,
    close_session,
    find_session,
    login_succeeded,
    open_session,
)

log = logging.getLogger(__name__)

SESSION_COOKIE = "trialbot_session"
PUBLIC_ATTRIBUTE = "trialbot_public"


def public(handler: Any) -> Any:
    """Marks a handler as reachable without signing in."""
    setattr(handler, PUBLIC_ATTRIBUTE, True)
    return handler


def is_public(request: web.Request) -> bool:
    route = request.match_info.route
    if route.resource is not None and isinstance(route.resource, web.StaticResource):
        return True
    return bool(getattr(request.match_info.handler, PUBLIC_ATTRIBUTE, False))


def current_staff(request: web.Request) -> Staff:
    staff = request.get(keys.STAFF)
    if staff is None:  # only reachable if a route forgot the middleware
        raise web.HTTPUnauthorized()
    return staff


def require_role(request: web.Request, role: Role) -> Staff:
    staff = current_staff(request)
    if role is Role.ADMIN and not staff.is_admin:
        raise web.HTTPForbidden(text="Only administrators can see this page.")
    return staff


def actor(request: web.Request) -> str:
    """How the requester appears in the audit log."""
    token = request.get(keys.API_TOKEN)
    if token is not None:
        return str(token.actor)
    return current_staff(request).email


def set_session_cookie(request: web.Request, response: web.StreamResponse, value: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        value,
        path="/",
        httponly=True,
        secure=request.app[keys.SETTINGS].secure_cookies,
        samesite="Lax",
    )


def _signed_out(request: web.Request, state: SessionState, had_cookie: bool) -> web.StreamResponse:
    ended = had_cookie and state in (SessionState.EXPIRED, SessionState.UNKNOWN)
    if request.method in ("GET", "HEAD"):
        query = {"next": request.path_qs}
        if ended:
            query["ended"] = "1"
        response: web.StreamResponse = web.HTTPSeeOther(f"/login?{urlencode(query)}")
    else:
        message = (
            "Your session has ended. Sign in again; nothing was changed."
            if ended
            else "You need to sign in to do this. Nothing was changed."
        )
        response = error_response(request, 401, message)
    if had_cookie:
        response.del_cookie(SESSION_COOKIE, path="/")
    return response


async def _api_auth(request: web.Request, handler: Handler) -> web.StreamResponse:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    info = None
    if scheme.lower() == "bearer" and token.strip():
        store = request.app[keys.STORE]
        info = await in_thread(accounts.token_for, store.engine, token.strip())
    if info is None:
        response = error_response(request, 401, "A valid API token is needed (Bearer).")
        response.headers["WWW-Authenticate"] = 'Bearer realm="trialbot"'
        return response
    request[keys.API_TOKEN] = info
    return await handler(request)


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.match_info.http_exception is not None or is_public(request):
        return await handler(request)
    if request.path.startswith("/api/"):
        # Cookies are ignored here on purpose: the API cannot be driven cross-site.
        return await _api_auth(request, handler)
    settings = request.app[keys.SETTINGS]
    cookie = request.cookies.get(SESSION_COOKIE)
    state, session = SessionState.UNKNOWN, None
    if cookie:
        state, session = await in_thread(
            find_session,
            request.app[keys.STORE].engine,
            cookie,
            timedelta(minutes=settings.idle_minutes),
            timedelta(hours=settings.session_hours),
        )
    if session is None:
        return _signed_out(request, state, bool(cookie))
    request[keys.STAFF] = session.staff
    request[keys.WEB_SESSION] = session
    if request.method not in csrf.SAFE_METHODS:
        form = await request.post()
        if not csrf.tokens_match(session.csrf_token, form.get(csrf.FIELD)):
            return error_response(
                request,
                403,
                "This form has expired or did not come from this site. "
                "Go back, reload the page and try again. Nothing was changed.",
            )
    return await handler(request)


# -- login and logout --------------------------------------------------------------------


HOME = "/handoffs"
# A path of this site as a browser sends it: RFC 3986's path characters, "?" and "#";
# anything else arrives percent-encoded. No spaces, control characters or backslashes.
_SITE_PATH = re.compile(r"/[A-Za-z0-9\-._~!$&'()*+,;=:@%/?#]*\Z")
# What browsers drop from a URL (tabs, line breaks) or read as "/" (a backslash).
_UNSAFE = re.compile(r"[\s\x00-\x1f\x7f-\x9f\\]")


def safe_next(value: object) -> str:
    """Where to go after signing in: a path of this site, else the queue.

    A browser drops tabs and line breaks from a URL and reads ``\\`` as ``/``, so that
    ``/\t/evil.example`` or ``/\\evil.example`` would leave the site. Refused: any such
    character, raw or percent-encoded (``%09``, ``%0a``, ``%5c``, ``%00``, even twice
    encoded), a start of ``//`` either way, and anything not starting with one ``/``
    (``https://...``, ``javascript:...``).
    """
    if not isinstance(value, str) or len(value) > 2000 or not _SITE_PATH.match(value):
        return HOME
    decoded = value
    for _ in range(3):
        if _UNSAFE.search(decoded) or decoded.startswith("//"):
            return HOME
        decoded, previous = unquote(decoded), decoded
        if decoded == previous:
            return value
    return HOME  # still encoded after three rounds: nobody means that


def _login_page(
    request: web.Request,
    *,
    status: int = 200,
    error: str = "",
    email: str = "",
    next_path: str = "",
) -> web.Response:
    token = request.cookies.get(csrf.LOGIN_COOKIE) or ""
    if len(token) < 32:
        token = csrf.new_token()
    notice = ""
    if request.query.get("ended"):
        settings = request.app[keys.SETTINGS]
        notice = (
            f"Your session has ended (signed out after {settings.idle_minutes:g} minutes "
            f"without activity or {settings.session_hours:g} hours after signing in, "
            "or the session was not valid). Please sign in again."
        )
    elif request.query.get("signed_out"):
        notice = "You have signed out."
    response = render_page(
        request,
        "login.html",
        http_status=status,
        error=error,
        notice=notice,
        email=email,
        next_path=safe_next(next_path or request.query.get("next")),
        login_token=token,
    )
    response.set_cookie(
        csrf.LOGIN_COOKIE,
        token,
        path="/login",
        httponly=True,
        secure=request.app[keys.SETTINGS].secure_cookies,
        samesite="Strict",
    )
    return response


@public
async def login_form(request: web.Request) -> web.StreamResponse:
    return _login_page(request)


@public
async def login(request: web.Request) -> web.StreamResponse:
    settings = request.app[keys.SETTINGS]
    store = request.app[keys.STORE]
    form = await request.post()
    email = str(form.get("email") or "").strip()[:255]
    password = str(form.get("password") or "")
    next_path = safe_next(form.get("next"))
    if not csrf.tokens_match(request.cookies.get(csrf.LOGIN_COOKIE), form.get(csrf.FIELD)):
        return _login_page(
            request,
            status=403,
            error="The sign-in form had expired. Please try again.",
            email=email,
            next_path=next_path,
        )
    address = client_address(request)
    policy = LoginPolicy.from_settings(settings)
    charge = await in_thread(begin_login_attempt, store.engine, email, address, policy)
    if isinstance(charge, timedelta):
        seconds = max(1, math.ceil(charge.total_seconds()))
        response = _login_page(
            request,
            status=429,
            error=(
                "Too many failed sign-ins from this address. "
                f"Please wait {_duration(seconds)} and try again."
            ),
            email=email,
            next_path=next_path,
        )
        response.headers["Retry-After"] = str(seconds)
        return response
    # The attempt now counts as a failure; a right password takes it back.
    staff = await in_thread(accounts.authenticate, store.engine, email, password)
    if staff is None:
        return _login_page(
            request,
            status=401,
            error="Wrong e-mail address or password.",
            email=email,
            next_path=next_path,
        )
    await in_thread(login_succeeded, store.engine, charge)
    # Always a new session id at login; an earlier one is deleted, never reused.
    session_id = await in_thread(
        open_session, store.engine, staff.id, request.cookies.get(SESSION_COOKIE)
    )
    await in_thread(
        store.audit, staff.email, "staff.signed_in", "staff", staff.id, {"address": address}
    )
    response = web.HTTPSeeOther(next_path)
    set_session_cookie(request, response, session_id)
    response.del_cookie(csrf.LOGIN_COOKIE, path="/login")
    return response


def _duration(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{math.ceil(seconds / 60)} minutes"


async def logout(request: web.Request) -> web.StreamResponse:
    store = request.app[keys.STORE]
    staff = current_staff(request)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        await in_thread(close_session, store.engine, cookie)
    await in_thread(store.audit, staff.email, "staff.signed_out", "staff", staff.id)
    response = web.HTTPSeeOther("/login?signed_out=1")
    response.del_cookie(SESSION_COOKIE, path="/")
    return response
