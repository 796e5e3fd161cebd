"""factory_boy factories for the directory, and a ledger of factory-made completed sessions."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from sciaticare.directory import search_table
from sciaticare.directory.models import (
    Clinic,
    Credential,
    CredentialKind,
    CredentialStatus,
    Location,
    Review,
    SessionType,
    TherapistLocation,
    TherapistProfile,
)
from sciaticare.directory.services.credentials import refresh_licence_summary
from sciaticare.directory.services.reviews import refresh_review_figures
from sciaticare.directory.sessions import CompletedSession
from sciaticare.scheduling.models import Appointment, AppointmentStatus
from sciaticare.scheduling.selectors import bookable, care
from tests.factories import ClinicAdminFactory, PatientFactory, TherapistFactory

# Central Manchester; tests place things at known offsets from here.
MANCHESTER = (53.4808, -2.2426)

PDF_BYTES = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 32


class ClinicFactory(factory.django.DjangoModelFactory[Clinic]):
    class Meta:
        model = Clinic
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Back Care Clinic {n}")

    @factory.post_generation
    def admins(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.admins.add(*extracted)


class LocationFactory(factory.django.DjangoModelFactory[Location]):
    class Meta:
        model = Location

    clinic = factory.SubFactory(ClinicFactory)
    name = factory.Sequence(lambda n: f"Branch {n}")
    address = factory.Sequence(lambda n: f"{n} Oxford Road, Manchester")
    latitude = MANCHESTER[0]
    longitude = MANCHESTER[1]
    time_zone = "Europe/London"
    step_free = True
    parking = False
    adjustable_table = True


class TherapistProfileFactory(factory.django.DjangoModelFactory[TherapistProfile]):
    """A therapist with a verified licence (unless ``licence=False``) at one location.

    ``location`` places them (a new one at central Manchester by default, ``location__latitude``
    etc. to move it; ``location=False`` for none); ``price`` sets their standard session price.
    Their search rows are written last; a test that changes their rows afterwards outside the
    services calls ``search_table.refresh`` itself, as the services would.
    """

    class Meta:
        model = TherapistProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(TherapistFactory)
    bio = "I help people with sciatica move again."
    offers_swedish = True
    offers_deep_tissue = True
    years_experience = 10
    years_sciatica = 5
    languages = factory.LazyFunction(lambda: ["en"])

    @factory.post_generation
    def location(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create or extracted is False:
            return
        where = extracted or LocationFactory(**kwargs)
        self.clinics.add(where.clinic)
        TherapistLocation.objects.create(therapist=self, location=where)

    @factory.post_generation
    def price(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            SessionTypeFactory(
                therapist=self, price=Decimal(str(extracted or "50.00")), is_standard=True
            )

    @factory.post_generation
    def licence(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted is not False:
            CredentialFactory(therapist=self, status=CredentialStatus.VERIFIED)
            self.refresh_from_db()

    @factory.post_generation
    def search_rows(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        # The factory writes around the services, so it refreshes the search table itself.
        if create:
            search_table.refresh(profile_ids=[self.pk])


class SessionTypeFactory(factory.django.DjangoModelFactory[SessionType]):
    class Meta:
        model = SessionType

    therapist = factory.SubFactory(TherapistProfileFactory)
    name = "Sciatica relief massage"
    minutes = 60
    price = Decimal("50.00")
    currency = "GBP"
    is_standard = False


class CredentialFactory(factory.django.DjangoModelFactory[Credential]):
    """A licence; ``status=VERIFIED`` also records a clinic admin as the checker."""

    class Meta:
        model = Credential
        skip_postgeneration_save = True

    therapist = factory.SubFactory(TherapistProfileFactory, licence=False)
    kind = CredentialKind.LICENCE
    title = "Licensed massage therapist"
    number = factory.Sequence(lambda n: f"LMT-{100000 + n}")
    issuing_body = "Complementary and Natural Healthcare Council"
    jurisdiction = "United Kingdom"
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=365))
    document = PDF_BYTES
    document_type = "pdf"
    document_size = len(PDF_BYTES)
    status = CredentialStatus.PENDING
    checked_by = factory.Maybe(
        factory.LazyAttribute(lambda o: o.status in ("verified", "rejected")),
        yes_declaration=factory.SubFactory(ClinicAdminFactory),
        no_declaration=None,
    )
    checked_at = factory.Maybe(
        factory.LazyAttribute(lambda o: o.status in ("verified", "rejected")),
        yes_declaration=factory.LazyFunction(timezone.now),
        no_declaration=None,
    )
    rejection_reason = factory.Maybe(
        factory.LazyAttribute(lambda o: o.status == "rejected"),
        yes_declaration="The number is not on the register.",
        no_declaration="",
    )

    @factory.post_generation
    def summary(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            refresh_licence_summary(profile_id=self.therapist_id)


class ReviewFactory(factory.django.DjangoModelFactory[Review]):
    class Meta:
        model = Review
        skip_postgeneration_save = True

    patient = factory.SubFactory(PatientFactory)
    therapist = factory.SubFactory(TherapistProfileFactory)
    session = None  # a completed appointment, when a test needs one (FakeLedger)
    rating = 5
    text = "Helped my leg pain a lot."

    @factory.post_generation
    def figures(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            refresh_review_figures(profile_id=self.therapist_id)


_session_ids = itertools.count(1)


class FakeLedger:
    """A ledger of the sessions a test makes: completed appointments written directly (a review's
    session is a foreign key to one), stands in for scheduling's ledger."""

    def __init__(self) -> None:
        self.sessions: dict[int, CompletedSession] = {}

    def add(
        self, *, patient: Any, therapist: TherapistProfile, ended_at: datetime | None = None
    ) -> CompletedSession:
        # Each default session two hours before the last, so none overlaps another.
        end = ended_at or timezone.now() - timedelta(days=1, hours=2 * next(_session_ids))
        kind = therapist.session_types.first() or SessionTypeFactory(therapist=therapist)
        start = end - timedelta(minutes=kind.minutes)
        appointment = Appointment.objects.create(
            patient=patient,
            therapist=therapist,
            location=LocationFactory(),
            session_type=kind,
            start=start,
            end=end,
            busy_until=end,
            status=AppointmentStatus.COMPLETED,
        )
        session = CompletedSession(
            id=appointment.pk,
            patient_id=patient.pk,
            therapist_user_id=therapist.user_id,
            ended_at=end,
        )
        self.sessions[session.id] = session
        return session

    def completed(self, session_id: int) -> CompletedSession | None:
        return self.sessions.get(session_id)

    def completed_between(
        self, *, patient_id: int, therapist_user_id: int
    ) -> list[CompletedSession]:
        found = [
            s
            for s in self.sessions.values()
            if s.patient_id == patient_id and s.therapist_user_id == therapist_user_id
        ]
        return sorted(found, key=lambda s: s.ended_at, reverse=True)

    def closed_to(self, *, patient: Any, therapists: Iterable[Any]) -> set[int]:
        # The sessions here are real appointments: scheduling's own rule answers.
        return care.closed_to(patient=patient, therapists=therapists)

    def next_available(
        self, therapist_ids: Sequence[int], *, within: timedelta | None = None
    ) -> dict[int, datetime | None]:
        if within is None:
            return bookable.next_available(therapist_ids)
        return bookable.next_available(therapist_ids, within=within)


def days_from_today(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


def reported_outcome(therapist: TherapistProfile, median: float, patients: int) -> Any:
    """The therapist's daily outcome figures: a median relief over `patients` patients."""
    from sciaticare.outcomes.models import TherapistOutcome

    return TherapistOutcome.objects.create(
        therapist=therapist,
        patients=patients,
        relief_median=median,
        relief_patients=patients,
        responder_patients=0,
        questionnaire_patients=0,
        computed_at=timezone.now(),
    )
