"""Staff accounts and tokens from the command line; what is stored is never the secret."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from trialbot import accounts
from trialbot.accounts import ApiToken, StaffUser, authenticate, token_for
from trialbot.cli import main
from trialbot.roles import Role
from trialbot.store import ScreeningStore


def run(monkeypatch, argv: list[str], stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(argv)


def test_staff_add_reads_the_password_from_stdin_and_stores_an_argon2_hash(
    monkeypatch, capsys, store: ScreeningStore, web_database_url: str
):
    code = run(
        monkeypatch,
        [
            "staff",
            "add",
            "New.Person@Example.org",
            "--role",
            "triage",
            "--password-stdin",
            "--database-url",
            web_database_url,
        ],
        "a long enough secret\n",
    )
    assert code == 0
    assert "Added new.person@example.org (triage)" in capsys.readouterr().out
    with store.engine.connect() as connection:
        stored = connection.execute(select(StaffUser.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and "a long enough secret" not in stored
    assert authenticate(store.engine, "new.person@example.org", "a long enough secret")
    assert authenticate(store.engine, "new.person@example.org", "a long enough secreT") is None


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (
            ["staff", "add", "a@example.org", "--role", "admin", "--password-stdin"],
            "short\n",
            "at least 12",
        ),
        (
            ["staff", "add", "not-an-address", "--role", "admin", "--password-stdin"],
            "long enough password\n",
            "not an e-mail",
        ),
    ],
)
def test_staff_add_refuses_bad_input(
    monkeypatch, capsys, store, web_database_url, argv, stdin, message
):
    assert run(monkeypatch, [*argv, "--database-url", web_database_url], stdin) == 2
    assert message in capsys.readouterr().err


def test_a_second_account_with_the_same_address_is_refused(
    monkeypatch, capsys, store, web_database_url
):
    argv = [
        "staff",
        "add",
        "a@example.org",
        "--role",
        "admin",
        "--password-stdin",
        "--database-url",
        web_database_url,
    ]
    assert run(monkeypatch, argv, "long enough password\n") == 0
    assert run(monkeypatch, argv, "long enough password\n") == 2
    assert "already a staff account" in capsys.readouterr().err


def test_token_create_prints_the_token_once_and_stores_its_sha256(
    monkeypatch, capsys, store: ScreeningStore, web_database_url: str
):
    assert run(monkeypatch, ["token", "create", "crm", "--database-url", web_database_url]) == 0
    token = capsys.readouterr().out.strip()
    assert len(token) >= 43
    with store.engine.connect() as connection:
        stored = connection.execute(select(ApiToken.token_hash)).scalar_one()
    assert stored == accounts.digest(token) and token not in stored
    assert token_for(store.engine, token).actor == "token:crm"
    assert run(monkeypatch, ["token", "list", "--database-url", web_database_url]) == 0
    listing = capsys.readouterr().out
    assert "crm" in listing and token not in listing
    assert run(monkeypatch, ["token", "revoke", "crm", "--database-url", web_database_url]) == 0
    assert token_for(store.engine, token) is None


def test_commands_refuse_a_database_that_is_not_migrated(monkeypatch, capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    assert run(monkeypatch, ["token", "create", "x", "--database-url", url]) == 3
    assert "trialbot db upgrade" in capsys.readouterr().err


@pytest.mark.parametrize("role", list(Role))
def test_every_role_the_cli_offers_is_one_the_database_allows(
    monkeypatch, capsys, role: Role, store: ScreeningStore, web_database_url: str
):
    argv = ["staff", "add", f"{role.value}@example.org", "--role", role.value]
    argv += ["--password-stdin", "--database-url", web_database_url]
    assert run(monkeypatch, argv, "a long enough secret\n") == 0
    assert f"({role.value})" in capsys.readouterr().out


def test_the_cli_refuses_a_role_there_is_not():
    with pytest.raises(SystemExit):
        main(["staff", "add", "a@example.org", "--role", "superuser", "--password-stdin"])


@pytest.mark.production_hashing
def test_passwords_are_hashed_with_argon2id_at_production_cost():
    stored = accounts.hash_password("a long enough secret")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert accounts.password_matches(stored, "a long enough secret")
    assert not accounts.password_matches(stored, "a long enough secreT")
    assert not accounts.password_matches("not a hash", "a long enough secret")
