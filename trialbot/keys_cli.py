"""``trialbot keys``: the data keys that seal candidates' words at rest (``trialbot.crypto``).

``keys generate``
    Print a new key entry (``ID:BASE64``) for ``TRIALBOT_DATA_KEY``.
``keys status``
    How many sealed values each key holds, in the screening store and the tracker.
``keys rotate``
    Re-seal every value under the primary key. With the development key file it first
    makes a new primary key, keeps the old one until no value needs it, then drops it.
    With ``TRIALBOT_DATA_KEY``, put the new key first, run it, then remove the old one.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from trialbot.cli import EXIT_FAILED, EXIT_OK, Subparsers, database_options, migrated_store

BATCH = 500
TRACKER_URL_VARIABLE = "TRIALBOT_TRACKER_URL"
PLAIN = "plain"


def register(subparsers: Subparsers) -> None:
    keys = subparsers.add_parser("keys", help="the data keys that encrypt candidates' data")
    commands = keys.add_subparsers(dest="keys_command", metavar="COMMAND")
    commands.required = True
    generate = commands.add_parser("generate", help="print a new key for TRIALBOT_DATA_KEY")
    generate.add_argument("--id", dest="key_id", metavar="ID", help="the key's id")
    generate.set_defaults(handler=generate_key)
    for name, handler, text in (
        ("status", show_status, "sealed values per key id"),
        ("rotate", rotate_keys, "re-encrypt every value under a new primary key"),
    ):
        command = commands.add_parser(name, parents=[database_options()], help=text)
        command.add_argument(
            "--tracker-url",
            metavar="URL",
            help="Rasa's tracker database (default: $TRIALBOT_TRACKER_URL, else var/tracker.db)",
        )
        command.set_defaults(handler=handler)


def generate_key(args: argparse.Namespace) -> int:
    from trialbot import crypto

    print(crypto.format_key(crypto.new_key(args.key_id)))
    return EXIT_OK


def show_status(args: argparse.Namespace) -> int:
    from trialbot import crypto

    ring = crypto.keyring()
    with migrated_store(args) as store:
        usage = key_usage(store.engine, _tracker_url(args))
    print(
        f"Keys from {ring.source}: {', '.join(k.id for k in ring.keys)} (primary {ring.primary.id})"
    )
    for key_id, count in sorted(usage.items()):
        print(f"  {key_id}: {count} value(s)")
    return EXIT_OK


def rotate_keys(args: argparse.Namespace) -> int:
    from trialbot import crypto

    ring = crypto.keyring()
    from_file = ring.source != crypto.KEY_VARIABLE
    if from_file:
        path = Path(ring.source)
        crypto.write_key_file(path, [crypto.new_key(), *ring.keys])
        crypto.reset()
        ring = crypto.keyring()
        time.sleep(1.2)  # running processes re-read the key file within a second
    with migrated_store(args) as store:
        tracker_url = _tracker_url(args)
        changed = reseal_store(store.engine, ring) + reseal_tracker(tracker_url, ring)
        usage = key_usage(store.engine, tracker_url)
    left = {k: n for k, n in usage.items() if k not in (ring.primary.id, PLAIN)}
    print(f"Re-encrypted {changed} value(s) with key {ring.primary.id}.")
    old = [k.id for k in ring.keys[1:]]
    if left:
        print(f"Still sealed otherwise: {left}; run `trialbot keys rotate` again.")
        return EXIT_FAILED
    if from_file and old:
        crypto.write_key_file(Path(ring.source), [ring.primary])
        crypto.reset()
        print(f"Removed the old key(s) {', '.join(old)} from {ring.source}.")
    elif old:
        print(f"No value needs {', '.join(old)} any more: remove it from {crypto.KEY_VARIABLE}.")
    return EXIT_OK


def _tracker_url(args: argparse.Namespace) -> str:
    from trialbot.config import default_tracker_url

    return (
        getattr(args, "tracker_url", None)
        or os.environ.get(TRACKER_URL_VARIABLE)
        or default_tracker_url()
    )


# -- the sweep ------------------------------------------------------------------------------


def _text_reseal(context: str, ring: Any) -> Callable[[Any], Any | None]:
    from trialbot import crypto

    def change(value: Any) -> Any | None:
        if not isinstance(value, str) or value == "":
            return None
        return crypto.reseal(value, context, ring)

    return change


def _json_reseal(context: str, ring: Any) -> Callable[[Any], Any | None]:
    from trialbot import crypto

    def change(value: Any) -> Any | None:
        if value is None:
            return None
        if not crypto.is_sealed(value):  # never sealed: seal it
            return crypto.encrypt(json.dumps(value, ensure_ascii=False), context, ring)
        return crypto.reseal(value, context, ring)

    return change


def _audit_reseal(ring: Any) -> Callable[[Any], Any | None]:
    from trialbot import crypto
    from trialbot.store.models import AUDIT_NOTE_CONTEXT

    def change(details: Any) -> Any | None:
        note = details.get("note") if isinstance(details, dict) else None
        if not isinstance(note, str) or not crypto.is_sealed(note):
            return None
        resealed = crypto.reseal(note, AUDIT_NOTE_CONTEXT, ring)
        return None if resealed is None else {**details, "note": resealed}

    return change


def _rows(engine: Any, table: Any, column: Any) -> Iterator[list[tuple[int, Any]]]:
    """The non-null values of a column in batches, each read in its own short transaction
    (so that the batch's rewrite never waits for the read)."""
    from sqlalchemy import select

    last = 0
    while True:
        with engine.connect() as connection:
            batch = connection.execute(
                select(table.c.id, column)
                .where(table.c.id > last, column.isnot(None))
                .order_by(table.c.id)
                .limit(BATCH)
            ).all()
        if not batch:
            return
        last = batch[-1][0]
        yield [(row_id, value) for row_id, value in batch]


def _rewrite(engine: Any, table_name: str, column_name: str, kind: Any, change: Any) -> int:
    import sqlalchemy as sa

    table = sa.table(table_name, sa.column("id", sa.Integer), sa.column(column_name, kind))
    column = table.c[column_name]
    update = (
        table.update()
        .where(table.c.id == sa.bindparam("row_id"))
        .values({column_name: sa.bindparam("value")})
    )
    changed = 0
    for batch in _rows(engine, table, column):
        updates = [
            {"row_id": row_id, "value": new}
            for row_id, value in batch
            if (new := change(value)) is not None
        ]
        if updates:
            with engine.begin() as writer:
                writer.execute(update, updates)
            changed += len(updates)
    return changed


def _store_columns() -> list[tuple[str, str, bool]]:
    """(table, column, is JSON) of the store's sealed columns."""
    from trialbot.store.models import EncryptedJSON, encrypted_columns, metadata

    return [
        (t, c, isinstance(metadata.tables[t].c[c].type, EncryptedJSON))
        for t, c in encrypted_columns()
    ]


def reseal_store(engine: Any, ring: Any) -> int:
    """Re-seal every sealed value of the screening store under the primary key."""
    import sqlalchemy as sa

    changed = 0
    for table, column, is_json in _store_columns():
        context = f"{table}.{column}"
        if is_json:
            changed += _rewrite(engine, table, column, sa.JSON(), _json_reseal(context, ring))
        else:
            changed += _rewrite(engine, table, column, sa.Text(), _text_reseal(context, ring))
    changed += _rewrite(engine, "audit_events", "details", sa.JSON(), _audit_reseal(ring))
    return changed


def _tracker_engine(url: str) -> Any:
    from sqlalchemy import create_engine, inspect
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if not database or database == ":memory:" or not Path(database).is_file():
            return None
    engine = create_engine(url, future=True)
    with engine.connect() as connection:
        if not inspect(connection).has_table("events"):
            engine.dispose()
            return None
    return engine


def reseal_tracker(url: str, ring: Any) -> int:
    """Seal every ``events.data`` value of Rasa's tracker under the primary key (rows
    written before encryption included)."""
    import sqlalchemy as sa

    from trialbot.web.transcript import DATA_CONTEXT

    engine = _tracker_engine(url)
    if engine is None:
        return 0
    try:
        return _rewrite(engine, "events", "data", sa.Text(), _text_reseal(DATA_CONTEXT, ring))
    finally:
        engine.dispose()


def key_usage(store_engine: Any, tracker_url: str) -> dict[str, int]:
    """Sealed values per key id (``"plain"``: values never sealed, e.g. tracker rows
    written before encryption)."""
    import sqlalchemy as sa

    from trialbot import crypto

    usage: Counter[str] = Counter()

    def count(engine: Any, table_name: str, column_name: str, kind: Any, pick: Any) -> None:
        table = sa.table(table_name, sa.column("id", sa.Integer), sa.column(column_name, kind))
        for batch in _rows(engine, table, table.c[column_name]):
            for _, value in batch:
                found = pick(value)
                if crypto.is_sealed(found):
                    usage[crypto.key_id_of(found)] += 1
                elif found not in (None, ""):
                    usage[PLAIN] += 1

    for table, column, is_json in _store_columns():
        count(store_engine, table, column, sa.JSON() if is_json else sa.Text(), lambda v: v)
    count(
        store_engine,
        "audit_events",
        "details",
        sa.JSON(),
        lambda d: (
            d.get("note") if isinstance(d, dict) and crypto.is_sealed(d.get("note")) else None
        ),
    )
    tracker = _tracker_engine(tracker_url)
    if tracker is not None:
        try:
            count(tracker, "events", "data", sa.Text(), lambda v: v)
        finally:
            tracker.dispose()
    return dict(usage)
