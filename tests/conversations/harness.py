"""The conversation harness: a running stack driven through its REST channel.

``Bot.play`` plays a scripted :class:`~candidates.Candidate`; ``contract_problems`` checks
a bot message against the questionnaire contract (a question's text, ``question_id``,
``expects``, ``options`` and buttons travel in one message).
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from candidates import Candidate, ScreeningScript, question_of

from trialbot.devtools.services import Service, Stack
from trialbot.devtools.train import ROOT

TRIAL_ID = "spinus2"
# The interview's own yes/no questions (confirm a reading, resume, erase).
PSEUDO_QUESTIONS = ("confirm", "resume", "erase")
QUESTIONS = {
    q["id"]: q for q in yaml.safe_load((ROOT / "criteria" / "spinus2.yml").read_text())["questions"]
}


def contract_problems(message: dict[str, Any]) -> list[str]:
    """How a message that asks a question breaks the questionnaire contract."""
    question_id = question_of(message)
    if question_id is None:
        return []
    custom = message["custom"]
    problems = []
    if question_id in PSEUDO_QUESTIONS:
        if custom.get("expects") != "yes_no" or not message.get("buttons"):
            problems.append(f"{question_id}: a yes/no question needs expects yes_no and buttons")
        if question_id == "confirm" and custom.get("confirms") not in QUESTIONS:
            problems.append(f"confirm names no question: {custom.get('confirms')!r}")
        return problems
    if question_id not in QUESTIONS:
        return [f"question_id {question_id!r} is not in the criteria file"]
    question = QUESTIONS[question_id]
    if not str(message.get("text") or "").strip():
        problems.append(f"{question_id}: the payload is not in the same message as the text")
    if custom.get("expects") != question["expects"]:
        problems.append(
            f"{question_id}: expects {custom.get('expects')!r} != {question['expects']!r}"
        )
    options = question.get("options") or []
    allowed = [options, question.get("reask_options") or options]  # a re-ask offers its own
    if list(custom.get("options") or []) not in allowed:
        problems.append(f"{question_id}: options {custom.get('options')!r} != {options!r}")
    options = list(custom.get("options") or [])
    if options and not message.get("buttons"):
        problems.append(f"{question_id}: a closed question without buttons")
    return problems


@dataclass
class Bot:
    """A running stack and its store, driven through the REST channel."""

    stack: Stack
    database_url: str

    def send(self, sender: str, text: str, timeout: float = 60) -> list[dict[str, Any]]:
        body = json.dumps({"sender": sender, "message": text}).encode()
        request = urllib.request.Request(
            self.stack.webhook_url, body, {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            assert response.status == 200, f"{response.status} for {text[:80]!r}"
            replies = json.loads(response.read() or b"[]")
        assert isinstance(replies, list), f"not a list of messages: {replies!r}"
        return replies

    def play(self, candidate: Candidate, sender: str | None = None) -> ScreeningScript:
        """Plays the candidate's script until the bot asks nothing more."""
        script = ScreeningScript(candidate, sender or f"{candidate.name}-{uuid.uuid4().hex[:6]}")
        text: str | None = script.first_message()
        while text is not None:
            script.record(text, self.send(script.sender, text))
            text = script.next_message()
        return script

    def report(self, sender: str) -> dict[str, Any] | None:
        from trialbot.store import ScreeningStore

        store = ScreeningStore.from_url(self.database_url)
        try:
            return store.report(sender)
        finally:
            store.dispose()

    def cli_report(self, sender: str) -> dict[str, Any]:
        trialbot = Path(sys.executable).with_name("trialbot")
        command = [str(trialbot), "screening", "show", sender, "--json"]
        command += ["--database-url", self.database_url]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, f"{command} exited {result.returncode}: {result.stderr}"
        return json.loads(result.stdout)

    def service(self, name: str) -> Service:
        return next(s for s in self.stack.services if s.name == name)

    def log(self, name: str) -> str:
        return self.service(name).log_path.read_text(errors="replace")
