"""Public API of the intake app: the triage engine and questionnaire scoring (nothing stored)."""

from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Router, Schema
from pydantic import ConfigDict, StrictBool, StrictFloat, StrictInt, create_model

from sciaticare.errors import Invalid, NotFound
from sciaticare.intake import scoring, triage
from sciaticare.ratelimits import CallerThrottle
from sciaticare.schemas import Problem

router = Router(tags=["intake"])


# One boolean per question code: every code required, unknown codes refused (docs/clinical.md).
class _StrictSchema(Schema):
    model_config = ConfigDict(extra="forbid")


TriageAnswers = create_model(
    "TriageAnswers",
    __base__=_StrictSchema,
    **{q.code: (StrictBool, Field(..., description=q.text)) for q in triage.QUESTIONS},  # type: ignore[call-overload]
)


class TriageIn(_StrictSchema):
    age: Annotated[
        StrictInt, Field(ge=triage.AGE_MIN, le=triage.AGE_MAX, description="Age in years.")
    ]
    onset_weeks: Annotated[
        StrictInt | StrictFloat,
        Field(
            ge=triage.ONSET_WEEKS_MIN,
            le=triage.ONSET_WEEKS_MAX,
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
    result = triage.assess(payload.age, payload.onset_weeks, answers)
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
    if code not in scoring.INSTRUMENTS:
        raise NotFound("instrument")
    try:
        result = scoring.score(code, payload.answers)
    except scoring.IncompleteResponse as exc:
        missing = [(f"answers.{link}", "required") for link in exc.missing]
        raise Invalid("incomplete", exc.explanation, missing) from None
    except scoring.InvalidResponse as exc:
        errors = [(f"answers.{link}", message) for link, message in exc.errors]
        raise Invalid("invalid", "Some answers cannot be scored.", errors) from None
    return ScoreOut(
        instrument=code,
        score=result.value,
        band=result.band,
        subscores={k: float(v) for k, v in result.subscores.items()},
    )
