"""Plays persona files through the REST channel and scores them (``make eval``).

A persona file is a YAML list of scripted candidates, in the format of the shared
evaluation player (``shared/eval/simulate.py``)::

  - id: t01_example
    opening: hi
    answers: {consent: ["yes"], age: ["I'm 48"], ...}   # question id -> answers
    digress: {mri: "what is an MRI?"}                   # optional, sent once instead
    expect: {outcome: likely_eligible, criteria: {inc_age: pass}}

The player answers whatever the bot asks, found from the ``question_id`` of the last
question payload in a reply: the persona's answers for that id (one per time it is
asked; the last repeats), a confirmation (``question_id: confirm``) truthfully from the
expected verdicts, anything else "I'm not sure". No question within ``MAX_TURNS`` counts
as stuck. Outcomes are read from the screening store, as ``trialbot screening show
SENDER --json`` shows them.
"""

from __future__ import annotations

import json
import urllib.request
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

MAX_TURNS = 60
HANDOFF = ("likely_eligible", "possibly_eligible")
YES, NO, UNSURE = "yes, that's right", "no, that's not right", "I'm not sure"


def payload_of(replies: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    found = None
    for message in replies:
        custom = message.get("custom")
        if isinstance(custom, Mapping) and custom.get("question_id"):
            found = custom  # the last one asked wins
    return found


def confirm_reply(payload: Mapping[str, Any], expect: Mapping[str, Any]) -> str:
    """ "no" when what the bot understood contradicts the persona's truth."""
    wanted = expect.get("criteria") or {}
    for criterion, verdict in (payload.get("verdicts") or {}).items():
        if criterion in wanted and wanted[criterion] != verdict:
            return NO
        if criterion not in wanted and expect["outcome"] == "likely_eligible" and verdict == "fail":
            return NO
    return YES


@dataclass
class Played:
    persona: Mapping[str, Any]
    sender: str
    turns: list[tuple[str, str, list[dict[str, Any]]]] = field(default_factory=list)
    stuck: bool = False
    report: Mapping[str, Any] | None = None

    @property
    def expected(self) -> str:
        return str(self.persona["expect"]["outcome"])

    @property
    def got(self) -> str | None:
        return None if self.report is None else self.report.get("outcome")

    @property
    def criteria(self) -> tuple[int, int, dict[str, str]]:
        """(right, checked, {criterion: "got!=expected"})."""
        got = (self.report or {}).get("criteria") or {}
        wrong = {}
        want = self.persona["expect"].get("criteria") or {}
        for criterion, verdict in want.items():
            if got.get(criterion) != verdict:
                wrong[criterion] = f"{got.get(criterion)}!={verdict}"
        return len(want) - len(wrong), len(want), wrong

    def transcript(self) -> str:
        lines = []
        for asked, text, replies in self.turns:
            lines.append(f"  [{asked}] {text}")
            for message in replies:
                custom = message.get("custom") or ""
                lines.append(f"      bot: {str(message.get('text', ''))[:160]} {custom}")
        lines.append(f"  => {json.dumps(self.report, ensure_ascii=False)[:600]}")
        return "\n".join(lines)


Send = Callable[[str, str], list[dict[str, Any]]]


def rest_sender(url: str, timeout: float = 60) -> Send:
    def send(sender: str, text: str) -> list[dict[str, Any]]:
        body = json.dumps({"sender": sender, "message": text}).encode()
        request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            replies = json.loads(response.read() or b"[]")
        return replies if isinstance(replies, list) else []

    return send


def play(
    persona: Mapping[str, Any],
    send: Send,
    report: Callable[[str], Mapping[str, Any] | None],
) -> Played:
    played = Played(persona, f"eval-{persona['id']}-{uuid.uuid4().hex[:8]}")
    answers = {k: (list(v) if isinstance(v, list) else [v]) for k, v in persona["answers"].items()}
    used = dict.fromkeys(answers, 0)
    digress = dict(persona.get("digress") or {})
    opening = str(persona.get("opening", "hi"))
    replies = send(played.sender, opening)
    played.turns.append(("opening", opening, replies))
    for _ in range(MAX_TURNS):
        payload = payload_of(replies)
        if payload is None:
            break
        question = str(payload["question_id"])
        if question in digress:
            text = str(digress.pop(question))
        elif question in answers:
            given = answers[question]
            text = str(given[min(used[question], len(given) - 1)])
            used[question] += 1
        elif question == "confirm":
            text = confirm_reply(payload, persona["expect"])
        else:
            text = UNSURE
        replies = send(played.sender, text)
        played.turns.append((question, text, replies))
    else:
        played.stuck = True
    played.report = report(played.sender)
    return played


@dataclass(frozen=True)
class Summary:
    personas: int
    outcome_accuracy: float
    criterion_accuracy: float
    stuck: int
    misrouted_ineligible: int
    missed_eligible: int
    mean_turns: float
    failed: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "personas": self.personas,
            "outcome_accuracy": self.outcome_accuracy,
            "criterion_accuracy": self.criterion_accuracy,
            "stuck": self.stuck,
            "misrouted_ineligible": self.misrouted_ineligible,
            "missed_eligible": self.missed_eligible,
            "mean_turns": self.mean_turns,
            "failed": list(self.failed),
        }


def summarise(results: Sequence[Played]) -> Summary:
    n = max(1, len(results))
    right = sum(r.got == r.expected for r in results)
    criteria = [r.criteria for r in results]
    checked = sum(c[1] for c in criteria)
    return Summary(
        personas=len(results),
        outcome_accuracy=round(right / n, 3),
        criterion_accuracy=round(sum(c[0] for c in criteria) / max(1, checked), 3),
        stuck=sum(r.stuck for r in results),
        misrouted_ineligible=sum(r.expected not in HANDOFF and r.got in HANDOFF for r in results),
        missed_eligible=sum(r.expected in HANDOFF and r.got not in HANDOFF for r in results),
        mean_turns=round(sum(len(r.turns) for r in results) / n, 1),
        failed=tuple(str(r.persona["id"]) for r in results if r.got != r.expected or r.criteria[2]),
    )
