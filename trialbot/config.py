"""Settings from environment variables, each with a documented default.

``TRIALBOT_DATABASE_URL``
    SQLAlchemy URL of the screening store. Default: ``sqlite:///<cwd>/var/trialbot.db``,
    where ``<cwd>`` is the working directory of the process (run the bot, the action
    server and the CLI from the repository root so that they share one file).
    PostgreSQL: ``postgresql://user:password@host:5432/trialbot``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

DATABASE_URL_VARIABLE = "TRIALBOT_DATABASE_URL"


def default_database_url(cwd: Path | None = None) -> str:
    """The SQLite file ``var/trialbot.db`` under the working directory."""
    base = (cwd or Path.cwd()).resolve()
    return f"sqlite:///{base / 'var' / 'trialbot.db'}"


def default_tracker_url(cwd: Path | None = None) -> str:
    """Rasa's conversation tracker: the SQLite file ``var/tracker.db`` under ``cwd``."""
    base = (cwd or Path.cwd()).resolve()
    return f"sqlite:///{base / 'var' / 'tracker.db'}"


def redacted_url(url: str) -> str:
    """The URL with its password hidden: ``postgresql://bob:***@host/db``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable database URL>"
    if parts.password is None:
        return url
    credentials, _, host = parts.netloc.rpartition("@")
    user = credentials.split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


@dataclass(frozen=True)
class Settings:
    database_url: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(database_url=env.get(DATABASE_URL_VARIABLE) or default_database_url())

    @property
    def redacted_database_url(self) -> str:
        return redacted_url(self.database_url)
