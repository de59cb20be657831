"""The committed widget bundle is what its source builds to.

``trialbot/widget_static/trialbot-widget.js`` and ``.css`` are committed, so that running
and testing trialbot need no Node.js. This test copies ``widget/`` (its lockfile, build
script and source) to a temporary directory, installs exactly the lockfile there
(``npm ci``) and builds; the committed files must be identical, byte for byte. It needs
Node.js and npm (and the npm registry or npm's cache): without them it skips, except under
``CI=true``, where it fails.
"""

from __future__ import annotations

import json
from pathlib import Path

from widget_npm import node_tools, run_tool

from trialbot.devtools.train import ROOT

WIDGET = ROOT / "widget"
STATIC = ROOT / "trialbot" / "widget_static"
BUILT = ("trialbot-widget.js", "trialbot-widget.css")


def test_the_committed_bundle_is_a_fresh_build_of_the_source(
    installed_widget: Path, tmp_path: Path
) -> None:
    node = node_tools().node
    source = installed_widget
    out = tmp_path / "out"
    run_tool([node, "build.mjs", "--outdir", str(out)], source)

    stale = [name for name in BUILT if (out / name).read_bytes() != (STATIC / name).read_bytes()]
    assert not stale, f"{', '.join(stale)} differ from a fresh build: run `make widget` and commit"
    # The same source builds to the same bytes again (nothing of the machine in it).
    again = tmp_path / "again"
    run_tool([node, "build.mjs", "--outdir", str(again)], source)
    assert all((again / n).read_bytes() == (out / n).read_bytes() for n in BUILT)


def test_every_package_is_pinned_by_the_lockfile() -> None:
    manifest = json.loads((WIDGET / "package.json").read_text())
    lock = json.loads((WIDGET / "package-lock.json").read_text())
    declared = {**manifest.get("dependencies", {}), **manifest.get("devDependencies", {})}
    assert "socket.io-client" in manifest["dependencies"], "the protocol is socket.io-client's"
    for name, wanted in declared.items():
        assert wanted[:1].isdigit(), f"{name}: {wanted!r} is a range; pin an exact version"
        locked = lock["packages"].get(f"node_modules/{name}", {})
        assert locked.get("version") == wanted, f"{name}: the lockfile has {locked.get('version')}"
        assert str(locked.get("integrity", "")).startswith("sha512-"), name


def test_the_bundle_ships_with_the_python_package() -> None:
    """``make run`` serves the widget from the installed package: its files are package
    data, and the files are there."""
    pyproject = (ROOT / "pyproject.toml").read_text()
    section = pyproject.split("[tool.setuptools.package-data]", 1)[1]
    trialbot = next(line for line in section.splitlines() if line.startswith("trialbot ="))
    assert '"widget_static/*"' in trialbot
    for name in (*BUILT, "demo.html", "demo.css"):
        assert (STATIC / name).stat().st_size > 0, name
