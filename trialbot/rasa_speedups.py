"""Speed-ups for the Rasa server, installed when Rasa loads trialbot's channels.

:func:`install` is the one entry point: the channels (``trialbot.channels``) call it when
Rasa builds their routes, and it patches Rasa once per process, and only the Rasa release
the patches were written against (:data:`RASA_VERSION`): each replaces one of Rasa's
internals, which another release may have changed. With any other release it logs a
warning and patches none of the speed-ups; the server then runs at Rasa's own speed (the
action call's time limit below is set on any release).

Each was found by profiling the server under ten concurrent conversations (py-spy, see
the README's benchmark section); none changes what the server answers.

**Action responses.** Rasa 3.6 validates every action server response with
``jsonschema.validate(result, schema)``, which re-checks the *schema* against the JSON
Schema meta-schema on every call: 40 % of the server's CPU time. :func:`install` swaps in
a validator built once per action class: the same checks on the response, without
re-validating the constant schema each time, and each event checked against its own
type's schema instead of trying all twenty (see :class:`_ResponseValidator`).

**The graph.** Rasa runs its model graph (the NLU pipeline for each message, the
policies for each prediction) through dask's scheduler, which rebuilds the task graph
and its dependency sets on every call: 8 % of the server's time. The graphs are small
chains run on one thread; :class:`SequentialGraphRunner` runs the same nodes, in an
order planned once per set of targets.

**The action server.** Rasa opens a new HTTP client session, DNS resolver and TCP
connection for every action call. :func:`_shared_session` keeps one session per
endpoint, whose idle connections are closed after 2 s, before the action server's own
5 s keep-alive timeout can close one under a request. The tracker it sends is encoded
with ujson (a Rasa dependency) instead of the standard library's encoder.

**Applied events.** ``DialogueStateTracker.applied_events`` replays the whole
conversation (undoing reverted events and the form's own re-runs), and Rasa calls it
several times per message (session expiry, the policies' states, the action server's
payload) on a tracker that only grew by a few events since. :func:`_applied_events`
carries on from its last result.

**Tracker copies.** Before running each action Rasa copies the tracker by replaying
every event into a new one (``DialogueStateTracker.copy``); :func:`_copy_tracker`
copies the same events and the state they produced instead.

**Event types.** Rasa finds an event's class by its name (for every event it reads
from the tracker store or an action response) by walking all subclasses of ``Event``
each time; :func:`_resolve_event_type` remembers what it found.

**Garbage collection.** The loaded model and TensorFlow leave about 600,000 objects
that live as long as the server; :func:`freeze_after_load` moves them out of the
collector's way once the model is loaded, so full collections no longer walk them.

**The action call's time limit.** Rasa waits up to 300 s for the action server
(``DEFAULT_REQUEST_TIMEOUT``, fixed in ``RemoteAction.run``): a hung action server kept a
candidate waiting five minutes. :func:`_run_remote_action` gives up after
``TRIALBOT_ACTION_TIMEOUT`` seconds (default 10) and says the catalog's
``action_timeout`` apology instead. The action's events are dropped, so its slots stay
as they were and the candidate's next message answers the same pending question. This
is not a speed-up and needs nothing of Rasa's internals, so :func:`install` applies it
on every Rasa release.

:func:`freeze_after_load` and :func:`close_sessions` are server listeners: the channels
register them with :func:`listen` once the speed-ups are installed.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import gc
import importlib.metadata
import itertools
import logging
import os
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import aiohttp
import rasa.core.processor
import ujson
from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    Event,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig
from sanic import Blueprint, Sanic

logger = logging.getLogger(__name__)

# Idle connections to the action server are closed after this many seconds: less than
# the keep-alive timeout of its Sanic server (5 s), so it never closes one first.
KEEPALIVE_SECONDS = 2.0

# The Rasa release the patches were written for: the tests compare them with its code.
RASA_VERSION = "3.6.21"

# How long Rasa waits for the action server before it apologises (seconds).
ACTION_TIMEOUT_VARIABLE = "TRIALBOT_ACTION_TIMEOUT"
DEFAULT_ACTION_TIMEOUT = 10.0
# Said when the action server did not answer in time: the catalog's ``action_timeout``
# (bot/messages/<lang>.yml); this literal is only the last resort if it cannot be read.
LAST_RESORT_TIMEOUT_APOLOGY = (
    "Sorry, that took too long on our side. Please send your answer again."
)

# Rasa's own versions of what install() replaces, kept for comparison (the tests) and reuse.
RASA_REMOTE_RUN = RemoteAction.run
RASA_APPLIED_EVENTS = DialogueStateTracker.applied_events
RASA_COPY = DialogueStateTracker.copy
RASA_RESOLVE_BY_TYPE = Event.resolve_by_type

# None until install() has run in this process; then whether it patched Rasa.
_installed: bool | None = None


class _ResponseValidator:
    """Rasa's response schema, checked once, validating each event against its own type.

    The schema's ``events`` items are a ``oneOf`` of one branch per event type, each
    fixing ``event`` to a constant: jsonschema tries every branch for every event. An
    event whose ``event`` names a branch can match that branch only, so checking the
    item's common part plus that one branch is the same check. Anything else (an
    unknown type, a non-object) goes through the whole ``oneOf`` and fails as before. If
    a Rasa version's schema had another shape, the whole schema is used as is.
    """

    def __init__(self, schema: dict[str, Any]) -> None:
        cls = validator_for(schema)
        cls.check_schema(schema)  # once, instead of on every response
        self._whole = cls(schema)
        self._outer: Any = None
        self._item: Any = None
        self._by_type: dict[str, Any] = {}
        events = schema.get("properties", {}).get("events")
        if not (isinstance(events, dict) and set(events) == {"type", "items"}):
            return
        item = events["items"]
        branches = item.get("oneOf") if isinstance(item, dict) else None
        if events["type"] != "array" or not isinstance(branches, list):
            return
        types = [b.get("properties", {}).get("event", {}).get("const") for b in branches]
        if not all(isinstance(t, str) for t in types) or len(set(types)) != len(types):
            return
        outer = copy.deepcopy(schema)
        outer["properties"]["events"] = {"type": "array"}
        common = {key: value for key, value in item.items() if key != "oneOf"}
        self._outer = cls(outer)
        self._item = cls(item)
        self._by_type = {
            t: cls({**common, "allOf": [b]}) for t, b in zip(types, branches, strict=True)
        }

    def validate(self, result: Any) -> None:
        if self._outer is None:
            self._whole.validate(result)
            return
        self._outer.validate(result)
        events = result.get("events") if isinstance(result, dict) else None
        for event in events if isinstance(events, list) else ():
            kind = event.get("event") if isinstance(event, dict) else None
            validator = self._by_type.get(kind) if isinstance(kind, str) else None
            (validator or self._item).validate(event)


@functools.lru_cache(maxsize=8)
def _validator(action_class: type[RemoteAction]) -> _ResponseValidator:
    return _ResponseValidator(action_class.action_response_format_spec())


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    try:
        action_class: Any = type(self)
        _validator(action_class).validate(result)
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response "
            f"from the Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise
    return True


class SequentialGraphRunner(DaskGraphRunner):
    """Rasa's graph runner, running the nodes one after another without dask.

    Same nodes, same inputs: a placeholder input (``__message__``, ``__tracker__``)
    stands in for any node of its name, a dependency that nothing provides reaches the
    node as its bare name (the node then fails as under dask), and the results are the
    targets' ``(name, output)`` pairs.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # (targets, input names) -> the nodes to run, in order, with their inputs' names
        self._plans: dict[
            tuple[tuple[str, ...], frozenset[str]], tuple[tuple[str, tuple[str, ...]], ...]
        ] = {}

    def run(
        self, inputs: dict[str, Any] | None = None, targets: list[str] | None = None
    ) -> dict[str, Any]:
        run_targets = tuple(targets) if targets else tuple(self._graph_schema.target_names)
        given = inputs or {}
        for value in given.values():
            if isinstance(value, str) and value in self._graph_schema.nodes:
                raise GraphRunError(
                    f"Input value '{value}' clashes with a node name. Make sure that none "
                    f"of the input names passed to the `run` method are the same as node "
                    f"names in the graph schema."
                )
        values: dict[str, Any] = {name: (name, value) for name, value in given.items()}
        try:
            for name, needs in self._plan(run_targets, frozenset(given)):
                node = self._instantiated_nodes[name]
                values[name] = node(*(values.get(need, need) for need in needs))
        except RuntimeError as error:
            raise GraphRunError("Error running runner.") from error
        return dict(values[target] for target in run_targets)

    def _plan(
        self, targets: tuple[str, ...], inputs: frozenset[str]
    ) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """The nodes the targets depend on, each after its dependencies."""
        plan = self._plans.get((targets, inputs))
        if plan is None:
            nodes = self._graph_schema.nodes
            order: list[tuple[str, tuple[str, ...]]] = []
            seen: set[str] = set()

            def visit(name: str) -> None:
                if name in seen or name in inputs or name not in nodes:
                    return
                seen.add(name)
                needs = tuple(nodes[name].needs.values())
                for need in needs:
                    visit(need)
                order.append((name, needs))

            for target in targets:
                visit(target)
            plan = self._plans[(targets, inputs)] = tuple(order)
        return plan


