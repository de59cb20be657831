"""The action server's entry point: rasa-sdk's own, without TensorFlow.

``python -m trialbot.action_server --actions actions -p 5055`` is ``python -m rasa_sdk``
with one difference: TensorFlow is marked as absent before anything is imported.
spaCy's thinc probes for it at import and would load all of it (about 400 MB and
several seconds) although no action uses it; the parsers are rule-based. Rasa's own
server, which does use TensorFlow, is another process and is not affected.
"""

from __future__ import annotations

import sys


def block_tensorflow() -> None:
    """Make ``import tensorflow`` fail fast (thinc then treats it as not installed)."""
    if "tensorflow" not in sys.modules:
        sys.modules["tensorflow"] = None  # type: ignore[assignment]


def main() -> None:
    block_tensorflow()
    from rasa_sdk.__main__ import main as rasa_sdk_main

    rasa_sdk_main()


if __name__ == "__main__":
    main()
