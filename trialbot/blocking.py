"""Running blocking work (the store, the parsers) from async code."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


async def in_thread(work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``work`` in a worker thread, so that it does not block the event loop (the
    store is synchronous SQLAlchemy; parsing an answer can take a while)."""
    return await asyncio.to_thread(work, *args, **kwargs)
