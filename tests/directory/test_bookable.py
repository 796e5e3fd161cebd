"""Who can be booked, said twice (the ORM's `bookable` and the plain SQL's `BOOKABLE_SQL`): the
two agree, and `bookable_session` finds a therapist's sessions only while they can be booked."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from sciaticare.accounts.models import User
from sciaticare.core.errors import NotFound
from sciaticare.core.sql import fetch_rows, table
from sciaticare.directory.models import TherapistProfile
from sciaticare.directory.selectors.profile import (
    BOOKABLE_SQL,
    bookable,
    bookable_session,
    bookable_therapist,
)
from tests.directory.factories import SessionTypeFactory, TherapistProfileFactory

pytestmark = pytest.mark.django_db


def _bookable_in_sql() -> set[int]:
    rows = fetch_rows(
        f"SELECT p.id FROM {table(TherapistProfile)} p"  # noqa: S608 - fixed text
        f" JOIN {table(User)} u ON u.id = p.user_id WHERE {BOOKABLE_SQL}",
        [],
    )
    return {row[0] for row in rows}


def test_the_rule_in_sql_is_the_rule_of_the_orm() -> None:
    active, gone = TherapistProfileFactory(), TherapistProfileFactory()
    User.objects.filter(pk=gone.user_id).update(is_active=False)

    in_orm = set(TherapistProfile.objects.filter(bookable()).values_list("pk", flat=True))
    assert in_orm == _bookable_in_sql() == {active.pk}


def test_the_standard_session_or_the_one_asked_for() -> None:
    therapist = TherapistProfileFactory()
    longer = SessionTypeFactory(therapist=therapist, minutes=90)
    standard = therapist.session_types.get(is_standard=True)

    assert bookable_session(therapist_id=therapist.pk, session_type_id=None) == standard
    found = bookable_session(therapist_id=therapist.pk, session_type_id=longer.pk)
    assert (found, found.minutes, found.therapist_id) == (longer, 90, therapist.pk)


def test_another_therapists_session_is_not_found() -> None:
    therapist, other = TherapistProfileFactory(), TherapistProfileFactory()
    theirs = other.session_types.get(is_standard=True)

    with pytest.raises(NotFound) as refused:
        bookable_session(therapist_id=therapist.pk, session_type_id=theirs.pk)
    assert "session type" in str(refused.value)


def test_nothing_of_a_therapist_who_cannot_be_booked() -> None:
    gone = TherapistProfileFactory()
    User.objects.filter(pk=gone.user_id).update(is_active=False)

    with pytest.raises(NotFound) as refused:
        bookable_session(therapist_id=gone.pk, session_type_id=None)
    assert "therapist" in str(refused.value)


def test_a_bookable_therapist_comes_with_their_user_in_one_read() -> None:
    made = TherapistProfileFactory(user__first_name="Ana")
    with CaptureQueriesContext(connection) as queries:
        therapist = bookable_therapist(therapist_id=made.pk)
        assert (therapist.pk, therapist.user.first_name) == (made.pk, "Ana")
    assert len(queries) == 1
    User.objects.filter(pk=made.user_id).update(is_active=False)
    with pytest.raises(NotFound):
        bookable_therapist(therapist_id=made.pk)


@pytest.mark.django_db(transaction=True)
def test_the_lock_is_taken_only_inside_a_transaction() -> None:
    made = TherapistProfileFactory()
    with pytest.raises(TransactionManagementError):
        bookable_therapist(therapist_id=made.pk, lock=True)
    with transaction.atomic():
        assert bookable_therapist(therapist_id=made.pk, lock=True).pk == made.pk


def test_an_id_no_key_can_be_is_not_found_not_an_overflow() -> None:
    made = SessionTypeFactory()
    too_big = 2**63
    with pytest.raises(NotFound, match="therapist"):
        bookable_therapist(therapist_id=too_big)
    with pytest.raises(NotFound, match="therapist"):
        bookable_session(therapist_id=-too_big - 1, session_type_id=None)
    with pytest.raises(NotFound, match="session type"):
        bookable_session(therapist_id=made.therapist_id, session_type_id=too_big)
