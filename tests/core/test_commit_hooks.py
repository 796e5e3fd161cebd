"""Hooks run after a change commits (core/commit_hooks.py): only once it has committed, each
outside any transaction, and one failing neither stops the rest nor undoes the change. Real
commits (a transactional test), not captured callbacks."""

import pytest
from django.db import OperationalError, connection, transaction

from sciaticare.core.commit_hooks import after_commit
from sciaticare.core.models import RateCounter

pytestmark = pytest.mark.django_db(transaction=True)


def _writer(name: str, seen: list[tuple[str, bool]]):
    def hook(object_id: int) -> None:
        seen.append((name, connection.in_atomic_block))
        RateCounter.objects.create(ident=f"{name}:{object_id}", period=1, hits=1)

    return hook


def _failing(object_id: int) -> None:
    raise OperationalError("canceling statement due to lock timeout")


def _kept() -> set[str]:
    return set(RateCounter.objects.values_list("ident", flat=True))


def test_each_hook_runs_after_the_commit_outside_any_transaction():
    seen: list[tuple[str, bool]] = []
    with transaction.atomic():
        after_commit([_writer("mail", seen), _writer("refund", seen)], 7)
        assert seen == []  # not before the change is committed
    assert seen == [("mail", False), ("refund", False)]
    assert _kept() == {"mail:7", "refund:7"}


def test_a_failing_hook_is_logged_and_neither_stops_the_rest_nor_undoes_the_change(caplog):
    seen: list[tuple[str, bool]] = []
    with transaction.atomic():
        RateCounter.objects.create(ident="the change", period=1, hits=1)
        after_commit([_writer("mail", seen), _failing, _writer("calendar", seen)], 7)
    assert [name for name, _ in seen] == ["mail", "calendar"]
    assert _kept() == {"the change", "mail:7", "calendar:7"}
    assert "lock timeout" in caplog.text


def test_a_change_rolled_back_runs_no_hook():
    seen: list[tuple[str, bool]] = []

    def change_that_fails() -> None:
        with transaction.atomic():
            after_commit([_writer("mail", seen)], 7)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        change_that_fails()
    assert seen == []
    assert _kept() == set()
