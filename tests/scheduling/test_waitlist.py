"""The waitlist: a freed slot is held for the first in line, then the next; accepting books it,
a held slot is nobody else's, and every page is the patient's own."""

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from sciaticare.audit.models import AuditEvent
from sciaticare.core.errors import Conflict, Invalid, NotFound, Refused
from sciaticare.intake.models import Intake
from sciaticare.scheduling.models import (
    Appointment,
    AppointmentStatus,
    SlotOffer,
    WaitlistEntry,
    WaitlistStatus,
)
from sciaticare.scheduling.selectors.appointments import appointments_of
from sciaticare.scheduling.selectors.bookable import free_slots
from sciaticare.scheduling.selectors.calendars import load_calendars
from sciaticare.scheduling.services import booking, changes, waitlist
from tests.factories import PatientFactory, TherapistFactory
from tests.intake.factories import make_intake
from tests.scheduling.helpers import at, bookable_patient, make_plan, working_therapist

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(smtp, django_capture_on_commit_callbacks):
    """Ada works every day; the canceller has a session in three days; two people wait for
    her, first and second in line, for the next week."""
    therapist, session, location = working_therapist(first_name="Ada", last_name="Byrne")
    canceller = bookable_patient(first_name="Cas")
    first, second = bookable_patient(first_name="Fay"), bookable_patient(first_name="Sid")
    today = timezone.localdate()
    for person in (first, second):
        waitlist.join_waitlist(
            patient=person,
            therapist_id=therapist.pk,
            earliest=today,
            latest=today + timedelta(days=7),
        )
    with django_capture_on_commit_callbacks(execute=True):
        appointment = booking.book_appointment(
            patient=canceller, therapist_id=therapist.pk, start=at(3, 10)
        )
    smtp.messages.clear()
    return {
        "therapist": therapist,
        "session": session,
        "location": location,
        "canceller": canceller,
        "first": first,
        "second": second,
        "appointment": appointment,
        "smtp": smtp,
        "capture": django_capture_on_commit_callbacks,
    }


def _cancel(world):
    with world["capture"](execute=True):
        changes.cancel_appointment(user=world["canceller"], appointment_id=world["appointment"].pk)


def _offer_to(patient) -> SlotOffer:
    return SlotOffer.objects.select_related("appointment", "entry").get(entry__patient=patient)


def _entry(patient) -> WaitlistEntry:
    return WaitlistEntry.objects.get(patient=patient)


# --- Offers ----------------------------------------------------------------------------------


def test_a_freed_slot_is_held_for_the_first_in_line_and_mailed(world):
    _cancel(world)

    offer = _offer_to(world["first"])
    held = offer.appointment
    assert held.status == AppointmentStatus.HELD
    assert held.start == world["appointment"].start
    assert held.session_type == world["appointment"].session_type
    assert held.location == world["appointment"].location
    assert offer.expires_at == held.hold_expires_at
    assert timedelta(minutes=119) < offer.expires_at - offer.offered_at <= timedelta(minutes=120)
    assert _entry(world["first"]).status == WaitlistStatus.OFFERED
    assert _entry(world["second"]).status == WaitlistStatus.WAITING
    (mail,) = world["smtp"].to(world["first"].email)
    assert mail["Subject"].startswith("A time has opened with Ada Byrne: ")
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert reverse("scheduling:offer", args=[offer.pk]) in body
    assert "It is held until " in body
    assert "(Europe/London time, " in body
    assert world["smtp"].to(world["second"].email) == []
    assert list(held.changes.values_list("kind", flat=True)) == ["held"]
    assert AuditEvent.objects.filter(action="waitlist.offered", patient=world["first"]).exists()


def test_the_canceller_is_skipped_even_when_first_in_line(world):
    today = timezone.localdate()
    WaitlistEntry.objects.create(
        patient=world["canceller"],
        therapist=world["therapist"],
        earliest=today,
        latest=today + timedelta(days=7),
        created_at=timezone.now() - timedelta(days=30),
    )

    _cancel(world)

    assert _entry(world["first"]).status == WaitlistStatus.OFFERED
    assert _entry(world["canceller"]).status == WaitlistStatus.WAITING


