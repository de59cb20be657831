"""A 10 MB request body sent the way an attacker would, for the input-limit tests."""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlsplit

TEN_MB = 10 * 1024 * 1024
REFUSED_BY_RESET = -1
"""The status :func:`send_big_body` gives when the connection was reset before the answer
could be read: the server answered 413 and closed while body bytes were still arriving, and
the kernel's reset can discard that 413 on its way. Either way the body was refused."""


async def send_big_body(
    url: str, path: str | None = None, size: int = TEN_MB, timeout: float = 30
) -> tuple[int, float]:
    """POSTs a ``size``-byte JSON body to ``url`` (its path, or ``path``): the headers,
    then the body as fast as the server takes it. Returns the status (or
    :data:`REFUSED_BY_RESET`) and how long the answer took."""
    parts = urlsplit(url)
    assert parts.hostname is not None and parts.port is not None
    target = path if path is not None else parts.path
    started = time.monotonic()
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    writer.write(
        f"POST {target} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {size}\r\n\r\n".encode()
    )

    async def upload() -> None:
        chunk = b'{"sender": "attacker", "message": "' + b"x" * (1024 * 1024)
        try:
            for _ in range(size // len(chunk)):
                writer.write(chunk)
                await writer.drain()
        except OSError:
            pass  # the server closed the connection, as it should

    uploading = asyncio.create_task(upload())
    try:
        status_line = await asyncio.wait_for(reader.readline(), timeout)
        status = int(status_line.split()[1])
    except ConnectionResetError:
        status = REFUSED_BY_RESET
    finally:
        took = time.monotonic() - started
        uploading.cancel()
        writer.close()
    return status, took