@dataclass(frozen=True)
class _Applied:
    """What ``applied_events`` gave for the first ``length`` events of ``events``."""

    events: deque[Event]
    length: int
    last: Event | None
    loop_names: frozenset[str]
    applied: list[Event]


def _applied_events(self: DialogueStateTracker) -> list[Event]:
    """Rasa's ``DialogueStateTracker.applied_events``, carried on from the last call.

    Rasa's is a left fold over all the events, given the names of all the loops they
    mention. Events are only ever appended to a tracker's deque (or the deque replaced
    wholesale), so when the deque is the one seen last time, still begins with the
    events seen then, and names no new loop, folding just the new events onto the last
    result gives the same list. Anything else is folded from the start.
    """
    events = self.events
    memo: _Applied | None = self.__dict__.get("_trialbot_applied")
    applied: list[Event] | None = None
    if (
        memo is not None
        and memo.events is events
        and events.maxlen is None
        and len(events) >= memo.length
        and (memo.length == 0 or events[memo.length - 1] is memo.last)
    ):
        new = list(itertools.islice(events, memo.length, None))
        if _loop_names(new) <= memo.loop_names:
            loop_names = memo.loop_names
            applied = _fold(self, list(memo.applied), new, loop_names) if new else memo.applied
    if applied is None:
        loop_names = _loop_names(events)
        applied = _fold(self, [], events, loop_names)
    last = events[-1] if events else None
    self.__dict__["_trialbot_applied"] = _Applied(events, len(events), last, loop_names, applied)
    return list(applied)


