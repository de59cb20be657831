"""Notifications stand on their own: the web app runs the worker, never the other way."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import trialbot.notify

NOTIFY_DIR = Path(trialbot.notify.__file__).parent

PROBE = """
import importlib, pkgutil, sys
import trialbot.notify
for module in pkgutil.walk_packages(trialbot.notify.__path__, "trialbot.notify."):
    importlib.import_module(module.name)
print(sorted(m for m in sys.modules if m == "trialbot.web" or m.startswith("trialbot.web.")))
"""


def test_importing_every_notify_module_loads_nothing_of_the_web_app() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "[]"


def test_no_notify_module_imports_the_web_app_even_inside_a_function() -> None:
    """Imports inside functions run only when called: read the source for those too."""
    found = []
    for path in sorted(NOTIFY_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            if any(n == "trialbot.web" or n.startswith("trialbot.web.") for n in names):
                found.append(f"{path.name}:{node.lineno}")
    assert found == []
