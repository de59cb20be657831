"""``rasa data validate`` on the assistant: no warning that points at a real problem.

Rasa 3.6 prints two kinds of warning this design cannot avoid, and this test allows
exactly those, checking each one:

* "The utterance 'utter_x' is not used in any story or rule": responses that actions
  send with ``dispatcher.utter_message(response=...)`` (the outcome, the apology, the
  correction messages...). Candidate-facing text lives in the domain, so they are
  responses; the validator only looks at stories and rules. Each must really be sent by
  an action, or it is dead text. ``utter_faq`` (``utter_faq/<id>``) is the
  ResponseSelector's training target; ``action_answer_faq`` says the same text from the
  criteria file it is generated from (tests/actions/test_faq_domain.py keeps them equal).
* "duplicated intents ... across multiple domain files: chitchat, faq": Rasa adds the
  retrieval intents of the NLU data to the domain it already read; without them in the
  domain the rules that use them do not load.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from trialbot.devtools.train import ROOT, rasa_env, rasa_executable

pytestmark = pytest.mark.rasa

UNUSED = re.compile(r"The utterance '([^']+)' is not used in any story or rule")
DUPLICATES = re.compile(r"duplicated intents have been found across multiple domain files: (.+)")


def test_rasa_data_validate_finds_nothing_wrong() -> None:
    result = subprocess.run(
        [rasa_executable(), "data", "validate", "--config", "config.yml", "--domain", "bot/domain",
         "--data", "nlu_data", "bot/rules.yml", "bot/stories.yml"],
        cwd=ROOT, env=rasa_env(), capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    output = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)
    assert result.returncode == 0, output[-4000:]

    actions_source = "\n".join(p.read_text() for p in (ROOT / "actions").glob("*.py"))
    warnings = [line for line in output.splitlines() if "UserWarning" in line]
    unexplained = []
    for warning in warnings:
        if unused := UNUSED.search(warning):
            response = unused.group(1)
            if response == "utter_faq":
                continue
            assert f'"{response}"' in actions_source, f"{response} is sent by nothing: dead text"
        elif duplicates := DUPLICATES.search(warning):
            assert {i.strip() for i in duplicates.group(1).split(",")} <= {"faq", "chitchat"}
        else:
            unexplained.append(warning)
    assert not unexplained, "\n".join(unexplained)
    assert "Validating" in output  # it really ran the checks
