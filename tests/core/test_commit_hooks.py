"""Hooks run after a change commits (core/commit_hooks.py): together in one transaction of
their own, each in a savepoint so that one failing is undone alone; or, asked `apart`, each
outside any transaction. Real commits (a transactional test), not captured callbacks."""

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


def _failing(seen: list[tuple[str, bool]]):
    def hook(object_id: int) -> None:
        seen.append(("failing", connection.in_atomic_block))
        RateCounter.objects.create(ident=f"failing:{object_id}", period=1, hits=1)
        raise OperationalError("canceling statement due to lock timeout")

    return hook


def _kept() -> set[str]:
    return set(RateCounter.objects.values_list("ident", flat=True))


def test_hooks_wait_for_the_commit_and_then_run_together_in_one_transaction():
    seen: list[tuple[str, bool]] = []
    with transaction.atomic():
        after_commit([_writer("mail", seen), _writer("calendar", seen)], 7)
        assert seen == []  # not before the change is committed
    assert seen == [("mail", True), ("calendar", True)]
    assert _kept() == {"mail:7", "calendar:7"}


def test_a_failing_hook_is_undone_alone_and_logged_and_the_rest_still_run(caplog):
    seen: list[tuple[str, bool]] = []
    hooks = [_writer("mail", seen), _failing(seen), _writer("calendar", seen)]
    with transaction.atomic():
        RateCounter.objects.create(ident="the change", period=1, hits=1)
        after_commit(hooks, 7)
    assert [name for name, _ in seen] == ["mail", "failing", "calendar"]
    assert _kept() == {"the change", "mail:7", "calendar:7"}  # the failing hook's row undone
    assert "lock timeout" in caplog.text


def test_hooks_asked_apart_each_run_outside_any_transaction(caplog):
    seen: list[tuple[str, bool]] = []
    with transaction.atomic():
        after_commit([_failing(seen), _writer("refund", seen)], 7, apart=True)
    assert seen == [("failing", False), ("refund", False)]
    # Outside a transaction each write stands as it is made, the failing hook's included.
    assert _kept() == {"failing:7", "refund:7"}
    assert "lock timeout" in caplog.text


def test_the_hooks_are_those_registered_when_the_change_was_made():
    seen: list[tuple[str, bool]] = []
    hooks = [_writer("mail", seen), _writer("calendar", seen)]
    with transaction.atomic():
        after_commit(hooks, 7)
        hooks.append(_writer("late", seen))
    assert [name for name, _ in seen] == ["mail", "calendar"]


def test_a_change_rolled_back_runs_no_hook():
    seen: list[tuple[str, bool]] = []
    with pytest.raises(RuntimeError), transaction.atomic():
        after_commit([_writer("mail", seen), _writer("calendar", seen)], 7)
        raise RuntimeError
    assert seen == []
    assert _kept() == set()