def test_an_entry_whose_dates_miss_the_slot_is_passed_over(world):
    WaitlistEntry.objects.filter(patient=world["first"]).update(
        latest=timezone.localdate() + timedelta(days=1)
    )

    _cancel(world)

    assert _entry(world["first"]).status == WaitlistStatus.WAITING
    assert _offer_to(world["second"]).appointment.status == AppointmentStatus.HELD


def test_a_flare_up_plan_entry_matches_any_therapist_in_the_plan(world):
    WaitlistEntry.objects.filter(patient__in=[world["first"], world["second"]]).delete()
    other, _, _ = working_therapist()
    planner, outsider = bookable_patient(), bookable_patient()
    make_plan(outsider, other)
    make_plan(planner, other, world["therapist"])
    today = timezone.localdate()
    waitlist.join_waitlist(
        patient=outsider, therapist_id=None, earliest=today, latest=today + timedelta(days=7)
    )
    waitlist.join_waitlist(
        patient=planner, therapist_id=None, earliest=today, latest=today + timedelta(days=7)
    )

    _cancel(world)

    assert _entry(outsider).status == WaitlistStatus.WAITING
    assert _offer_to(planner).appointment.therapist == world["therapist"]


def test_with_nobody_waiting_the_slot_is_simply_free(world):
    WaitlistEntry.objects.all().delete()

    _cancel(world)

    assert not SlotOffer.objects.exists()
    assert not Appointment.objects.filter(status=AppointmentStatus.HELD).exists()


def test_a_patient_the_triage_gate_stops_is_not_offered_a_slot(world):
    make_intake(world["first"], yes={"fever": True})

    _cancel(world)

    assert _entry(world["first"]).status == WaitlistStatus.WAITING
    assert _entry(world["second"]).status == WaitlistStatus.OFFERED


def test_a_held_slot_cannot_be_booked_by_someone_else(world, client):
    _cancel(world)
    intruder = bookable_patient()

    with pytest.raises(Conflict):
        booking.book_appointment(
            patient=intruder, therapist_id=world["therapist"].pk, start=world["appointment"].start
        )

    client.force_login(intruder)
    response = client.post(
        "/api/v1/appointments",
        json.dumps(
            {"therapist": world["therapist"].pk, "start": world["appointment"].start.isoformat()}
        ),
        content_type="application/json",
    )
    assert response.status_code == 409


def test_a_held_slot_is_not_offered_as_free(world):
    _cancel(world)
    start = world["appointment"].start
    calendar = load_calendars(
        [world["therapist"].pk], start=start - timedelta(hours=1), end=start + timedelta(hours=2)
    )

    free = free_slots(
        calendar[world["therapist"].pk],
        world["session"],
        start=start - timedelta(hours=1),
        end=start + timedelta(hours=2),
        now=timezone.now(),
    )

    assert start not in [slot.start for slot in free]


# --- Accepting and declining ----------------------------------------------------------------


def test_accepting_within_the_hold_books_the_slot(world):
    _cancel(world)
    offer = _offer_to(world["first"])
    world["smtp"].messages.clear()

    with world["capture"](execute=True):
        booked = waitlist.accept_offer(patient=world["first"], offer_id=offer.pk)

    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.BOOKED
    assert booked.hold_expires_at is None
    assert _entry(world["first"]).status == WaitlistStatus.BOOKED
    assert SlotOffer.objects.get(pk=offer.pk).accepted_at is not None
    assert list(booked.changes.values_list("kind", flat=True)) == ["held", "booked"]
    assert booked.changes.get(kind="booked").by == world["first"]
    assert (
        world["smtp"].subjects(world["first"].email)[0].startswith("Booked: massage with Ada Byrne")
    )
    assert booked in appointments_of(user=world["first"])


def test_accepting_after_the_hold_ran_out_is_refused(world):
    _cancel(world)
    offer = _offer_to(world["first"])

    with pytest.raises(Refused) as refused:
        waitlist.accept_offer(
            patient=world["first"], offer_id=offer.pk, now=offer.expires_at + timedelta(seconds=1)
        )

    assert refused.value.code == "offer_expired"
    assert Appointment.objects.get(pk=offer.appointment_id).status == AppointmentStatus.HELD


def test_someone_else_cannot_accept_or_decline_an_offer(world):
    _cancel(world)
    offer = _offer_to(world["first"])

    with pytest.raises(NotFound):
        waitlist.accept_offer(patient=world["second"], offer_id=offer.pk)
    with pytest.raises(NotFound):
        waitlist.decline_offer(patient=world["second"], offer_id=offer.pk)


