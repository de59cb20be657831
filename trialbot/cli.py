"""The ``trialbot`` command.

Subcommands come from ``register(subparsers)`` functions: this module's own
(``criteria``, ``db``, ``screening``, ``purge``) and those of the modules in
``COMMAND_MODULES``, so another module adds its commands by defining ``register`` and
naming itself there. A command's handler takes the parsed arguments and returns the
exit code. Heavy imports (the criteria models, SQLAlchemy) happen inside handlers so
that the command starts fast; nothing here imports spaCy, Rasa or TensorFlow.

Exit codes: 0 done, 1 not found or failed, 2 bad input (file, arguments),
3 database unavailable. Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the CLI starts without importing the store
    from trialbot.store import ScreeningStore

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_DATABASE = 3

# Modules that add subcommands: each defines ``register(subparsers) -> None``.
COMMAND_MODULES: tuple[str, ...] = (
    "trialbot.web.cli",
    "trialbot.notify.cli",
    "trialbot.keys_cli",
)

Subparsers = Any  # argparse's _SubParsersAction is private


class CommandError(Exception):
    """A failure the user can act on; ``main`` prints it as one line."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def database_options() -> argparse.ArgumentParser:
    """Parent parser for commands that use the store: ``--database-url``."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--database-url",
        metavar="URL",
        help="SQLAlchemy URL of the store (default: $TRIALBOT_DATABASE_URL, "
        "else sqlite:///var/trialbot.db under the current directory)",
    )
    return parent


def database_url(args: argparse.Namespace) -> str:
    from trialbot.config import Settings

    return getattr(args, "database_url", None) or Settings.from_env().database_url


@contextmanager
def migrated_store(args: argparse.Namespace) -> Iterator[ScreeningStore]:
    """The store at the command's database URL, refused unless migrated to the head."""
    from trialbot.config import redacted_url
    from trialbot.store import ScreeningStore
    from trialbot.store.schema import head_revision

    url = database_url(args)
    store = ScreeningStore.from_url(url)
    try:
        if store.revision() != head_revision():
            raise CommandError(
                f"the database at {redacted_url(url)} is not up to date: "
                "run `trialbot db upgrade` first",
                EXIT_DATABASE,
            )
        yield store
    finally:
        store.dispose()


# -- criteria ----------------------------------------------------------------------------


def register_criteria(subparsers: Subparsers) -> None:
    criteria = subparsers.add_parser("criteria", help="criteria files")
    commands = criteria.add_subparsers(dest="criteria_command", metavar="COMMAND")
    commands.required = True
    validate = commands.add_parser("validate", help="check a criteria file against the schema")
    validate.add_argument("file", metavar="FILE")
    validate.set_defaults(handler=validate_criteria)
    schema = commands.add_parser("schema", help="print the JSON Schema of criteria files")
    schema.set_defaults(handler=print_criteria_schema)


def print_criteria_schema(args: argparse.Namespace) -> int:
    from trialbot.criteria import json_schema

    sys.stdout.write(json_schema())
    return EXIT_OK


def validate_criteria(args: argparse.Namespace) -> int:
    from trialbot.criteria import validate_file

    problems = validate_file(args.file)
    for problem in problems:
        print(f"{args.file}: {problem}", file=sys.stderr)
    if problems:
        return EXIT_BAD_INPUT
    print(f"{args.file}: valid")
    return EXIT_OK


# -- db ----------------------------------------------------------------------------------


def register_db(subparsers: Subparsers) -> None:
    db = subparsers.add_parser("db", help="the screening database")
    commands = db.add_subparsers(dest="db_command", metavar="COMMAND")
    commands.required = True
    upgrade = commands.add_parser(
        "upgrade", parents=[database_options()], help="migrate the database to the newest schema"
    )
    upgrade.set_defaults(handler=upgrade_database)


def upgrade_database(args: argparse.Namespace) -> int:
    from trialbot.config import redacted_url
    from trialbot.store import ScreeningStore

    url = database_url(args)
    store = ScreeningStore.from_url(url)
    try:
        print(f"Database: {redacted_url(url)}")
        store.upgrade()
        print(f"At revision: {store.revision()} (head)")
    finally:
        store.dispose()
    return EXIT_OK


# -- screening ---------------------------------------------------------------------------


def register_screening(subparsers: Subparsers) -> None:
    screening = subparsers.add_parser("screening", help="candidates' screenings")
    commands = screening.add_subparsers(dest="screening_command", metavar="COMMAND")
    commands.required = True
    show = commands.add_parser(
        "show", parents=[database_options()], help="a sender's latest screening"
    )
    show.add_argument("sender_id", metavar="SENDER_ID")
    show.add_argument("--trial", metavar="TRIAL_ID", help="only screenings for this trial")
    show.add_argument("--json", action="store_true", help="print the report as JSON")
    show.set_defaults(handler=show_screening)
    erase = commands.add_parser(
        "erase",
        parents=[database_options(), tracker_options()],
        help="erase everything of a sender: screenings' data and conversations",
    )
    erase.add_argument("sender_id", metavar="SENDER_ID")
    erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    erase.set_defaults(handler=erase_screening)


