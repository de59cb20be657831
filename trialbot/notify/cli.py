"""``trialbot notify run-once``: send the due notifications once and report."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any


def register(subparsers: Any) -> None:
    from trialbot.cli import database_options

    notify = subparsers.add_parser("notify", help="notifications of new handoffs")
    commands = notify.add_subparsers(dest="notify_command", metavar="COMMAND")
    commands.required = True
    once = commands.add_parser(
        "run-once",
        parents=[database_options()],
        help="send every due notification once (e-mail, webhook) and exit",
    )
    once.set_defaults(handler=run_once_command)


def run_once_command(args: argparse.Namespace) -> int:
    from trialbot.cli import migrated_store
    from trialbot.criteria import load_trials
    from trialbot.notify.config import NotifySettings

    settings = NotifySettings.from_env()
    with migrated_store(args) as store:
        report = asyncio.run(_run_once(store, settings, load_trials()))
    print(f"Notifications: {report}")
    return 1 if report.failed else 0


async def _run_once(store: Any, settings: Any, trials: Any) -> Any:
    from aiohttp import ClientSession, ClientTimeout

    from trialbot.notify.worker import OutboxWorker

    async with ClientSession(timeout=ClientTimeout(total=settings.timeout_seconds)) as http:
        return await OutboxWorker(store, settings, http, trials).run_once()
