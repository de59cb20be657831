"""``python -m trialbot.web``: serve the triage app (default http://127.0.0.1:8080)."""

from __future__ import annotations

import logging
import sys

from aiohttp import web

from trialbot.accounts import staff_count
from trialbot.config import redacted_url
from trialbot.store import ScreeningStore, StoreError
from trialbot.store.schema import head_revision
from trialbot.web.app import create_app
from trialbot.web.config import WebSettings


def main() -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = WebSettings.from_env()
    store = ScreeningStore.from_url(settings.database_url)
    try:
        if store.revision() != head_revision():
            print(
                f"The database {redacted_url(settings.database_url)} is not up to date: "
                "run `trialbot db upgrade` first.",
                file=sys.stderr,
            )
            return 3
        if staff_count(store.engine) == 0:
            print(
                "No staff account exists yet. Create the first one with:\n"
                "    trialbot staff add you@example.org --role admin\n",
                file=sys.stderr,
            )
    except StoreError as error:
        print(f"trialbot.web: {error}", file=sys.stderr)
        return 3
    finally:
        store.dispose()
    if not settings.secure_cookies:
        print(
            "Warning: TRIALBOT_WEB_SECURE_COOKIES=0: session cookies work over plain HTTP.",
            file=sys.stderr,
        )
    web.run_app(create_app(settings), host=settings.host, port=settings.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
