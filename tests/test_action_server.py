"""The action server: TensorFlow kept out, only Rasa let in, bounded bodies, errors and logs
that repeat nothing of the request.

The server runs as it does under ``make run`` (``python -m trialbot.action_server``, a
process of its own), serving two small actions written for these tests: one that
leaves a trace on disk when it runs, one that fails quoting the candidate.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from trialbot import logsafe
from trialbot.action_server import DEFAULT_MAX_BYTES, MIN_SECRET_LENGTH
from trialbot.devtools.services import free_port
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


TEST_ACTIONS = '''
import os
from pathlib import Path
from rasa_sdk import Action

class LeaveATrace(Action):
    """Writes a file named after the sender: proof that the action ran."""
    def name(self):
        return "action_leave_trace"
    async def run(self, dispatcher, tracker, domain):
        Path(os.environ["TRACES"], tracker.sender_id.replace("/", "_")).write_text("ran")
        dispatcher.utter_message(text="done")
        return []

class FailQuotingTheCandidate(Action):
    def name(self):
        return "action_fail"
    async def run(self, dispatcher, tracker, domain):
        text = tracker.latest_message.get("text")
        raise RuntimeError(f"cannot handle {tracker.sender_id}: {text}")
'''

SECRET = "s3cret-for-the-action-server-tests"
LOG_KEY = "log-key-for-the-action-server-tests"
SENDER = "whatsapp:+420777123458"
TYPED = "my number is +420 777 123 458 and my back hurts like a quokkafish"


@dataclass
class ActionServer:
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    traces: Path

    def post(
        self, body: bytes, headers: dict[str, str] | None = None, path: str = "/webhook"
    ) -> tuple[int, dict[str, Any]]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("POST", path, body, headers or {})
            response = connection.getresponse()
            return response.status, json.loads(response.read() or b"null")
        finally:
            connection.close()

    def call(
        self, action: str, sender: str = SENDER, text: str = TYPED, **headers: str
    ) -> tuple[int, dict[str, Any]]:
        return self.post(action_call(action, sender, text), {**AUTHORIZED, **headers})

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def peak_memory_kb(self) -> int:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return next(
            int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")
        )


AUTHORIZED = {"Authorization": f"Bearer {SECRET}", "Content-Type": "application/json"}


def action_call(action: str, sender: str, text: str) -> bytes:
    """What Rasa posts: the action to run and the conversation's tracker."""
    user = {"event": "user", "text": text, "parse_data": {"text": text, "intent": {}}}
    tracker = {
        "sender_id": sender,
        "slots": {},
        "latest_message": user["parse_data"],
        "events": [{"event": "action", "name": "action_listen"}, user],
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_listen",
    }
    call = {"next_action": action, "sender_id": sender, "tracker": tracker, "version": "3.6.21"}
    return json.dumps(call).encode()


