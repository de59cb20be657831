"""The trial as data: criteria files, their schema and their validation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trialbot.criteria import (
    CriteriaFileError,
    json_schema,
    load_trial,
    load_trials,
    parse_trial,
    validate_file,
)

ROOT = Path(__file__).resolve().parent.parent
SPINUS2 = ROOT / "criteria" / "spinus2.yml"

CRITERION_IDS = [
    "inc_age",
    "inc_low_back_pain",
    "inc_chronic_failed_conservative",
    "inc_mri_degeneration",
    "inc_spect_ct_multilevel",
    "exc_spinal_pathology",
    "exc_spect_intolerance",
]
QUESTION_IDS = [
    "consent", "age", "low_back_pain", "pain_duration", "radicular_pain", "conservative_care",
    "mri", "spect_ct", "spinal_pathology", "spect_intolerance", "contact_name", "contact_phone",
    "contact_email", "future_contact",
]  # fmt: skip


def test_spinus2_is_valid_and_keeps_its_public_ids() -> None:
    trial = load_trial(SPINUS2)
    assert trial.nct_id == "NCT04893720"
    assert (trial.ages.min, trial.ages.max, trial.enrollment) == (18, 75, 30)
    assert [c.id for c in trial.criteria] == CRITERION_IDS
    assert sorted(q.id for q in trial.questions) == sorted(QUESTION_IDS)
    verified = {c.id: c.verified_by for c in trial.criteria}
    assert verified["inc_mri_degeneration"] == verified["inc_spect_ct_multilevel"] == "records"
    assert {v for k, v in verified.items() if "mri" not in k and "spect_ct" not in k} == {
        "candidate"
    }
    assert trial.criterion("exc_spinal_pathology").kind == "exclusion"
    assert trial.criterion("inc_low_back_pain").registry_text.startswith(
        "Lower back pain (in extension"
    )


def test_closed_questions_offer_options_and_every_question_can_be_reasked() -> None:
    trial = load_trial(SPINUS2)
    for qid in ("consent", "low_back_pain", "radicular_pain", "future_contact"):
        assert trial.question(qid).options, qid
    assert all(q.reask != q.text for q in trial.questions)


def test_faq_covers_what_candidates_ask_and_invents_nothing() -> None:
    trial = load_trial(SPINUS2)
    ids = {f.id for f in trial.faq}
    assert {"what_is_study", "what_is_spect_ct", "what_is_fusion", "what_taking_part_involves",
            "who_runs_it", "what_happens_next", "data_handling"} <= ids  # fmt: skip
    silent = trial.faq_entry("risks_payment_travel")
    assert silent is not None and "study team will explain" in silent.answer


def test_contact_comes_from_the_environment_not_the_file() -> None:
    trial = load_trial(
        SPINUS2,
        environ={
            "TRIALBOT_STUDY_CONTACT_NAME": "Dr. Example",
            "TRIALBOT_STUDY_CONTACT_EMAIL": "study@example.org",
        },
    )
    assert trial.contact.name == "Dr. Example"
    assert trial.contact.email == "study@example.org"
    assert load_trial(SPINUS2, environ={}).contact.name == "the SPINUS II study team"
    assert "@" not in SPINUS2.read_text().split("contact:")[1].split("consent:")[0].replace(
        "${", ""
    )


def test_consent_version_changes_with_its_text() -> None:
    text = SPINUS2.read_text()
    version = load_trial(SPINUS2).consent.version
    assert len(version) == 16
    changed = parse_trial(
        text.replace("You can stop at any time", "You may stop whenever you like")
    )
    assert changed.consent.version != version


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (("verified_by: records", "verified_by: doctor"), "criteria.3.verified_by (line 2"),
        (("check: between", "check: betwen"), "criteria.0.rule.0.check (line 206)"),
        (
            ("      - question: age\n", "      - question: shoe_size\n"),
            "uses unknown question 'shoe_size'",
        ),
        (("expects: duration", "expects: feelings"), "questions.4.expects (line "),
        (("nct_id: NCT04893720", "nct_id: 04893720"), "nct_id (line 8)"),
        (("enrollment: 30", "enrollment: -3"), "enrollment (line 15)"),
        (("id: inc_age", "id: inc_low_back_pain"), "duplicate criterion id(s): inc_low_back_pain"),
        (("  - id: spect_ct\n", "  - id: spect_ct\n    colour: blue\n"), "questions.9.colour"),
        (("id: spinus2\n", "id: [spinus2\n"), "not valid YAML (line"),
        (("language: en", "language: cs"), "language (line 17): trialbot cannot read 'cs' yet"),
        (("language: en", "language: e1"), "language (line 17)"),
        (("fact: pain_duration", "fact: shoe_size"), "unknown fact 'shoe_size'"),
        (("fact: mri", "fact: age"), "fact(s) asked by more than one question: age"),
    ],
)
def test_an_invalid_file_names_the_field_and_line(
    tmp_path: Path, edit: tuple[str, str], expected: str
) -> None:
    text = SPINUS2.read_text()
    assert edit[0] in text
    bad = tmp_path / "bad.yml"
    bad.write_text(text.replace(edit[0], edit[1], 1))
    problems = validate_file(bad)
    assert problems, "the broken file was accepted"
    assert any(expected in problem for problem in problems), problems
    with pytest.raises(CriteriaFileError):
        load_trial(bad)


def test_missing_and_empty_files_are_clear_errors(tmp_path: Path) -> None:
    assert validate_file(tmp_path / "nope.yml")[0].startswith("cannot read the file")
    (tmp_path / "empty.yml").write_text("")
    assert "expected a mapping" in validate_file(tmp_path / "empty.yml")[0]


def test_a_second_trial_is_a_second_file(tmp_path: Path) -> None:
    text = SPINUS2.read_text().replace("id: spinus2\n", "id: spinus1\n", 1)
    text = text.replace("nct_id: NCT04893720", "nct_id: NCT04876586").replace(
        "levels: 2", "levels: 1"
    )
    (tmp_path / "spinus1.yml").write_text(text)
    (tmp_path / "spinus2.yml").write_text(SPINUS2.read_text())
    trials = load_trials(tmp_path)
    assert sorted(trials) == ["spinus1", "spinus2"]
    assert trials["spinus1"].criterion("inc_spect_ct_multilevel").rule[0].levels == 1


def test_the_committed_json_schema_matches_the_models() -> None:
    committed = (ROOT / "criteria" / "schema.json").read_text()
    assert committed == json_schema(), (
        "regenerate with: trialbot criteria schema > criteria/schema.json"
    )
    schema = json.loads(committed)
    assert {"questions", "criteria", "consent", "contact"} <= set(schema["required"])
