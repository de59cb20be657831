"""The ``trialbot`` command: what it prints and the exit code it returns."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from trialbot.answers import Parsed
from trialbot.cli import main
from trialbot.config import redacted_url
from trialbot.store import ScreeningStore
from trialbot.store.schema import head_revision
from trialbot.verdicts import CriterionResult, Evaluation, Outcome, Verdict

REPO = Path(__file__).resolve().parent.parent
SPINUS2 = REPO / "criteria" / "spinus2.yml"
UNREACHABLE = "postgresql://bob:s3cr3t-pw@127.0.0.1:1/trialbot"


@pytest.fixture
def migrated_url(database_url: str) -> str:
    store = ScreeningStore.from_url(database_url)
    store.upgrade()
    store.dispose()
    return database_url


def screened(url: str) -> None:
    store = ScreeningStore.from_url(url)
    try:
        store.record_consent("alice", "spinus2", version="v1", agreed=True, channel="rest")
        store.record_question_asked("alice", "spinus2", "age")
        store.record_answer("alice", "spinus2", "age", "I'm 52", Parsed(True, 52))
        store.complete(
            "alice",
            "spinus2",
            Evaluation(
                {"inc_age": CriterionResult("inc_age", Verdict.PASS, "52 is within 18-75")},
                Outcome.LIKELY_ELIGIBLE,
            ),
            notify_channels=["email"],
        )
    finally:
        store.dispose()


def test_db_upgrade_migrates_and_names_the_revision(database_url: str, capsys):
    assert main(["db", "upgrade", "--database-url", database_url]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"Database: {redacted_url(database_url)}",
        f"At revision: {head_revision()} (head)",
    ]
    assert main(["db", "upgrade", "--database-url", database_url]) == 0


def test_db_upgrade_reads_the_url_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
):
    url = f"sqlite:///{tmp_path / 'from_env.db'}"
    monkeypatch.setenv("TRIALBOT_DATABASE_URL", url)
    assert main(["db", "upgrade"]) == 0
    assert f"Database: {url}" in capsys.readouterr().out
    assert (tmp_path / "from_env.db").exists()


def test_db_upgrade_defaults_to_var_under_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
):
    monkeypatch.delenv("TRIALBOT_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["db", "upgrade"]) == 0
    assert (tmp_path / "var" / "trialbot.db").exists()


def test_screening_show_prints_the_report_json(migrated_url: str, capsys):
    screened(migrated_url)
    capsys.readouterr()

    assert main(["screening", "show", "alice", "--json", "--database-url", migrated_url]) == 0

    report = json.loads(capsys.readouterr().out)
    assert (report["sender_id"], report["trial"], report["outcome"]) == (
        "alice",
        "spinus2",
        "likely_eligible",
    )
    assert report["criteria"] == {"inc_age": "pass"}
    assert report["answers"]["age"]["value"] == 52
    assert report["questions_asked"] == ["age"]
    assert (report["handoff"]["priority"], report["handoff"]["status"]) == ("high", "new")


def test_screening_show_without_json_is_a_short_summary(migrated_url: str, capsys):
    screened(migrated_url)
    capsys.readouterr()
    assert (
        main(["screening", "show", "alice", "--trial", "spinus2", "--database-url", migrated_url])
        == 0
    )
    out = capsys.readouterr().out
    assert "likely_eligible" in out
    assert "inc_age: pass" in out


def test_screening_show_of_an_unknown_sender_exits_1(migrated_url: str, capsys):
    code = main(["screening", "show", "nobody", "--json", "--database-url", migrated_url])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.out == ""
    assert captured.err.strip() == "trialbot: error: no screening of sender 'nobody'"


def test_screening_show_on_an_unmigrated_database_says_what_to_run(database_url: str, capsys):
    code = main(["screening", "show", "alice", "--database-url", database_url])
    assert code == 3
    assert "trialbot db upgrade" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["db", "upgrade"], ["screening", "show", "alice", "--json"]])
def test_an_unreachable_database_exits_3_without_the_password(command: list[str], capsys):
    code = main([*command, "--database-url", UNREACHABLE])
    err = capsys.readouterr().err
    assert code == 3
    assert "postgresql://bob:***@127.0.0.1:1/trialbot" in err
    assert "s3cr3t-pw" not in err
    assert len(err.strip().splitlines()) == 1


def test_criteria_validate_accepts_the_spinus2_file(capsys):
    assert main(["criteria", "validate", str(SPINUS2)]) == 0
    assert "valid" in capsys.readouterr().out


def test_criteria_validate_lists_each_problem_and_exits_2(tmp_path: Path, capsys):
    broken = tmp_path / "broken.yml"
    broken.write_text(
        SPINUS2.read_text(encoding="utf-8").replace("id: spinus2", "id: Spinus 2", 1),
        encoding="utf-8",
    )
    assert main(["criteria", "validate", str(broken)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err
    assert all(line.startswith(f"{broken}: ") for line in err)
    assert any("id" in line for line in err)


def test_criteria_validate_of_a_missing_file_exits_2(tmp_path: Path, capsys):
    assert main(["criteria", "validate", str(tmp_path / "missing.yml")]) == 2
    assert "missing.yml" in capsys.readouterr().err


def test_the_installed_command_is_light_and_never_shows_a_traceback(tmp_path: Path):
    script = (
        "import sys\n"
        "from trialbot.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "heavy = sorted(m for m in ('spacy', 'rasa', 'tensorflow') if m in sys.modules)\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    upgraded = subprocess.run(
        [sys.executable, "-c", script, "db", "upgrade", "--database-url", url],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert upgraded.returncode == 0, upgraded.stderr
    assert "HEAVY []" in upgraded.stderr
    shown = subprocess.run(
        [sys.executable, "-c", script, "screening", "show", "x", "--database-url", UNREACHABLE],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.returncode == 3
    assert "Traceback" not in shown.stderr
    assert "HEAVY []" in shown.stderr
    entry_point = Path(sys.executable).parent / "trialbot"
    if entry_point.exists():
        ran = subprocess.run(
            [str(entry_point), "db", "upgrade", "--database-url", url],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert ran.returncode == 0, ran.stderr


def test_criteria_schema_prints_the_committed_json_schema(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from pathlib import Path

    assert main(["criteria", "schema"]) == 0
    committed = (Path(__file__).resolve().parent.parent / "criteria" / "schema.json").read_text()
    assert capsys.readouterr().out == committed


# -- erasure and retention -----------------------------------------------------------------


@pytest.fixture
def tracker_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("TRIALBOT_AUDIT_SALT", "test-salt")
    return f"sqlite:///{tmp_path / 'tracker.db'}"


def test_screening_erase_erases_the_sender_once(migrated_url: str, tracker_url: str, capsys):
    screened(migrated_url)
    args = ["--database-url", migrated_url, "--tracker-url", tracker_url]

    assert main(["screening", "erase", "alice", "--yes", *args]) == 0
    out = capsys.readouterr().out
    assert "1 screenings" in out and "1 answers" in out and "1 handoffs" in out
    assert "sender hash" in out
    assert main(["screening", "show", "alice", "--database-url", migrated_url]) == 1
    assert main(["screening", "erase", "alice", "--yes", *args]) == 1
    assert "nothing stored for sender 'alice'" in capsys.readouterr().err


def test_screening_erase_needs_confirmation(migrated_url: str, tracker_url: str, capsys):
    screened(migrated_url)
    code = main(["screening", "erase", "alice", "--database-url", migrated_url])
    assert code == 2
    assert "add --yes" in capsys.readouterr().err
    assert main(["screening", "show", "alice", "--database-url", migrated_url]) == 0


def test_purge_dry_run_says_what_it_would_erase_and_changes_nothing(
    migrated_url: str, tracker_url: str, capsys
):
    screened(migrated_url)  # handed off, open: kept
    store = ScreeningStore.from_url(migrated_url)
    store.record_consent("bob", "spinus2", version="v1", agreed=False, channel="rest")
    store.dispose()
    args = ["--database-url", migrated_url, "--tracker-url", tracker_url]

    assert main(["purge", "--dry-run", *args]) == 0
    out = capsys.readouterr().out
    assert "Would erase 1 candidate(s): 1 declined, 0 incomplete" in out
    assert "screening 2 (spinus2): declined" in out and "bob" not in out
    assert main(["purge", *args]) == 0
    assert "Erased 1 candidate(s): 1 declined" in capsys.readouterr().out
    assert main(["purge", *args]) == 0
    assert "Erased 0 candidate(s)" in capsys.readouterr().out
    assert main(["screening", "show", "alice", "--database-url", migrated_url]) == 0
