"""Mail about sessions, sent by tasks (Django's Tasks API) so that a slow mail server never slows
a booking: the confirmation with an `.ics` of the session, change notices, a reminder a day
before, waitlist offers, and "read the brief before the session" when a client's intake now
says to see a doctor first.

The reminder and the waitlist offer go by the channels the patient chose (email, text message,
notification) and wait out their quiet hours, through `reminders.services.delivery.deliver`,
which sends each at most once; confirmations, cancellations and moves stay mail only (each
carries the `.ics` that updates a calendar).

Each message is written in its recipient's language (``User.language``, under
``translation.override``): a task has no request to take a language from. Mail carries no
clinical detail (no triage, no notes): the therapist's name, the time in the
location's own time zone with the zone named, and the place. Each task loads the appointment
afresh and sends nothing when it no longer applies, because a task may run long after it was
queued (the reminder a day later, an offer after it was answered).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from sciaticare.core.display import clock, day
from sciaticare.core.names import one_line
from sciaticare.core.sql import fetch_rows, table
from sciaticare.core.time import parse_utc
from sciaticare.directory.models import Location
from sciaticare.intake import selectors as intake_selectors
from sciaticare.intake.models import Intake
from sciaticare.reminders import wording
from sciaticare.reminders.models import Kind
from sciaticare.reminders.services.delivery import DeliveryKey, deliver
from sciaticare.scheduling.models import (
    Appointment,
    AppointmentStatus,
    SlotOffer,
    policy_durations,
)
from sciaticare.scheduling.selectors.appointments import cancelled_by_patient
from sciaticare.scheduling.selectors.calendar_feeds import (
    AS_PATIENT,
    AS_THERAPIST,
    attachment_for,
    place_of,
)
from sciaticare.scheduling.selectors.calendars import local, policy_of
from sciaticare.scheduling.services import booking, changes, waitlist

REMINDER_BEFORE = timedelta(hours=24)
_RELATED = ("patient", "therapist__user", "location__clinic__booking_policy", "session_type")


# --- Wording ----------------------------------------------------------------------------------


def zone_label(moment: datetime, location: Location) -> str:
    """The location's zone named, with its abbreviation at that moment: "Europe/London time,
    BST" (in the language being answered in, as are the texts below)."""
    abbreviation = local(moment, location).tzname() or ""
    if abbreviation[:1] in "+-":  # zones without a letter abbreviation give "+0530"
        offset = local(moment, location).strftime("%z")
        abbreviation = f"UTC{offset[:3]}:{offset[3:]}"
    return gettext("%(zone)s time, %(abbreviation)s") % {
        "zone": location.time_zone,
        "abbreviation": abbreviation,
    }


def when_text(start: datetime, end: datetime, location: Location) -> str:
    """ "Wednesday 1 July 2026, 10:00–11:00 (Europe/London time, BST)"."""
    first, last = local(start, location), local(end, location)
    return gettext("%(day)s, %(start)s–%(end)s (%(zone)s)") % {
        "day": day(first, "full"),
        "start": clock(first),
        "end": clock(last),
        "zone": zone_label(start, location),
    }


def moment_text(moment: datetime, location: Location) -> str:
    """ "Wednesday 1 July 2026 at 14:30 (Europe/London time, BST)"."""
    at = local(moment, location)
    return gettext("%(day)s at %(time)s (%(zone)s)") % {
        "day": day(at, "full"),
        "time": clock(at),
        "zone": zone_label(moment, location),
    }


def _short(appointment: Appointment) -> str:
    """ "Wed 1 Jul, 10:00", for a subject."""
    at = local(appointment.start, appointment.location)
    return gettext("%(day)s, %(time)s") % {"day": day(at, "weekday"), "time": clock(at)}


def _url(name: str, *args: Any) -> str:
    return f"{settings.SITE_URL}{reverse(name, args=args)}"


