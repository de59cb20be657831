"""Resources the actions share, created on first use (nothing happens at import).

``TRIALBOT_TRIAL``
    Id of the trial this bot screens for (``criteria/<id>.yml``). Default ``spinus2``.
``TRIALBOT_DATABASE_URL``
    The screening store (see :mod:`trialbot.config`).
``TRIALBOT_NOTIFY_CHANNELS``
    Comma-separated channels that tell the study team about a new handoff (for
    example ``email``). Default: none.
"""

from __future__ import annotations

import functools
import logging
import os
import threading

from trialbot import blocking
from trialbot.config import Settings
from trialbot.criteria import Trial, load_trial, trial_path
from trialbot.store import ScreeningStore

logger = logging.getLogger(__name__)

TRIAL_VARIABLE = "TRIALBOT_TRIAL"
NOTIFY_CHANNELS_VARIABLE = "TRIALBOT_NOTIFY_CHANNELS"

_store: ScreeningStore | None = None
_store_lock = threading.Lock()


def trial_id() -> str:
    return os.environ.get(TRIAL_VARIABLE) or "spinus2"


@functools.cache
def _trial(trial_id: str) -> Trial:
    return load_trial(trial_path(trial_id))


def trial() -> Trial:
    """The trial this bot screens for, loaded once."""
    return _trial(trial_id())


def store() -> ScreeningStore:
    """The process's screening store: created (and migrated) on first use, then reused.

    Blocking: call it from a worker thread, like every store method.
    """
    global _store
    with _store_lock:
        if _store is None:
            settings = Settings.from_env()
            logger.info("Screening store at %s", settings.redacted_database_url)
            created = ScreeningStore.from_url(settings.database_url)
            created.upgrade()
            _store = created
        return _store


def notify_channels() -> list[str]:
    raw = os.environ.get(NOTIFY_CHANNELS_VARIABLE, "")
    return [channel.strip() for channel in raw.split(",") if channel.strip()]


# The actions run blocking work (the store, the parsers) through ``runtime.in_thread``.
in_thread = blocking.in_thread


def reset() -> None:
    """Forget the store and the trial (tests switch databases between cases)."""
    global _store
    with _store_lock:
        if _store is not None:
            _store.dispose()
        _store = None
    _trial.cache_clear()
