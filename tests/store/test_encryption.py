"""Encryption at rest in the store: the 0004 migration, the sealed columns, the key helpers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from trialbot import crypto
from trialbot.store import ScreeningStore
from trialbot.store.schema import alembic_config
from trialbot.tracker_privacy import echoes

PLAIN = {
    ("answers", "raw_text"): "about two years, since the Quillfeather fall",
    ("answers", "evidence"): "two years",
    ("criterion_results", "reason"): 'You said "since the Quillfeather fall".',
    ("contact_details", "name"): "Zebedee Quarrington",
    ("contact_details", "phone"): "+420601987654",
    ("contact_details", "email"): "zebedee@example.org",
    ("handoff_events", "note"): "Rang Zebedee, left a voicemail",
}


def _seed_at_0003(engine: sa.engine.Engine) -> None:
    """One screening with a row in every sealed column, written before encryption."""
    with engine.begin() as connection:
        run = connection.exec_driver_sql
        run(
            "INSERT INTO screenings (id, sender_id, trial_id, channel, status, started_at, "
            "updated_at) VALUES (1, 's1', 'spinus2', 'rest', 'completed', '2026-01-01 00:00:00', "
            "'2026-01-01 00:00:00')"
        )
        run(
            "INSERT INTO answers (id, screening_id, question_id, raw_text, understood, hedged, "
            "evidence, answered_at) VALUES (1, 1, 'pain_duration', %s, true, false, %s, "
            "'2026-01-01 00:00:00')".replace(
                "%s", "?" if engine.dialect.name == "sqlite" else "%s"
            ),
            (PLAIN["answers", "raw_text"], PLAIN["answers", "evidence"]),
        )
        marker = "?" if engine.dialect.name == "sqlite" else "%s"
        run(
            "INSERT INTO criterion_results (id, screening_id, criterion_id, verdict, reason, "
            f"evidence, evaluated_at) VALUES (1, 1, 'c1', 'pass', {marker}, {marker}, "
            "'2026-01-01 00:00:00')",
            (PLAIN["criterion_results", "reason"], json.dumps(["since the Quillfeather fall"])),
        )
        run(
            "INSERT INTO contact_details (id, screening_id, name, phone, email, updated_at) "
            f"VALUES (1, 1, {marker}, {marker}, {marker}, '2026-01-01 00:00:00')",
            tuple(PLAIN["contact_details", c] for c in ("name", "phone", "email")),
        )
        run(
            "INSERT INTO handoffs (id, screening_id, sender_id, trial_id, priority, status, "
            "created_at, updated_at) VALUES (1, 1, 's1', 'spinus2', 'high', 'contacted', "
            "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"
        )
        run(
            "INSERT INTO handoff_events (id, handoff_id, from_status, to_status, note, actor, at) "
            f"VALUES (1, 1, 'new', 'contacted', {marker}, 'staff', '2026-01-01 00:00:00')",
            (PLAIN["handoff_events", "note"],),
        )
        run(
            "INSERT INTO audit_events (id, at, actor, action, object_type, object_id, details) "
            f"VALUES (1, '2026-01-01 00:00:00', 'staff', 'handoff.noted', 'handoff', '1', {marker})",
            (json.dumps({"note": PLAIN["handoff_events", "note"]}),),
        )


def _raw(engine: sa.engine.Engine) -> dict[tuple[str, str], str]:
    """The values as stored, read with plain SQL (JSON as its text)."""

    def text(value: object) -> str:
        return value if isinstance(value, str) else json.dumps(value)

    with engine.connect() as connection:
        return {
            (table, column): text(
                connection.exec_driver_sql(f"SELECT {column} FROM {table} WHERE id = 1").scalar()
            )
            for table, column in [
                *PLAIN,
                ("criterion_results", "evidence"),
                ("audit_events", "details"),
            ]
        }


def migrate(config: Any, engine: sa.engine.Engine, revision: str) -> None:
    """Up or down to ``revision``, in one transaction."""
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        current = MigrationContext.configure(connection).get_current_revision()
        chain = [s.revision for s in ScriptDirectory.from_config(config).walk_revisions()]
        if current is None or chain.index(revision) < chain.index(current):
            command.upgrade(config, revision)
        else:
            command.downgrade(config, revision)


def test_the_migration_seals_existing_rows_and_the_downgrade_opens_them(database_url: str):
    store = ScreeningStore.from_url(database_url)
    try:
        config = alembic_config(store.engine)
        migrate(config, store.engine, "0003_screening_flags")
        _seed_at_0003(store.engine)

        migrate(config, store.engine, "0004_encryption")
        sealed = _raw(store.engine)
        for (table, column), plain in PLAIN.items():
            assert plain not in sealed[table, column]
            assert sealed[table, column].startswith(crypto.PREFIX)
            assert crypto.decrypt(sealed[table, column], f"{table}.{column}") == plain
        evidence = sealed["criterion_results", "evidence"]  # a JSON string, the token
        evidence = json.loads(evidence) if evidence.startswith('"') else evidence
        assert "Quillfeather" not in evidence
        assert json.loads(crypto.decrypt(evidence, "criterion_results.evidence")) == [
            "since the Quillfeather fall"
        ]
        assert "Zebedee" not in sealed["audit_events", "details"]
        migrate(config, store.engine, "0003_screening_flags")
        migrate(config, store.engine, "0004_encryption")  # again: sealed once, not twice
        assert all(
            crypto.decrypt(value, f"{table}.{column}") == PLAIN[table, column]
            for (table, column), value in _raw(store.engine).items()
            if (table, column) in PLAIN
        )

        migrate(config, store.engine, "0003_screening_flags")
        opened = _raw(store.engine)
        for key, plain in PLAIN.items():
            assert opened[key] == plain
        assert json.loads(opened["audit_events", "details"]) == {
            "note": PLAIN["handoff_events", "note"]
        }
    finally:
        store.dispose()


def test_notes_are_sealed_in_history_and_audit_and_read_back(store: ScreeningStore):
    from trialbot.web.queries import audit_page

    store.start("s1", "spinus2", "rest")
    store.record_consent("s1", "spinus2", version="1", agreed=True, channel="rest")
    store.save_contact("s1", "spinus2", name="Zebedee Quarrington", phone="+420601987654")
    with store.engine.begin() as connection:
        screening_id = connection.exec_driver_sql("SELECT id FROM screenings").scalar()
        connection.exec_driver_sql(
            "INSERT INTO handoffs (screening_id, sender_id, trial_id, priority, status, "
            f"created_at, updated_at) VALUES ({screening_id}, 's1', 'spinus2', 'high', 'new', "
            "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"
        )
        handoff_id = connection.exec_driver_sql("SELECT id FROM handoffs").scalar()
    store.add_note(handoff_id, "Rang Zebedee on Tuesday", "staff@example.org")
    with store.engine.connect() as connection:
        raw = " ".join(
            str(v)
            for table in ("handoff_events", "audit_events", "contact_details")
            for row in connection.exec_driver_sql(f"SELECT * FROM {table}")
            for v in row
        )
    assert "Zebedee" not in raw and "601987654" not in raw
    entries, _ = audit_page(store.engine)
    assert entries[0].details == {"note": "Rang Zebedee on Tuesday"}
    # A comparison with "" still works in SQL: emptiness is not sealed.
    with store.engine.connect() as connection:
        empty = connection.exec_driver_sql("SELECT count(*) FROM answers WHERE evidence = ''")
        assert empty.scalar() == 0


def test_a_sealed_value_opens_only_with_its_key_and_its_column():
    ring = crypto.Keyring((crypto.new_key("a"),), "test")
    sealed = crypto.encrypt("+420601987654", "contact_details.phone", ring)
    assert "601987654" not in sealed and crypto.key_id_of(sealed) == "a"
    assert crypto.decrypt(sealed, "contact_details.phone", ring) == "+420601987654"
    assert crypto.encrypt("x", "c", ring) != crypto.encrypt("x", "c", ring)  # random nonces

    with pytest.raises(crypto.DecryptionError, match="contact_details.email.*authentication"):
        crypto.decrypt(sealed, "contact_details.email", ring)  # moved to another column
    flipped = sealed[:-5] + ("A" if sealed[-5] != "A" else "B") + sealed[-4:]
    with pytest.raises(crypto.DecryptionError, match="failed authentication"):
        crypto.decrypt(flipped, "contact_details.phone", ring)
    other = crypto.Keyring((crypto.new_key("b"),), "TRIALBOT_DATA_KEY")
    with pytest.raises(crypto.DecryptionError, match="key 'a'.*does not hold"):
        crypto.decrypt(sealed, "contact_details.phone", other)
    with pytest.raises(crypto.DecryptionError, match="truncated|malformed"):
        crypto.decrypt(sealed[:20], "contact_details.phone", ring)


def test_keys_from_the_variable_and_their_errors():
    first, second = crypto.new_key("k2"), crypto.new_key("k1")
    text = f"{crypto.format_key(first)}, {crypto.format_key(second)}"
    ring = crypto.load_keyring(environ={crypto.KEY_VARIABLE: text})
    assert [k.id for k in ring.keys] == ["k2", "k1"] and ring.primary == first
    bare = crypto.format_key(first).split(":", 1)[1]
    assert crypto.load_keyring(environ={crypto.KEY_VARIABLE: bare}).primary.id.startswith("k")
    with pytest.raises(crypto.KeyConfigError, match="needs 32"):
        crypto.load_keyring(environ={crypto.KEY_VARIABLE: "short:c2hvcnQ="})
    with pytest.raises(crypto.KeyConfigError, match="not base64"):
        crypto.load_keyring(environ={crypto.KEY_VARIABLE: "k:not-base64!"})
    with pytest.raises(crypto.KeyConfigError, match="unique"):
        crypto.load_keyring(environ={crypto.KEY_VARIABLE: f"{text},{crypto.format_key(first)}"})


def test_keyed_hashes_match_exactly_and_across_a_rotation():
    old = crypto.Keyring((crypto.new_key("old"),), "test")
    both = crypto.Keyring((crypto.new_key("new"), old.primary), "test")
    digest = crypto.keyed_hash("+420601987654", "phone", old)
    assert digest == crypto.keyed_hash("+420601987654", "phone", old)
    assert digest != crypto.keyed_hash("+420601987655", "phone", old)
    assert digest != crypto.keyed_hash("+420601987654", "email", old)
    assert digest in crypto.keyed_hashes("+420601987654", "phone", both)
    assert crypto.keyed_hash("+420601987654", "phone", both) != digest


def test_a_key_file_is_written_private_and_atomically(tmp_path: Path):
    path = tmp_path / "secrets" / "data.key"
    assert crypto.write_key_file(path, [crypto.new_key("a")], exclusive=True)
    assert not crypto.write_key_file(path, [crypto.new_key("b")], exclusive=True)
    assert [k.id for k in crypto.parse_keys(path.read_text(), "file")] == ["a"]
    assert (path.stat().st_mode & 0o777) == 0o600
    assert (path.parent.stat().st_mode & 0o777) == 0o700


@pytest.mark.parametrize(
    ("bot", "typed", "echoed"),
    [
        ("Thanks, Zebedee!", "my name is Zebedee Quarrington", True),
        ("We will call +420 601 987 654.", "601987654", True),
        ("We'll write to ZEBEDEE@example.org", "it's zebedee@example.org", True),
        ("What phone number can the study team call you on?", "my name is Jan", False),
        ("Please type your e-mail address, e.g. name@example.com.", "rather not", False),
        ("Study line: +420 973 208 111", "+420 601 987 654", False),
    ],
)
def test_a_bot_message_echoing_a_contact_detail_is_recognised(bot: str, typed: str, echoed: bool):
    assert echoes(bot, typed) is echoed
