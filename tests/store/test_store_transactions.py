"""Several store calls as one transaction, and opening a screening another process
opened first."""

from __future__ import annotations

import pytest
from sqlalchemy import event
from store_helpers import CONSENT_VERSION, TRIAL, consented, count, evaluation

import trialbot.store.screenings
from trialbot.answers import Parsed
from trialbot.store import ConsentRequired, ScreeningClosed, ScreeningStore, StoreError
from trialbot.store.db import unit_of_work
from trialbot.store.models import AnswerRow, ConsentRecord, QuestionAsk, Screening
from trialbot.verdicts import Outcome, Verdict

AGE = Parsed(understood=True, value=52)


def _commits(store: ScreeningStore) -> list[int]:
    commits: list[int] = []
    event.listen(store.engine, "commit", lambda _connection: commits.append(1))
    return commits


def _statements(store: ScreeningStore) -> list[str]:
    """The SQL the store sends from now on, each statement as sent."""
    statements: list[str] = []
    event.listen(
        store.engine,
        "before_cursor_execute",
        lambda _c, _cur, statement, *_: statements.append(statement.lstrip()),
    )
    return statements


def _answer_turn(store: ScreeningStore, sender: str) -> None:
    """What the form stores for an answered turn, as one transaction."""
    with store.transaction():
        store.record_answer(sender, TRIAL, "age", "52", AGE)
        store.save_evaluation(sender, TRIAL, evaluation(Outcome.INCOMPLETE, age=Verdict.PASS))
        store.record_question_asked(sender, TRIAL, "low_back_pain")


def test_calls_inside_a_transaction_commit_once_together(store: ScreeningStore) -> None:
    consented(store, "alice")
    commits = _commits(store)
    _answer_turn(store, "alice")
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
    store.start("eva", TRIAL, "rest")  # as when the consent question was asked
    with store.transaction():
        store.record_consent("eva", TRIAL, version=CONSENT_VERSION, agreed=True, channel="rest")
        store.record_answer("eva", TRIAL, "consent", "yes", Parsed(understood=True, value="yes"))
    assert count(store, ConsentRecord) == 1
    assert count(store, AnswerRow) == 1


def test_no_write_inside_a_read_only_unit_of_work(store: ScreeningStore) -> None:
    with (
        pytest.raises(StoreError, match="read-only"),
        unit_of_work(store.engine, read_only=True),
    ):
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
    real_current = trialbot.store.screenings._current
    reads: list[int] = []

    def stale_first_read(*args: object, **kwargs: object) -> object:
        reads.append(1)
        return None if len(reads) == 1 else real_current(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(trialbot.store.screenings, "_current", stale_first_read)
    if inside_a_transaction:
        with store.transaction():
            assert store.start("dana", TRIAL, "rest") == theirs
            store.record_question_asked("dana", TRIAL, "consent")
        assert count(store, QuestionAsk) == 1
    else:
        assert store.start("dana", TRIAL, "rest") == theirs
    assert count(store, Screening) == 1


def test_a_transaction_finds_the_current_screening_once(store: ScreeningStore) -> None:
    consented(store, "fred")
    statements = _statements(store)
    _answer_turn(store, "fred")
    lookups = [s for s in statements if s.startswith("SELECT screenings.")]
    assert len(lookups) == 1, lookups
    if store.engine.dialect.name == "postgresql":
        assert "FOR UPDATE" in lookups[0]  # the first call asked for the lock


def test_an_unlocked_find_is_locked_when_a_later_call_needs_it(store: ScreeningStore) -> None:
    consented(store, "gina")
    statements = _statements(store)
    with store.transaction():
        store.record_question_asked("gina", TRIAL, "age")  # reads without a lock
        store.record_answer("gina", TRIAL, "age", "52", AGE)  # needs the row locked
    lookups = [s for s in statements if s.startswith("SELECT screenings.")]
    assert len(lookups) == 2, lookups
    if store.engine.dialect.name == "postgresql":
        assert ["FOR UPDATE" in s for s in lookups] == [False, True]


def test_a_restart_or_stop_inside_a_transaction_is_seen_by_the_calls_after_it(
    store: ScreeningStore,
) -> None:
    old = consented(store, "hana")
    with store.transaction():
        assert store.start("hana", TRIAL, "rest") == old
        new = store.restart("hana", TRIAL, "rest")
        assert store.start("hana", TRIAL, "rest") == new != old
        store.stop("hana", TRIAL)
        with pytest.raises(ScreeningClosed):
            store.record_question_asked("hana", TRIAL, "age")
