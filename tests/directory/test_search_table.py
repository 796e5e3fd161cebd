"""The search table follows every write that changes one of its inputs, and a rebuild writes
the same rows.

Each sync test changes one input through the code path a person uses (a service, the admin, an
account's ``is_active``), checks that the change matters to the table (the expected rows
differ from before) and that the table holds exactly the expected rows, so it fails when that
path forgets ``search_table.refresh``.
"""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from sciaticare.directory import search_table
from sciaticare.directory.admin import LocationAdmin
from sciaticare.directory.models import (
    NO_EXPIRY,
    Credential,
    CredentialStatus,
    Location,
    SearchEntry,
    SessionType,
    modality_bits,
)
from sciaticare.directory.ranking import (
    DEFAULT_WEIGHTS,
    MODALITIES,
    Candidate,
    PatientFit,
    score,
    therapist_part,
)
from sciaticare.directory.services.credentials import (
    expire_credentials,
    reject_credential,
    verify_credential,
)
from sciaticare.directory.services.profile import (
    ProfileChanges,
    add_session_type,
    remove_session_type,
    set_standard_session,
    update_profile,
)
from sciaticare.directory.services.reviews import add_review, hide_review
from tests.directory.factories import (
    CredentialFactory,
    LocationFactory,
    ReviewFactory,
    TherapistProfileFactory,
    days_from_today,
)
from tests.factories import ClinicAdminFactory, PatientFactory, SiteAdminFactory

pytestmark = pytest.mark.django_db

_FIELDS = [f.attname for f in SearchEntry._meta.concrete_fields if f.name != "id"]


def _key(row: tuple) -> tuple:
    as_dict = dict(zip(_FIELDS, row, strict=True))
    return (as_dict["therapist_id"], as_dict["location_id"] or 0)


def stored(profile_id: int | None = None) -> list[tuple]:
    entries = SearchEntry.objects.all()
    if profile_id is not None:
        entries = entries.filter(therapist_id=profile_id)
    return sorted(entries.values_list(*_FIELDS), key=_key)


def expected(profile_id: int | None = None) -> list[tuple]:
    ids = None if profile_id is None else [profile_id]
    rows = [
        tuple(getattr(entry, name) for name in _FIELDS)
        for entry in search_table.expected_entries(ids)
    ]
    return sorted(rows, key=_key)


def assert_change_followed(profile_id: int, before: list[tuple]) -> None:
    now = expected(profile_id)
    assert now != before, "the change should matter to the search table"
    assert stored(profile_id) == now


def profile_changes(profile, **overrides):
    values = {
        "bio": profile.bio,
        "modalities": profile.modalities,
        "years_experience": profile.years_experience,
        "years_sciatica": profile.years_sciatica,
        "languages": list(profile.languages),
        "accepting_new_patients": profile.accepting_new_patients,
        "is_mobile": profile.is_mobile,
        "service_radius_km": profile.service_radius_km,
        "base_latitude": profile.base_latitude,
        "base_longitude": profile.base_longitude,
        "location_ids": list(profile.locations.values_list("pk", flat=True)),
    }
    return ProfileChanges(**{**values, **overrides})


def test_a_new_therapist_has_one_row_per_place_with_their_figures():
    profile = TherapistProfileFactory(
        offers_prenatal=True, languages=["en", "pl"], price="42.00", years_sciatica=3
    )
    location = profile.locations.get()

    [row] = SearchEntry.objects.filter(therapist=profile)

    assert (row.location_id, row.latitude, row.longitude) == (
        location.pk,
        location.latitude,
        location.longitude,
    )
    assert row.reach_km is None
    assert row.modalities == modality_bits({"swedish", "deep_tissue", "prenatal"})
    assert row.languages == ",en,pl,"
    assert row.standard_price == Decimal("42.00")
    assert row.licence_valid_until == profile.licence_expires_on
    assert row.therapist_score == therapist_part(
        sciatica_years=3, experience_years=10, review_count=0, review_mean=None
    )


@pytest.mark.parametrize(
    "change",
    [
        {"modalities": frozenset({"prenatal"})},
        {"languages": ["en", "es"]},
        {"accepting_new_patients": False},
        {"years_sciatica": 9},
        {"years_experience": 30},
        {
            "is_mobile": True,
            "service_radius_km": 10,
            "base_latitude": 53.5,
            "base_longitude": -2.2,
        },
    ],
    ids=lambda change: next(iter(change)),
)
def test_update_profile_refreshes_the_rows(change):
    profile = TherapistProfileFactory()
    before = expected(profile.pk)

    update_profile(actor=profile.user, profile=profile, changes=profile_changes(profile, **change))

    assert_change_followed(profile.pk, before)


