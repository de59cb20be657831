"""Scripted candidates through the REST channel: outcome and criterion accuracy (``make eval``).

Starts the action server and the Rasa server on free ports with fresh SQLite stores
(a directory of its own under ``var/eval/``, removed afterwards), plays each persona file (default: every set
in ``tests/conversations/personas/``), and prints per file: outcome accuracy,
criterion accuracy, candidates stuck, ineligible candidates routed to the study team,
eligible candidates missed, and turns per screening. ``--url`` plays against a server
that is already running (then outcomes are read from ``TRIALBOT_DATABASE_URL``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import yaml

from trialbot.config import Settings
from trialbot.devtools.personas import Played, play, rest_sender, summarise
from trialbot.devtools.train import ROOT, train

PERSONAS = ROOT / "tests" / "conversations" / "personas"
DEFAULT_FILES = tuple(
    PERSONAS / f"{name}.yml"
    for name in ("tuning", "fresh", "fresh2", "fresh3", "fresh4", "fresh5", "fresh6", "heldout")
)


def load_personas(path: Path) -> list[dict[str, Any]]:
    personas = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(personas, list):
        raise SystemExit(f"{path}: expected a YAML list of personas")
    return personas


def play_all(
    personas: Sequence[dict[str, Any]], url: str, database_url: str, workers: int = 4
) -> list[Played]:
    from trialbot.store import ScreeningStore

    store = ScreeningStore.from_url(database_url)
    send = rest_sender(url)
    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(lambda p: play(p, send, store.report), personas))
    finally:
        store.dispose()


def print_results(name: str, results: Sequence[Played], verbose: bool) -> dict[str, Any]:
    summary = summarise(results).as_dict()
    for played in results:
        right, checked, wrong = played.criteria
        ok = played.got == played.expected and not wrong and not played.stuck
        if not ok or verbose:
            print(
                f"  {'ok  ' if ok else 'FAIL'} {played.persona['id']}: expected {played.expected},"
                f" got {played.got}{' (stuck)' if played.stuck else ''}"
                f"{' criteria ' + json.dumps(wrong) if wrong else ''}, {len(played.turns)} turns"
            )
            if verbose and not ok:
                print(played.transcript())
    print(f"{name}: {json.dumps(summary)}")
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, default=list(DEFAULT_FILES))
    parser.add_argument("--url", help="a running REST webhook instead of a fresh stack")
    parser.add_argument("--only", help="play only the persona with this id")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("-v", "--verbose", action="store_true", help="transcripts of failures")
    parser.add_argument("--json", type=Path, help="write the summaries to this file")
    args = parser.parse_args(argv)

    sets = {path.stem: load_personas(path) for path in args.files}
    if args.only:
        sets = {k: [p for p in v if p["id"] == args.only] for k, v in sets.items()}
    summaries: dict[str, Any] = {}

    def run_sets(url: str, database_url: str) -> None:
        for name, personas in sets.items():
            if personas:
                results = play_all(personas, url, database_url, args.workers)
                summaries[name] = print_results(name, results, args.verbose)

    if args.url:
        run_sets(args.url, Settings.from_env().database_url)
    else:
        from trialbot.devtools.services import fresh_stack
        from trialbot.store.db import private_directory

        model = train()
        private_directory(ROOT / "var")  # 0700 when made here, as make run makes it
        private_directory(ROOT / "var" / "eval")
        # Each run its own stores: two evaluations at once must not share (or delete)
        # each other's; the files go with the run.
        run_dir = Path(tempfile.mkdtemp(prefix="run-", dir=ROOT / "var" / "eval"))
        try:
            with fresh_stack(run_dir, model=model) as (stack, database_url):
                run_sets(stack.webhook_url, database_url)
        finally:
            shutil.rmtree(run_dir, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(summaries, indent=2) + "\n")
    worst = [s for s in summaries.values() if s["stuck"] or s["misrouted_ineligible"]]
    return 1 if worst else 0


if __name__ == "__main__":
    sys.exit(main())
