"""The action server's entry point keeps TensorFlow out of its process."""

from __future__ import annotations

import subprocess
import sys

from trialbot.devtools.train import ROOT

PROBE = """
import sys
from trialbot.action_server import block_tensorflow
block_tensorflow()
import actions.interview
from trialbot.parsing import parse
assert parse("age", "I'm 52").value == 52
loaded = sorted(m for m, mod in sys.modules.items() if m.startswith("tensorflow") and mod)
# VmRSS, not ru_maxrss: the peak of a process forked from a large pytest carries over.
rss_kb = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS:"))
print(len(loaded), rss_kb // 1024)
"""


def test_the_action_server_reads_answers_without_loading_tensorflow() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    loaded, resident_mb = map(int, result.stdout.split())
    assert loaded == 0, "TensorFlow modules were imported"
    assert resident_mb < 250, f"{resident_mb} MB resident"
