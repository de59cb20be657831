"""Fixtures for the parsing tests: answers are read with a fixed 'today'."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from parsing_expect import TODAY, outcome

from trialbot.parsing import parse


@pytest.fixture
def read() -> Callable[[str, str], Any]:
    def _read(expects: str, text: str) -> Any:
        return outcome(parse(expects, text, today=TODAY))

    return _read
