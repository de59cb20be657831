"""Scripted candidates screened end to end: what they are asked, what is stored, the outcome.

Each candidate in ``candidates.py`` is one test. A failure lists every broken expectation
and the whole transcript.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from candidates import BY_NAME, CANDIDATES, Candidate, ScreeningScript
from harness import TRIAL_ID, Bot, contract_problems

pytestmark = pytest.mark.rasa


def _stored_matches(expected: Any, answer: dict[str, Any]) -> bool:
    value = answer.get("value")
    if expected is None:
        return value is None
    if isinstance(expected, int | float) and not isinstance(expected, bool):
        return value == expected
    return str(expected) in json.dumps(value)


def problems_with(candidate: Candidate, script: ScreeningScript, report: Any) -> list[str]:
    """Every expectation of ``candidate`` that the conversation and the store break."""
    problems = [p for turn in script.turns for m in turn.replies for p in contract_problems(m)]
    problems += [f"no reply to {t.sent[:60]!r}" for t in script.turns if not t.replies]
    if report is None:
        return [*problems, "nothing stored for this sender"]
    if report["sender_id"] != script.sender or report["trial"] != TRIAL_ID:
        problems.append(f"report is for {report['sender_id']!r} / {report['trial']!r}")
    if report["outcome"] != candidate.outcome:
        problems.append(f"outcome {report['outcome']!r}, expected {candidate.outcome!r}")
    for criterion, verdict in candidate.criteria.items():
        got = report["criteria"].get(criterion)
        if got != verdict:
            problems.append(f"{criterion} is {got!r}, expected {verdict!r}")
    if report["questions_asked"] != list(candidate.questions_asked):
        problems.append(
            f"questions_asked {report['questions_asked']}, expected {list(candidate.questions_asked)}"
        )
    if (report["handoff"] is not None) != candidate.handoff:
        problems.append(
            f"handoff {report['handoff']!r} for outcome {report['outcome']!r} "
            f"(expected {'one' if candidate.handoff else 'none'})"
        )
    if candidate.outcome == "declined" and report["answers"]:
        problems.append(f"a declined screening keeps answers: {sorted(report['answers'])}")
    spoken = script.bot_text()
    problems += [f"the bot never said {p!r}" for p in candidate.said if p.lower() not in spoken]
    problems += [
        f"{q} was asked {script.asks[q]} time(s), expected a repeat"
        for q in candidate.repeated
        if script.asks[q] < 2
    ]
    for question_id, expected in candidate.stored.items():
        answer = report["answers"].get(question_id)
        if answer is None:
            problems.append(f"no stored answer to {question_id}")
        elif not _stored_matches(expected, answer):
            problems.append(f"{question_id} stored as {answer!r}, expected {expected!r}")
    problems += [
        f"the bot never asked for the scripted answers {left} to {q}"
        for q, left in script.unused_answers().items()
    ]
    return problems


def assert_screened(candidate: Candidate, script: ScreeningScript, report: Any) -> None:
    problems = problems_with(candidate, script, report)
    if problems:
        pytest.fail(
            f"{candidate.name} ({script.sender}):\n- "
            + "\n- ".join(problems)
            + f"\nreport: {json.dumps(report, ensure_ascii=False)}\ntranscript:\n{script.transcript()}",
            pytrace=False,
        )


def _with_known_bugs(candidates: list[Candidate]) -> list[Any]:
    return [
        pytest.param(c, marks=pytest.mark.xfail(reason=c.known_bug, strict=True))
        if c.known_bug
        else c
        for c in candidates
    ]


@pytest.mark.parametrize("candidate", _with_known_bugs(CANDIDATES), ids=lambda c: c.name)
def test_screening(bot: Bot, candidate: Candidate) -> None:
    script = bot.play(candidate)
    assert_screened(candidate, script, bot.report(script.sender))


def test_not_eligible_explanation_quotes_the_candidates_words(bot: Bot) -> None:
    script = bot.play(BY_NAME["four_months"])
    spoken = script.bot_text()
    assert "more than 6 months" in spoken and "4 months" in spoken, script.transcript()


def test_the_cli_shows_what_the_store_holds(bot: Bot) -> None:
    script = bot.play(BY_NAME["eligible_textbook"])
    report = bot.report(script.sender)
    assert report is not None and report["outcome"] == "likely_eligible", script.transcript()
    assert bot.cli_report(script.sender) == report


def test_every_question_comes_with_its_payload(bot: Bot) -> None:
    """Each question's text and its question_id travel in one message, with buttons for
    closed questions — checked on a full screening that meets every question."""
    script = bot.play(BY_NAME["eligible_textbook"])
    asked = [m for turn in script.turns for m in turn.replies if m.get("custom")]
    assert {m["custom"].get("question_id") for m in asked} >= {
        "consent",
        "age",
        "spect_ct",
        "contact_email",
        "future_contact",
    }, script.transcript()
    problems = [p for m in asked for p in contract_problems(m)]
    assert not problems, "\n".join(problems) + "\n" + script.transcript()


def test_ten_candidates_at_once_each_get_their_own_screening(bot: Bot) -> None:
    """Ten people screening at the same moment (the load ``make bench`` puts on the bot):
    every one ends with the same outcome, verdicts and stored answers as when alone."""
    chosen = [c for c in CANDIDATES if not c.known_bug][:10]

    def play(candidate: Candidate) -> ScreeningScript | str:
        try:
            return bot.play(candidate)
        except AssertionError as exc:  # UnexpectedQuestion carries the transcript
            return str(exc)

    with ThreadPoolExecutor(len(chosen)) as pool:
        played = list(pool.map(play, chosen))
    failures = []
    for candidate, script in zip(chosen, played, strict=True):
        if isinstance(script, str):
            failures.append(script)
            continue
        problems = problems_with(candidate, script, bot.report(script.sender))
        if problems:
            failures.append(
                f"{candidate.name}: " + "; ".join(problems) + "\n" + script.transcript()
            )
    assert not failures, f"{len(failures)} of {len(chosen)} screenings went wrong:\n" + "\n\n".join(
        failures
    )
