"""The home exercise programme in FHIR R4: a ``CarePlan`` per programme, and an ``Observation``
per whole week of it with the share of planned sessions done (issue 17, point 4); and what an
import checks of both.

- CarePlan: status ``active`` until the programme ended, then ``completed``; intent ``plan``;
  period from the first version's start to the day it ended, or to the current version's
  review date. One activity per exercise of the current version: ``detail.kind``
  ``ServiceRequest`` (what the patient is asked to do), ``code`` the exercise (a built-in one
  also by our ``exercise`` code), ``status`` in progress, on hold when the patient paused it,
  completed once the programme ended; ``scheduledTiming`` the days and times a day; the dose
  in words (``description``) and as ``quantity`` (repetitions per set, or minutes).
- Adherence: status ``final`` (only whole weeks are exported), category ``activity``, code our
  own ``home-exercise#adherence-week`` (no LOINC code says it: none is invented),
  ``effectivePeriod`` Monday to Sunday, ``valueQuantity`` in per cent (UCUM ``%``), components
  planned and done sessions, ``basedOn`` the CarePlan.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sciaticare.interop.fhir.codes import (
    ADHERENCE_CODE,
    ADHERENCE_TEXT,
    CATEGORY_SYSTEM,
    DONE_CODE,
    EXERCISE_SYSTEM,
    HOME_EXERCISE_SYSTEM,
    PLANNED_CODE,
    UCUM,
    WEEKDAYS,
    ActivityStatus,
    CarePlanStatus,
    ObservationStatus,
    codes_in,
)
from sciaticare.interop.fhir.record import ActivityData, AdherenceWeekData, CarePlanData

_TIMES = {1: "once a day", 2: "twice a day"}


def dose_words(a: ActivityData) -> str:
    """The dose in (English) words: "3 sets of 10 repetitions, twice a day, on mon, wed, fri"."""
    if a.minutes:
        amount = f"{a.minutes} minute" + ("s" if a.minutes != 1 else "")
    else:
        reps = f"{a.repetitions} repetition" + ("s" if a.repetitions != 1 else "")
        amount = reps if a.sets == 1 else f"{a.sets} sets of {reps}"
    times = _TIMES.get(a.times_per_day, f"{a.times_per_day} times a day")
    days = "every day" if len(a.weekdays) == len(WEEKDAYS) else "on " + ", ".join(a.weekdays)
    return f"{amount}, {times}, {days}"


def _activity(a: ActivityData, active: bool) -> dict[str, Any]:
    status = (
        ActivityStatus.COMPLETED
        if not active
        else ActivityStatus.ON_HOLD
        if a.paused
        else ActivityStatus.IN_PROGRESS
    )
    code: dict[str, Any] = {"text": a.name}
    if a.code:
        code["coding"] = [{"system": EXERCISE_SYSTEM, "code": a.code, "display": a.name}]
    quantity = (
        {"value": a.minutes, "unit": "min", "system": UCUM, "code": "min"}
        if a.minutes
        else {
            "value": a.repetitions,
            "unit": "repetitions",
            "system": UCUM,
            "code": "{repetitions}",
        }
    )
    return {
        "detail": {
            "kind": "ServiceRequest",
            "code": code,
            "status": status.value,
            "scheduledTiming": {
                "repeat": {
                    "frequency": a.times_per_day,
                    "period": 1,
                    "periodUnit": "d",
                    "dayOfWeek": list(a.weekdays),
                }
            },
            "description": dose_words(a),
            "quantity": quantity,
        }
    }


def care_plan(p: CarePlanData, patient_ref: dict[str, str]) -> dict[str, Any]:
    """The programme as a CarePlan; ``patient_ref`` is the Patient's reference."""
    period = {"start": p.start.isoformat()}
    if p.end is not None:
        period["end"] = max(p.end, p.start).isoformat()
    description = (
        "Home exercise programme from the treating therapist"
        if p.origin == "therapist"
        else "Home exercise programme the patient entered"
        + (f" (given by {p.prescriber})" if p.prescriber else "")
    )
    return {
        "resourceType": "CarePlan",
        "id": p.id,
        "status": (CarePlanStatus.ACTIVE if p.active else CarePlanStatus.COMPLETED).value,
        "intent": "plan",
        "title": "Home exercise programme",
        "description": description,
        "subject": patient_ref,
        "period": period,
        "activity": [_activity(a, p.active) for a in p.activities],
    }


