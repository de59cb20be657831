"""Train the Rasa model only when its training data changed.

The model is cached under ``models/`` by a fingerprint of everything that goes into
training (config, domain, rules, stories, NLU data and the Rasa version), so ``make test``
and ``make run`` do not retrain when nothing changed. ``models/current.tar.gz`` always
points at the model for the current fingerprint.

    python -m trialbot.devtools.train [--force]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "models"
CURRENT = MODELS / "current.tar.gz"
KEEP = 3  # older models kept for quick switching back


def training_files(root: Path = ROOT) -> list[Path]:
    # The NLU components' code too: what they save is what the model holds.
    files = [root / "config.yml", root / "trialbot" / "rasa_components.py"]
    for folder in ("bot/domain", "nlu_data"):
        files += sorted((root / folder).rglob("*.yml"))
    files += [root / "bot" / "rules.yml", root / "bot" / "stories.yml"]
    return [f for f in files if f.is_file()]


def fingerprint(root: Path = ROOT) -> str:
    digest = hashlib.sha256(f"rasa {version('rasa')}\n".encode())
    for path in training_files(root):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def rasa_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    return env


def rasa_executable() -> str:
    return str(Path(sys.executable).with_name("rasa"))


def train(force: bool = False) -> Path:
    name = f"trialbot-{fingerprint()}"
    model = MODELS / f"{name}.tar.gz"
    if model.exists() and not force:
        print(f"Model up to date: {model.relative_to(ROOT)} (training data unchanged)")
    else:
        data = ["nlu_data", "bot/rules.yml", "bot/stories.yml"]
        command = [
            rasa_executable(), "train",
            "--config", "config.yml",
            "--domain", "bot/domain",
            "--data", *[d for d in data if (ROOT / d).exists()],
            "--out", "models",
            "--fixed-model-name", name,
        ]  # fmt: skip
        print(f"Training the Rasa model ({name}); this takes a few minutes…", flush=True)
        started = time.monotonic()
        result = subprocess.run(command, cwd=ROOT, env=rasa_env())
        if result.returncode != 0 or not model.exists():
            raise SystemExit(f"Training failed (exit {result.returncode}); see the output above.")
        print(f"Trained in {time.monotonic() - started:.0f} s: {model.relative_to(ROOT)}")
    tmp = CURRENT.with_suffix(".tmp")
    shutil.copyfile(model, tmp)
    tmp.replace(CURRENT)
    _prune(keep=model)
    return CURRENT


def _prune(keep: Path) -> None:
    models = sorted(MODELS.glob("trialbot-*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in [m for m in models if m != keep][KEEP - 1 :]:
        old.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--force", action="store_true", help="train even if the model is up to date"
    )
    train(force=parser.parse_args(argv).force)


if __name__ == "__main__":
    main()
