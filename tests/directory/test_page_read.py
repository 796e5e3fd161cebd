"""The search page's one read (selectors.search.page_rows) is written in plain SQL; it must give what
the ORM's values() query gives, value for value, on SQLite and PostgreSQL."""

from decimal import Decimal

import pytest
from django.db.models import FilteredRelation, Q

from sciaticare.directory import search_table
from sciaticare.directory.models import SearchEntry, TherapistLocation
from sciaticare.directory.selectors.search import PAGE_COLUMNS, page_rows
from tests.directory.factories import LocationFactory, TherapistProfileFactory, reported_outcome

pytestmark = pytest.mark.django_db

# The same values by the ORM: the search row's own, or through its therapist and standard.
ORM_FIELDS = {
    name: name if column.startswith(("s.", "l.", "c.", "st.")) else f"therapist__{name}"
    for name, column in PAGE_COLUMNS
}


def _by_orm(ids: list[int]) -> list[dict]:
    rows = (
        SearchEntry.objects.filter(therapist_id__in=ids)
        .annotate(
            standard=FilteredRelation(
                "therapist__session_types",
                condition=Q(therapist__session_types__is_standard=True),
            )
        )
        .values(*ORM_FIELDS.values())
        .order_by("therapist_id", "location_id")
    )
    return [{name: row[field] for name, field in ORM_FIELDS.items()} for row in rows]


def test_the_page_rows_are_the_orms():
    two_places = TherapistProfileFactory(price="47.5", languages=["en", "pl"])
    TherapistLocation.objects.create(
        therapist=two_places, location=LocationFactory(parking=True, name="Second")
    )
    mobile = TherapistProfileFactory(
        location=False, is_mobile=True, base_latitude=53.5, base_longitude=-2.2,
        service_radius_km=10, offers_prenatal=True,
    )  # fmt: skip
    reported = TherapistProfileFactory(price="60")
    reported_outcome(reported, 2.5, 12)
    search_table.refresh(profile_ids=[two_places.pk, mobile.pk, reported.pk])
    ids = [two_places.pk, mobile.pk, reported.pk]

    plain = page_rows(ids)

    assert plain == _by_orm(ids)
    assert len(plain) == 4  # two places, a home-visit row, one place
    assert {row["standard__price"] for row in plain} == {
        Decimal(p) for p in ("47.50", "50.00", "60.00")
    }
    assert plain[0]["languages"] == ["en", "pl"]
    assert any(row["location_id"] is None and row["offers_prenatal"] for row in plain)
    assert [
        row["outcome__relief_median"] for row in plain if row["therapist_id"] == reported.pk
    ] == [2.5]


def test_no_ids_read_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert page_rows([]) == []
