"""``trialbot staff ...`` and ``trialbot token ...``: accounts of the triage app.

Only argparse at import time (``trialbot`` must start fast); the handlers import
``trialbot.accounts`` and the store when they run.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TYPE_CHECKING, Any

from trialbot.roles import ROLES

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


# -- commands ---------------------------------------------------------------------------------


def register(subparsers: Any) -> None:
    from trialbot.cli import database_options

    staff = subparsers.add_parser("staff", help="triage web app accounts")
    staff_commands = staff.add_subparsers(dest="staff_command", metavar="COMMAND")
    staff_commands.required = True
    add = staff_commands.add_parser(
        "add", parents=[database_options()], help="create a staff account"
    )
    add.add_argument("email", metavar="EMAIL")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input instead of a prompt",
    )
    add.set_defaults(handler=_add_staff_command)
    listing = staff_commands.add_parser(
        "list", parents=[database_options()], help="list staff accounts"
    )
    listing.set_defaults(handler=_list_staff_command)

    token = subparsers.add_parser("token", help="API tokens for /api")
    token_commands = token.add_subparsers(dest="token_command", metavar="COMMAND")
    token_commands.required = True
    create = token_commands.add_parser(
        "create", parents=[database_options()], help="create a token and print it once"
    )
    create.add_argument("name", metavar="NAME")
    create.set_defaults(handler=_create_token_command)
    tokens = token_commands.add_parser("list", parents=[database_options()], help="list tokens")
    tokens.set_defaults(handler=_list_tokens_command)
    revoke = token_commands.add_parser(
        "revoke", parents=[database_options()], help="revoke a token"
    )
    revoke.add_argument("name", metavar="NAME")
    revoke.set_defaults(handler=_revoke_token_command)


def _engine(args: argparse.Namespace) -> Engine:
    from trialbot.cli import EXIT_DATABASE, CommandError, database_url
    from trialbot.config import redacted_url
    from trialbot.store.db import make_engine
    from trialbot.store.schema import current_revision, head_revision

    url = database_url(args)
    engine = make_engine(url)
    if current_revision(engine) != head_revision():
        engine.dispose()
        raise CommandError(
            f"the database at {redacted_url(url)} is not up to date: "
            "run `trialbot db upgrade` first",
            EXIT_DATABASE,
        )
    return engine


def _read_password(from_stdin: bool) -> str:
    from trialbot.cli import EXIT_BAD_INPUT, CommandError

    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            raise CommandError("the passwords differ", EXIT_BAD_INPUT)
    return password


def _add_staff_command(args: argparse.Namespace) -> int:
    from trialbot.accounts import AccountError, add_staff
    from trialbot.cli import EXIT_BAD_INPUT, CommandError

    password = _read_password(args.password_stdin)
    engine = _engine(args)
    try:
        staff = add_staff(engine, args.email, args.role, password)
    except AccountError as error:
        raise CommandError(str(error), EXIT_BAD_INPUT) from None
    finally:
        engine.dispose()
    print(f"Added {staff.email} ({staff.role.value})")
    return 0


def _list_staff_command(args: argparse.Namespace) -> int:
    from trialbot.accounts import list_staff

    engine = _engine(args)
    try:
        for staff in list_staff(engine):
            state = "" if staff.active else " (disabled)"
            print(f"{staff.email}\t{staff.role.value}{state}")
    finally:
        engine.dispose()
    return 0


def _create_token_command(args: argparse.Namespace) -> int:
    from trialbot.accounts import AccountError, create_token
    from trialbot.cli import EXIT_BAD_INPUT, CommandError

    engine = _engine(args)
    try:
        token = create_token(engine, args.name)
    except AccountError as error:
        raise CommandError(str(error), EXIT_BAD_INPUT) from None
    finally:
        engine.dispose()
    print(token)
    print(
        f"Token {args.name!r} created. It is shown only now; send it as "
        "'Authorization: Bearer <token>'.",
        file=sys.stderr,
    )
    return 0


def _list_tokens_command(args: argparse.Namespace) -> int:
    from trialbot.accounts import list_tokens

    engine = _engine(args)
    try:
        for token in list_tokens(engine):
            used = token.last_used_at.isoformat() if token.last_used_at else "never used"
            state = "revoked" if token.revoked else used
            print(f"{token.name}\t{token.created_at.isoformat()}\t{state}")
    finally:
        engine.dispose()
    return 0


def _revoke_token_command(args: argparse.Namespace) -> int:
    from trialbot.accounts import AccountError, revoke_token
    from trialbot.cli import CommandError

    engine = _engine(args)
    try:
        revoke_token(engine, args.name)
    except AccountError as error:
        raise CommandError(str(error)) from None
    finally:
        engine.dispose()
    print(f"Token {args.name!r} revoked")
    return 0