def test_declining_passes_the_slot_to_the_next_and_keeps_the_decliner_waiting(world):
    _cancel(world)
    offer = _offer_to(world["first"])

    with world["capture"](execute=True):
        waitlist.decline_offer(patient=world["first"], offer_id=offer.pk)

    assert Appointment.objects.get(pk=offer.appointment_id).status == AppointmentStatus.EXPIRED
    assert _entry(world["first"]).status == WaitlistStatus.WAITING
    assert _offer_to(world["second"]).appointment.status == AppointmentStatus.HELD
    assert len(world["smtp"].to(world["second"].email)) == 1


def test_leaving_the_waitlist_with_a_held_slot_passes_it_on(world):
    _cancel(world)

    with world["capture"](execute=True):
        waitlist.leave_waitlist(patient=world["first"], entry_id=_entry(world["first"]).pk)

    assert _entry(world["first"]).status == WaitlistStatus.CANCELLED
    assert _offer_to(world["second"]).appointment.status == AppointmentStatus.HELD


# --- Expiry ----------------------------------------------------------------------------------


def test_an_expired_hold_goes_to_the_next_in_line(world):
    _cancel(world)
    first_offer = _offer_to(world["first"])
    later = first_offer.expires_at + timedelta(seconds=1)

    with world["capture"](execute=True):
        assert waitlist.expire_offers(now=later) == 1

    held = Appointment.objects.get(pk=first_offer.appointment_id)
    assert held.status == AppointmentStatus.EXPIRED
    assert list(held.changes.values_list("kind", flat=True)) == ["held", "offer_expired"]
    assert _entry(world["first"]).status == WaitlistStatus.WAITING
    second_offer = _offer_to(world["second"])
    assert second_offer.appointment.start == world["appointment"].start
    assert second_offer.expires_at > later
    assert len(world["smtp"].to(world["second"].email)) == 1
    # The first in line is not offered the same time again.
    assert SlotOffer.objects.filter(entry__patient=world["first"]).count() == 1


def test_when_everyone_let_it_go_the_slot_is_free_again(world):
    _cancel(world)
    for person in ("first", "second"):
        offer = _offer_to(world[person])
        with world["capture"](execute=True):
            waitlist.expire_offers(now=offer.expires_at + timedelta(seconds=1))

    assert not Appointment.objects.filter(status=AppointmentStatus.HELD).exists()
    other = bookable_patient()
    assert booking.book_appointment(
        patient=other, therapist_id=world["therapist"].pk, start=world["appointment"].start
    )


def test_accepting_after_expiry_has_run_is_refused(world):
    _cancel(world)
    offer = _offer_to(world["first"])
    with world["capture"](execute=True):
        waitlist.expire_offers(now=offer.expires_at + timedelta(seconds=1))

    with pytest.raises(Refused):
        waitlist.accept_offer(patient=world["first"], offer_id=offer.pk)


def test_a_hold_never_outlasts_the_clinics_minimum_notice(world):
    WaitlistEntry.objects.update(status=WaitlistStatus.CANCELLED)
    _cancel(world)
    WaitlistEntry.objects.update(status=WaitlistStatus.WAITING)
    start = world["appointment"].start

    # Freed 3 hours before the start: a 2-hour hold would end after booking closes (2 h notice).
    offer = waitlist.offer_freed_slot(
        appointment_id=world["appointment"].pk, now=start - timedelta(hours=3)
    )

    assert offer is not None
    assert offer.expires_at == start - timedelta(minutes=120)


def test_the_expire_offers_command_releases_due_holds(world):
    _cancel(world)
    SlotOffer.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    Appointment.objects.filter(status=AppointmentStatus.HELD).update(
        hold_expires_at=timezone.now() - timedelta(minutes=1)
    )

    with world["capture"](execute=True):
        call_command("expire_offers", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert _entry(world["first"]).status == WaitlistStatus.WAITING
    assert _entry(world["second"]).status == WaitlistStatus.OFFERED


# --- Joining -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("earliest", "latest", "code"),
    [(5, 2, "range_reversed"), (-10, -1, "range_past"), (0, 91, "range_too_long")],
)
def test_a_bad_date_range_is_refused(world, earliest, latest, code):
    today = timezone.localdate()
    with pytest.raises(Invalid) as refused:
        waitlist.join_waitlist(
            patient=bookable_patient(),
            therapist_id=world["therapist"].pk,
            earliest=today + timedelta(days=earliest),
            latest=today + timedelta(days=latest),
        )
    assert refused.value.code == code


