"""Start and stop trialbot's services: the action server, the Rasa server, the triage app.

Used by ``make run``, the end-to-end tests and the benchmark, so that all three start
the stack the same way. Every server listens on 127.0.0.1 unless told otherwise.

Rasa and the action server share a secret (``TRIALBOT_ACTION_SECRET``: Rasa sends it,
the action server wants it) and a log key (``TRIALBOT_LOG_KEY``: both tag sender ids in
their logs with it). When the environment sets neither, each stack makes its own; ``make
run`` keeps them in ``var/action.secret`` and ``var/log.key`` (:func:`development_secrets`).
Every file the services write (logs, databases, the credentials they are given) is
readable by its owner only: they run with umask 077, and what is created here is created
with mode 0600 (directories 0700).
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import yaml

from trialbot.config import default_database_url, default_tracker_url
from trialbot.devtools.train import CURRENT, ROOT, rasa_env
from trialbot.store.db import private_directory, private_file

# Channels that are always on; the others only when every variable they use is set.
ALWAYS_ON = (
    "rest",
    "socketio",
    "trialbot.channels.QuestionnaireRestInput",
    "trialbot.channels.QuestionnaireSocketIOInput",
)
_ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
ACTION_SECRET_VARIABLE = "TRIALBOT_ACTION_SECRET"
LOG_KEY_VARIABLE = "TRIALBOT_LOG_KEY"
PRIVATE_UMASK = 0o077  # the services create files 0600 and directories 0700


def secret_file(path: Path) -> str:
    """The secret kept in ``path``, made (random, 43 characters) the first time; the file
    is created 0600, and tightened to 0600 if it had a wider mode."""
    private_directory(path.parent)
    private_file(path)
    secret = path.read_text().strip()
    if not secret:
        secret = secrets.token_urlsafe(32)
        path.write_text(secret + "\n")
    return secret


def development_secrets(var: Path, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The action server's secret and the log key: the environment's, else kept in
    ``var/action.secret`` and ``var/log.key`` (made on first use)."""
    env = os.environ if environ is None else environ
    files = {ACTION_SECRET_VARIABLE: "action.secret", LOG_KEY_VARIABLE: "log.key"}
    return {name: env.get(name) or secret_file(var / file) for name, file in files.items()}


def write_private(path: Path, text: str) -> None:
    """Writes ``text`` to ``path``, which nobody but its owner can read at any moment."""
    private_file(path)
    path.write_text(text)


def enabled_credentials(source: Path, environ: Mapping[str, str]) -> dict[str, Any]:
    """The channels of ``credentials.yml`` that can run: a channel whose ``${VARS}`` are
    not all set in the environment is left out (Telegram, Messenger, Twilio are off by
    default)."""
    channels = yaml.safe_load(source.read_text()) or {}
    enabled = {}
    for name, config in channels.items():
        variables = _ENV_REFERENCE.findall(yaml.safe_dump(config)) if config else []
        if (
            name in ALWAYS_ON
            or name.endswith(("RestInput", "SocketIOInput"))
            or all(environ.get(v) for v in variables)
        ):
            enabled[name] = config
    return enabled


@dataclass
class Service:
    name: str
    process: subprocess.Popen[bytes]
    health_url: str
    log_path: Path


@dataclass
class Stack:
    rasa_url: str
    action_url: str
    web_url: str | None
    run_dir: Path
    services: list[Service] = field(default_factory=list)

    @property
    def webhook_url(self) -> str:
        return f"{self.rasa_url}/webhooks/rest/webhook"

    def stop(self) -> None:
        for service in reversed(self.services):
            if service.process.poll() is None:
                service.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        for service in self.services:
            try:
                service.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                service.process.kill()
                service.process.wait()


class StackFailed(RuntimeError):
    pass


def _wait_healthy(service: Service, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if service.process.poll() is not None:
            tail = service.log_path.read_text(errors="replace")[-3000:]
            raise StackFailed(f"{service.name} exited with {service.process.returncode}:\n{tail}")
        try:
            with urllib.request.urlopen(service.health_url, timeout=2) as response:
                if response.status < 500:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    tail = service.log_path.read_text(errors="replace")[-3000:]
    raise StackFailed(f"{service.name} did not become healthy in {timeout:.0f} s:\n{tail}")


def _spawn(
    name: str, command: list[str], env: dict[str, str], run_dir: Path, health_url: str
) -> Service:
    log_path = run_dir / f"{name}.log"
    private_file(log_path)
    log: IO[bytes] = log_path.open("wb")
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, umask=PRIVATE_UMASK
    )
    return Service(name, process, health_url, log_path)