def _loop_names(events: Iterable[Event]) -> frozenset[str]:
    return frozenset(e.name for e in events if isinstance(e, ActiveLoop) and e.name)


def _fold(
    tracker: DialogueStateTracker,
    applied: list[Event],
    events: Iterable[Event],
    loop_names: frozenset[str],
) -> list[Event]:
    """The loop of Rasa 3.6's ``applied_events`` (rasa/shared/core/trackers.py),
    continued from ``applied``."""
    for event in events:
        if isinstance(event, (Restarted, SessionStarted)):
            applied = []
        elif isinstance(event, ActionReverted):
            tracker._undo_till_previous(ActionExecuted, applied)
        elif isinstance(event, UserUtteranceReverted):
            tracker._undo_till_previous(UserUttered, applied)
            tracker._undo_till_previous(ActionExecuted, applied)
        elif (
            isinstance(event, ActionExecuted)
            and event.action_name in loop_names
            and not tracker._first_loop_execution_or_unhappy_path(event.action_name, applied)
        ):
            tracker._undo_till_previous_loop_execution(event.action_name, applied)
        else:
            applied.append(event)
    return applied


def _copy_tracker(self: DialogueStateTracker) -> DialogueStateTracker:
    """Rasa's ``DialogueStateTracker.copy`` without replaying the events.

    Rasa's copy is ``init_copy()`` (same sender, slots, history limit and rule flag;
    no model, assistant or source ids) with every event applied again. A tracker's state
    is by construction what its events produce, so this copies that state: the slots'
    values, the loop, the latest action, messages and follow-up, the pause. Dicts that
    events change in place (the loop, the latest action) are copied; events, like the
    values a replay would set, are shared.
    """
    new = self.init_copy()
    new.events = new._create_events(list(self.events))
    for name, slot in self.slots.items():
        new.slots[name] = copy.copy(slot)
    new._paused = self._paused
    new.followup_action = self.followup_action
    new.latest_action = copy.copy(self.latest_action)
    new.latest_message = self.latest_message
    new.latest_bot_utterance = self.latest_bot_utterance
    new.active_loop = copy.copy(self.active_loop)
    memo: _Applied | None = self.__dict__.get("_trialbot_applied")
    if memo is not None and memo.events is self.events and memo.length == len(self.events):
        new.__dict__["_trialbot_applied"] = _Applied(
            new.events, memo.length, memo.last, memo.loop_names, memo.applied
        )
    return new


_EVENT_TYPES: dict[str, type[Event]] = {}


def _resolve_event_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    """Rasa's ``Event.resolve_by_type``, remembering each class it found by name."""
    found = _EVENT_TYPES.get(type_name)
    if found is None:
        found = RASA_RESOLVE_BY_TYPE(type_name, default)  # Rasa's search, and its errors
        if found is not None and found.type_name == type_name:  # not the default
            _EVENT_TYPES[type_name] = found
    return found


