"""A running stack at DEBUG keeps no one's words in its logs, keeps its files private, and
gives up on a hung action server with an apology.

One stack of its own (``LOG_LEVEL=DEBUG`` for Rasa, the action server and their
libraries; a 3 s action time limit): a whole screening whose every answer carries a
word nobody else uses, contact details included, then both servers' logs are read.
"""

from __future__ import annotations

import os
import re
import signal
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from candidates import FULL, HANDOFF_CONTACT, TEXTBOOK, Candidate, asking, question_of
from harness import Bot

from trialbot import logsafe, messages
from trialbot.devtools.services import StackFailed, fresh_stack

pytestmark = pytest.mark.rasa

LOG_KEY = "the-log-key-of-the-private-logs-test"
ACTION_TIMEOUT = 3
SENDER = "cand-pelicanfig-4711"
ANSWERS = {
    **TEXTBOOK,
    "conservative_care": "physio and painkillers at the marmosetlime clinic, they didn't help",
    "mri": "yes, it showed worn discs quokkazebra",
    "contact_name": "Zyxwv Quimbleton",
    "contact_phone": "+420 601 987 654",
    "contact_email": "zq.quimbleton@example.org",
    "future_contact": "yes please",
}
# What must not be in any log line: the sender, the answers' unique words, the contact
# details (also as the digits alone).
NEVER_LOGGED = [
    SENDER,
    "pelicanfig",
    "marmosetlime",
    "quokkazebra",
    "Quimbleton",
    "Zyxwv",
    "601 987 654",
    "601987654",
    "zq.quimbleton",
]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(scope="module")
def bot(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    debug = {
        "LOG_LEVEL": "DEBUG",
        "LOG_LEVEL_LIBRARIES": "DEBUG",
        "TRIALBOT_LOG_KEY": LOG_KEY,
        "TRIALBOT_ACTION_TIMEOUT": str(ACTION_TIMEOUT),
    }
    home = tmp_path_factory.mktemp("private-logs")
    try:
        with fresh_stack(home, model=trained_model, extra_env=debug) as (stack, database_url):
            yield Bot(stack, database_url)
    except StackFailed as exc:
        pytest.fail(f"The stack did not start: {exc}")


@pytest.fixture(scope="module")
def screening(bot: Bot) -> str:
    """A whole screening, to the handoff; the transcript."""
    candidate = Candidate("private", ANSWERS, "likely_eligible", (*FULL, *HANDOFF_CONTACT))
    script = bot.play(candidate, SENDER)
    report = bot.report(SENDER)
    assert report is not None and report["outcome"] == "likely_eligible", script.transcript()
    assert report.get("handoff"), script.transcript()
    return script.transcript()


@pytest.mark.parametrize("service", ["rasa", "action-server"])
def test_a_whole_screening_leaves_no_words_contacts_or_sender_in_the_logs(
    bot: Bot, screening: str, service: str
) -> None:
    log = bot.log(service)
    assert re.search(r"\bDEBUG\b", log), f"{service} did not log at DEBUG"
    found = [word for word in NEVER_LOGGED if word.lower() in log.lower()]
    assert found == [], (
        f"{service}'s log holds {found}:\n"
        + "\n".join(
            line for line in log.splitlines() if any(w.lower() in line.lower() for w in found)
        )[:4000]
    )


def test_the_logs_follow_the_conversation_by_its_tag(bot: Bot, screening: str) -> None:
    tag = logsafe.sender_tag(SENDER, key=LOG_KEY.encode())
    log = bot.log("rasa")
    assert log.count(tag) > 10, "Rasa's DEBUG lines about the conversation are gone"
    assert "[text]" in log  # the parse results are there, without the words


def test_the_stacks_files_are_readable_by_their_owner_only(bot: Bot, screening: str) -> None:
    run_dir = bot.stack.run_dir
    assert mode(run_dir) == 0o700
    files = [*run_dir.iterdir(), *run_dir.parent.glob("*.db*")]
    assert {p.name for p in files} >= {"rasa.log", "action-server.log", "credentials.yml"}
    assert {"tracker.db", "trialbot.db"} <= {p.name for p in files}
    assert {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}


def test_a_hung_action_server_gets_an_apology_and_the_question_stays(bot: Bot) -> None:
    sender = "hung-action-server"
    text, question = "hi", None
    for _ in range(6):  # to the age question
        replies = bot.send(sender, text)
        question = question_of(asking(replies) or {})
        if question == "age":
            break
        text = str(TEXTBOOK[str(question)])
    assert question == "age"

    actions = bot.service("action-server").process
    actions.send_signal(signal.SIGSTOP)
    try:
        started = time.monotonic()
        replies = bot.send(sender, "52")
        waited = time.monotonic() - started
    finally:
        actions.send_signal(signal.SIGCONT)
    assert [m.get("text") for m in replies][0] == messages.render("action_timeout")
    # ... and the question on screen once more, payload and all: nothing was asked.
    assert len(replies) == 2 and question_of(asking(replies) or {}) == "age", replies
    assert ACTION_TIMEOUT - 0.5 < waited < ACTION_TIMEOUT + 10, f"answered after {waited:.1f} s"

    # The interview did not move on: the same answer answers the same question.
    replies = bot.send(sender, "52")
    assert question_of(asking(replies) or {}) == "low_back_pain", replies
    report = bot.report(sender)
    assert report is not None and report["answers"]["age"]["value"] == 52, report
    assert os.kill(actions.pid, 0) is None  # the action server lives on
