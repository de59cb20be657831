"""``trialbot staff ...`` and ``trialbot token ...``: accounts of the triage app.

Only argparse at import time (``trialbot`` must start fast); the handlers import
``trialbot.accounts`` and the store when they run. Every change is audited under
``cli:<login name>``; nothing secret is ever printed but a new token, once.
"""

from __future__ import annotations

import argparse
import getpass
import os
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
    disable = staff_commands.add_parser(
        "disable",
        parents=[database_options()],
        help="stop an account: its sessions end now, sign-in and its API tokens are refused",
    )
    disable.add_argument("email", metavar="EMAIL")
    disable.set_defaults(handler=_disable_staff_command)
    enable = staff_commands.add_parser(
        "enable", parents=[database_options()], help="let a disabled account sign in again"
    )
    enable.add_argument("email", metavar="EMAIL")
    enable.set_defaults(handler=_enable_staff_command)
    reset = staff_commands.add_parser(
        "reset-password",
        parents=[database_options()],
        help="set a new password (asks for it); the account's sessions end",
    )
    reset.add_argument("email", metavar="EMAIL")
    reset.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input instead of a prompt",
    )
    reset.set_defaults(handler=_reset_password_command)

    token = subparsers.add_parser("token", help="API tokens for /api")
    token_commands = token.add_subparsers(dest="token_command", metavar="COMMAND")
    token_commands.required = True
    create = token_commands.add_parser(
        "create", parents=[database_options()], help="create a token and print it once"
    )
    create.add_argument("name", metavar="NAME")
    create.add_argument(
        "--owner",
        metavar="EMAIL",
        help="the staff account the token acts for; refused while that account is disabled",
    )
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


def _actor() -> str:
    """Who made a change from the command line, for the audit log."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        name = str(os.getuid()) if hasattr(os, "getuid") else "unknown"
    return f"cli:{name}"[:255]


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
        staff = add_staff(engine, args.email, args.role, password, actor=_actor())
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


def _set_active(args: argparse.Namespace, active: bool) -> int:
    from trialbot.accounts import AccountError, set_active
    from trialbot.cli import EXIT_BAD_INPUT, CommandError

    engine = _engine(args)
    try:
        staff, ended = set_active(engine, args.email, active, actor=_actor())
    except AccountError as error:
        raise CommandError(str(error), EXIT_BAD_INPUT) from None
    finally:
        engine.dispose()
    if active:
        print(f"Enabled {staff.email}")
    else:
        print(f"Disabled {staff.email} ({ended} session(s) ended)")
    return 0


def _disable_staff_command(args: argparse.Namespace) -> int:
    return _set_active(args, False)


def _enable_staff_command(args: argparse.Namespace) -> int:
    return _set_active(args, True)


def _reset_password_command(args: argparse.Namespace) -> int:
    from trialbot.accounts import AccountError, check_password_strength, reset_password
    from trialbot.cli import EXIT_BAD_INPUT, CommandError

    password = _read_password(args.password_stdin)
    try:
        check_password_strength(password)  # before the database: a prompt can be retried
    except AccountError as error:
        raise CommandError(str(error), EXIT_BAD_INPUT) from None
    engine = _engine(args)
    try:
        staff, ended = reset_password(engine, args.email, password, actor=_actor())
    except AccountError as error:
        raise CommandError(str(error), EXIT_BAD_INPUT) from None
    finally:
        engine.dispose()
    print(f"Password of {staff.email} changed ({ended} session(s) ended)")
    return 0


def _create_token_command(args: argparse.Namespace) -> int:
    from trialbot.accounts import AccountError, create_token
    from trialbot.cli import EXIT_BAD_INPUT, CommandError

    engine = _engine(args)
    try:
        token = create_token(engine, args.name, owner=args.owner, actor=_actor())
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
            owner = token.owner or "(service)"
            print(f"{token.name}\t{owner}\t{token.created_at.isoformat()}\t{state}")
    finally:
        engine.dispose()
    return 0


def _revoke_token_command(args: argparse.Namespace) -> int:
    from trialbot.accounts import AccountError, revoke_token
    from trialbot.cli import CommandError

    engine = _engine(args)
    try:
        revoke_token(engine, args.name, actor=_actor())
    except AccountError as error:
        raise CommandError(str(error)) from None
    finally:
        engine.dispose()
    print(f"Token {args.name!r} revoked")
    return 0
