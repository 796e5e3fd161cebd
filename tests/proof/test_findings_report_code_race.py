"""Finding 13.8: the report-code lock holds under a race.

30 wrong codes sent at once used to get 9 tries: each request read "0 wrong so far" before any
of them wrote. Now each request takes its try with one conditional UPDATE before the code is
compared, so at most MAX_WRONG_CODES guesses are ever evaluated, on SQLite and PostgreSQL alike.
Threads here each hold their own database connection, as concurrent requests do.
"""

from __future__ import annotations

import hmac
import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from sciaticare.core.errors import DomainError
from sciaticare.core.generated import FileStatus
from sciaticare.outcomes import services
from sciaticare.outcomes.models import ProgressReport, ReportShare
from tests.factories import PatientFactory

RACERS = 30


@pytest.fixture
def shared(transactional_db: None) -> tuple[str, str]:
    patient = PatientFactory()
    report = ProgressReport.objects.create(
        patient=patient,
        requested_by=patient,
        status=FileStatus.READY,
        content=b"%PDF-1.7",
        finished_at=timezone.now(),
    )
    token, code = "t" * 43, "RIGHTCOD"
    ReportShare.objects.create(
        report=report,
        recipient_email="dr@surgery.example",
        token_digest=services._digest(token),
        code_digest=services._digest(code),
        expires_at=timezone.now() + timedelta(days=7),
    )
    return token, code


def test_thirty_parallel_wrong_codes_get_no_more_than_five_tries(shared, monkeypatch):
    token, _ = shared
    evaluated = 0
    lock = threading.Lock()
    real_compare = hmac.compare_digest

    def slow_compare(a: Any, b: Any) -> bool:
        # Widen the window between reading the share and counting the try, as a busy server does.
        nonlocal evaluated
        with lock:
            evaluated += 1
        time.sleep(0.05)
        return real_compare(a, b)

    monkeypatch.setattr(services.hmac, "compare_digest", slow_compare)
    start = threading.Barrier(RACERS)
    outcomes: list[str] = []
    unexpected: list[BaseException] = []

    def guess() -> None:
        start.wait()
        try:
            for _ in range(500):
                try:
                    services.open_shared_report(token=token, code="WRONG-CODE")
                except DomainError as exc:
                    outcomes.append(exc.code)
                    return
                except OperationalError as exc:
                    # The suite's in-memory SQLite shares one cache between threads and answers
                    # "table is locked" at once where a file database would wait: wait here.
                    if connection.vendor != "sqlite" or "locked" not in str(exc):
                        raise
                    time.sleep(0.01)
        except BaseException as exc:
            unexpected.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=guess) for _ in range(RACERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert not unexpected, unexpected
    assert evaluated <= ReportShare.MAX_WRONG_CODES
    assert len(outcomes) == RACERS
    assert set(outcomes) <= {"wrong_code", "share_locked"}
    assert 1 <= outcomes.count("wrong_code") <= ReportShare.MAX_WRONG_CODES
    assert ReportShare.objects.get().failed_attempts == ReportShare.MAX_WRONG_CODES


def test_a_right_code_gives_its_try_back(shared):
    token, code = shared
    for _ in range(4):
        with pytest.raises(DomainError):
            services.open_shared_report(token=token, code="WRONG-CODE")

    services.open_shared_report(token=token, code=code)
    services.open_shared_report(token=token, code=code)

    share = ReportShare.objects.get()
    assert (share.failed_attempts, share.times_opened, share.state) == (4, 2, "active")
