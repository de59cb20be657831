"""CSRF protection.

Signed-in forms use a synchronizer token: a random value stored with the server-side
session, put in every form as ``csrf_token`` and compared in constant time on every
state-changing request (the auth middleware does it before any handler runs).

The login form has no session yet: it uses a double-submit token, a random cookie
(``SameSite=Strict``, ``HttpOnly``) repeated in a hidden field.
"""

from __future__ import annotations

import hmac
import secrets

FIELD = "csrf_token"
LOGIN_COOKIE = "trialbot_login_csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def new_token() -> str:
    return secrets.token_urlsafe(32)


def tokens_match(expected: str | None, given: object) -> bool:
    if not expected or not isinstance(given, str) or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())