def test_update_profile_refreshes_the_rows_when_locations_change():
    profile = TherapistProfileFactory()
    second = LocationFactory(clinic=profile.clinics.get(), latitude=53.6)
    before = expected(profile.pk)

    update_profile(
        actor=profile.user,
        profile=profile,
        changes=profile_changes(profile, location_ids=[second.pk]),
    )

    assert_change_followed(profile.pk, before)
    assert [row.location_id for row in SearchEntry.objects.filter(therapist=profile)] == [second.pk]


def test_session_type_services_refresh_the_standard_price():
    profile = TherapistProfileFactory(price="50.00")
    before = expected(profile.pk)

    cheaper = add_session_type(
        actor=profile.user,
        profile=profile,
        name="Short",
        minutes=30,
        price=Decimal("30.00"),
        currency="GBP",
        is_standard=True,
    )
    assert_change_followed(profile.pk, before)

    before = expected(profile.pk)
    original = SessionType.objects.get(therapist=profile, price=Decimal("50.00"))
    set_standard_session(actor=profile.user, session=original)
    assert_change_followed(profile.pk, before)

    before = expected(profile.pk)
    remove_session_type(actor=profile.user, session=original)  # cheaper takes over
    assert_change_followed(profile.pk, before)
    assert SearchEntry.objects.get(therapist=profile).standard_price == cheaper.price


def test_verifying_a_licence_refreshes_the_rows():
    profile = TherapistProfileFactory(licence=False)
    admin_user = ClinicAdminFactory()
    profile.clinics.get().admins.add(admin_user)
    credential = CredentialFactory(therapist=profile, expires_on=None)
    before = expected(profile.pk)

    verify_credential(actor=admin_user, credential=credential)

    assert_change_followed(profile.pk, before)
    assert SearchEntry.objects.get(therapist=profile).licence_valid_until == NO_EXPIRY


def test_rejecting_a_licence_keeps_the_rows_in_sync():
    profile = TherapistProfileFactory()
    credential = CredentialFactory(therapist=profile)
    # Written around the services: only the rejection's refresh can set the table right.
    SearchEntry.objects.filter(therapist=profile).update(licence_valid_until=None)

    reject_credential(actor=SiteAdminFactory(), credential=credential, reason="Unknown")

    assert stored(profile.pk) == expected(profile.pk)


def test_the_daily_expiry_refreshes_the_rows():
    profile = TherapistProfileFactory(licence=False)
    licence = CredentialFactory(therapist=profile, status=CredentialStatus.VERIFIED)
    Credential.objects.filter(pk=licence.pk).update(expires_on=days_from_today(-1))
    # What the table held while the licence was in force, before its date passed.
    before = stored(profile.pk)

    expire_credentials()

    assert_change_followed(profile.pk, before)
    assert SearchEntry.objects.get(therapist=profile).licence_valid_until is None


def test_adding_and_hiding_reviews_refresh_the_score(ledger):
    profile = TherapistProfileFactory()
    patient = PatientFactory()
    session = ledger.add(patient=patient, therapist=profile)
    before = expected(profile.pk)

    review = add_review(
        patient=patient, therapist=profile, session_id=session.id, rating=1, text="No."
    )
    assert_change_followed(profile.pk, before)

    before = expected(profile.pk)
    hide_review(actor=SiteAdminFactory(), review=review, reason="Abuse")
    assert_change_followed(profile.pk, before)


def test_deactivating_and_reactivating_the_account_removes_and_restores_the_rows():
    profile = TherapistProfileFactory()
    listed = stored(profile.pk)
    user = profile.user

    user.is_active = False
    user.save()
    assert stored(profile.pk) == expected(profile.pk) == []

    user.is_active = True
    user.save(update_fields=["is_active"])
    assert stored(profile.pk) == expected(profile.pk) == listed


def test_a_sign_in_does_not_rewrite_the_rows():
    profile = TherapistProfileFactory()

    with CaptureQueriesContext(connection) as queries:
        profile.user.save(update_fields=["last_login"])

    assert queries.captured_queries
    assert not [q for q in queries.captured_queries if "directory_" in q["sql"]]