def test_joining_twice_for_overlapping_dates_is_a_conflict(world):
    today = timezone.localdate()
    with pytest.raises(Conflict):
        waitlist.join_waitlist(
            patient=world["first"],
            therapist_id=world["therapist"].pk,
            earliest=today + timedelta(days=5),
            latest=today + timedelta(days=9),
        )


def test_joining_by_plan_needs_a_plan(world):
    today = timezone.localdate()
    with pytest.raises(Invalid) as refused:
        waitlist.join_waitlist(
            patient=bookable_patient(), therapist_id=None, earliest=today, latest=today
        )
    assert refused.value.code == "no_plan"


def test_joining_needs_the_triage_gate_open(world):
    today = timezone.localdate()
    with pytest.raises(Refused):
        waitlist.join_waitlist(
            patient=PatientFactory(),
            therapist_id=world["therapist"].pk,
            earliest=today,
            latest=today,
        )


def test_joining_is_audited(world):
    assert AuditEvent.objects.filter(action="waitlist.joined", patient=world["first"]).count() == 1


# --- Pages -------------------------------------------------------------------------------------


def test_the_offer_page_shows_the_time_in_the_locations_zone(world, client):
    _cancel(world)
    offer = _offer_to(world["first"])
    client.force_login(world["first"])

    body = client.get(reverse("scheduling:offer", args=[offer.pk])).content.decode()

    assert "A time has opened up with Ada Byrne" in body
    assert "10:00–11:00 (Europe/London time, " in body
    assert reverse("scheduling:offer_accept", args=[offer.pk]) in body


