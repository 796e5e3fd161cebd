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


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path) -> None:
    # Uploaded documents go to a throw-away folder, never to var/private.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
