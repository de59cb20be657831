"""One analysis per message, however often the message is read.

The interview reads one message as the answer to its question, to other questions, as a
command and as a correction, and each reading analyses the same text. Within
:func:`one_message` (the interview's turn), :func:`cached` runs an analysis once per
distinct text and analysis; the results go with the block, so nothing of a candidate's
words outlives their turn. Outside the block nothing is cached.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")

_RESULTS: ContextVar[dict[tuple[Any, str], Any] | None] = ContextVar(
    "trialbot_analyses", default=None
)
MAX_CACHED = 64  # distinct texts per message: its sentences, clauses and the whole


@contextmanager
def one_message() -> Iterator[None]:
    """A block in which each text is analysed once by each analysis."""
    token = _RESULTS.set({})
    try:
        yield
    finally:
        _RESULTS.reset(token)


def cached(analysis: Callable[[str], T], text: str) -> T:
    """``analysis(text)``, computed once per text within :func:`one_message`."""
    results = _RESULTS.get()
    if results is None:
        return analysis(text)
    key = (analysis, text)
    if key in results:
        return results[key]  # type: ignore[no-any-return]
    result = analysis(text)
    if len(results) < MAX_CACHED:
        results[key] = result
    return result
