from __future__ import annotations

from collections.abc import Iterator

import pytest

from trialbot.store import ScreeningStore


@pytest.fixture
def store(database_url: str) -> Iterator[ScreeningStore]:
    store = ScreeningStore.from_url(database_url)
    store.upgrade()
    yield store
    store.dispose()
