"""Real conversations through the REST channel: a trained model, a real action server.

``bot`` (session-scoped) trains the model if its data changed, migrates a temporary
SQLite store, and starts the action server and the Rasa server on free ports. Most tests
share it; a test that breaks its stack asks for its own with ``start_bot``.
"""

from __future__ import annotations

import shutil
import socket
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest

from trialbot.devtools.services import StackFailed, running_stack
from trialbot.devtools.train import train

sys.path.insert(0, str(Path(__file__).parent))  # candidates.py and harness.py
from harness import Bot  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def trained_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The current model, trained if its data changed, copied so that a colleague's
    retraining cannot swap it under a running suite."""
    try:
        current = train()
    except SystemExit as exc:
        pytest.fail(f"Training the Rasa model failed: {exc}")
    copy = tmp_path_factory.mktemp("model") / "model.tar.gz"
    shutil.copyfile(current, copy)
    return copy


@pytest.fixture(scope="session")
def start_bot(
    trained_model: Path, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], AbstractContextManager[Bot]]:
    """Starts a fresh stack (own store, own tracker, free ports) as a context manager."""

    @contextmanager
    def start(name: str) -> Iterator[Bot]:
        from trialbot.store import ScreeningStore

        run_dir = tmp_path_factory.mktemp(name)
        database_url = f"sqlite:///{run_dir / 'trialbot.db'}"
        store = ScreeningStore.from_url(database_url)
        store.upgrade()
        store.dispose()
        try:
            with running_stack(
                run_dir=run_dir / "run",
                database_url=database_url,
                tracker_url=f"sqlite:///{run_dir / 'tracker.db'}",
                rasa_port=free_port(),
                action_port=free_port(),
                web_port=None,
                model=trained_model,
            ) as stack:
                yield Bot(stack, database_url)
        except StackFailed as exc:
            pytest.fail(f"The stack did not start: {exc}")

    return start


@pytest.fixture(scope="session")
def bot(start_bot: Callable[[str], AbstractContextManager[Bot]]) -> Iterator[Bot]:
    with start_bot("shared-stack") as running:
        yield running
