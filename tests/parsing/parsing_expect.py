"""Expected-outcome helpers shared by the parsing test tables."""

from __future__ import annotations

from datetime import date
from typing import Any

from trialbot.answers import Parsed

TODAY = date(2026, 11, 24)

# Expected outcomes in the tables: NU = not understood, DK = understood "don't know",
# otherwise (value, hedged).
NU = "not understood"
DK = "don't know"


def outcome(parsed: Parsed) -> Any:
    if not parsed.understood:
        return NU
    if parsed.value is None:
        return DK
    return (parsed.value, parsed.hedged)
