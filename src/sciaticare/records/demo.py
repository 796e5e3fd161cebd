"""Demo session notes for `seed_demo`: signed notes for past sessions (the demo therapist's all,
others' in part), a few amendments, and a few overdue drafts."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from sciaticare.accounts.models import User
from sciaticare.records.models import BUILT_IN_HOME_CARE, Amendment, SessionNote
from sciaticare.records.seal import note_seal
from sciaticare.scheduling.models import Appointment, AppointmentStatus

REGION_SETS = [
    ["right_lower_back", "right_buttock", "right_back_of_thigh"],
    ["left_lower_back", "left_buttock"],
    ["right_buttock", "right_calf"],
    ["left_lower_back", "left_side_of_thigh"],
]
TECHNIQUES = [
    ["swedish", "myofascial_release"],
    ["trigger_point", "swedish"],
    ["swedish"],
    ["neuromuscular"],
]
HOME_CARE = [BUILT_IN_HOME_CARE[0], BUILT_IN_HOME_CARE[1], BUILT_IN_HOME_CARE[3]]


def seed(accounts: dict[str, User]) -> None:
    if SessionNote.objects.exists():
        return
    rng = random.Random(7)
    now = timezone.now()
    demo_therapist = accounts["therapist@example.com"]
    done = Appointment.objects.filter(
        status=AppointmentStatus.COMPLETED, end__lt=now
    ).select_related("therapist")
    demo = list(done.filter(therapist__user=demo_therapist).order_by("start"))
    others = list(done.exclude(therapist__user=demo_therapist).order_by("id")[:3000])
    notes: list[SessionNote] = []
    overdue_left = 2
    for index, appointment in enumerate([*demo, *others]):
        is_demo = appointment.therapist.user_id == demo_therapist.pk
        before = rng.randint(5, 8) if index > 3 or not is_demo else rng.randint(6, 8)
        after = max(before - rng.randint(1, 4), 0)
        recent = appointment.end > now - timedelta(days=14)
        sign = not (
            is_demo and recent and overdue_left > 0 and appointment.end < now - timedelta(hours=72)
        )
        if not sign:
            overdue_left -= 1
        regions = rng.choice(REGION_SETS)
        note = SessionNote(
            appointment=appointment,
            therapist_id=appointment.therapist_id,
            patient_id=appointment.patient_id,
            subjective="Reports leg pain worse after sitting at work; sleeping better since last session.",
            objective="Hypertonic gluteals and piriformis on the painful side; lumbar flexion limited by 30%.",
            assessment="Responding to soft-tissue work; leg symptoms settling.",
            plan="Continue weekly; progress walking; review at six sessions.",
            regions=regions,
            techniques=rng.choice(TECHNIQUES),
            pressure=rng.choice(["light", "moderate"]),
            minutes=55,
            back_pain_before=before,
            back_pain_after=after,
            leg_pain_before=min(before + 1, 10),
            leg_pain_after=max(after, 0),
            home_care=rng.sample(HOME_CARE, 2),
            created_at=appointment.end,
            updated_at=appointment.end + timedelta(hours=2),
            signed_at=appointment.end + timedelta(hours=2) if sign else None,
            signed_by_id=appointment.therapist.user_id if sign else None,
        )
        if sign:
            note.seal = note_seal(note.sealed_values())
        notes.append(note)
    created = SessionNote.objects.bulk_create(notes, batch_size=1000)
    signed_demo = [
        n for n in created if n.appointment.therapist.user_id == demo_therapist.pk and n.signed_at
    ][:3]
    Amendment.objects.bulk_create(
        [
            Amendment(
                note=note,
                reason="Side recorded wrongly",
                text="Treated the left buttock, not the right, as the client's pain had moved.",
                author=demo_therapist,
                created_at=(note.signed_at or now) + timedelta(days=1),
            )
            for note in signed_demo
        ]
    )