class _Borrowed:
    """``async with`` over a shared session that does not close it afterwards."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self._session

    async def __aexit__(self, *_: object) -> None:
        return None


_SESSIONS: list[aiohttp.ClientSession] = []


def _shared_session(self: EndpointConfig) -> _Borrowed:
    """Rasa's ``EndpointConfig.session``, one session per endpoint and event loop."""
    loop = asyncio.get_running_loop()
    kept = self.__dict__.get("_trialbot_session")
    if kept is None or kept[0] is not loop or kept[1].closed:
        auth = (
            aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
            if self.basic_auth
            else None
        )
        session = aiohttp.ClientSession(
            headers=self.headers,
            auth=auth,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS),
            json_serialize=ujson.dumps,
        )
        kept = self.__dict__["_trialbot_session"] = (loop, session)
        _SESSIONS.append(session)
    return _Borrowed(kept[1])


async def close_sessions(*_: Any) -> None:
    """Closes the shared sessions (a Sanic ``after_server_stop`` listener)."""
    while _SESSIONS:
        await _SESSIONS.pop().close()


def freeze_after_load(*_: Any) -> None:
    """Moves every object alive now out of the collector's generations (a Sanic
    ``after_server_start`` listener: Rasa loads the model before the server starts)."""
    if gc.get_freeze_count() == 0:
        gc.collect()
        gc.freeze()
        logger.debug("Froze %d objects for the garbage collector", gc.get_freeze_count())


def listen(app_or_blueprint: Sanic | Blueprint) -> None:
    """Registers the listeners above (each is harmless when registered twice)."""
    app_or_blueprint.listener(freeze_after_load, "after_server_start")
    app_or_blueprint.listener(close_sessions, "after_server_stop")


def action_timeout() -> float:
    """``TRIALBOT_ACTION_TIMEOUT`` in seconds (default 10; a value that is not a positive
    number falls back to the default, with a warning)."""
    value = os.environ.get(ACTION_TIMEOUT_VARIABLE, "").strip()
    if not value:
        return DEFAULT_ACTION_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        logger.warning(
            "%s=%r is not a number of seconds: using %.0f",
            ACTION_TIMEOUT_VARIABLE,
            value,
            DEFAULT_ACTION_TIMEOUT,
        )
        return DEFAULT_ACTION_TIMEOUT
    return seconds


def timeout_apology() -> str:
    from trialbot import messages

    try:
        return messages.render("action_timeout")
    except Exception:  # a broken catalog must not turn an apology into silence
        logger.exception("Could not read the time-out apology from the message catalog")
        return LAST_RESORT_TIMEOUT_APOLOGY


async def _run_remote_action(self: RemoteAction, *args: Any, **kwargs: Any) -> list[Event]:
    """Rasa's ``RemoteAction.run``, given up after :func:`action_timeout` seconds.

    Then the action's events are lost (as when the action server is down) and the
    candidate reads the apology. Cancelling Rasa's call closes its connection, so the
    action server's late answer goes nowhere.
    """
    seconds = action_timeout()
    try:
        return await asyncio.wait_for(RASA_REMOTE_RUN(self, *args, **kwargs), seconds)
    except asyncio.TimeoutError:
        logger.warning(
            "The action server did not run %r within %g s: the candidate was asked to "
            "send the message again",
            self.name(),
            seconds,
        )
        return [BotUttered(timeout_apology())]


def installed_rasa_version() -> str | None:
    try:
        return importlib.metadata.version("rasa")
    except importlib.metadata.PackageNotFoundError:
        return None


def install() -> bool:
    """Patches Rasa, the first time it is called in a process; whether Rasa is patched.

    Refuses (a warning, no speed-up patched) unless the installed Rasa is
    :data:`RASA_VERSION`; the action call's time limit is set on any release.
    Later calls change nothing. A channel's blueprint also needs :func:`listen`.
    """
    global _installed
    if _installed is None:
        RemoteAction.run = _run_remote_action  # type: ignore[method-assign]
        version = installed_rasa_version()
        if version != RASA_VERSION:
            logger.warning(
                "Rasa %s is installed, but trialbot's speed-ups were written for Rasa %s: "
                "not installing them (the server runs, at Rasa's own speed)",
                version or "(version unknown)",
                RASA_VERSION,
            )
            _installed = False
        else:
            _patch()
            _installed = True
    return _installed


def _patch() -> None:
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    rasa.core.processor.DaskGraphRunner = SequentialGraphRunner  # type: ignore[misc]
    EndpointConfig.session = _shared_session  # type: ignore[assignment,method-assign]
    DialogueStateTracker.applied_events = _applied_events  # type: ignore[method-assign]
    DialogueStateTracker.copy = _copy_tracker  # type: ignore[method-assign]
    Event.resolve_by_type = staticmethod(_resolve_event_type)  # type: ignore[method-assign,assignment]
