"""The worklist's rules without a database: priority order and its reason, follow-up
dates on business days in the site's time zone, search, answer flags, and the funnel's
counting (a property: no step above the one before, every candidate accounted for)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trialbot.criteria import load_trial, trial_path
from trialbot.store.handoffs import FunnelRecord, count_funnel
from trialbot.worklist import (
    Standing,
    add_business_days,
    answer_flags,
    describe_value,
    matches,
    ordered,
    priority_reason,
    propose_follow_up,
    site_zone,
    stored_answer,
)

PRAGUE = ZoneInfo("Europe/Prague")
TODAY = date(2026, 3, 30)
T0 = datetime(2026, 3, 1, 9, tzinfo=timezone.utc)


def standing(hid: int, outcome: str = "likely_eligible", unknowns=(), flags=(), days=0, **kw):
    return Standing(hid, outcome, tuple(unknowns), tuple(flags), T0 + timedelta(days=days), **kw)


def test_red_flag_then_likely_then_fewer_unknowns_then_the_longest_wait():
    rows = [
        standing(1, "possibly_eligible", ["MRI"], days=0),
        standing(2, "likely_eligible", days=5),
        standing(3, "possibly_eligible", ["MRI", "SPECT/CT"], days=-10),
        standing(4, "possibly_eligible", ["MRI"], days=1),
        standing(5, "possibly_eligible", ["MRI", "SPECT/CT"], flags=["fever"], days=9),
        standing(6, "likely_eligible", days=2),
        # Due to be called again only later: below everyone who is due now.
        standing(7, "likely_eligible", flags=["fever"], follow_up_on=TODAY + timedelta(1)),
        standing(8, "likely_eligible", follow_up_on=TODAY),  # due today
    ]
    assert [s.handoff_id for s in ordered(rows, TODAY)] == [5, 8, 6, 2, 1, 4, 3, 7]


def test_the_reason_says_why_in_words():
    assert priority_reason(standing(1), TODAY) == "likely eligible · all criteria met"
    assert (
        priority_reason(standing(1, "possibly_eligible", ["MRI", "SPECT/CT"]), TODAY)
        == "possibly eligible · 2 unknowns: MRI, SPECT/CT"
    )
    assert priority_reason(standing(1, unknowns=["MRI"], flags=["bladder_bowel"]), TODAY) == (
        "red flag: bladder bowel · likely eligible · 1 unknown: MRI"
    )
    later = standing(1, follow_up_on=date(2026, 4, 2))
    assert (
        priority_reason(later, TODAY)
        == "follow up on Thu 02 Apr · likely eligible · all criteria met"
    )


def test_business_days_skip_weekends():
    friday = date(2026, 3, 27)
    assert add_business_days(friday, 1) == date(2026, 3, 30)
    assert add_business_days(date(2026, 3, 28), 1) == date(2026, 3, 30)  # Saturday
    assert add_business_days(friday, 3) == date(2026, 4, 1)


@pytest.mark.parametrize(
    ("at", "attempts", "expected"),
    [
        # Thursday 23:30 UTC is Friday in Prague (CET): Monday, not Friday.
        (datetime(2026, 3, 26, 23, 30, tzinfo=timezone.utc), 1, date(2026, 3, 30)),
        # Saturday 28 March 22:30 UTC = Saturday 23:30 CET; the clocks go forward that night.
        (datetime(2026, 3, 28, 22, 30, tzinfo=timezone.utc), 1, date(2026, 3, 30)),
        # Sunday 29 March 22:30 UTC = Monday 00:30 CEST (+2 since the change): Tuesday.
        (datetime(2026, 3, 29, 22, 30, tzinfo=timezone.utc), 1, date(2026, 3, 31)),
        # The autumn change: Friday 23 October 22:30 UTC = Saturday 00:30 CEST.
        (datetime(2026, 10, 23, 22, 30, tzinfo=timezone.utc), 2, date(2026, 10, 27)),
        (datetime(2026, 3, 30, 8, tzinfo=timezone.utc), 5, date(2026, 4, 2)),
    ],
)
def test_the_follow_up_is_counted_in_the_site_time_zone(at, attempts, expected):
    assert propose_follow_up(at, attempts, PRAGUE) == expected


def test_the_site_time_zone_comes_from_the_environment():
    assert site_zone(environ={}).key == "Europe/Prague"
    assert site_zone(environ={"TRIALBOT_TIME_ZONE": "America/New_York"}).key == "America/New_York"
    with pytest.raises(ValueError, match="TRIALBOT_TIME_ZONE"):
        site_zone(environ={"TRIALBOT_TIME_ZONE": "Mars/Olympus"})


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("dvorak", True),
        ("DVOŘÁK", True),
        ("antonin", True),
        ("601 123", True),
        ("+420601123456", True),
        ("601-123-456", True),
        ("jana@", True),
        ("EXAMPLE.org", True),
        ("999", False),
        ("12", False),  # too few digits to mean a phone number
        ("novak", False),
    ],
)
def test_search_by_name_phone_or_email(query, found):
    assert matches(query, "Antonín Dvořák", "+420 601 123 456", "jana@example.org") is found


def test_ages_and_durations_as_a_caller_reads_them():
    assert describe_value(61) == "61"
    assert describe_value(61, hedged=True) == "about 61"
    assert describe_value({"months": 8, "bound": "exact"}) == "8 months"
    assert describe_value({"months": 30, "bound": "more_than"}) == "over 2.5 years"
    assert describe_value({"months": 8, "bound": "exact"}, hedged=True) == "about 8 months"
    assert describe_value(None) == ""


def test_hedged_corrected_and_contradicted_answers_are_flagged():
    trial = load_trial(trial_path("spinus2"))
    age_now = stored_answer("age", "I'm 52", 52, True, False)
    age_then = stored_answer("age", "I'm 80", 80, True, False)  # would fail the age range
    mri_now = stored_answer(
        "mri", "yes, worn discs", {"had": "yes", "findings": ["degenerated_disc"]}, True, True
    )
    pain_now = stored_answer("low_back_pain", "yes", "yes", True, False)
    pain_then = stored_answer("low_back_pain", "yes, most days", "yes", True, False)
    duration_now = stored_answer(
        "pain_duration", "5 years", {"months": 60, "bound": "exact"}, True, False
    )
    duration_then = stored_answer(
        "pain_duration", "4 years", {"months": 48, "bound": "exact"}, True, False
    )
    flags = answer_flags(
        trial,
        [age_now, pain_now, duration_now, mri_now],
        [age_then, pain_then, duration_then],
    )
    assert [(f.question_id, f.kind) for f in flags] == [
        ("age", "contradicted"),  # 80 -> 52: the age criterion flips from not met to met
        ("pain_duration", "corrected"),  # 4 -> 5 years: met either way
        ("mri", "hedged"),
    ]  # the same reading in other words is no change
    assert flags[0].text.startswith("Contradicted themselves about your age: first “I'm 80”")


statuses = st.sampled_from(["in_progress", "stopped", "completed", "declined"])


@st.composite
def records(draw):
    consent = draw(st.sampled_from([True, False, None]))
    status = draw(statuses) if consent else ("declined" if consent is False else "in_progress")
    outcome = None
    stage = 0
    if status == "completed":
        outcome = draw(
            st.sampled_from(["likely_eligible", "possibly_eligible", "not_eligible", "incomplete"])
        )
        if outcome in ("likely_eligible", "possibly_eligible"):
            stage = draw(st.integers(min_value=1, max_value=4))
    return FunnelRecord(
        channel=draw(st.sampled_from(["rest", "telegram", "socketio"])),
        consent=consent,
        status=status,
        outcome=outcome,
        stage=stage,
        stopped_at=draw(st.sampled_from([None, "age", "mri"])),
        failed=tuple(draw(st.lists(st.sampled_from(["inc_age", "inc_mri"]), unique=True))),
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(records(), max_size=40))
def test_no_funnel_step_exceeds_the_one_before_and_everyone_is_accounted_for(candidates):
    funnel = count_funnel("t", candidates)
    counts = [n for _, n in funnel.steps]
    assert counts[0] == len(candidates)
    assert all(later <= earlier for earlier, later in zip(counts, counts[1:], strict=False))
    assert (
        funnel.declined
        + funnel.not_consented
        + funnel.unfinished
        + funnel.screened_out
        + funnel.incomplete
        + funnel.handed_off
        == funnel.started
    )
    by_channel = [
        count_funnel("t", [c for c in candidates if c.channel == ch])
        for ch in ("rest", "telegram", "socketio")
    ]
    assert sum(f.started for f in by_channel) == funnel.started
    assert sum(f.handed_off for f in by_channel) == funnel.handed_off
    assert sum(funnel.stopped_at.values()) == sum(
        1 for c in candidates if c.consent is True and c.status != "completed"
    )