def test_moving_a_location_in_the_admin_refreshes_its_therapists_rows():
    profile = TherapistProfileFactory()
    location = profile.locations.get()
    location.latitude += 0.2
    location.step_free = not location.step_free
    request = RequestFactory().post("/")
    request.user = SiteAdminFactory()

    LocationAdmin(Location, admin.site).save_model(request, location, form=None, change=True)

    row = SearchEntry.objects.get(therapist=profile)
    assert (row.latitude, row.step_free) == (location.latitude, location.step_free)
    assert stored(profile.pk) == expected(profile.pk)


def test_deleting_a_location_removes_its_rows():
    profile = TherapistProfileFactory()

    profile.locations.get().delete()

    assert stored(profile.pk) == []


def test_a_rebuild_writes_the_same_rows_as_the_services_kept():
    TherapistProfileFactory(offers_prenatal=True, languages=["en", "pl"])
    TherapistProfileFactory(licence=False, accepting_new_patients=False)
    mobile = TherapistProfileFactory(
        is_mobile=True, base_latitude=53.5, base_longitude=-2.3, service_radius_km=15
    )
    second = LocationFactory(clinic=mobile.clinics.get(), latitude=53.55, parking=True)
    update_profile(
        actor=mobile.user,
        profile=mobile,
        changes=profile_changes(
            mobile, location_ids=[*mobile.locations.values_list("pk", flat=True), second.pk]
        ),
    )
    ReviewFactory(therapist=mobile, rating=4)
    kept = stored()
    assert len(kept) == 5  # two locations and a base for the mobile one, one each for the rest

    assert search_table.rebuild() == 5

    assert stored() == kept == expected()


@pytest.mark.django_db(transaction=True)
def test_a_committed_rebuild_vacuums_the_table_on_postgresql():
    """Index-only scans need the rows' pages marked all-visible, which only VACUUM does, and
    VACUUM cannot run inside the rebuild's transaction: it runs once that commits."""
    TherapistProfileFactory()

    with CaptureQueriesContext(connection) as queries:
        search_table.rebuild()

    vacuums = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("VACUUM")]
    if connection.vendor == "postgresql":
        assert vacuums == ['VACUUM (ANALYZE) "directory_searchentry"']
    else:
        assert vacuums == []  # SQLite has no visibility map; VACUUM would rewrite the file


def test_the_rebuild_command_repairs_a_damaged_table():
    TherapistProfileFactory()
    kept = stored()
    SearchEntry.objects.all().delete()

    call_command("rebuild_search_table")

    assert stored() == kept


# --- ranking.therapist_part ------------------------------------------------------------------


@given(
    sciatica=st.integers(0, 40),
    extra=st.integers(0, 30),
    review_count=st.integers(0, 200),
    review_mean=st.floats(1.0, 5.0),
)
def test_therapist_part_is_the_therapist_only_terms_of_score(
    sciatica, extra, review_count, review_mean
):
    candidate = Candidate(
        distance_km=3.0,
        radius_km=25.0,
        sciatica_years=sciatica,
        experience_years=sciatica + extra,
        licence_verified_on=None,
        review_count=review_count,
        review_mean=review_mean,
        modalities=frozenset(MODALITIES),
    )
    terms = score(candidate, PatientFit()).terms
    w = DEFAULT_WEIGHTS

    part = therapist_part(
        sciatica_years=sciatica,
        experience_years=sciatica + extra,
        review_count=review_count,
        review_mean=review_mean,
    )

    assert part == pytest.approx(
        w.sciatica * terms["sciatica"]
        + w.experience * terms["experience"]
        + w.reviews * terms["reviews"],
        abs=1e-12,
    )


def test_licence_without_expiry_is_valid_until_the_sentinel():
    profile = TherapistProfileFactory(licence=False)
    CredentialFactory(therapist=profile, status=CredentialStatus.VERIFIED, expires_on=None)

    assert SearchEntry.objects.get(therapist=profile).licence_valid_until == NO_EXPIRY


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_table_from_existing_rows():
    TherapistProfileFactory(offers_prenatal=True, languages=["en", "pl"])
    TherapistProfileFactory(
        licence=False, is_mobile=True, base_latitude=53.5, base_longitude=-2.3, service_radius_km=15
    )
    kept = stored()

    call_command("migrate", "directory", "0001", verbosity=0)
    # Every app: billing depends on a later directory migration and was taken back too.
    call_command("migrate", verbosity=0)

    assert stored() == kept == expected()
