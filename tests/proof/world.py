"""A small, complete world for the proof tests: two clinics, each with a clinic admin, a
therapist and a patient whose record touches every feature (intake, consent, appointments past
and future, a signed note with an amendment, diary, review, flare-up plan, waitlist offer,
calendar feed, API token, a push device, progress report, a clinic's payment policy, a paid deposit, an invoice paid at the clinic
and a fee owed, a home exercise programme from the therapist and one the patient entered), and a
site admin.

"The patient" (`patient`) belongs to clinic A; `other_patient` to clinic B with its own
therapist and admin, so every route with a path parameter has a real object of each patient.
Each patient's private text carries a marker (`SECRETS[...]`) that a refused response, or
another patient's response, must never contain.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from sciaticare.accounts import services as account_services
from sciaticare.accounts.models import User
from sciaticare.billing.models import (
    Invoice,
    Payment,
    PaymentMethod,
    PaymentPolicy,
    PaymentStatus,
    Purpose,
)
from sciaticare.billing.money import Money
from sciaticare.billing.services import invoices
from sciaticare.billing.services import payments as billing_payments
from sciaticare.core.generated import FileStatus
from sciaticare.directory.models import (
    Clinic,
    Credential,
    FlareUpPlanEntry,
    Review,
    SessionType,
    TherapistProfile,
)
from sciaticare.exercises.models import Exercise, ExercisePlan
from sciaticare.exercises.services import plans as exercise_plans
from sciaticare.intake import services as intake_services
from sciaticare.intake.models import Intake, IntakeShare
from sciaticare.integrations.models.webhooks import WebhookDelivery, WebhookEndpoint
from sciaticare.integrations.services import webhooks
from sciaticare.integrations.services.imports import start_run
from sciaticare.interop.models import DataExport
from sciaticare.outcomes import services as outcome_services
from sciaticare.outcomes.models import PainEntry, ProgressReport, ReportShare
from sciaticare.records import services as record_services
from sciaticare.records.models import Amendment
from sciaticare.reminders.models import PushSubscription
from sciaticare.scheduling.models import (
    Appointment,
    AppointmentStatus,
    CalendarFeed,
    SlotOffer,
    WaitlistEntry,
    WaitlistStatus,
)
from sciaticare.scheduling.services import calendar_feeds
from tests.directory.factories import (
    ClinicFactory,
    CredentialFactory,
    LocationFactory,
    ReviewFactory,
    TherapistProfileFactory,
)
from tests.factories import (
    ClinicAdminFactory,
    PatientFactory,
    SiteAdminFactory,
    TherapistFactory,
)
from tests.intake.factories import make_intake
from tests.scheduling.helpers import at, place_appointment

PDF = b"%PDF-1.7\n%proof\n%%EOF\n"


def _secrets(tag: str) -> dict[str, str]:
    """Private text of one patient, each value unique to that patient and field."""
    return {
        "first_name": f"Quillon{tag}",
        "last_name": f"Marchbank{tag}",
        "email": f"quillon.{tag.lower()}@example.org",
        "intake_notes": f"Allergic to arnica balm {tag}",
        "intake_goals": f"Carry my grandchild {tag}",
        "subjective": f"Zebra ache behind the left knee {tag}",
        "assessment": f"Probable S1 irritation {tag}",
        "amendment": f"Forgot to record the hamstring work {tag}",
        "diary_note": f"Slept badly after the gardening {tag}",
        "exercise_note": f"Tilts before the school run {tag}",
        "own_exercise": f"Heel raises on the stairs {tag}",
    }


# Each patient's private strings; "A" is the patient, "B" the other patient.
SECRETS = {"patient": _secrets("A7731"), "other_patient": _secrets("B4412")}


@dataclass
class Side:
    """One clinic and the people and records in it."""

    clinic: Clinic
    therapist: TherapistProfile
    session: SessionType  # the standard one, which appointments use
    admin: User
    patient: User
    intake: Intake
    share: IntakeShare
    past: Appointment  # completed, with a signed note and an amendment
    future: Appointment  # booked, four days ahead
    deposit: Payment  # the future session's deposit, paid by card
    offer: SlotOffer
    entry: WaitlistEntry
    review: Review
    pending_credential: Credential
    feed: CalendarFeed
    token_id: int
    token: str
    report: ProgressReport
    share_link: ReportShare  # the report sent to the patient's doctor
    share_token: str  # the secret in the doctor's link
    export: DataExport  # a ready "your data" archive
    diary: PainEntry
    amendment: Amendment
    invoice: Invoice  # the past session's, paid at the clinic: its receipt and insurer's PDF
    payment: Payment  # that cash payment
    fee: Invoice  # a missed session's fee, not yet paid
    device: PushSubscription  # a browser that gets the patient's notifications
    exercise: Exercise  # the clinic's own exercise
    plan: ExercisePlan  # the therapist's home programme for the patient, started 2 weeks ago
    plan_day: str  # a day the programme covers (today), ISO
    own_plan: ExercisePlan  # a programme the patient entered from their physio's, a week ago
    own_exercise: Exercise  # the clinic's own exercise, written by its admin
    webhook: WebhookEndpoint  # the clinic's webhook endpoint (its admin's)
    webhook_delivery: WebhookDelivery  # a test event for it, queued
    extra: dict[str, Any] = field(default_factory=dict)
    import_run: Any = None  # a patients file uploaded by the admin, not imported yet


@dataclass
class World:
    a: Side
    b: Side
    site_admin: User

    @property
    def people(self) -> dict[str, User | None]:
        return {
            "anonymous": None,
            "patient": self.a.patient,
            "other_patient": self.b.patient,
            "therapist": self.a.therapist.user,
            "other_therapist": self.b.therapist.user,
            "clinic_admin": self.a.admin,
            "other_clinic_admin": self.b.admin,
            "site_admin": self.site_admin,
        }


#: Each clinic's money: A is a US clinic (superbills), B a UK one (itemised receipts).
POLICIES = {
    # A US clinic (superbills) whose sessions the world prices in GBP, as every clinic there.
    "A": {"country": "US", "currency": "GBP", "npi": "1234567893", "tax_number": "12-3456789"},
    "B": {"country": "GB", "currency": "GBP", "insurer_provider_number": "AXA-55120"},
}


def _money(
    tag: str, clinic: Clinic, patient: User, admin: User, past: Appointment, missed: Appointment
) -> tuple[Invoice, Payment, Invoice]:
    """The session's invoice paid in cash, and a missed session's fee still owed."""
    policy = POLICIES[tag]
    PaymentPolicy.objects.update_or_create(
        clinic=clinic,
        defaults={
            "legal_name": f"Clinic {tag} Ltd",
            "address": f"{tag} High Street",
            "no_show_fee": Decimal("30.00"),
            **policy,
        },
    )
    price = Money.of("60.00", policy["currency"])
    invoice = invoices.issue(
        clinic=clinic,
        patient=patient,
        purpose=Purpose.SESSION,
        appointment=past,
        lines=[invoices.Line("Sciatica relief massage, 60 min", price)],
        by=admin,
    )
    payment = billing_payments.record_taken(
        invoice=invoice, amount=price, method=PaymentMethod.CASH, by=admin
    )
    fee = invoices.issue(
        clinic=clinic,
        patient=patient,
        purpose=Purpose.NO_SHOW_FEE,
        appointment=missed,
        lines=[invoices.Line("Missed session fee", Money.of("30.00", policy["currency"]))],
        by=admin,
    )
    return invoice, payment, fee


def _side(tag: str, secrets: dict[str, str], *, hour: int) -> Side:
    clinic = ClinicFactory(name=f"Clinic {tag}")
    location = LocationFactory(clinic=clinic)
    therapist_user = TherapistFactory(first_name="Thera", last_name=f"Pist{tag}")
    therapist = TherapistProfileFactory(location=location, user=therapist_user)
    therapist.user = therapist_user  # the instance that knows its TOTP secret (sign-in)
    session = therapist.session_types.get(is_standard=True)
    admin = ClinicAdminFactory()
    clinic.admins.add(admin)
    patient = PatientFactory(
        first_name=secrets["first_name"], last_name=secrets["last_name"], email=secrets["email"]
    )
    intake = make_intake(patient, notes=secrets["intake_notes"], goals=secrets["intake_goals"])
    share = intake_services.share_intake(patient=patient, therapist_email=therapist.user.email)

    now = timezone.now()
    past = place_appointment(
        patient=patient,
        therapist=therapist,
        session=session,
        location=location,
        start=now - timedelta(hours=3),
    )
    user = therapist.user
    record_services.start_note(therapist_user=user, appointment_id=past.pk)
    record_services.save_draft(
        therapist_user=user,
        appointment_id=past.pk,
        values={
            "subjective": secrets["subjective"],
            "assessment": secrets["assessment"],
            "regions": ["left_calf"],
            "home_care": ["Walk daily"],
        },
    )
    record_services.sign_note(therapist_user=user, appointment_id=past.pk)
    amendment = record_services.add_amendment(
        author=user, appointment_id=past.pk, reason="Late entry", text=secrets["amendment"]
    )
    past.refresh_from_db()
    future = place_appointment(
        patient=patient, therapist=therapist, session=session, location=location, start=at(4, hour)
    )
    # The clinic takes a 20 % deposit by card (this site has no card processor, so new
    # bookings are made at once); the future session's was paid.
    PaymentPolicy.objects.create(
        clinic=clinic,
        deposit="percent",
        deposit_percent=Decimal(20),
        late_cancel_fee=Decimal("20.00"),
        no_show_fee=Decimal("30.00"),
        pay_at_booking=True,
        currency=POLICIES[tag]["currency"],
    )
    deposit = Payment.objects.create(
        clinic=clinic,
        patient=patient,
        appointment=future,
        purpose=Purpose.SESSION,
        method=PaymentMethod.CARD_ONLINE,
        status=PaymentStatus.SUCCEEDED,
        amount=Decimal("10.00"),
        currency=POLICIES[tag]["currency"],
        idempotency_key=f"proof-deposit-{tag}",
        succeeded_at=now,
    )
    held = place_appointment(
        patient=patient,
        therapist=therapist,
        session=session,
        location=location,
        start=at(5, hour),
        status=AppointmentStatus.HELD,
    )
    entry = WaitlistEntry.objects.create(
        patient=patient,
        therapist=therapist,
        earliest=timezone.localdate(),
        latest=timezone.localdate() + timedelta(days=14),
        status=WaitlistStatus.OFFERED,
    )
    expires = now + timedelta(hours=2)
    Appointment.objects.filter(pk=held.pk).update(hold_expires_at=expires)
    offer = SlotOffer.objects.create(entry=entry, appointment=held, expires_at=expires)

    diary, _ = outcome_services.log_pain(
        patient=patient, back_pain=4, leg_pain=6, note=secrets["diary_note"], tags=[]
    )
    review = ReviewFactory(
        patient=patient, therapist=therapist, session_id=past.pk, text=f"Kind and skilled {tag}"
    )
    FlareUpPlanEntry.objects.create(patient=patient, therapist=therapist, rank=0)
    pending = CredentialFactory(therapist=therapist, title=f"Sports massage diploma {tag}")
    feed = calendar_feeds.feed_for(owner=patient)
    token, raw = account_services.create_api_token(user=patient, name=f"Phone {tag}")
    # A browser that gets the patient's notifications (keys as a browser's are shaped).
    device = PushSubscription.objects.create(
        user=patient,
        endpoint=f"https://fcm.googleapis.com/fcm/send/proof-{tag}",
        p256dh="B" + "A" * 86,
        auth="A" * 22,
    )
    report = ProgressReport.objects.create(
        patient=patient,
        requested_by=patient,
        status=FileStatus.READY,
        content=PDF,
        finished_at=now,
    )
    share_token = f"doctor-link-{tag}"
    share_link = ReportShare.objects.create(
        report=report,
        recipient_email=f"doctor.{tag.lower()}@example.org",
        token_digest=hashlib.sha256(share_token.encode()).hexdigest(),
        code_digest=hashlib.sha256(b"ABCD2345").hexdigest(),
        expires_at=now + timedelta(days=14),
    )
    missed = place_appointment(
        patient=patient,
        therapist=therapist,
        session=session,
        location=location,
        start=now - timedelta(days=2, hours=hour - 8),
        status=AppointmentStatus.NO_SHOW,
    )
    invoice, payment, fee = _money(tag, clinic, patient, admin, past, missed)
    own_exercise = Exercise.objects.create(
        clinic=clinic,
        slug="glute-bridge",
        name=f"Glute bridge {tag}",
        how_to="Lie on your back, knees bent.\nLift your hips.",
        created_by=admin,
    )
    export = DataExport.objects.create(
        patient=patient,
        status=FileStatus.READY,
        content=b"PK\x05\x06" + b"\x00" * 18,
        finished_at=now,
    )
    exercise = Exercise.objects.create(
        clinic=clinic, slug=f"proof-tilt-{tag.lower()}", name=f"Pelvic tilt {tag}"
    )
    plan = exercise_plans.write_plan(
        therapist=user,
        patient=patient,
        items=[exercise_plans.ItemInput(exercise.pk, repetitions=10)],
        start_date=timezone.localdate() - timedelta(days=14),
        review_date=None,
        note=secrets["exercise_note"],
        appointment_id=past.pk,
    ).plan
    own_plan = exercise_plans.enter_own_plan(
        patient=patient,
        prescriber=f"Physio {tag}",
        items=[
            exercise_plans.ItemInput(
                None, repetitions=8, own_name=secrets["own_exercise"], own_how_to="Stand tall."
            )
        ],
        start_date=timezone.localdate() - timedelta(days=7),
        review_date=None,
    ).plan
    webhook, _ = webhooks.register_endpoint(
        clinic=clinic,
        url=f"https://hooks.example.org/{tag.lower()}",
        events=["appointment.booked", "note.signed"],
        by=admin,
    )
    webhook_delivery = webhooks.ping(endpoint=webhook)
    return Side(
        clinic=clinic,
        therapist=therapist,
        session=session,
        admin=admin,
        patient=patient,
        intake=intake,
        share=share,
        past=past,
        future=future,
        deposit=deposit,
        offer=offer,
        entry=entry,
        review=review,
        pending_credential=pending,
        feed=feed,
        token_id=token.pk,
        token=raw,
        report=report,
        share_link=share_link,
        share_token=share_token,
        export=export,
        diary=diary,
        amendment=amendment,
        invoice=invoice,
        payment=payment,
        fee=fee,
        device=device,
        exercise=exercise,
        plan=plan,
        plan_day=timezone.localdate().isoformat(),
        own_plan=own_plan,
        own_exercise=own_exercise,
        webhook=webhook,
        webhook_delivery=webhook_delivery,
        import_run=_import_run(clinic, admin, tag),
    )


def _import_run(clinic: Clinic, admin: User, tag: str) -> Any:
    data = f"Patient ID,First Name,Last Name,Email\n{tag}-1,Imported,Person,imp-{tag}@example.org\n"
    return start_run(
        user=admin,
        clinic=clinic,
        source="cliniko",
        kind="patients",
        file_name="p.csv",
        data=data.encode(),
    )


def build_world() -> World:
    return World(
        a=_side("A", SECRETS["patient"], hour=10),
        b=_side("B", SECRETS["other_patient"], hour=14),
        site_admin=SiteAdminFactory(),
    )
