"""The benchmark's load loop: each side runs for at least the given time (issue 9: short
windows gave throughput ratios from 1.9x to 2.9x), and for at least the given number of
conversations."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from trialbot.devtools.bench import TARGET_SECONDS, Run, load, main


def _player(turn_seconds: float, turns: int = 3) -> Any:
    async def play(session: Any, url: str, index: int, run: Run) -> None:
        for _ in range(turns):
            await asyncio.sleep(turn_seconds)
            run.latencies_ms.append(turn_seconds * 1000)

    return play


def test_it_keeps_starting_conversations_until_the_time_is_up() -> None:
    run = asyncio.run(load("fake", "http://unused", 2, 4, _player(0.01), {}, seconds=0.5))
    assert run.seconds >= 0.5
    assert run.conversations > 2 * 4  # far more than the two asked for
    assert run.turns == 3 * run.conversations  # every conversation it started, it finished
    assert run.per_second > 0


def test_it_plays_at_least_the_conversations_asked_for() -> None:
    started = time.perf_counter()
    run = asyncio.run(load("fake", "http://unused", 12, 4, _player(0.001), {}, seconds=0))
    assert run.conversations == 12
    assert run.turns == 36
    assert time.perf_counter() - started < 5


def test_a_failing_conversation_is_counted_and_the_run_goes_on() -> None:
    async def play(session: Any, url: str, index: int, run: Run) -> None:
        if index == 1:
            raise RuntimeError("the bot asked something unexpected\nmore")
        run.latencies_ms.append(1.0)

    run = asyncio.run(load("fake", "http://unused", 5, 2, play, {}, seconds=0))
    assert (run.conversations, run.failed, run.turns) == (5, 1, 4)
    assert run.errors == ["RuntimeError: the bot asked something unexpected"]


def test_each_side_runs_thirty_seconds_unless_told_otherwise(capsys: Any) -> None:
    assert TARGET_SECONDS == 30
    with pytest.raises(SystemExit) as refused:
        main(["--seconds", "-1"])
    assert refused.value.code == 2
    assert "--seconds at least 0" in capsys.readouterr().err
