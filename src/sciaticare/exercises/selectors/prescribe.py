"""What the treating therapist's programme page reads: the patient, the session the programme is
written from, the exercises their clinic lets them recommend (with words and drawings), their
programme for the patient if they wrote one (its newest version fills the form), and its
versions with what changed in each.

Only a therapist who treats the patient (scheduling's one rule) gets it; anyone else gets
NotFound, the same answer as for a patient who does not exist. The read is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Prefetch

from sciaticare.accounts.models import Role, User
from sciaticare.accounts.selectors import today_for
from sciaticare.audit.services import record_event
from sciaticare.core.errors import NotFound
from sciaticare.directory.models import Clinic
from sciaticare.exercises.changes import Change, ItemValues, VersionValues, changes
from sciaticare.exercises.library import Dose
from sciaticare.exercises.models import Exercise, ExercisePlan, Origin, PlanItem, PlanVersion
from sciaticare.exercises.selectors.care import care_appointment, care_clinic_id, treated_patient
from sciaticare.exercises.selectors.library import (
    ExerciseWords,
    allowed_exercises,
    default_dose,
    exercise_words,
)
from sciaticare.scheduling.models import Appointment
from sciaticare.scheduling.selectors.care import treats

#: A new programme's review, counted from its start.
REVIEW_AFTER = timedelta(weeks=4)


def therapists_plan(*, therapist: User, patient: User) -> ExercisePlan | None:
    """The therapist's programme for the patient still in force (not ended), newest if two."""
    return (
        ExercisePlan.objects.filter(
            patient=patient, origin=Origin.THERAPIST, therapist=therapist, ended_at__isnull=True
        )
        .order_by("-created_at", "-pk")
        .first()
    )


@dataclass(frozen=True)
class Choice:
    """One exercise the therapist may recommend, as the page offers it."""

    exercise: Exercise
    words: ExerciseWords
    #: One line: how many, else how often, else the first step.
    summary: str
    #: Its item in the newest version of the therapist's programme, if it is in it.
    current: PlanItem | None
    #: The dose a newly ticked exercise starts from.
    default: Dose
    #: In the programme, but since taken off the clinic's list: kept unless unticked.
    no_longer_listed: bool = False


@dataclass(frozen=True)
class ShownChange:
    change: Change
    #: The exercise's name for an exercise's change, else "".
    name: str

    @property
    def kind(self) -> str:
        return str(self.change.kind)

    @property
    def before(self) -> object:
        return self.change.before

    @property
    def after(self) -> object:
        return self.change.after


@dataclass(frozen=True)
class ShownVersion:
    version: PlanVersion
    #: Its exercises, in order, each with ``name``: (item, name).
    items: list[tuple[PlanItem, str]]
    #: What changed against the version before (none for the first).
    changes: list[ShownChange]


@dataclass(frozen=True)
class Prescribing:
    patient: User
    appointment: Appointment | None
    clinic: Clinic
    choices: list[Choice]
    #: The therapist's programme for the patient still in force, if any; its newest version.
    plan: ExercisePlan | None
    current: PlanVersion | None
    #: Every version of that programme, newest first.
    history: list[ShownVersion]
    #: The therapist's today; the form's start and review dates.
    today: date
    start_date: date
    review_date: date | None

    @property
    def next_number(self) -> int:
        return self.current.number + 1 if self.current is not None else 1

    @property
    def review_overdue(self) -> date | None:
        """The newest version's review day once it has passed (said on the therapist's page)."""
        review = self.current.review_date if self.current is not None else None
        return review if review is not None and review < self.today else None

    @property
    def based_on(self) -> str:
        """What the form was filled from: "<plan>:<version>", or "" for a new programme."""
        if self.plan is None or self.current is None:
            return ""
        return f"{self.plan.pk}:{self.current.number}"


def _summary(words: ExerciseWords) -> str:
    return words.how_many or words.how_often or (words.how_to[0] if words.how_to else "")


