"""Helpers for the store tests: a consented screening, answers, evaluations, counts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from trialbot.answers import Parsed
from trialbot.store import ScreeningStore
from trialbot.verdicts import CriterionResult, Evaluation, Outcome, Verdict

TRIAL = "spinus2"
CONSENT_VERSION = "3f2a9c1b7d4e8a60"


def consented(store: ScreeningStore, sender: str, trial: str = TRIAL) -> int:
    """A screening with consent given, as after the bot's first question."""
    screening_id = store.start(sender, trial, "rest")
    store.record_consent(sender, trial, version=CONSENT_VERSION, agreed=True, channel="rest")
    return screening_id


def answer(store: ScreeningStore, sender: str, question: str, text: str, value: Any, **kw: Any):
    store.record_question_asked(sender, TRIAL, question)
    store.record_answer(sender, TRIAL, question, text, Parsed(understood=True, value=value, **kw))


def evaluation(outcome: Outcome, **verdicts: Verdict) -> Evaluation:
    return Evaluation(
        results={
            cid: CriterionResult(cid, verdict, f"{cid} is {verdict.value}", (f"words for {cid}",))
            for cid, verdict in verdicts.items()
        },
        outcome=outcome,
    )


def count(store: ScreeningStore, model: Any, *where: Any) -> int:
    with store.engine.connect() as connection:
        return connection.execute(
            select(func.count()).select_from(model).where(*where)
        ).scalar_one()


def rows(store: ScreeningStore, model: Any, *where: Any, order_by: Any = None) -> list[Any]:
    query = select(model).where(*where).order_by(order_by if order_by is not None else model.id)
    with store.engine.connect() as connection:
        return list(connection.execute(query).mappings())
