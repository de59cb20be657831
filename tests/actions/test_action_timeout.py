"""Rasa gives up on a hung action server after TRIALBOT_ACTION_TIMEOUT seconds (not Rasa's
300) and the candidate reads the catalog's apology; a prompt action server is unaffected.

The action server here is a real HTTP server that answers after a delay; the call is
Rasa's own ``RemoteAction`` with ``trialbot.rasa_speedups`` installed, as in the server.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable

import pytest
from aiohttp import web
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from trialbot import messages, rasa_speedups

ANSWER = {"events": [{"event": "slot", "name": "interview", "value": {"pending": "age"}}]}


@pytest.fixture
async def action_server() -> AsyncIterator[Callable[[float], str]]:
    """An action server that answers after ``delay`` seconds; its webhook URL."""
    delays: list[float] = [0.0]
    calls: list[float] = []

    async def webhook(_: web.Request) -> web.Response:
        calls.append(time.monotonic())
        await asyncio.sleep(delays[0])
        return web.json_response(ANSWER)

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def answering_after(delay: float) -> str:
        delays[0] = delay
        return f"http://127.0.0.1:{port}/webhook"

    yield answering_after
    await runner.cleanup()


async def run_action(url: str) -> tuple[list[object], float]:
    assert rasa_speedups.install()
    domain = Domain.empty()
    tracker = DialogueStateTracker("timeout-candidate", domain.slots)
    action = RemoteAction("action_interview", EndpointConfig(url))
    started = time.monotonic()
    events = await action.run(
        CollectingOutputChannel(), TemplatedNaturalLanguageGenerator({}), tracker, domain
    )
    return list(events), time.monotonic() - started


async def test_a_hung_action_server_is_given_up_with_the_catalogs_apology(
    action_server: Callable[[float], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIALBOT_ACTION_TIMEOUT", "0.5")
    events, seconds = await run_action(action_server(30))
    assert seconds < 2, f"waited {seconds:.1f} s"
    assert events == [BotUttered(messages.render("action_timeout"))]
    assert not any(isinstance(e, SlotSet) for e in events)  # the interview state is untouched


async def test_a_prompt_action_server_is_answered_as_before(
    action_server: Callable[[float], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIALBOT_ACTION_TIMEOUT", "2")
    events, _ = await run_action(action_server(0.2))
    assert events == [SlotSet("interview", {"pending": "age"})]


def test_the_time_limit_is_ten_seconds_unless_configured(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("TRIALBOT_ACTION_TIMEOUT", raising=False)
    assert rasa_speedups.action_timeout() == 10
    monkeypatch.setenv("TRIALBOT_ACTION_TIMEOUT", "2.5")
    assert rasa_speedups.action_timeout() == 2.5
    for wrong in ("soon", "0", "-3", "inf", "nan"):
        monkeypatch.setenv("TRIALBOT_ACTION_TIMEOUT", wrong)
        with caplog.at_level(logging.WARNING, logger="trialbot.rasa_speedups"):
            assert rasa_speedups.action_timeout() == 10
        assert "is not a number of seconds" in caplog.text


def test_the_time_limit_is_set_on_any_rasa_release(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RemoteAction, "run", rasa_speedups.RASA_REMOTE_RUN)
    monkeypatch.setattr(rasa_speedups, "_installed", None)
    monkeypatch.setattr(rasa_speedups, "installed_rasa_version", lambda: "3.6.99")
    assert rasa_speedups.install() is False  # no speed-ups on a release they were not written for
    assert RemoteAction.run is rasa_speedups._run_remote_action
