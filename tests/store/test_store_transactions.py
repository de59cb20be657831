"""Several store calls as one transaction, and opening a screening another process
opened first."""

from __future__ import annotations

import pytest
from sqlalchemy import event
from store_helpers import CONSENT_VERSION, TRIAL, consented, count, evaluation

import trialbot.store
from trialbot.answers import Parsed
from trialbot.store import ConsentRequired, ScreeningStore, StoreError
from trialbot.store.db import unit_of_work
from trialbot.store.models import AnswerRow, ConsentRecord, QuestionAsk, Screening
from trialbot.verdicts import Outcome, Verdict

AGE = Parsed(understood=True, value=52)


def _commits(store: ScreeningStore) -> list[int]:
    commits: list[int] = []
    event.listen(store.engine, "commit", lambda _connection: commits.append(1))
    return commits


def test_calls_inside_a_transaction_commit_once_together(store: ScreeningStore) -> None:
    consented(store, "alice")
    commits = _commits(store)
    with store.transaction():
        store.record_answer("alice", TRIAL, "age", "52", AGE)
        store.save_evaluation("alice", TRIAL, evaluation(Outcome.INCOMPLETE, age=Verdict.PASS))
        store.record_question_asked("alice", TRIAL, "low_back_pain")
    assert len(commits) == 1
    assert store.answers("alice", TRIAL)["age"].parsed.value == 52
    assert store.report("alice", TRIAL)["criteria"] == {"age": "pass"}
    assert count(store, QuestionAsk) == 1


def test_a_failure_inside_a_transaction_undoes_the_calls_before_it(
    store: ScreeningStore,
) -> None:
    with pytest.raises(ConsentRequired), store.transaction():
        store.start("bob", TRIAL, "rest")
        store.record_question_asked("bob", TRIAL, "consent")
        store.record_answer("bob", TRIAL, "age", "52", AGE)  # no consent yet: refused
    assert count(store, Screening) == 0
    assert count(store, QuestionAsk) == 0


def test_consent_and_its_answer_are_stored_together(store: ScreeningStore) -> None:
    with store.transaction():
        store.record_consent("eva", TRIAL, version=CONSENT_VERSION, agreed=True, channel="rest")
        store.record_answer("eva", TRIAL, "consent", "yes", Parsed(understood=True, value="yes"))
    assert count(store, ConsentRecord) == 1
    assert count(store, AnswerRow) == 1


def test_no_write_inside_a_read_only_unit_of_work(store: ScreeningStore) -> None:
    with pytest.raises(StoreError, match="read-only"):  # noqa: PT012
        with unit_of_work(store.engine, read_only=True):
            store.start("carl", TRIAL, "rest")
    assert count(store, Screening) == 0


@pytest.mark.parametrize("inside_a_transaction", [False, True])
def test_start_takes_the_screening_another_process_just_opened(
    store: ScreeningStore, monkeypatch: pytest.MonkeyPatch, inside_a_transaction: bool
) -> None:
    """Our read found none, the other process's insert landed first: ours fails on the
    one-current-screening constraint, and start() returns theirs, inside a larger
    transaction too (only the insert is undone, by its savepoint)."""
    theirs = ScreeningStore(store.engine).start("dana", TRIAL, "telegram")
    real_current = trialbot.store._current
    reads: list[int] = []

    def stale_first_read(*args: object, **kwargs: object) -> object:
        reads.append(1)
        return None if len(reads) == 1 else real_current(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(trialbot.store, "_current", stale_first_read)
    if inside_a_transaction:
        with store.transaction():
            assert store.start("dana", TRIAL, "rest") == theirs
            store.record_question_asked("dana", TRIAL, "consent")
        assert count(store, QuestionAsk) == 1
    else:
        assert store.start("dana", TRIAL, "rest") == theirs
    assert count(store, Screening) == 1
