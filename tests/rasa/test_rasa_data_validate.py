"""``rasa data validate`` on the assistant: every check runs, and none of them warns.

A warning is a Python warning printed by the validator (``path:line: UserWarning: ...``,
with the lines of its message) or a log record at WARNING level or above. Two kinds are
not about this project's data and are told apart precisely, never by a loose pattern:

* ``DeprecationWarning`` raised inside a third-party package (``site-packages``) while
  Rasa imports it (pkg_resources, keras, jax): the libraries' own deprecations.
* "The intent 'answer' is listed in the domain file, but is not found in the NLU
  training data", for exactly the intents that only buttons send (``BUTTON_INTENTS``):
  their payload ``/answer{...}`` is read by Rasa itself, never by a classifier, so
  examples would only teach the model a text nobody types.
* Rasa 3.6's "duplicated intents ... across multiple domain files" for exactly the
  retrieval intents of ``nlu_data/`` (``faq``, ``chitchat``). Its ResponsesSyncImporter
  merges a domain made of the NLU data's retrieval intents into the project's domain and
  reports every intent both list; left out of ``bot/domain/intents.yml``, they make Rasa
  warn "Found intent 'faq' in stories which is not part of the domain" instead, because
  it reads rules against the domain before that merge. One of the two is unavoidable
  while rules use a retrieval intent (see the comment in ``bot/domain/intents.yml``).

Everything else fails the test: a response that no rule or story says (texts only the
actions send belong in ``bot/messages/en.yml``), an intent or action missing from the
domain, a story conflict, a duplicated example...
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from trialbot.devtools.train import ROOT, rasa_env, rasa_executable

pytestmark = pytest.mark.rasa

WARNING_HEADER = re.compile(r"^(?P<path>\S+?):\d+: (?P<category>\w*Warning): (?P<message>.*)$")
LOG_RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (?P<level>[A-Z]+)\s")
# The retrieval responses (utter_faq/..., utter_chitchat/...) are said by the interview
# action from the ResponseSelector's pick, not by a rule, so Rasa reports them unused.
RETRIEVAL_UNUSED = re.compile(
    r"^The utterance 'utter_(?P<intent>\w+)' is not used in any story or rule\.$"
)
RETRIEVAL_MERGE = re.compile(
    r"^The following duplicated intents have been found across multiple domain files: "
    r"(?P<intents>[\w, ]+)$"
)

BUTTON_ONLY = re.compile(
    r"^The intent '(?P<intent>\w+)' is listed in the domain file, but is not found in the "
    r"NLU training data\.$"
)
BUTTON_INTENTS = {"answer"}  # actions/interview.py ANSWER_INTENT


@dataclass
class Reported:
    path: str
    category: str
    message: str

    def __str__(self) -> str:
        return f"{Path(self.path).name}: {self.category}: {self.message}"


def warnings_in(output: str) -> list[Reported]:
    """The Python warnings (with their multi-line messages) and WARNING+ log records."""
    found: list[Reported] = []
    current: Reported | None = None
    for line in output.splitlines():
        if header := WARNING_HEADER.match(line):
            current = Reported(header["path"], header["category"], header["message"])
            found.append(current)
        elif record := LOG_RECORD.match(line):
            current = None
            if record["level"] not in ("DEBUG", "INFO"):
                found.append(Reported("log", record["level"], line))
        elif current is not None and line and not line[0].isspace():
            current.message += "\n" + line  # the message goes on (Rasa's are multi-line)
        else:
            current = None  # Python's echo of the source line, or a blank line
    return found


def retrieval_intents() -> set[str]:
    intents = set()
    for path in (ROOT / "nlu_data").glob("*.yml"):
        for block in (yaml.safe_load(path.read_text()) or {}).get("nlu") or []:
            intent, _, sub_intent = str(block.get("intent") or "").partition("/")
            if sub_intent:
                intents.add(intent)
    return intents


def is_not_about_this_project(warning: Reported) -> bool:
    if warning.category == "DeprecationWarning":
        return "/site-packages/" in warning.path
    if warning.category == "UserWarning" and (merge := RETRIEVAL_MERGE.match(warning.message)):
        return {i.strip() for i in merge["intents"].split(",")} == retrieval_intents()
    if warning.category == "UserWarning" and (unused := RETRIEVAL_UNUSED.match(warning.message)):
        return unused["intent"] in retrieval_intents()
    if warning.category == "UserWarning" and (button := BUTTON_ONLY.match(warning.message)):
        return button["intent"] in BUTTON_INTENTS
    return False


def test_the_warning_parser_sees_every_kind_of_warning() -> None:
    output = "\n".join(
        [
            "/x/rasa/shared/utils/io.py:100: UserWarning: Issue found in 'bot/rules.yml': ",
            "Found intent 'faq' in stories which is not part of the domain.",
            "  More info at https://rasa.com/docs/rasa/stories",
            "/x/site-packages/keras/utils.py:206: DeprecationWarning: invalid escape",
            '  """Downloads a file',
            "2026-01-01 10:00:00 INFO     rasa.validator  - Validating intents...",
            "2026-01-01 10:00:00 WARNING  rasa.validator  - Something",
            "/work/main/trialbot/x.py:3: DeprecationWarning: ours",
        ]
    )
    found = warnings_in(output)

    assert [w.category for w in found] == [
        "UserWarning",
        "DeprecationWarning",
        "WARNING",
        "DeprecationWarning",
    ]
    assert found[0].message.endswith(
        "Found intent 'faq' in stories which is not part of the domain."
    )
    assert [is_not_about_this_project(w) for w in found] == [False, True, False, False]
    merge = Reported(
        "/x/rasa/shared/utils/io.py",
        "UserWarning",
        "The following duplicated intents have been found across multiple domain files: "
        "chitchat, faq",
    )
    assert is_not_about_this_project(merge)
    merge.message += ", greet"  # a real duplicate as well: about this project
    assert not is_not_about_this_project(merge)
    unused = Reported(
        "io.py", "UserWarning", "The utterance 'utter_faq' is not used in any story or rule."
    )
    assert is_not_about_this_project(unused)
    unused.message = "The utterance 'utter_greet' is not used in any story or rule."
    assert not is_not_about_this_project(unused)
    button = Reported(
        "io.py",
        "UserWarning",
        "The intent 'answer' is listed in the domain file, but is not found in the NLU "
        "training data.",
    )
    assert is_not_about_this_project(button)
    button.message = button.message.replace("'answer'", "'greet'")
    assert not is_not_about_this_project(button)


def test_rasa_data_validate_warns_about_nothing() -> None:
    result = subprocess.run(
        [rasa_executable(), "data", "validate", "--config", "config.yml", "--domain", "bot/domain",
         "--data", "nlu_data", "bot/rules.yml"],
        cwd=ROOT, env=rasa_env(), capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    output = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)
    assert result.returncode == 0, output[-4000:]

    # It really ran every check.
    for check in (
        "Validating intents...",
        "Validating uniqueness of intents and stories...",
        "Validating utterances...",
        "Story structure validation...",
        "No story structure conflicts found.",
    ):
        assert check in output, f"{check!r} not in the output:\n{output[-4000:]}"
    about_us = [w for w in warnings_in(output) if not is_not_about_this_project(w)]
    assert not about_us, "\n".join(map(str, about_us))
