"""Node.js and npm for the widget tests: found, or skipped (failed under ``CI=true``)."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class NodeTools:
    node: str
    npm: str


def node_tools() -> NodeTools:
    """Node.js and npm, or a skip (a failure under ``CI=true``, where they are present)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        message = "Node.js and npm are needed for the widget's packages (make widget)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return NodeTools(node, npm)


def run_tool(command: list[str], cwd: Path) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}"


WIDGET_SOURCES = ("package.json", "package-lock.json", "build.mjs", "src")
