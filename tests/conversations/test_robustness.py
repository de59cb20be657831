"""What people (and failures) throw at the bot: odd input, and a dead action server."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from candidates import TEXTBOOK, Candidate, ScreeningScript, asking, question_of
from harness import Bot

pytestmark = pytest.mark.rasa

BAD_INPUTS = [
    "",
    ("My back has hurt for years and nothing seems to help. " * 200)[:10240],
    "😩😩😩🙏",
    "Bolí mě záda už dva roky, hlavně ráno.",
    "<script>alert('hi')</script>",
    "'; DROP TABLE answers;--",
]
APOLOGY = ("sorry", "apolog", "went wrong", "try again", "technical")


def test_bad_input_gets_a_reply_and_keeps_earlier_answers(bot: Bot) -> None:
    """Odd messages when the duration is asked: each gets a reply, nothing crashes,
    the answers given before them stay stored, and the screening can still finish."""
    candidate = Candidate(
        name="bad_input",
        answers={
            **TEXTBOOK,
            "contact_name": "Eva Zkouskova",
            "contact_phone": "+420 603 555 777",
            "contact_email": "eva@example.com",
            "future_contact": "no",
        },
        before={"pain_duration": BAD_INPUTS},
        outcome="any",
        questions_asked=(),
    )
    script = bot.play(candidate)
    transcript = script.transcript()
    sent = {turn.sent: turn.replies for turn in script.turns}
    for text in BAD_INPUTS:
        assert sent.get(text), f"no reply to {text[:40]!r}\n{transcript}"
    for service in bot.stack.services:
        assert service.process.poll() is None, f"{service.name} died\n{transcript}"

    report = bot.report(script.sender)
    assert report is not None, transcript
    answers = report["answers"]
    assert answers.get("age", {}).get("value") == 52, answers
    assert answers.get("low_back_pain", {}).get("value") == "yes", answers
    assert answers.get("radicular_pain", {}).get("value") == "none", answers
    assert report["outcome"] in {"likely_eligible", "possibly_eligible", "not_eligible"}, (
        f"the screening did not finish: {report['outcome']}\n{transcript}"
    )
    # Markup and SQL are data: stored (if at all) verbatim.
    for answer in answers.values():
        for text in BAD_INPUTS[4:]:
            if text[:8] in answer["text"]:
                assert answer["text"] == text, answer
    for name in ("rasa", "action-server"):
        assert "Traceback" not in bot.log(name), bot.log(name)[-4000:]


@dataclass
class ActionServerDown:
    bot: Bot
    script: ScreeningScript
    replies: list[dict[str, Any]]


@pytest.fixture(scope="module")
def action_server_down(bot_to_break: Bot) -> ActionServerDown:
    """Three answers in, the action server is killed; then the candidate answers again."""
    bot = bot_to_break
    script = ScreeningScript(Candidate("action_down", TEXTBOOK, "any", ()), "action-down")
    text, question_id = "hi", None
    for _ in range(10):
        replies = bot.send(script.sender, text)
        script.record(text, replies)
        message = asking(replies)
        question_id = question_of(message) if message else None
        if question_id in (None, "radicular_pain"):
            break
        text = str(TEXTBOOK[question_id])
    assert question_id == "radicular_pain", script.transcript()
    stored = bot.report(script.sender)
    assert stored is not None and "low_back_pain" in stored["answers"], stored

    actions = bot.service("action-server")
    actions.process.kill()
    actions.process.wait(timeout=10)
    replies = bot.send(script.sender, "It stays in my back")
    script.record("It stays in my back", replies)
    return ActionServerDown(bot, script, replies)


def test_action_server_down_keeps_the_stored_answers(action_server_down: ActionServerDown) -> None:
    bot, script = action_server_down.bot, action_server_down.script
    assert bot.service("rasa").process.poll() is None, "the Rasa server died"
    report = bot.report(script.sender)
    assert report is not None, script.transcript()
    answers = report["answers"]
    assert answers.keys() >= {"consent", "age", "low_back_pain"}, answers
    assert answers["age"]["value"] == 52 and answers["low_back_pain"]["value"] == "yes", answers


def test_action_server_down_apologises(action_server_down: ActionServerDown) -> None:
    replies = action_server_down.replies
    said = " ".join(str(m.get("text") or "") for m in replies).lower()
    assert replies and any(word in said for word in APOLOGY), (
        f"No apology when the action server is down; the REST reply was {replies!r}\n"
        f"{action_server_down.script.transcript()}"
    )
