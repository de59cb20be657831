"""A terminal chat with the running assistant over its REST channel.

python -m trialbot.devtools.chat [--url http://127.0.0.1:5005/webhooks/rest/webhook]
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
import uuid


def send(url: str, sender: str, text: str) -> list[dict[str, object]]:
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return list(json.loads(response.read() or b"[]"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Chat with trialbot in the terminal.")
    parser.add_argument("--url", default="http://127.0.0.1:5005/webhooks/rest/webhook")
    parser.add_argument("--sender", default=f"terminal-{uuid.uuid4().hex[:8]}")
    args = parser.parse_args(argv)
    print(f"Chatting as {args.sender}. Type 'stop' to end, Ctrl-D to leave.\n")
    text = "hi"
    while True:
        try:
            replies = send(args.url, args.sender, text)
        except OSError as exc:
            print(f"Cannot reach the assistant at {args.url}: {exc}", file=sys.stderr)
            return 1
        for reply in replies:
            if reply.get("text"):
                print(f"bot> {reply['text']}")
            buttons = reply.get("buttons") or []
            if isinstance(buttons, list) and buttons:
                print(
                    "     ["
                    + "] [".join(str(b.get("title")) for b in buttons if isinstance(b, dict))
                    + "]"
                )
        try:
            text = input("you> ")
        except EOFError:
            print()
            return 0


if __name__ == "__main__":
    sys.exit(main())
