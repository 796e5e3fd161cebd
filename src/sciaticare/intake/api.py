"""Public API of the intake app: the triage engine and questionnaire scoring (nothing stored)."""

from typing import Annotated, Literal

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict, StrictBool, StrictFloat, StrictInt, create_model

from sciaticare.accounts.types import AuthedRequest
from sciaticare.core.errors import Invalid, NotFound
from sciaticare.core.ratelimits import CallerThrottle
from sciaticare.core.schemas import Body, OffsetDatetime, Problem
from sciaticare.intake import recheck, services
from sciaticare.intake.scoring.instruments import INSTRUMENTS
from sciaticare.intake.scoring.rules import IncompleteResponse, InvalidResponse, score
from sciaticare.intake.triage.assessment import (
    AGE_MAX,
    AGE_MIN,
    ONSET_WEEKS_MAX,
    ONSET_WEEKS_MIN,
    assess,
)
from sciaticare.intake.triage.questions import QUESTIONS

router = Router(tags=["intake"])


# One boolean per question code: every code required, unknown codes refused (docs/clinical.md).
class _StrictSchema(Schema):
    model_config = ConfigDict(extra="forbid")


TriageAnswers = create_model(
    "TriageAnswers",
    __base__=_StrictSchema,
    **{q.code: (StrictBool, Field(..., description=q.text)) for q in QUESTIONS},  # type: ignore[call-overload]
)


class TriageIn(_StrictSchema):
    age: Annotated[StrictInt, Field(ge=AGE_MIN, le=AGE_MAX, description="Age in years.")]
    onset_weeks: Annotated[
        StrictInt | Annotated[StrictFloat, Field(allow_inf_nan=False)],
        Field(
            ge=ONSET_WEEKS_MIN,
            le=ONSET_WEEKS_MAX,
            description="Weeks since the pain began.",
        ),
    ]
    answers: TriageAnswers  # type: ignore[valid-type]


class TriageOut(Schema):
    level: str = Field(description="emergency | urgent | soon | ok")
    reasons: list[str]
    precautions: list[str]
    advice: str


@router.post(
    "/triage",
    response=TriageOut,
    auth=None,
    # The API's own limit and the symptom check's, which the /check/ pages share.
    throttle=[CallerThrottle(), CallerThrottle("symptom_check")],
    summary="Symptom check (stores nothing)",
)
def assess_triage(request: HttpRequest, payload: TriageIn) -> TriageOut:
    """Answers which of the four triage levels applies and why. No account; nothing is stored."""
    answers = payload.answers.model_dump()  # type: ignore[attr-defined]
    result = assess(payload.age, payload.onset_weeks, answers)
    return TriageOut(
        level=result.level.code,
        reasons=list(result.reasons),
        precautions=list(result.precautions),
        advice=result.advice,
    )


class ScoreIn(_StrictSchema):
    answers: dict[str, StrictInt | StrictBool | None] = Field(
        description="linkId → answer (integers; booleans for yes/no items; null for skipped)."
    )


class ScoreOut(Schema):
    instrument: str
    score: float
    band: str | None
    subscores: dict[str, float]


@router.post(
    "/questionnaires/{code}/score",
    response={200: ScoreOut, 404: Problem},
    auth=None,
    summary="Score a questionnaire response (stores nothing)",
)
def score_questionnaire(request: HttpRequest, code: str, payload: ScoreIn) -> ScoreOut:
    if code not in INSTRUMENTS:
        raise NotFound("instrument")
    try:
        result = score(code, payload.answers)
    except IncompleteResponse as exc:
        missing = [(f"answers.{link}", "required") for link in exc.missing]
        raise Invalid("incomplete", exc.explanation, missing) from None
    except InvalidResponse as exc:
        errors = [(f"answers.{link}", message) for link, message in exc.errors]
        raise Invalid("invalid", gettext("Some answers cannot be scored."), errors) from None
    return ScoreOut(
        instrument=code,
        score=result.value,
        band=result.band,
        subscores={k: float(v) for k, v in result.subscores.items()},
    )


RecheckCode = Literal[tuple(sorted(recheck.CODES))]  # type: ignore[valid-type]


class RecheckIn(_StrictSchema):
    yes: list[RecheckCode] = Field(  # type: ignore[valid-type]
        max_length=len(recheck.CODES),
        description="The red-flag questions that apply now; empty for “None of these”. "
        "Codes: " + ", ".join(q.code for q in recheck.QUESTIONS_ASKED) + ".",
    )


class RecheckOut(Body):
    checked_at: OffsetDatetime
    found_red_flags: bool
    level: str = Field(description="The current intake's triage level after the re-check.")


@router.post(
    "/intake/recheck",
    response={201: RecheckOut, 403: Problem},
    summary="Answer the red-flag questions again before booking",
)
def recheck_red_flags(request: AuthedRequest, payload: RecheckIn) -> Status[RecheckOut]:
    """Booking asks for this when the intake is more than a day old (403
    `red_flag_recheck_required`). Any "yes" saves a new intake revision whose triage then
    gates booking; 403 `intake_required` without an intake. "None of these" holds only for an
    intake under four weeks old: on an older one, 403 `intake_out_of_date` (the intake is
    filled in again, on the intake page)."""
    done = services.recheck_red_flags(patient=request.user, yes=list(payload.yes))
    level = (done.result or done.intake).triage_level
    return Status(
        201,
        RecheckOut(checked_at=done.checked_at, found_red_flags=done.found_red_flags, level=level),
    )
