"""Real conversations through the REST channel: a trained model, a real action server.

``bot`` (session-scoped) trains the model if its data changed, migrates a temporary
SQLite store, and starts the action server and the Rasa server on free ports. Most tests
share it; a test that breaks its stack asks for its own with ``start_bot``.
"""

from __future__ import annotations

import shutil
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest

from trialbot.devtools.services import StackFailed, fresh_stack
from trialbot.devtools.train import train

sys.path.insert(0, str(Path(__file__).parent))  # candidates.py and harness.py
from harness import Bot  # noqa: E402


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
        try:
            with fresh_stack(tmp_path_factory.mktemp(name), model=trained_model) as (
                stack,
                database_url,
            ):
                yield Bot(stack, database_url)
        except StackFailed as exc:
            pytest.fail(f"The stack did not start: {exc}")

    return start


class _StartingInBackground:
    """Enters a stack's context manager in a thread, so two stacks start side by side."""

    def __init__(self, manager: AbstractContextManager[Bot]) -> None:
        self._manager = manager
        self._bot: Bot | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._enter, daemon=True)
        self._thread.start()

    def _enter(self) -> None:
        try:
            self._bot = self._manager.__enter__()
        except BaseException as exc:  # pytest.fail raises a BaseException
            self._error = exc

    def bot(self) -> Bot:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._bot is not None
        return self._bot

    def stop(self) -> None:
        self._thread.join()
        if self._bot is not None:
            self._manager.__exit__(None, None, None)


@pytest.fixture(scope="session")
def _spare_stack(
    request: pytest.FixtureRequest, start_bot: Callable[[str], AbstractContextManager[Bot]]
) -> Iterator[_StartingInBackground | None]:
    """Starts the stack for ``bot_to_break`` right away when a selected test uses it."""
    wanted = any(
        "bot_to_break" in getattr(item, "fixturenames", ()) for item in request.session.items
    )
    starting = _StartingInBackground(start_bot("stack-to-break")) if wanted else None
    yield starting
    if starting is not None:
        starting.stop()


@pytest.fixture(scope="session")
def bot(
    start_bot: Callable[[str], AbstractContextManager[Bot]],
    _spare_stack: _StartingInBackground | None,
) -> Iterator[Bot]:
    """The stack most tests share."""
    with start_bot("shared-stack") as running:
        yield running


@pytest.fixture(scope="session")
def bot_to_break(_spare_stack: _StartingInBackground | None) -> Bot:
    """A stack of its own for a test that kills one of its services."""
    assert _spare_stack is not None
    return _spare_stack.bot()
