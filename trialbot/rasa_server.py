"""The Rasa server's entry point: the ``rasa`` command, with logs that name no one.

``python -m trialbot.rasa_server run ...`` is ``rasa run ...`` with
:mod:`trialbot.logsafe` installed before Rasa is imported: every log line of the process
(Rasa's, Sanic's, the channels', Python warnings) is scrubbed of the sender id and the
words of the message being handled, of e-mail addresses and phone numbers, and of the
process's secrets. ``make run``, the tests, ``make eval`` and ``make bench`` start Rasa
this way (:mod:`trialbot.devtools.services`).
"""

from __future__ import annotations

import sys


def main() -> int:
    from trialbot import logsafe

    logsafe.install()
    logsafe.watch_rasa_messages()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