@contextmanager
def running_stack(
    *,
    run_dir: Path,
    database_url: str,
    tracker_url: str,
    rasa_port: int = 5005,
    action_port: int = 5055,
    web_port: int | None = 8080,
    host: str = "127.0.0.1",
    model: Path = CURRENT,
    extra_env: Mapping[str, str] | None = None,
    timeout: float = 180,
) -> Iterator[Stack]:
    """Starts the action server, the Rasa server and (with ``web_port``) the triage app,
    waits until each answers, yields the :class:`Stack`, and stops them all."""
    private_directory(run_dir)
    env = rasa_env()
    env.update(extra_env or {})
    for variable in (ACTION_SECRET_VARIABLE, LOG_KEY_VARIABLE):
        if not env.get(variable):  # this stack's own, known to its two servers only
            env[variable] = secrets.token_urlsafe(32)
    env.update(
        {
            "TRIALBOT_DATABASE_URL": database_url,
            "TRIALBOT_TRACKER_URL": tracker_url,
            "TRIALBOT_ACTION_ENDPOINT": f"http://{host}:{action_port}/webhook",
            "SANIC_HOST": host,
            "PYTHONUNBUFFERED": "1",
        }
    )
    credentials = run_dir / "credentials.yml"
    write_private(
        credentials, yaml.safe_dump(enabled_credentials(ROOT / "bot" / "credentials.yml", env))
    )

    stack = Stack(
        rasa_url=f"http://{host}:{rasa_port}",
        action_url=f"http://{host}:{action_port}",
        web_url=f"http://{host}:{web_port}" if web_port else None,
        run_dir=run_dir,
    )
    try:
        actions = _spawn(
            "action-server",
            [sys.executable, "-m", "trialbot.action_server", "--actions", "actions", "-p", str(action_port)],
            env, run_dir, f"{stack.action_url}/health",
        )  # fmt: skip
        stack.services.append(actions)
        rasa_command = [
            sys.executable, "-m", "trialbot.rasa_server", "run",
            "-i", host, "-p", str(rasa_port),
            "-m", str(model),
            "--endpoints", str(ROOT / "bot" / "endpoints.yml"),
            "--credentials", str(credentials),
        ]  # fmt: skip
        if env.get("TRIALBOT_RASA_API_TOKEN"):
            rasa_command += ["--enable-api", "--auth-token", env["TRIALBOT_RASA_API_TOKEN"]]
        rasa = _spawn("rasa", rasa_command, env, run_dir, f"{stack.rasa_url}/")
        stack.services.append(rasa)
        if web_port:
            web_env = dict(env, TRIALBOT_WEB_HOST=host, TRIALBOT_WEB_PORT=str(web_port))
            web_env.pop(ACTION_SECRET_VARIABLE)  # the triage app never calls actions
            web = _spawn(
                "triage-web", [sys.executable, "-m", "trialbot.web"], web_env, run_dir,
                f"{stack.web_url}/login",
            )  # fmt: skip
            stack.services.append(web)
        for service in stack.services:
            _wait_healthy(service, timeout)
        yield stack
    finally:
        stack.stop()


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


_MIGRATING = threading.Lock()  # Alembic's context is process-global: one migration at a time


@contextmanager
def fresh_stack(
    home: Path,
    *,
    model: Path = CURRENT,
    web: bool = False,
    extra_env: Mapping[str, str] | None = None,
) -> Iterator[tuple[Stack, str]]:
    """A stack on free ports with its own store (migrated) and tracker, SQLite files under
    ``home``: for tests, ``make eval`` and ``make bench``. Yields the stack and the store's
    URL; raises :class:`StackFailed` when a server does not start."""
    from trialbot.store import ScreeningStore

    private_directory(home)
    database_url = f"sqlite:///{home / 'trialbot.db'}"
    with _MIGRATING:
        store = ScreeningStore.from_url(database_url)
        try:
            store.upgrade()
        finally:
            store.dispose()
    with running_stack(
        run_dir=home / "run",
        database_url=database_url,
        tracker_url=f"sqlite:///{home / 'tracker.db'}",
        rasa_port=free_port(),
        action_port=free_port(),
        web_port=free_port() if web else None,
        model=model,
        extra_env=extra_env,
    ) as stack:
        yield stack, database_url


def default_urls() -> tuple[str, str]:
    """The store's and the tracker's URLs: the environment's, else the embedded SQLite
    files under the checkout's ``var/`` (the same defaults the CLI and the web app use).
    ``var/`` is made (or made again) 0700: it holds the databases, keys and logs."""
    var = ROOT / "var"
    private_directory(var)
    var.chmod(0o700)
    database = os.environ.get("TRIALBOT_DATABASE_URL") or default_database_url(ROOT)
    tracker = os.environ.get("TRIALBOT_TRACKER_URL") or default_tracker_url(ROOT)
    return database, tracker