def _values(version: PlanVersion) -> VersionValues:
    return VersionValues(
        review_date=version.review_date,
        note=version.note,
        items=[
            ItemValues(
                exercise=i.exercise_id,
                repetitions=i.repetitions,
                sets=i.sets,
                minutes=i.minutes,
                times_per_day=i.times_per_day,
                days=i.days,
                instructions=i.instructions,
            )
            for i in version.items.all()
        ],
    )


def _history(plan: ExercisePlan) -> list[ShownVersion]:
    items = PlanItem.objects.select_related("exercise").order_by("position", "pk")
    versions = list(
        PlanVersion.objects.filter(plan=plan)
        .prefetch_related(Prefetch("items", queryset=items))
        .order_by("number")
    )
    names: dict[int, str] = {}
    for version in versions:
        for item in version.items.all():
            if item.exercise_id not in names:
                names[item.exercise_id] = exercise_words(item.exercise).name
    shown, before = [], None
    for version in versions:
        values = _values(version)
        found = changes(before, values)
        shown.append(
            ShownVersion(
                version=version,
                items=[(i, names[i.exercise_id]) for i in version.items.all()],
                changes=[
                    ShownChange(c, names.get(c.exercise, "") if isinstance(c.exercise, int) else "")
                    for c in found
                ],
            )
        )
        before = values
    return list(reversed(shown))


def prescribing(
    *, therapist: User, patient_id: int, appointment_id: int | None = None
) -> Prescribing:
    """The programme page for a patient the therapist treats (from the note of
    ``appointment_id``, a session of theirs with the patient, when given). NotFound for a
    patient they do not treat or an appointment that is not such a session. Audited."""
    patient = treated_patient(therapist=therapist, patient_id=patient_id)
    appointment = (
        care_appointment(therapist=therapist, patient=patient, appointment_id=appointment_id)
        if appointment_id is not None
        else None
    )
    clinic = Clinic.objects.get(
        pk=care_clinic_id(therapist=therapist, patient=patient, appointment=appointment)
    )
    plan = therapists_plan(therapist=therapist, patient=patient)
    history = _history(plan) if plan is not None else []
    current = history[0].version if history else None
    record_event(
        actor=therapist,
        action="exercise_plan.view" if plan is not None else "exercise_plan.list",
        patient=patient,
        obj=plan,
    )
    in_current = {i.exercise_id: i for i in current.items.all()} if current is not None else {}
    choices = []
    for exercise in allowed_exercises(clinic=clinic):
        words = exercise_words(exercise)
        choices.append(
            Choice(
                exercise=exercise,
                words=words,
                summary=_summary(words),
                current=in_current.get(exercise.pk),
                default=default_dose(exercise),
            )
        )
    listed = {choice.exercise.pk for choice in choices}
    for item in in_current.values():
        if item.exercise_id not in listed:
            words = exercise_words(item.exercise)
            choices.append(
                Choice(
                    exercise=item.exercise,
                    words=words,
                    summary=_summary(words),
                    current=item,
                    default=default_dose(item.exercise),
                    no_longer_listed=True,
                )
            )
    today = today_for(therapist)
    if current is None:
        start, review = today, today + REVIEW_AFTER
    else:
        # A new version may not start before the one it follows.
        start = max(today, current.start_date)
        kept = current.review_date
        review = kept if kept is not None and kept >= start else start + REVIEW_AFTER
    return Prescribing(
        patient=patient,
        appointment=appointment,
        clinic=clinic,
        choices=choices,
        plan=plan,
        current=current,
        history=history,
        today=today,
        start_date=start,
        review_date=review,
    )


def plan_to_end(*, therapist: User, plan_id: int) -> ExercisePlan:
    """A therapist-written programme of a patient this therapist treats, for the end step;
    NotFound otherwise (missing, the patient's own, or not their patient)."""
    plan = (
        ExercisePlan.objects.select_related("patient", "therapist")
        .filter(pk=plan_id, origin=Origin.THERAPIST)
        .first()
    )
    if (
        plan is None
        or not therapist.has_role(Role.THERAPIST)
        or not treats(therapist=therapist, patient=plan.patient)
    ):
        raise NotFound("exercise plan")
    record_event(actor=therapist, action="exercise_plan.view", patient=plan.patient, obj=plan)
    return plan
