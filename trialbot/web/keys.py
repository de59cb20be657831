"""Typed keys of the app's shared resources and of per-request state."""

from __future__ import annotations

from aiohttp import ClientSession, web
from jinja2 import Environment

from trialbot.criteria import Trial
from trialbot.store import ScreeningStore
from trialbot.web.config import WebSettings
from trialbot.web.transcript import TranscriptReader

SETTINGS = web.AppKey("settings", WebSettings)
STORE = web.AppKey("store", ScreeningStore)
TEMPLATES = web.AppKey("templates", Environment)
TRIALS = web.AppKey("trials", dict[str, Trial])
TRANSCRIPTS = web.AppKey("transcripts", TranscriptReader)
HTTP = web.AppKey("http", ClientSession)

# Request state (aiohttp 3.9 has no typed request keys), set by the auth middleware.
STAFF = "trialbot.staff"
WEB_SESSION = "trialbot.session"
API_TOKEN = "trialbot.token"