def show_screening(args: argparse.Namespace) -> int:
    with migrated_store(args) as store:
        report = store.report(args.sender_id, args.trial)
    if report is None:
        where = f" for trial {args.trial}" if args.trial else ""
        raise CommandError(f"no screening of sender {args.sender_id!r}{where}")
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print(_describe(report))
    return EXIT_OK


def tracker_options() -> argparse.ArgumentParser:
    """Parent parser for commands that touch Rasa's tracker: ``--tracker-url``."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--tracker-url",
        metavar="URL",
        help="SQLAlchemy URL of Rasa's tracker store (default: $TRIALBOT_TRACKER_URL, "
        "else sqlite:///var/tracker.db under the current directory)",
    )
    return parent


def _operator() -> str:
    """Who runs the command, for the audit trail."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def erase_screening(args: argparse.Namespace) -> int:
    from trialbot.store.erasure import erase_candidate

    if not args.yes:
        if not sys.stdin.isatty():
            raise CommandError("not erasing without confirmation: add --yes", EXIT_BAD_INPUT)
        answer = input(
            f"Erase everything of sender {args.sender_id!r} (answers, contact details, "
            "conversations)? This cannot be undone. Type yes: "
        )
        if answer.strip().lower() != "yes":
            print("Nothing erased.")
            return EXIT_FAILED
    with migrated_store(args) as store:
        report = erase_candidate(
            store, args.sender_id, actor=_operator(), tracker_url=args.tracker_url
        )
    if not report.found:
        raise CommandError(f"nothing stored for sender {args.sender_id!r}")
    counts = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in report.counts().items())
    print(f"Erased: {counts}.")
    print(f"Audit: candidate.erased, sender hash {report.sender_hash}")
    return EXIT_OK


def _describe(report: dict[str, Any]) -> str:
    lines = [
        f"Sender {report['sender_id']}, trial {report['trial']}: "
        f"{report['outcome'] or 'no outcome yet'}",
    ]
    lines += [f"  {cid}: {verdict}" for cid, verdict in report["criteria"].items()]
    for question_id, answer in report["answers"].items():
        hedged = " (hedged)" if answer["hedged"] else ""
        lines.append(f"  {question_id} = {json.dumps(answer['value'])}{hedged}: {answer['text']!r}")
    handoff = report["handoff"]
    if handoff:
        lines.append(f"  handoff {handoff['id']}: {handoff['priority']}, {handoff['status']}")
    return "\n".join(lines)


# -- purge -------------------------------------------------------------------------------


def register_purge(subparsers: Subparsers) -> None:
    purge = subparsers.add_parser(
        "purge",
        parents=[database_options(), tracker_options()],
        help="erase candidates past their retention period",
    )
    purge.add_argument(
        "--dry-run", action="store_true", help="only say what would be erased; change nothing"
    )
    purge.set_defaults(handler=purge_expired)


def purge_expired(args: argparse.Namespace) -> int:
    from trialbot.retention import RetentionPeriods, purge
    from trialbot.store.models import utcnow

    try:
        periods = RetentionPeriods.from_env()
    except ValueError as error:
        raise CommandError(str(error), EXIT_BAD_INPUT) from None
    with migrated_store(args) as store:
        report = purge(
            store, utcnow(), dry_run=args.dry_run, tracker_url=args.tracker_url, periods=periods
        )
    verb = "Would erase" if args.dry_run else "Erased"
    for due in report.candidates:
        what = (
            f"screening {due.screening_id} ({due.trial_id})"
            if due.screening_id
            else "a conversation without a screening"
        )
        print(f"  {what}: {due.category}, due since {due.due_at:%Y-%m-%d %H:%M} UTC")
    counts = ", ".join(f"{n} {category}" for category, n in report.counts.items())
    print(f"{verb} {report.total} candidate(s): {counts}.")
    if report.failed:
        raise CommandError(f"{report.failed} erasure(s) failed; see the log and run it again")
    return EXIT_OK


# -- the parser and main -----------------------------------------------------------------

BUILTIN_COMMANDS: tuple[Callable[[Subparsers], None], ...] = (
    register_criteria,
    register_db,
    register_screening,
    register_purge,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trialbot", description="Prescreening chatbot for clinical trials."
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for register in BUILTIN_COMMANDS:
        register(subparsers)
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except CommandError as error:
        return _fail(str(error), error.exit_code)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except Exception as error:  # every error is one line, never a traceback
        return _fail(*_explain(error))


def _explain(error: Exception) -> tuple[str, int]:
    from trialbot.store import StoreError, StoreUnavailable

    if isinstance(error, StoreUnavailable):
        return str(error), EXIT_DATABASE
    if isinstance(error, StoreError):
        return str(error), EXIT_FAILED
    if isinstance(error, OSError):
        return f"{error.filename or ''}: {error.strerror or error}".lstrip(": "), EXIT_BAD_INPUT
    return f"unexpected {type(error).__name__}: {error}", EXIT_FAILED


def _fail(message: str, exit_code: int) -> int:
    print(f"trialbot: error: {message}", file=sys.stderr)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
