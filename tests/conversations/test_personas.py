"""The persona files played through the REST channel, as ``make eval`` plays them.

``personas/tuning.yml`` (60 candidates), ``personas/fresh.yml``, ``fresh2.yml`` (50
each), ``fresh3.yml``, ``fresh4.yml``, ``fresh6.yml`` (40 each, fresh6 on the clinical
answers) and ``fresh5.yml`` (36, the conversation rather than single answers), each written
later by someone who had not read the code,
then tuned against, may be tuned against;
``personas/heldout.yml`` (60, written with the tuning set by people who had not seen the
parsers) is only ever measured. Both must keep every candidate moving (none stuck) and never route an
ineligible candidate to the study team; the accuracy floors are the figures measured
when they were set, rounded down (README, "Evaluation").
"""

from __future__ import annotations

import pytest
from harness import Bot

from trialbot.devtools.eval import PERSONAS, load_personas, play_all
from trialbot.devtools.personas import summarise

pytestmark = pytest.mark.rasa

# name: (outcome accuracy, criterion accuracy) floors, and the most ineligible candidates
# that may be routed. Measured 2026-12-02 (make eval): tuning, fresh, fresh2 and fresh3
# 1.0 / 1.0 / 0, held-out 0.967 / 0.988 / 0. The held-out failures are known and
# deliberately not looked at: the held-out set measures, it is not a to-do list.
FLOORS = {
    "tuning": (0.97, 0.98),
    "fresh": (0.97, 0.98),
    "fresh2": (0.97, 0.98),
    "fresh3": (0.97, 0.98),
    "fresh4": (0.97, 0.98),
    "fresh5": (0.97, 0.98),
    "fresh6": (0.97, 0.98),
    "heldout": (0.95, 0.97),
}
MISROUTED = {
    "tuning": 0,
    "fresh": 0,
    "fresh2": 0,
    "fresh3": 0,
    "fresh4": 0,
    "fresh5": 0,
    "fresh6": 0,
    "heldout": 0,
}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_personas_reach_the_right_outcome(bot: Bot, name: str) -> None:
    personas = load_personas(PERSONAS / f"{name}.yml")
    assert len(personas) >= 36
    results = play_all(personas, bot.stack.webhook_url, bot.database_url, workers=4)
    summary = summarise(results)
    wrong = "\n".join(
        f"{r.persona['id']}: expected {r.expected}, got {r.got} {r.criteria[2]}"
        for r in results
        if r.got != r.expected or r.criteria[2] or r.stuck
    )
    outcome_floor, criterion_floor = FLOORS[name]
    assert summary.stuck == 0, wrong
    assert summary.misrouted_ineligible <= MISROUTED[name], wrong
    assert summary.outcome_accuracy >= outcome_floor, f"{summary}\n{wrong}"
    assert summary.criterion_accuracy >= criterion_floor, f"{summary}\n{wrong}"
