"""A live stack for the widget's browser tests: a trained model, a real action server,
the Rasa server that serves the widget, its demo page and the socket.io channel, and the
triage web app (on its own origin) where staff see the handoffs.

Started once per session on free ports with its own SQLite store and tracker (the way
tests/conversations/conftest.py starts its stacks)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from widget_npm import WIDGET_SOURCES, node_tools, run_tool

from trialbot.devtools.services import Stack, StackFailed, fresh_stack


@dataclass
class WidgetStack:
    stack: Stack
    database_url: str

    @property
    def web_url(self) -> str:
        assert self.stack.web_url is not None
        return self.stack.web_url

    @property
    def demo_url(self) -> str:
        return f"{self.stack.rasa_url}/widget/demo"

    def report(self, sender: str) -> dict | None:
        from trialbot.store import ScreeningStore

        store = ScreeningStore.from_url(self.database_url)
        try:
            return store.report(sender)
        finally:
            store.dispose()


@pytest.fixture(scope="session")
def widget_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WidgetStack]:
    from trialbot.devtools.train import train

    try:
        current = train()
    except SystemExit as exc:
        pytest.fail(f"Training the Rasa model failed: {exc}")
    run_dir = tmp_path_factory.mktemp("widget-stack")
    model = run_dir / "model.tar.gz"  # a copy: a colleague's retraining cannot swap it
    shutil.copyfile(current, model)
    try:
        with fresh_stack(
            run_dir,
            model=model,
            web=True,
            # Plain HTTP on 127.0.0.1: the staff's session cookie cannot be Secure.
            extra_env={"TRIALBOT_WEB_SECURE_COOKIES": "false"},
        ) as (stack, database_url):
            yield WidgetStack(stack, database_url)
    except StackFailed as exc:
        pytest.fail(f"The stack did not start: {exc}")


@pytest.fixture
def widget_root() -> Path:
    from trialbot.devtools.train import ROOT

    return ROOT / "widget"


@pytest.fixture(scope="session")
def installed_widget(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of ``widget/`` (lockfile, build script, source) with exactly its lockfile
    installed (``npm ci``), once per session: a clean checkout has no ``node_modules``,
    and the working tree's may be stale."""
    from trialbot.devtools.train import ROOT

    tools = node_tools()
    source = tmp_path_factory.mktemp("widget") / "widget"
    source.mkdir()
    for name in WIDGET_SOURCES:
        if (ROOT / "widget" / name).is_dir():
            shutil.copytree(ROOT / "widget" / name, source / name)
        else:
            shutil.copy2(ROOT / "widget" / name, source / name)
    run_tool([tools.npm, "ci", "--no-audit", "--no-fund", "--prefer-offline"], source)
    return source
