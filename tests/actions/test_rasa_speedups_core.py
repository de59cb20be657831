"""The Rasa server's other speed-ups change nothing it computes or sends.

``applied_events`` carried on from its last result equals Rasa's own on every prefix of
random conversations, and so does a tracker copied without replaying its events. The
shared action-server session reuses one connection, sends what the standard library's
encoder would, and is closed on shutdown. Event classes are found by name as Rasa finds
them; the collector freeze happens once.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp import web
from hypothesis import given, settings
from hypothesis import strategies as st
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    AllSlotsReset,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    DefinePrevUserUtteredFeaturization,
    Event,
    FollowupAction,
    LoopInterrupted,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.utils.endpoints import EndpointConfig

from trialbot import rasa_speedups

FORM, OTHER_FORM = "screening_form", "contact_form"

# Every kind of event applied_events treats specially, and some it does not.
EVENTS: list[Callable[[], Event]] = [
    lambda: ActionExecuted("action_listen"),
    lambda: UserUttered("yes", {"name": "affirm", "confidence": 1.0}),
    lambda: UserUttered("what is it?", {"name": "faq", "confidence": 1.0}),
    lambda: ActionExecuted(FORM),
    lambda: ActionExecuted(OTHER_FORM),
    lambda: ActionExecuted("utter_faq"),
    lambda: ActiveLoop(FORM),
    lambda: ActiveLoop(OTHER_FORM),
    lambda: ActiveLoop(None),
    lambda: ActionExecutionRejected(FORM),
    lambda: SlotSet("requested_slot", "answer"),
    lambda: BotUttered("How old are you?"),
    lambda: DefinePrevUserUtteredFeaturization(False),
    lambda: UserUtteranceReverted(),
    lambda: ActionReverted(),
    lambda: Restarted(),
    lambda: SessionStarted(),
]


def _tracker() -> DialogueStateTracker:
    return DialogueStateTracker("candidate", slots=[])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(range(len(EVENTS))), max_size=40), st.integers(1, 4))
def test_applied_events_equal_rasas_own_as_a_conversation_grows(
    picks: list[int], step: int
) -> None:
    tracker = _tracker()
    for start in range(0, len(picks), step):
        for pick in picks[start : start + step]:
            tracker.events.append(EVENTS[pick]())
        ours = rasa_speedups._applied_events(tracker)
        assert ours == rasa_speedups.RASA_APPLIED_EVENTS(tracker)
        ours.append(ActionExecuted("mutated by a caller"))  # must not leak into the memo
    assert rasa_speedups._applied_events(tracker) == rasa_speedups.RASA_APPLIED_EVENTS(tracker)


def test_a_replaced_event_history_is_folded_from_the_start() -> None:
    """A new deque of the same length, ending with the same event, is still new."""
    listen, hello, form = ActionExecuted("action_listen"), UserUttered("hi"), ActiveLoop(FORM)
    tracker = _tracker()
    tracker.events.extend([listen, hello, form])
    assert rasa_speedups._applied_events(tracker) == [listen, hello, form]
    tracker.events = tracker._create_events([SessionStarted(), Restarted(), form])
    assert rasa_speedups._applied_events(tracker) == [form]
    tracker.recreate_from_dialogue(tracker.as_dialogue())  # extends the same deque
    assert rasa_speedups._applied_events(tracker) == rasa_speedups.RASA_APPLIED_EVENTS(tracker)


def test_a_tracker_updated_through_rasa_gets_the_same_applied_events() -> None:
    """Through ``tracker.update``, where a revert replays the tracker through
    ``applied_events`` itself."""
    assert rasa_speedups.install()
    tracker = _tracker()
    conversation = [
        ActionExecuted("action_listen"),
        UserUttered("yes", {"name": "affirm", "confidence": 1.0}),
        ActiveLoop(FORM),
        ActionExecuted(FORM),
        SlotSet("requested_slot", "answer"),
        ActionExecuted("action_listen"),
        UserUttered("yes", {"name": "affirm", "confidence": 1.0}),
        ActionExecuted(FORM),
        ActionExecuted("action_listen"),
        UserUttered("what is it?", {"name": "faq", "confidence": 1.0}),
        ActionExecutionRejected(FORM),
        ActionExecuted("utter_faq"),
        ActionExecuted("action_listen"),
        UserUttered("yes", {"name": "affirm", "confidence": 1.0}),
        ActionExecuted(FORM),
        UserUtteranceReverted(),
        ActionExecuted("action_listen"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        UserUttered("yes", {"name": "affirm", "confidence": 1.0}),
    ]
    for event in conversation:
        tracker.update(event)
        assert tracker.applied_events() == rasa_speedups.RASA_APPLIED_EVENTS(tracker)


PAYLOAD = {
    "text": 'Bolí mě záda 😩 </script> \\ "quoted"',
    "confidence": 0.12345678901234568,
    "timestamp": 1764500000.123456,
    "nested": [{"slot": None, "given": True, "count": 3}],
}


async def _serve(connections: set[int], received: list[Any]) -> web.AppRunner:
    async def webhook(request: web.Request) -> web.Response:
        connections.add(id(request.transport))
        body = await request.json()  # the standard library's decoder
        received.append(body["payload"])
        return web.json_response({"echo": body["n"]})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner


def test_action_calls_share_one_session_and_connection() -> None:
    assert rasa_speedups.install()

    async def scenario() -> tuple[list[int], int, bool]:
        connections: set[int] = set()
        received: list[Any] = []
        runner = await _serve(connections, received)
        port = runner.addresses[0][1]
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
        try:
            echoes = [
                (await endpoint.request(json={"n": n, "payload": PAYLOAD}))["echo"]
                for n in range(5)
            ]
            assert received == [PAYLOAD] * 5  # what ujson encoded decodes unchanged
            session = endpoint.__dict__["_trialbot_session"][1]
            await rasa_speedups.close_sessions()
            return echoes, len(connections), session.closed
        finally:
            await runner.cleanup()

    echoes, connections, closed = asyncio.run(scenario())
    assert echoes == [0, 1, 2, 3, 4]
    assert connections == 1
    assert closed
    # A new event loop (a restarted server) gets a session of its own.
    echoes, connections, closed = asyncio.run(scenario())
    assert (echoes, connections, closed) == ([0, 1, 2, 3, 4], 1, True)


def test_the_collector_freeze_happens_once() -> None:
    gc.unfreeze()  # an in-process server started by an earlier test froze it already
    assert gc.get_freeze_count() == 0
    try:
        rasa_speedups.freeze_after_load()
        frozen = gc.get_freeze_count()
        assert frozen > 10_000  # everything imported so far
        [object() for _ in range(1000)]
        rasa_speedups.freeze_after_load()
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def test_event_classes_are_found_by_name_as_rasa_finds_them() -> None:
    from rasa.shared.utils.common import all_subclasses

    names = {cls.type_name for cls in all_subclasses(Event)}
    for name in sorted(names) * 2:  # the second round comes from the cache
        expected = rasa_speedups.RASA_RESOLVE_BY_TYPE(name)
        assert rasa_speedups._resolve_event_type(name) is expected
    assert rasa_speedups._resolve_event_type("no_such_event", SlotSet) is SlotSet
    assert "no_such_event" not in rasa_speedups._EVENT_TYPES
    with pytest.raises(ValueError, match="Unknown event name"):
        rasa_speedups._resolve_event_type("no_such_event")


def _slots() -> list[Any]:
    from rasa.shared.core.slots import AnySlot, BooleanSlot, TextSlot

    return [
        TextSlot("requested_slot", mappings=[], influence_conversation=False),
        TextSlot("answer", mappings=[]),
        AnySlot("contact_given", mappings=[], initial_value={}),
        BooleanSlot("screening_finished", mappings=[], initial_value=False),
    ]


# Events that change a tracker's state (beyond EVENTS): slots, pauses, follow-ups, loops.
STATE_EVENTS: list[Callable[[], Event]] = [
    *EVENTS,
    lambda: SlotSet("answer", "three years"),
    lambda: SlotSet("contact_given", {"contact_phone": "given"}),
    lambda: SlotSet("screening_finished", True),
    lambda: SlotSet("requested_slot", None),
    lambda: AllSlotsReset(),
    lambda: FollowupAction("utter_faq"),
    lambda: ConversationPaused(),
    lambda: ConversationResumed(),
    lambda: LoopInterrupted(True),
]


def _state(tracker: DialogueStateTracker) -> tuple[Any, ...]:
    return (
        list(tracker.events),
        {name: (slot.value, slot.has_been_set) for name, slot in tracker.slots.items()},
        tracker.is_paused(),
        tracker.followup_action,
        tracker.latest_action,
        tracker.latest_message,
        tracker.latest_bot_utterance,
        tracker.active_loop,
        (tracker.sender_id, tracker.sender_source, tracker.model_id, tracker.assistant_id),
        (tracker.is_rule_tracker, tracker._max_event_history),
        tracker.current_state(EventVerbosity.ALL),
        tracker.applied_events(),
    )


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(range(len(STATE_EVENTS))), max_size=30),
    st.lists(st.sampled_from(range(len(STATE_EVENTS))), max_size=6),
)
def test_a_tracker_copy_has_the_state_rasas_replay_gives(
    before: list[int], after: list[int]
) -> None:
    assert rasa_speedups.install()
    tracker = DialogueStateTracker("candidate", slots=_slots())
    for pick in before:
        tracker.update(STATE_EVENTS[pick]())
    tracker.model_id = "model-1"  # a copy has none, in Rasa's copy too
    original = _state(tracker)

    ours, theirs = rasa_speedups._copy_tracker(tracker), rasa_speedups.RASA_COPY(tracker)
    assert _state(ours) == _state(theirs)
    for pick in after:  # the copies change on their own, as Rasa's do
        event = STATE_EVENTS[pick]()
        ours.update(event)
        theirs.update(event)
    assert _state(ours) == _state(theirs)
    assert _state(tracker) == original
