"""What Rasa's tracker may keep of a conversation: consent-scoped storage.

Pure logic over Rasa's event dicts (no Rasa import: the action server uses it too).
The interview's adapter (``actions/interview.py``) sets the slot ``privacy`` on every
turn from the interview's state (:func:`rule_for`); the tracker store
(``trialbot.rasa_tracker_store``) applies :func:`plan` to the events it is about to write.

A candidate's message is governed by the rule **in force when they typed it**: the value
the slot had before the message (the phase in which the pending question was asked).

``before_consent``
    Nothing the candidate typed is kept: their messages are written as
    ``[not kept]`` with no intent, entities or metadata; the bot's messages are kept. The
    message that gives consent (the rule after it is no longer ``before_consent``) is
    kept: the candidate agreed in it.
``contact``
    The candidate's messages are written as ``[contact detail]``, and a bot message of
    that turn that repeats any part of it (an e-mail address, a run of digits, a word of
    the name) is written as ``[contact detail]`` too. The store keeps the details, sealed.
``declined``
    The turn that declines deletes every stored event of the conversation and writes
    only the slots it set (the interview's fresh state: the fact of declining is in the
    screening store). Later turns while declined write only slots and actions.
``erase``
    The candidate asked for erasure: every event row of the conversation is deleted
    and nothing of the turn is written.
``normal``
    Everything is kept (sealed at rest).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

PRIVACY_SLOT = "privacy"
BEFORE_CONSENT = "before_consent"
NORMAL = "normal"
CONTACT = "contact"
DECLINED = "declined"
ERASE = "erase"
RULES = (BEFORE_CONSENT, NORMAL, CONTACT, DECLINED, ERASE)

NOT_KEPT_TEXT = "[not kept]"
CONTACT_TEXT = "[contact detail]"

_PHASE_RULES = {
    "new": BEFORE_CONSENT,
    "consent": BEFORE_CONSENT,
    "screening": NORMAL,
    "contact": CONTACT,
    "done": NORMAL,
    "declined": DECLINED,
    "stopped": NORMAL,
}


def rule_for(phase: str, *, pending_is_contact: bool = False, erased: bool = False) -> str:
    """The rule for the candidate's next message, from the interview's state after a turn.

    ``pending_is_contact``: the question on screen asks for a contact detail (a candidate
    who stopped there may still type one). An unknown phase keeps nothing.
    """
    if erased:
        return ERASE
    rule = _PHASE_RULES.get(phase, BEFORE_CONSENT)
    if pending_is_contact and rule == NORMAL:
        return CONTACT
    return rule


@dataclass
class Plan:
    """What to do with a batch of new events."""

    delete_stored: bool = False  # delete every stored event of the conversation first
    rows: list[dict[str, Any]] = field(default_factory=list)  # event dicts to write
    rule_after: str = BEFORE_CONSENT


def rule_in(events: Sequence[Mapping[str, Any]], default: str | None = None) -> str | None:
    """The last value the events give the privacy slot (``default`` if none)."""
    for event in reversed(events):
        if _privacy_value(event) is not None:
            return _privacy_value(event)
    return default


def plan(events: Sequence[dict[str, Any]], prior: str | None) -> Plan:
    """What may be written of ``events`` (Rasa's event dicts, in order), given the rule
    in force before the first of them (``None``: nothing consented yet)."""
    current = prior if prior in RULES else BEFORE_CONSENT
    result = Plan(rule_after=current)
    for turn in _turns(events):
        governing = current
        after = rule_in(turn, governing) or governing
        if any(_privacy_value(e) == ERASE for e in turn):
            return Plan(delete_stored=True, rows=[], rule_after=ERASE)
        if after == DECLINED and governing != DECLINED:
            # Declining: forget the conversation, keep only the slots this turn set.
            # Rasa reads a conversation whose last action is `action_listen` as waiting
            # for the candidate: without it no rule applies to their next message.
            result = Plan(
                delete_stored=True,
                rows=_last_slot_values(turn) + _listening(turn),
                rule_after=DECLINED,
            )
        elif governing == DECLINED and after == DECLINED:
            result.rows += [e for e in turn if e.get("event") not in ("user", "bot")]
        else:
            result.rows += _governed(turn, governing, after)
        current = after
        result.rule_after = current
    return result


def _turns(events: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The events split before each user message (what precedes the first is a turn too)."""
    turns: list[list[dict[str, Any]]] = [[]]
    for event in events:
        if event.get("event") == "user" and turns[-1]:
            turns.append([])
        turns[-1].append(event)
    return [t for t in turns if t]


def _governed(turn: list[dict[str, Any]], governing: str, after: str) -> list[dict[str, Any]]:
    consented_now = governing in (BEFORE_CONSENT, DECLINED) and after in (NORMAL, CONTACT)
    if governing == NORMAL or consented_now:
        return list(turn)
    typed = " ".join(str(e.get("text") or "") for e in turn if e.get("event") == "user")
    rows = []
    for event in turn:
        kind = event.get("event")
        if kind == "user":
            placeholder = CONTACT_TEXT if governing == CONTACT else NOT_KEPT_TEXT
            rows.append(redacted_user(event, placeholder))
        elif kind == "bot" and governing == CONTACT and echoes(str(event.get("text") or ""), typed):
            rows.append(redacted_bot(event, CONTACT_TEXT))
        else:
            rows.append(event)
    return rows


def _listening(turn: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The turn's closing ``action_listen``, if it has one."""
    last = turn[-1] if turn else {}
    listens = last.get("event") == "action" and last.get("name") == "action_listen"
    return [last] if listens else []


def _last_slot_values(turn: list[dict[str, Any]]) -> list[dict[str, Any]]:
    last: dict[str, dict[str, Any]] = {}
    for event in turn:
        if event.get("event") == "slot" and isinstance(event.get("name"), str):
            last.pop(event["name"], None)
            last[event["name"]] = event
    return list(last.values())


def _privacy_value(event: Mapping[str, Any]) -> str | None:
    if event.get("event") == "slot" and event.get("name") == PRIVACY_SLOT:
        value = event.get("value")
        return value if isinstance(value, str) else None
    return None


def redacted_user(event: Mapping[str, Any], placeholder: str) -> dict[str, Any]:
    """A user event with nothing of what was typed: no text, intent, entities, metadata."""
    redacted: dict[str, Any] = {
        key: event[key]
        for key in ("event", "timestamp", "input_channel", "message_id")
        if key in event
    }
    redacted["text"] = placeholder
    redacted["parse_data"] = {"intent": {}, "entities": []}
    return redacted


def redacted_bot(event: Mapping[str, Any], placeholder: str) -> dict[str, Any]:
    redacted = {key: event[key] for key in ("event", "timestamp") if key in event}
    redacted["text"] = placeholder
    return redacted


# -- does a bot message repeat a contact detail? -------------------------------------------

_EMAIL = re.compile(r"[^\s@<>()\[\],;:\"']+@[^\s@<>()\[\],;:\"']+")
_DIGIT_RUN = re.compile(r"\+?\d[\d\s().\-/]*\d")
_WORD = re.compile(r"[^\W\d_]{2,}")
# Words of "my name is Jan" that are not the name (a bot message may well contain them).
_NOT_NAMES = frozenset(
    re.findall(
        r"\w+",
        """a about address am an and any are at be but by call can contact cz de did do don
        dont e email first for from full give got had have he hello her here hi his i im in
        is it its just last like mail me mine mobile my name no none not number of ok okay
        on or phone please prefer rather reach she skip so sure surname thank thanks that the
        their them they this to uk use want was we what whatsapp will with would yes you
        your com org net""",
    )
)
MIN_DIGITS = 5


def echoes(bot_text: str, typed: str) -> bool:
    """Whether ``bot_text`` repeats a part of ``typed`` that could be a contact detail:
    an e-mail address, a run of at least five digits (spacing ignored), or a word that
    could be a name. Errs on the side of redacting."""
    if not bot_text or not typed:
        return False
    bot_folded = bot_text.casefold()
    if any(email.casefold() in bot_folded for email in _EMAIL.findall(typed)):
        return True
    bot_digits = re.sub(r"\D", "", bot_text)
    for run in _DIGIT_RUN.findall(typed):
        digits = re.sub(r"\D", "", run)
        if len(digits) >= MIN_DIGITS and digits in bot_digits:
            return True
    bot_words = {w.casefold() for w in _WORD.findall(bot_text)}
    return any(
        w.casefold() in bot_words and w.casefold() not in _NOT_NAMES for w in _WORD.findall(typed)
    )
