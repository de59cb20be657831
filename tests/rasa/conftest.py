"""The trained model, loaded once for the tests that run it in process."""

from __future__ import annotations

from typing import Any

import pytest

from trialbot import rasa_speedups
from trialbot.devtools.train import train


@pytest.fixture(scope="session")
def agent() -> Any:
    """The trained model as the Rasa server runs it: with trialbot's speed-ups applied
    (the server installs them when it loads trialbot's channels)."""
    from rasa.core.agent import Agent

    assert rasa_speedups.install()
    return Agent.load(str(train()))
