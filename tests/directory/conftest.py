from collections.abc import Iterator

import pytest

from sciaticare.directory import sessions
from tests.directory.factories import FakeLedger


@pytest.fixture
def ledger() -> Iterator[FakeLedger]:
    """Completed sessions made by the test, consulted by the review rules."""
    fake = FakeLedger()
    previous = sessions.use_ledger(fake)
    yield fake
    sessions.use_ledger(previous)
