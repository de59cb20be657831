"""The screening store (``ScreeningStore``, in ``trialbot.store.screenings``) and what its
callers catch and read: errors, handoff records, the funnel.

The store's privacy rules are set out with the class, in ``trialbot.store.screenings``.
"""

from __future__ import annotations

from trialbot.store.db import (
    ConsentRequired,
    ScreeningClosed,
    ScreeningNotFound,
    StoreError,
    StoreUnavailable,
)
from trialbot.store.handoffs import (
    Funnel,
    HandoffDetail,
    HandoffNotFound,
    HandoffStatus,
    HandoffSummary,
    InvalidTransition,
)
from trialbot.store.screenings import CONTACT_QUESTIONS, ScreeningStore

__all__ = [
    "CONTACT_QUESTIONS",
    "ConsentRequired",
    "Funnel",
    "HandoffDetail",
    "HandoffNotFound",
    "HandoffStatus",
    "HandoffSummary",
    "InvalidTransition",
    "ScreeningClosed",
    "ScreeningNotFound",
    "ScreeningStore",
    "StoreError",
    "StoreUnavailable",
]
