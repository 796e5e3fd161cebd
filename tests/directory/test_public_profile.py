"""The public profile's lists are read in plain SQL (public_profile); they must be
what the ORM gives, value for value and in the models' own order, on SQLite and PostgreSQL."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from sciaticare.core.errors import NotFound
from sciaticare.directory.models import (
    Credential,
    CredentialStatus,
    Location,
    Review,
    SessionType,
    TherapistLocation,
)
from sciaticare.directory.selectors.profile import bookable_therapist, public_profile
from tests.directory.factories import (
    ClinicFactory,
    CredentialFactory,
    LocationFactory,
    ReviewFactory,
    SessionTypeFactory,
    TherapistProfileFactory,
)
from tests.factories import ClinicAdminFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def therapist():
    """Two clinics (named against their creation order), three places, priced sessions with
    cents and without, credentials in and out of force, hidden reviews and same-time ones."""
    t = TherapistProfileFactory(location__name="Zeta Rooms", price="47.5")
    first, second = ClinicFactory(name="Ancoats Back Care"), ClinicFactory(name="Bury Spine")
    for clinic, name, lat in ((second, "Annexe", 53.59), (first, "Main", 53.4835789012345)):
        place = LocationFactory(clinic=clinic, name=name, latitude=lat, step_free=False)
        t.clinics.add(clinic)
        TherapistLocation.objects.create(therapist=t, location=place)
    SessionTypeFactory(therapist=t, minutes=30, price=Decimal("30"), name="Short")
    SessionTypeFactory(therapist=t, minutes=90, price=Decimal("79.99"), name="Long")
    today = timezone.localdate()
    CredentialFactory(therapist=t, status=CredentialStatus.VERIFIED, expires_on=None)
    CredentialFactory(therapist=t, status=CredentialStatus.VERIFIED, expires_on=today)
    CredentialFactory(
        therapist=t, status=CredentialStatus.VERIFIED, expires_on=today - timedelta(days=1)
    )
    CredentialFactory(therapist=t, status=CredentialStatus.PENDING)
    at = timezone.now() - timedelta(days=3)
    for rating in (5, 3, 4):
        ReviewFactory(therapist=t, rating=rating, created_at=at)
    ReviewFactory(
        therapist=t,
        rating=1,
        text="abusive",
        hidden_at=at,
        hidden_by=ClinicAdminFactory(),
        hidden_reason="abuse",
    )
    ReviewFactory(therapist=t, rating=2, created_at=at - timedelta(days=40))
    return t


def test_the_lists_are_the_orms_value_for_value_and_in_order(therapist):
    today = timezone.localdate()
    found = public_profile(profile_id=therapist.pk)

    locations = Location.objects.filter(therapists=therapist).select_related("clinic")
    assert [
        (p.name, p.clinic_name, p.address, p.latitude, p.longitude, p.time_zone, p.step_free)
        for p in found.locations
    ] == [
        (p.name, p.clinic.name, p.address, p.latitude, p.longitude, p.time_zone, p.step_free)
        for p in locations
    ]
    assert [(p.parking, p.adjustable_table) for p in found.locations] == [
        (p.parking, p.adjustable_table) for p in locations
    ]
    clinics = [p.clinic_name for p in found.locations]
    assert (clinics[0], clinics[-1], len(clinics)) == ("Ancoats Back Care", "Bury Spine", 3)

    sessions = SessionType.objects.filter(therapist=therapist)
    assert [
        (s.pk, s.name, s.minutes, s.price, s.currency, s.is_standard) for s in found.sessions
    ] == [(s.pk, s.name, s.minutes, s.price, s.currency, s.is_standard) for s in sessions]
    assert [str(s.price) for s in found.sessions] == ["47.50", "30.00", "79.99"]

    credentials = Credential.objects.filter(
        therapist=therapist, status=CredentialStatus.VERIFIED
    ).exclude(expires_on__lt=today)
    assert [
        (c.kind, c.title, c.issuing_body, c.jurisdiction, c.checked_at, c.expires_on)
        for c in found.credentials
    ] == [
        (c.kind, c.title, c.issuing_body, c.jurisdiction, c.checked_at, c.expires_on)
        for c in credentials
    ]
    assert len(found.credentials) == 3  # the factory's licence, no expiry, expiring today

    reviews = Review.objects.filter(therapist=therapist, hidden_at__isnull=True)
    assert [(r.rating, r.text, r.created_at) for r in found.reviews] == [
        (r.rating, r.text, r.created_at) for r in reviews
    ]
    assert [r.rating for r in found.reviews] == [4, 3, 5, 2]  # newest first, then latest made
    assert all(r.created_at.tzinfo is not None for r in found.reviews)


def test_an_inactive_or_unknown_therapist_is_not_found(therapist):
    therapist.user.is_active = False
    therapist.user.save()

    for pk in (therapist.pk, 987654):
        with pytest.raises(NotFound):
            public_profile(profile_id=pk)
        with pytest.raises(NotFound):
            bookable_therapist(therapist_id=pk, using="default")


def test_the_page_and_the_api_show_the_lists(client, therapist):
    page = client.get(f"/therapists/{therapist.pk}/").content.decode()
    body = client.get(f"/api/v1/therapists/{therapist.pk}").json()

    for text in ("Ancoats Back Care", "Annexe", "Long: 90 min, £79.99", "Verified "):
        assert text in page
    assert "abusive" not in page
    assert [s["price"] for s in body["session_types"]] == ["47.50", "30.00", "79.99"]
    assert [r["rating"] for r in body["reviews"]] == [4, 3, 5, 2]
    assert body["locations"][0]["clinic"] == "Ancoats Back Care"
