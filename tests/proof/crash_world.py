"""The database side of the crash test (test_crash.py), run in a subprocess with Django set up
on the crash test's own database: ``python -m tests.proof.crash_world prepare|state``.

``prepare`` migrates and writes the world: therapists working 07:00–21:00 every day and
patients with an ok intake and an API token each (bench/booking_contention.py's world), plus,
for the note-signing clients, each therapist enrolled in TOTP (staff MFA stays required, as in
production) with an API token and a run of booked appointments on past days whose notes are
still to be written. It prints the world as JSON.

``state`` prints, as JSON, what the database holds afterwards: the appointments of those
therapists with their history and audit rows, the pain entries of the patients, and every
session note with its content, its signature and whether its seal still matches. The test
compares that with what the clients were told.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

# Enough that a fast machine does not run out before the last restart (about 70 notes a
# therapist were signed in a run at load 7).
NOTE_APPOINTMENTS_PER_THERAPIST = 300


def prepare(therapists: int, patients: int, note_therapists: int) -> dict[str, Any]:
    from bench.booking_contention import write_world

    world = write_world(therapists, patients)
    world["patients"] = patient_ids_in_order(patients)
    enrol_therapists(world["therapists"], world["patients"], note_therapists)
    return world


def patient_ids_in_order(patients: int) -> list[int]:
    """The ids of write_world's patients, in the order of their tokens."""
    from sciaticare.accounts.models import User

    emails = [f"patient{i}@bench.invalid" for i in range(patients)]
    ids = dict(User.objects.filter(email__in=emails).values_list("email", "pk"))
    return [ids[email] for email in emails]


def enrol_therapists(
    entries: list[dict[str, Any]], patients: list[int], note_therapists: int, *, hour: int = 10
) -> None:
    """Each of write_world's therapists (`entries`) enrolled in TOTP with an API token; the first
    `note_therapists` also get a run of booked sessions on past days at `hour` UTC with notes
    still to be written (`past_appointments`), for `patients` in turn. bench/outage.py enrols
    its own, at an hour the demo's patients have no session."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.db import transaction

    from sciaticare.accounts.services import create_api_token
    from sciaticare.directory.models import SessionType, TherapistProfile
    from sciaticare.scheduling.models import Appointment, AppointmentStatus

    with transaction.atomic():
        # Past sessions, one a day, so the notes can be signed (a note is signed once its
        # session has begun) and none overlaps another.
        today = datetime.now(UTC).replace(hour=hour, minute=0, second=0, microsecond=0)
        for n, entry in enumerate(entries):
            profile = TherapistProfile.objects.select_related("user").get(pk=entry["id"])
            TOTP.activate(profile.user, generate_totp_secret())
            entry["user"] = profile.user_id
            entry["token"] = create_api_token(user=profile.user, name="crash")[1]
            entry["past_appointments"] = []
            if n >= note_therapists:
                continue
            session = SessionType.objects.get(pk=entry["service"])
            location = profile.locations.get()
            made = Appointment.objects.bulk_create(
                Appointment(
                    patient_id=patients[(n + day) % len(patients)],
                    therapist=profile,
                    location=location,
                    session_type=session,
                    start=today - timedelta(days=day),
                    end=today - timedelta(days=day) + timedelta(minutes=session.minutes),
                    busy_until=today - timedelta(days=day) + timedelta(minutes=session.minutes),
                    status=AppointmentStatus.BOOKED,
                )
                for day in range(1, NOTE_APPOINTMENTS_PER_THERAPIST + 1)
            )
            entry["past_appointments"] = [a.pk for a in made]


def state(therapist_ids: list[int], patient_ids: list[int]) -> dict[str, Any]:
    from sciaticare.audit.models import AuditEvent
    from sciaticare.outcomes.models import PainEntry
    from sciaticare.records.models import SessionNote
    from sciaticare.scheduling.models import Appointment, AppointmentChange

    appointments = list(
        Appointment.objects.filter(therapist_id__in=therapist_ids).values(
            "id", "patient_id", "therapist_id", "start", "status"
        )
    )
    changes: dict[int, list[str]] = {}
    for appointment_id, kind in AppointmentChange.objects.filter(
        appointment__therapist_id__in=therapist_ids
    ).values_list("appointment_id", "kind"):
        changes.setdefault(appointment_id, []).append(kind)
    audited: dict[str, list[str]] = {}
    for action, object_id in AuditEvent.objects.filter(
        action__in=["appointment.booked", "note.sign", "diary.create", "diary.update"]
    ).values_list("action", "object_id"):
        audited.setdefault(action, []).append(object_id)
    notes = []
    for note in SessionNote.objects.filter(therapist_id__in=therapist_ids):
        notes.append(
            {
                "id": note.pk,
                "appointment": note.appointment_id,
                "subjective": note.subjective,
                "objective": note.objective,
                "assessment": note.assessment,
                "plan": note.plan,
                "minutes": note.minutes,
                "back_pain_before": note.back_pain_before,
                "back_pain_after": note.back_pain_after,
                "signed_at": note.signed_at.timestamp() if note.signed_at else None,
                "signed_by": note.signed_by_id,
                "seal": note.seal,
                "seal_intact": note.is_seal_intact if note.signed_at else None,
            }
        )
    return {
        "appointments": [
            {**a, "start": a["start"].timestamp(), "changes": changes.get(a["id"], [])}
            for a in appointments
        ],
        "audited": audited,
        "entries": [
            {**e, "day": e["day"].isoformat()}
            for e in PainEntry.objects.filter(patient_id__in=patient_ids).values(
                "id", "patient_id", "day", "back_pain", "leg_pain", "note"
            )
        ],
        "notes": notes,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("command", choices=["prepare", "state"])
    parser.add_argument("--therapists", type=int, default=4)
    parser.add_argument("--patients", type=int, default=24)
    parser.add_argument("--note-therapists", type=int, default=2)
    parser.add_argument(
        "--ids", default="{}", help="state: JSON {therapists: [...], patients: [...]}"
    )
    args = parser.parse_args(argv)
    import django

    django.setup()
    if args.command == "prepare":
        print(json.dumps(prepare(args.therapists, args.patients, args.note_therapists)))
    else:
        ids = json.loads(args.ids)
        print(json.dumps(state(ids["therapists"], ids["patients"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