def adherence_id(plan_id: str, week: AdherenceWeekData) -> str:
    return f"adherence-{plan_id.removeprefix('careplan-')}-{week.start.isoformat()}"


def _count(code: str, text: str, value: int) -> dict[str, Any]:
    return {
        "code": {"coding": [{"system": HOME_EXERCISE_SYSTEM, "code": code}], "text": text},
        "valueInteger": value,
    }


def adherence_observation(
    p: CarePlanData, week: AdherenceWeekData, patient_ref: dict[str, str]
) -> dict[str, Any]:
    """One whole week of a programme: the share of planned sessions done, and both counts."""
    end = week.start + timedelta(days=6)
    return {
        "resourceType": "Observation",
        "id": adherence_id(p.id, week),
        "basedOn": [{"reference": f"CarePlan/{p.id}"}],
        "status": ObservationStatus.FINAL.value,
        "category": [{"coding": [{"system": CATEGORY_SYSTEM, "code": "activity"}]}],
        "code": {
            "coding": [
                {"system": HOME_EXERCISE_SYSTEM, "code": ADHERENCE_CODE, "display": ADHERENCE_TEXT}
            ],
            "text": ADHERENCE_TEXT,
        },
        "subject": patient_ref,
        "effectivePeriod": {"start": week.start.isoformat(), "end": end.isoformat()},
        "valueQuantity": {
            "value": round(100 * week.done / week.planned, 1),
            "unit": "%",
            "system": UCUM,
            "code": "%",
        },
        "component": [
            _count(PLANNED_CODE, "Planned sessions", week.planned),
            _count(DONE_CODE, "Sessions done", week.done),
        ],
    }


def resources(p: CarePlanData, patient_ref: dict[str, str]) -> list[dict[str, Any]]:
    """The CarePlan and its weeks' Observations."""
    return [care_plan(p, patient_ref)] + [
        adherence_observation(p, week, patient_ref) for week in p.weeks if week.planned
    ]


# --- What an import checks (codes.py's values; the structure is R4B's) --------------------


def is_adherence(resource: Mapping[str, Any]) -> bool:
    """Whether an Observation is one of our adherence weeks."""
    return ADHERENCE_CODE in codes_in(resource.get("code"), HOME_EXERCISE_SYSTEM)


def care_plan_problems(where: str, r: Mapping[str, Any]) -> list[str]:
    problems = []
    if r.get("status") not in CarePlanStatus:
        problems.append(f"{where}.status: {r.get('status')!r} is not one of ours")
    if r.get("intent") != "plan":
        problems.append(f"{where}.intent: must be 'plan'")
    for i, activity in enumerate(r.get("activity") or []):
        detail = activity.get("detail") or {}
        if detail.get("status") not in ActivityStatus:
            problems.append(f"{where}.activity[{i}].detail.status: not one of ours")
        days = ((detail.get("scheduledTiming") or {}).get("repeat") or {}).get("dayOfWeek") or []
        if any(day not in WEEKDAYS for day in days):
            problems.append(f"{where}.activity[{i}]: a day of the week is not one of mon…sun")
    return problems


def adherence_problems(where: str, r: Mapping[str, Any]) -> list[str]:
    problems = []
    value = (r.get("valueQuantity") or {}).get("value")
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 100:
        problems.append(f"{where}.valueQuantity: a share of 0-100 %")
    counts = {}
    for component in r.get("component") or []:
        for code in codes_in(component.get("code"), HOME_EXERCISE_SYSTEM):
            counts[code] = component.get("valueInteger")
    planned, done = counts.get(PLANNED_CODE), counts.get(DONE_CODE)
    if not (
        isinstance(planned, int)
        and isinstance(done, int)
        and not isinstance(planned, bool)
        and not isinstance(done, bool)
        and 0 <= done <= planned
    ):
        problems.append(f"{where}.component: planned and done sessions, done at most planned")
    if not isinstance((r.get("effectivePeriod") or {}).get("start"), str):
        problems.append(f"{where}.effectivePeriod: the week is required")
    return problems
