"""``make run``: migrate the database, start every service, and say how to chat.

Starts the action server (5055), the Rasa server (5005) and the triage web app (8080) on
the embedded SQLite default under ``var/`` (or ``TRIALBOT_DATABASE_URL`` /
``TRIALBOT_TRACKER_URL``), and purges data past its retention period at start and then
daily (``trialbot.retention``). Ctrl-C stops everything it started.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from trialbot.devtools.services import (
    StackFailed,
    default_urls,
    development_secrets,
    running_stack,
)
from trialbot.devtools.train import ROOT


def _widget_secret() -> dict[str, str]:
    """The key that signs the widget's conversation tokens (``TRIALBOT_WIDGET_SECRET``):
    the environment's, else kept in ``var/widget.secret`` (0600), so that a candidate can
    come back to their conversation after a restart."""
    from trialbot.devtools.services import secret_file

    name = "TRIALBOT_WIDGET_SECRET"
    return {name: os.environ.get(name) or secret_file(ROOT / "var" / "widget.secret")}


def _port(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def main() -> int:
    database_url, tracker_url = default_urls()
    from trialbot.config import redacted_url
    from trialbot.store import ScreeningStore, StoreUnavailable

    try:
        ScreeningStore.from_url(database_url).upgrade()
    except StoreUnavailable as exc:
        print(f"Cannot use the database: {exc}", file=sys.stderr)
        return 3
    # Retention (trialbot.retention): purge now, then daily, while the stack runs.
    import threading

    from trialbot.retention import run_daily

    purging = threading.Event()
    threading.Thread(
        target=run_daily,
        args=(database_url, tracker_url, purging),
        name="trialbot-retention",
        daemon=True,
    ).start()
    web = (ROOT / "trialbot" / "web" / "__main__.py").exists()
    rasa_port = _port("TRIALBOT_RASA_PORT", 5005)
    host = os.environ.get("TRIALBOT_HOST", "127.0.0.1")
    print(
        f"Database: {redacted_url(database_url)}\nStarting the action server, Rasa{' and the triage app' if web else ''}…"
    )
    # Ctrl-C (even when a parent shell started us with SIGINT ignored) and SIGTERM both
    # unwind through running_stack, which stops every service it started.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        with running_stack(
            run_dir=ROOT / "var" / "run",
            database_url=database_url,
            tracker_url=tracker_url,
            rasa_port=rasa_port,
            action_port=_port("TRIALBOT_ACTION_PORT", 5055),
            web_port=_port("TRIALBOT_WEB_PORT", 8080) if web else None,
            host=host,
            # Rasa's secret for the action server and the log key, kept in var/ (0600).
            extra_env={**development_secrets(ROOT / "var"), **_widget_secret()},
        ) as stack:
            print(
                "\ntrialbot is running.\n"
                f"  Chat in this terminal:  .venv/bin/python -m trialbot.devtools.chat --url {stack.webhook_url}\n"
                f'  REST channel:           curl -s {stack.webhook_url} -d \'{{"sender": "me", "message": "hi"}}\'\n'
                f"  Socket.IO (widget):     {stack.rasa_url}/socket.io\n"
                f"  Chat widget: {stack.rasa_url}/widget/demo\n"
                + (
                    f"  Triage web app:         {stack.web_url}/\n"
                    "  First staff account:    .venv/bin/trialbot staff add you@example.org --role admin\n"
                    if stack.web_url
                    else ""
                )
                + f"  Logs:                   {Path(stack.run_dir).relative_to(ROOT)}/*.log\n"
                "Press Ctrl-C to stop.",
                flush=True,
            )
            while all(s.process.poll() is None for s in stack.services):
                time.sleep(0.5)
            dead = [s for s in stack.services if s.process.poll() is not None]
            print(f"{dead[0].name} stopped unexpectedly; see {dead[0].log_path}", file=sys.stderr)
            return 1
    except StackFailed as exc:
        print(f"Could not start trialbot: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopped.")
        return 0
    finally:
        purging.set()


if __name__ == "__main__":
    sys.exit(main())