def _context(appointment: Appointment) -> dict[str, Any]:
    window = policy_durations(policy_of(appointment.location))["cancellation_window"]
    return {
        "therapist": appointment.therapist.name,
        "client": appointment.patient.first_name or gettext("A client"),
        "patient_first_name": appointment.patient.first_name,
        "therapist_first_name": appointment.therapist.user.first_name,
        "when": when_text(appointment.start, appointment.end, appointment.location),
        "place": place_of(appointment),
        "session": appointment.session_type.name,
        "window_hours": int(window.total_seconds() // 3600),
        "manage_url": _url("scheduling:appointment", appointment.pk),
        "book_url": _url("scheduling:book", appointment.therapist_id),
        "appointments_url": _url("scheduling:appointments"),
        "site_url": settings.SITE_URL,
    }


def _intake_to_finish(appointment: Appointment) -> dict[str, Any]:
    """For the patient's mail: the parts of their intake still missing (booked first) and the
    page to add them, or nothing."""
    missing = intake_selectors.missing_parts(patient=appointment.patient)
    return {"missing": missing, "finish_url": _url("intake:finish")} if missing else {}


def _send(
    *, to: str, subject: str, template: str, context: dict[str, Any], ics: bytes | None = None
) -> int:
    """Send one mail; 1 when sent, 0 when there is nobody to send it to.

    A deleted account keeps its row under an address in the reserved ``.invalid`` domain
    (RFC 2606; accounts.services), which no mail server delivers to: nothing is sent there,
    e.g. the cancellation of the sessions that the deletion itself called off.
    """
    if not to or to.lower().endswith(".invalid"):
        return 0
    body = render_to_string(f"scheduling/email/{template}.txt", context)
    # Subjects carry names people typed: one line, whatever was stored before names were checked.
    message = EmailMessage(subject=one_line(subject), body=body, to=[to])
    if ics is not None:
        message.attach("session.ics", ics.decode(), "text/calendar")
    message.send()
    return 1


def _load(appointment_id: int) -> Appointment | None:
    return Appointment.objects.select_related(*_RELATED).filter(pk=appointment_id).first()


# --- Tasks --------------------------------------------------------------------------------


@task
def send_booking_confirmation(appointment_id: int) -> int:
    """The patient's confirmation with the session as an `.ics`, and a note to the therapist.
    Returns how many mails were sent."""
    appointment = _load(appointment_id)
    if appointment is None or appointment.status != AppointmentStatus.BOOKED:
        return 0
    now = timezone.now()
    with translation.override(appointment.patient.language):
        context = {**_context(appointment), **_intake_to_finish(appointment)}
        sent = _send(
            to=appointment.patient.email,
            subject=gettext("Booked: massage with %(therapist)s on %(when)s")
            % {"therapist": context["therapist"], "when": _short(appointment)},
            template="booked_patient",
            context=context,
            ics=attachment_for([(appointment, False)], AS_PATIENT, now=now),
        )
    with translation.override(appointment.therapist.user.language):
        context = _context(appointment)
        sent += _send(
            to=appointment.therapist.user.email,
            subject=gettext("New booking: %(client)s on %(when)s")
            % {"client": context["client"], "when": _short(appointment)},
            template="booked_therapist",
            context=context,
            ics=attachment_for([(appointment, False)], AS_THERAPIST, now=now),
        )
    return sent


@task
def send_cancellation_notice(appointment_id: int) -> int:
    """Both parties learn a session is off, who called it off, and whether it was late."""
    appointment = _load(appointment_id)
    if appointment is None or appointment.status != AppointmentStatus.CANCELLED:
        return 0
    by_patient = cancelled_by_patient(appointment)
    now = timezone.now()
    with translation.override(appointment.patient.language):
        context = {
            **_context(appointment),
            "by_patient": by_patient,
            "late": appointment.late_cancellation,
        }
        sent = _send(
            to=appointment.patient.email,
            subject=gettext("Cancelled: massage with %(therapist)s on %(when)s")
            % {"therapist": context["therapist"], "when": _short(appointment)},
            template="cancelled_patient",
            context=context,
            ics=attachment_for([(appointment, True)], AS_PATIENT, now=now),
        )
    with translation.override(appointment.therapist.user.language):
        context = {
            **_context(appointment),
            "by_patient": by_patient,
            "late": appointment.late_cancellation,
        }
        sent += _send(
            to=appointment.therapist.user.email,
            subject=gettext("Cancelled: session with %(client)s on %(when)s")
            % {"client": context["client"], "when": _short(appointment)},
            template="cancelled_therapist",
            context=context,
            ics=attachment_for([(appointment, True)], AS_THERAPIST, now=now),
        )
    return sent


@task
def send_reschedule_notice(appointment_id: int) -> int:
    """Both parties learn the new time (and the old one); the `.ics` moves the calendar entry."""
    new = _load(appointment_id)
    if new is None or new.status != AppointmentStatus.BOOKED or new.rescheduled_from_id is None:
        return 0
    old = _load(new.rescheduled_from_id)
    if old is None:
        return 0
    now = timezone.now()
    both = [(old, True), (new, False)]
    with translation.override(new.patient.language):
        context = {**_context(new), "was": when_text(old.start, old.end, old.location)}
        sent = _send(
            to=new.patient.email,
            subject=gettext("Moved: massage with %(therapist)s to %(when)s")
            % {"therapist": context["therapist"], "when": _short(new)},
            template="moved_patient",
            context=context,
            ics=attachment_for(both, AS_PATIENT, now=now),
        )
    with translation.override(new.therapist.user.language):
        context = {**_context(new), "was": when_text(old.start, old.end, old.location)}
        sent += _send(
            to=new.therapist.user.email,
            subject=gettext("Moved: session with %(client)s to %(when)s")
            % {"client": context["client"], "when": _short(new)},
            template="moved_therapist",
            context=context,
            ics=attachment_for(both, AS_THERAPIST, now=now),
        )
    return sent


def _again(task_function: Any, when: datetime, *args: Any) -> None:
    """Run a reminder's task again once the person's quiet hours end (it checks afresh that the
    reminder still applies), where the task backend can defer work."""
    if task_function.get_backend().supports_defer:
        task_function.using(run_after=when).enqueue(*args)


def reminder_message(appointment: Appointment) -> wording.Message:
    """The reminder a day before; a patient who booked first and has not finished the intake
    is asked to, and a text or notification opens that page (the session's is in the mail)."""
    context = {**_context(appointment), **_intake_to_finish(appointment)}
    return wording.Message(
        subject=gettext("Reminder: massage with %(therapist)s on %(when)s")
        % {"therapist": context["therapist"], "when": _short(appointment)},
        body=render_to_string("scheduling/email/reminder.txt", context),
        text=wording.appointment_text(
            therapist=context["therapist"],
            start=local(appointment.start, appointment.location),
            zone=appointment.location.time_zone,
            intake_to_finish=bool(context.get("missing")),
        ),
        url=context.get("finish_url") or context["manage_url"],
    )


@task
def send_reminder(appointment_id: int, start: str) -> int:
    """The patient's reminder, queued at booking for a day before `start` (ISO 8601), by the
    channels they chose (the reminders app); returns how many channels it went by. Sends
    nothing unless the appointment is still booked at that very start; in the patient's quiet
    hours it runs again when they end."""
    appointment = _load(appointment_id)
    if (
        appointment is None
        or appointment.status != AppointmentStatus.BOOKED
        or appointment.start != datetime.fromisoformat(start)
        or appointment.start <= timezone.now()
    ):
        return 0
    outcome = deliver(
        user=appointment.patient,
        kind=Kind.APPOINTMENT,
        key=DeliveryKey(f"appointment:{appointment.pk}", appointment.start.isoformat()),
        compose=lambda: reminder_message(appointment),
        expires_at=appointment.start,
    )
    if outcome.held_until is not None:
        _again(send_reminder, outcome.held_until, appointment_id, start)
    return outcome.count


def _offer(offer: SlotOffer) -> wording.Message:
    appointment = offer.appointment
    context = {
        **_context(appointment),
        "until": moment_text(offer.expires_at, appointment.location),
        "offer_url": _url("scheduling:offer", offer.pk),
    }
    return wording.Message(
        subject=gettext("A time has opened with %(therapist)s: %(when)s")
        % {"therapist": context["therapist"], "when": _short(appointment)},
        body=render_to_string("scheduling/email/offer.txt", context),
        text=wording.offer_text(
            therapist=context["therapist"],
            start=local(appointment.start, appointment.location),
            until=local(offer.expires_at, appointment.location),
            zone=appointment.location.time_zone,
        ),
        url=context["offer_url"],
    )


@task
def send_waitlist_offer(offer_id: int) -> int:
    """Tell the first in line that a slot is held for them, and until when, by the channels
    they chose; returns how many channels it went by. In their quiet hours the mail goes at
    once and a text or notification waits for the morning if the offer is still open then
    (reminders/quiet.py)."""
    offer = (
        SlotOffer.objects.select_related(*(f"appointment__{name}" for name in _RELATED))
        .filter(pk=offer_id)
        .first()
    )
    if offer is None or offer.accepted_at is not None or offer.expires_at <= timezone.now():
        return 0
    appointment = offer.appointment
    if appointment.status != AppointmentStatus.HELD:
        return 0
    outcome = deliver(
        user=appointment.patient,
        kind=Kind.WAITLIST_OFFER,
        key=DeliveryKey(f"offer:{offer.pk}", appointment.start.isoformat()),
        compose=lambda: _offer(offer),
        expires_at=offer.expires_at,
    )
    if outcome.held_until is not None:
        _again(send_waitlist_offer, outcome.held_until, offer_id)
    return outcome.count


def schedule_reminder(appointment_id: int, *, now: datetime | None = None) -> bool:
    """Queue the reminder for a day before the session, when the task backend can defer work
    (the database backend can; the immediate one cannot, and would send it at once). A session
    less than a day away gets none: its confirmation has just said when it is."""
    backend = send_reminder.get_backend()
    if not backend.supports_defer:
        return False
    found = fetch_rows(_START_AND_STATUS_SQL, [appointment_id])  # after each booking: plain SQL
    if not found or found[0][1] != AppointmentStatus.BOOKED:
        return False
    start = parse_utc(found[0][0])
    run_after = start - REMINDER_BEFORE
    if run_after <= (now or timezone.now()):
        return False
    send_reminder.using(run_after=run_after).enqueue(appointment_id, start.isoformat())
    return True


_START_AND_STATUS_SQL = f"""
SELECT CAST(start AS TEXT), status FROM {table(Appointment)} WHERE id = %s
"""  # noqa: S608 - the table name from the model; the value goes as a parameter


@task
def send_do_not_treat_notice(intake_id: int) -> int:
    """A patient with upcoming booked sessions got an emergency or urgent intake: each of their
    therapists is asked not to treat before a doctor has seen them and to read the brief.
    No clinical detail (no level, no reasons): the brief, behind sign-in, holds it. Sends
    nothing when a newer intake has replaced this one by the time the task runs."""
    intake = Intake.objects.select_related("patient").filter(pk=intake_id).first()
    if intake is None:
        return 0
    latest = Intake.objects.filter(patient=intake.patient, episode__closed_at__isnull=True).first()
    if latest is None or latest.pk != intake.pk:
        return 0
    upcoming = (
        Appointment.objects.filter(
            patient=intake.patient, status=AppointmentStatus.BOOKED, start__gt=timezone.now()
        )
        .select_related(*_RELATED)
        .order_by("start")
    )
    first_per_therapist: dict[int, Appointment] = {}
    for appointment in upcoming:
        first_per_therapist.setdefault(appointment.therapist_id, appointment)
    sent = 0
    for appointment in first_per_therapist.values():
        with translation.override(appointment.therapist.user.language):
            context = {
                **_context(appointment),
                "brief_url": _url("intake:brief", appointment.patient_id),
            }
            sent += _send(
                to=appointment.therapist.user.email,
                subject=gettext("Please read %(client)s's brief before your session")
                % {"client": context["client"]},
                template="do_not_treat_therapist",
                context=context,
            )
    return sent


# --- Hooks: called after the booking transaction commits ---------------------------------------


def mail_booked(appointment_id: int) -> None:
    send_booking_confirmation.enqueue(appointment_id)
    schedule_reminder(appointment_id)


def mail_cancelled(appointment_id: int) -> None:
    send_cancellation_notice.enqueue(appointment_id)


def mail_rescheduled(appointment_id: int) -> None:
    send_reschedule_notice.enqueue(appointment_id)
    # The old appointment's reminder finds it moved and sends nothing; the new one gets its own.
    schedule_reminder(appointment_id)


def mail_offer(offer_id: int) -> None:
    send_waitlist_offer.enqueue(offer_id)


def mail_do_not_treat(intake_id: int) -> None:
    send_do_not_treat_notice.enqueue(intake_id)


def connect() -> None:
    """Register the mail hooks with the services (from SchedulingConfig.ready; idempotent)."""
    from sciaticare.intake import services as intake_services

    for hooks, hook in (
        (intake_services.on_blocking_result, mail_do_not_treat),
        (booking.on_booked, mail_booked),
        (changes.on_cancelled, mail_cancelled),
        (changes.on_rescheduled, mail_rescheduled),
        (waitlist.on_offered, mail_offer),
    ):
        if hook not in hooks:
            hooks.append(hook)