def wait_until_up(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text(errors="replace")[-3000:]
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"the action server did not start: {log.read_text(errors='replace')[-3000:]}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ActionServer]:
    home = tmp_path_factory.mktemp("action-server")
    (home / "trace_actions.py").write_text(TEST_ACTIONS)
    traces = home / "traces"
    traces.mkdir()
    port = free_port()
    env = dict(
        os.environ,
        PYTHONPATH=f"{home}{os.pathsep}{ROOT}",
        TRACES=str(traces),
        TRIALBOT_ACTION_SECRET=SECRET,
        TRIALBOT_LOG_KEY=LOG_KEY,
        LOG_LEVEL="DEBUG",
        LOG_LEVEL_LIBRARIES="DEBUG",
    )
    env.pop("TRIALBOT_ACTION_MAX_BYTES", None)
    log_path = home / "action-server.log"
    command = [sys.executable, "-m", "trialbot.action_server", "--actions", "trace_actions"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*command, "-p", str(port)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        wait_until_up(port, process, log_path)
        yield ActionServer(port, process, log_path, traces)
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_the_server_does_not_start_without_a_secret() -> None:
    env = {k: v for k, v in os.environ.items() if k != "TRIALBOT_ACTION_SECRET"}
    for secret in (None, "x" * (MIN_SECRET_LENGTH - 1)):
        if secret:
            env["TRIALBOT_ACTION_SECRET"] = secret
        result = subprocess.run(
            [sys.executable, "-m", "trialbot.action_server", "--actions", "actions", "-p", "1"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode != 0
        assert "TRIALBOT_ACTION_SECRET must be set" in result.stderr


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", f"Bearer {SECRET[:-1]}", f"Bearer {SECRET}x", SECRET, f"Basic {SECRET}"],
)
def test_without_the_secret_no_action_runs(server: ActionServer, authorization: str | None) -> None:
    sender = f"intruder-{len(authorization or '')}-{(authorization or 'none')[:6]}"
    headers = {"Content-Type": "application/json"}
    if authorization is not None:
        headers["Authorization"] = authorization
    status, body = server.post(action_call("action_leave_trace", sender, "hello"), headers)
    assert (status, body) == (401, {"error": "unauthorized"})
    assert not (server.traces / sender).exists(), "the action ran without the secret"


def test_with_the_secret_the_action_runs(server: ActionServer) -> None:
    status, body = server.call("action_leave_trace", sender="rasa-itself")
    assert status == 200, body
    assert [r["text"] for r in body["responses"]] == ["done"]
    assert (server.traces / "rasa-itself").read_text() == "ran"


def test_only_the_health_check_is_open(server: ActionServer) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request("GET", "/health")
        assert connection.getresponse().status == 200
    finally:
        connection.close()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request("GET", "/actions")  # names the actions: not for strangers
        assert connection.getresponse().status == 401
    finally:
        connection.close()


def test_a_failing_action_gets_a_500_that_repeats_nothing(server: ActionServer) -> None:
    status, body = server.call("action_fail")
    assert (status, body) == (500, {"error": "internal error"})


def test_the_failure_is_logged_without_the_candidates_words_or_sender(
    server: ActionServer,
) -> None:
    status, _ = server.call("action_fail", sender="whatsapp:+420777999111", text="quokkafish pie")
    assert status == 500
    time.sleep(0.5)
    log = server.log()
    assert "RuntimeError: cannot handle sender:" in log, log[-3000:]  # the failure is there
    tag = logsafe.sender_tag("whatsapp:+420777999111", key=LOG_KEY.encode())
    assert f"cannot handle {tag}: [text]" in log, log[-3000:]
    for secret in ("quokkafish", "420777999111", "777 123 458", "whatsapp:+420", SECRET):
        assert secret not in log, f"{secret!r} is in the action server's log"


def raw_post(port: int, headers: dict[str, str], chunks: Iterator[bytes]) -> bytes:
    """POSTs to /webhook chunk by chunk, stopping when the server stops reading; the
    server's answer (status line and body)."""
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(f"POST /webhook HTTP/1.1\r\nHost: x\r\n{head}\r\n".encode())
        try:
            for chunk in chunks:
                connection.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused: the server closed the connection
        answer = b""
        try:
            while part := connection.recv(65536):
                answer += part
        except ConnectionResetError:
            pass
        return answer


def test_a_body_over_the_limit_is_refused_before_it_is_read(server: ActionServer) -> None:
    # Its declared length is enough: the answer comes before a byte of the body is sent.
    declared = {**AUTHORIZED, "Content-Length": str(DEFAULT_MAX_BYTES + 1)}
    started = time.monotonic()
    answer = raw_post(server.port, declared, iter(()))
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert answer.endswith(b'{"error":"request body too large"}')
    assert time.monotonic() - started < 2

    # Without a declared length (chunked), refused as soon as it passes the limit; the
    # body is not even JSON, so a 413 (not a 400) says it was never parsed.
    chunked = {**AUTHORIZED, "Transfer-Encoding": "chunked"}
    frames = (b"10000\r\n" + b"x" * 0x10000 + b"\r\n" for _ in range(200))  # 13 MB
    answer = raw_post(server.port, chunked, frames)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_a_body_under_the_limit_is_served(server: ActionServer) -> None:
    text = "a long answer " * 50_000  # 700 kB of candidate text: a long conversation
    status, _ = server.call("action_leave_trace", sender="long-conversation", text=text)
    assert status == 200
    assert (server.traces / "long-conversation").exists()


def test_the_secret_is_checked_before_a_large_body_is_read(server: ActionServer) -> None:
    declared = {"Content-Type": "text/plain", "Content-Length": str(DEFAULT_MAX_BYTES * 100)}
    answer = raw_post(server.port, declared, iter(()))
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]


def test_a_compression_bomb_is_refused_without_inflating_it(server: ActionServer) -> None:
    bomb = zlib.compress(b"0" * 50_000_000, 9)  # about 48 kB that inflate to 50 MB
    assert len(bomb) < 60_000
    peak_before = server.peak_memory_kb()
    started = time.monotonic()
    status, body = server.post(bomb, {**AUTHORIZED, "Content-Encoding": "deflate"})
    assert (status, body) == (413, {"error": "request body too large"})
    assert time.monotonic() - started < 2
    grown_mb = (server.peak_memory_kb() - peak_before) / 1024
    assert grown_mb < 20, f"the server's peak memory grew by {grown_mb:.0f} MB"


@pytest.mark.parametrize("encoding", ["deflate", "gzip"])
def test_a_compressed_call_within_the_limit_runs(server: ActionServer, encoding: str) -> None:
    wbits = zlib.MAX_WBITS if encoding == "deflate" else 16 + zlib.MAX_WBITS
    packer = zlib.compressobj(wbits=wbits)
    body = action_call("action_leave_trace", f"compressed-{encoding}", "hello")
    packed = packer.compress(body) + packer.flush()
    status, _ = server.post(packed, {**AUTHORIZED, "Content-Encoding": encoding})
    assert status == 200
    assert (server.traces / f"compressed-{encoding}").exists()


def test_other_encodings_are_refused(server: ActionServer) -> None:
    body = action_call("action_leave_trace", "brotli", "hello")
    status, _ = server.post(body, {**AUTHORIZED, "Content-Encoding": "br"})
    assert status == 415
    assert not (server.traces / "brotli").exists()


def test_a_body_that_is_not_an_action_call_is_a_plain_400(server: ActionServer) -> None:
    truncated = zlib.compress(action_call("action_leave_trace", "truncated", "hi"))[:-3]
    for body, encoding in (
        (b"{not json", "identity"),
        (b"[1, 2]", "identity"),
        (truncated, "deflate"),
    ):
        status, answer = server.post(body, {**AUTHORIZED, "Content-Encoding": encoding})
        assert (status, answer) == (400, {"error": "invalid body"}), body