def test_accepting_on_the_page_books_and_shows_the_appointment(world, client):
    _cancel(world)
    offer = _offer_to(world["first"])
    client.force_login(world["first"])

    response = client.post(reverse("scheduling:offer_accept", args=[offer.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("scheduling:appointment", args=[offer.appointment_id])
    assert Appointment.objects.get(pk=offer.appointment_id).status == AppointmentStatus.BOOKED


def test_an_expired_offer_page_says_so_and_offers_no_button(world, client):
    _cancel(world)
    offer = _offer_to(world["first"])
    SlotOffer.objects.filter(pk=offer.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    client.force_login(world["first"])

    body = client.get(reverse("scheduling:offer", args=[offer.pk])).content.decode()

    assert "This offer has expired" in body
    assert reverse("scheduling:offer_accept", args=[offer.pk]) not in body


def test_joining_from_a_therapists_profile_link(world, client):
    patient = bookable_patient()
    client.force_login(patient)
    url = reverse("scheduling:waitlist_join") + f"?therapist={world['therapist'].pk}"
    today = timezone.localdate()

    assert "Waiting for Ada Byrne" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "scope": "therapist",
            "earliest": today.isoformat(),
            "latest": (today + timedelta(days=3)).isoformat(),
        },
    )

    assert response.status_code == 302
    assert WaitlistEntry.objects.get(patient=patient).therapist == world["therapist"]


def test_joining_by_flare_up_plan_on_the_page(world, client):
    patient = bookable_patient()
    make_plan(patient, world["therapist"])
    client.force_login(patient)
    today = timezone.localdate()

    response = client.post(
        reverse("scheduling:waitlist_join"),
        {"scope": "plan", "earliest": today.isoformat(), "latest": today.isoformat()},
    )

    assert response.status_code == 302
    assert WaitlistEntry.objects.get(patient=patient).therapist is None


def test_a_bad_range_on_the_page_is_shown_next_to_the_field(world, client):
    patient = bookable_patient()
    client.force_login(patient)
    today = timezone.localdate()
    url = reverse("scheduling:waitlist_join") + f"?therapist={world['therapist'].pk}"

    response = client.post(
        url,
        {
            "scope": "therapist",
            "earliest": today.isoformat(),
            "latest": (today - timedelta(days=2)).isoformat(),
        },
    )

    assert response.status_code == 422
    body = response.content.decode()
    assert "The last day must not be before the first." in body
    assert 'aria-invalid="true"' in body


def test_leaving_on_the_page_after_confirming(world, client):
    entry = _entry(world["first"])
    client.force_login(world["first"])
    url = reverse("scheduling:waitlist_leave", args=[entry.pk])

    assert "Leave this waitlist?" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert _entry(world["first"]).status == WaitlistStatus.CANCELLED


def test_the_waitlist_page_lists_entries_and_held_offers(
    world, client, django_assert_max_num_queries
):
    _cancel(world)
    client.force_login(world["first"])

    with django_assert_max_num_queries(12):
        body = client.get(reverse("scheduling:waitlist")).content.decode()

    assert "Times held for you" in body
    assert "Ada Byrne" in body


def _pages(world, offer):
    entry = _entry(world["first"])
    return {
        "waitlist": ("get", reverse("scheduling:waitlist")),
        "join": (
            "get",
            reverse("scheduling:waitlist_join") + f"?therapist={world['therapist'].pk}",
        ),
        "leave": ("get", reverse("scheduling:waitlist_leave", args=[entry.pk])),
        "leave_post": ("post", reverse("scheduling:waitlist_leave", args=[entry.pk])),
        "offer": ("get", reverse("scheduling:offer", args=[offer.pk])),
        "accept": ("post", reverse("scheduling:offer_accept", args=[offer.pk])),
        "decline": ("post", reverse("scheduling:offer_decline", args=[offer.pk])),
    }


MATRIX = {
    "waitlist": {"anonymous": 302, "owner": 200, "other_patient": 200, "therapist": 403},
    "join": {"anonymous": 302, "owner": 200, "therapist": 403},
    "leave": {"anonymous": 302, "owner": 200, "other_patient": 404, "therapist": 403},
    "leave_post": {"anonymous": 302, "other_patient": 404, "therapist": 403},
    "offer": {"anonymous": 302, "owner": 200, "other_patient": 404, "therapist": 403},
    "accept": {"anonymous": 302, "other_patient": 404, "therapist": 403},
    "decline": {"anonymous": 302, "other_patient": 404, "therapist": 403},
}
CASES = [(page, who, status) for page, row in MATRIX.items() for who, status in row.items()]


@pytest.mark.parametrize(("page", "who", "status"), CASES, ids=[f"{p}-{w}" for p, w, _ in CASES])
def test_waitlist_pages_authorization(world, client, page, who, status):
    _cancel(world)
    offer = _offer_to(world["first"])
    person = {
        "anonymous": None,
        "owner": world["first"],
        "other_patient": bookable_patient(),
        "therapist": TherapistFactory(),
    }[who]
    if person is not None:
        client.force_login(person)
    method, url = _pages(world, offer)[page]

    response = getattr(client, method)(url)

    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(reverse("account_login"))
    if status != 200:
        assert _entry(world["first"]).status == WaitlistStatus.OFFERED
        assert Appointment.objects.get(pk=offer.appointment_id).status == AppointmentStatus.HELD


def test_a_patient_booked_elsewhere_then_is_passed_over_for_the_next_in_line(world):
    """Issue 13, point 16: one session at a time per patient. The first in line has a session
    with another therapist at that very time: the offer goes to the second."""
    other, _, _ = working_therapist()
    booking.book_appointment(patient=world["first"], therapist_id=other.pk, start=at(3, 10))

    _cancel(world)

    assert _entry(world["first"]).status == WaitlistStatus.WAITING
    assert _entry(world["second"]).status == WaitlistStatus.OFFERED


def test_accepting_an_offer_on_an_old_intake_asks_the_red_flag_questions_first(world, client):
    """Issue 13, point 25: accepting an offer is a booking."""
    _cancel(world)
    offer = _offer_to(world["first"])
    Intake.objects.filter(patient=world["first"]).update(
        created_at=timezone.now() - timedelta(days=21)
    )

    with pytest.raises(Refused) as refused:
        waitlist.accept_offer(patient=world["first"], offer_id=offer.pk)
    assert refused.value.code == "red_flag_recheck_required"
    client.force_login(world["first"])
    answer = client.post(reverse("scheduling:offer_accept", args=[offer.pk]))
    assert answer["Location"].startswith(reverse("intake:recheck"))
    assert _entry(world["first"]).status == WaitlistStatus.OFFERED
