"""Demo intake history for `seed_demo`: the demo patient has two episodes, questionnaires
over time, and shares the current intake with the demo therapist."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from sciaticare.accounts.models import User
from sciaticare.intake import services
from sciaticare.intake.models import Episode, Intake, IntakeShare, QuestionnaireResponse
from sciaticare.intake.triage.questions import REQUIRED_CODES

NO_FLAGS = dict.fromkeys(REQUIRED_CODES, False)

# RMDQ items ticked, PEG answers and NRS over the current episode: improving with sessions.
_COURSE = [
    # days ago, back NRS, leg NRS, PEG (avg, enjoyment, activity), RMDQ items ticked
    (70, 6, 7, (7, 6, 7), 12),
    (49, 5, 6, (6, 6, 6), 10),
    (28, 4, 4, (5, 4, 5), 7),
    (7, 3, 3, (4, 3, 3), 5),
]


def _backdate(obj: Intake | QuestionnaireResponse, when: datetime) -> None:
    field = "created_at" if isinstance(obj, Intake) else "completed_at"
    type(obj).objects.filter(pk=obj.pk).update(**{field: when})


def seed(accounts: dict[str, User]) -> None:
    patient = accounts["patient@example.com"]
    therapist = accounts["therapist@example.com"]
    if Episode.objects.filter(patient=patient).exists():
        return
    now = timezone.now()
    today = timezone.localdate()

    # Last year's episode: left-sided sciatica that settled.
    first = services.submit_intake(
        patient=patient,
        data=services.IntakeData(
            age=41,
            onset_date=today - timedelta(days=330),
            answers={**NO_FLAGS, "first_episode": True},
            regions=["left_lower_back", "left_buttock", "left_back_of_thigh"],
            qualities=["aching", "shooting"],
            back_pain=(5, 5, 7),
            leg_pain=(6, 5, 8),
            worse_with=["sitting", "bending"],
            better_with=["walking", "heat"],
            goals="Sit through a working day without leg pain.",
        ),
    )
    _backdate(first, now - timedelta(days=320))

    # This episode: right leg down to the foot (an S1-like pattern), on blood thinners.
    answers = {**NO_FLAGS, "anticoagulants": True}
    data = services.IntakeData(
        age=42,
        onset_date=today - timedelta(days=75),
        answers=answers,
        regions=[
            "right_lower_back",
            "right_buttock",
            "right_back_of_thigh",
            "right_calf",
            "right_sole_heel",
        ],
        qualities=["burning", "shooting", "tingling"],
        back_pain=(6, 5, 8),
        leg_pain=(7, 6, 9),
        worse_with=["sitting", "coughing"],
        better_with=["lying_down", "walking"],
        goals="Pick up my daughter and walk to work again.",
        medications="Apixaban 5 mg twice daily (atrial fibrillation).",
        notes="Physiotherapist gave me nerve-gliding exercises.",
    )
    current = services.submit_intake(patient=patient, data=data, new_episode=True)
    _backdate(current, now - timedelta(days=72))
    update = services.submit_intake(
        patient=patient,
        data=services.IntakeData(
            **{**data.__dict__, "back_pain": (4, 4, 6), "leg_pain": (4, 4, 7)}
        ),
    )
    _backdate(update, now - timedelta(days=21))

    for days_ago, back, leg, peg, rmdq_ticked in _COURSE:
        when = now - timedelta(days=days_ago)
        responses: list[tuple[str, dict[str, int | bool]]] = [
            ("nrs-back", {"nrs-back-1": back}),
            ("nrs-leg", {"nrs-leg-1": leg}),
            ("peg", {"peg-1": peg[0], "peg-2": peg[1], "peg-3": peg[2]}),
            ("rmdq", {f"rmdq-{i}": i <= rmdq_ticked for i in range(1, 25)}),
        ]
        for code, given in responses:
            response = services.record_questionnaire(
                patient=patient, code=code, answers=given, version="1.0"
            )
            _backdate(response, when)

    if not IntakeShare.objects.filter(patient=patient, therapist=therapist).exists():
        services.share_intake(patient=patient, therapist_email=therapist.email)
