"""A scored response as a FHIR QuestionnaireResponse, and the answers read back from one (pure)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final

import pydantic
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from sciaticare.intake.scoring.definition import FHIR_BASE_URL, Answer
from sciaticare.intake.scoring.questionnaire import pydantic_problems
from sciaticare.intake.scoring.rules import EPSILON, Score, score_with_answers

__all__ = ["SCORE_EXTENSION_URL", "answers_from_fhir", "response_to_fhir"]

SCORE_EXTENSION_URL: Final = f"{FHIR_BASE_URL}/StructureDefinition/instrument-score"


def _score_extension(result: Score) -> dict[str, Any]:
    parts: list[dict[str, Any]] = [
        {"url": "instrument", "valueString": result.instrument},
        {"url": "value", "valueDecimal": result.value},
    ]
    if result.band is not None:
        parts.append({"url": "band", "valueString": result.band})
    for name, value in result.subscores.items():
        parts.append(
            {
                "url": "subscore",
                "extension": [
                    {"url": "name", "valueString": name},
                    {"url": "value", "valueDecimal": value},
                ],
            }
        )
    return {"url": SCORE_EXTENSION_URL, "extension": parts}


def response_to_fhir(
    code: str, answers: Mapping[str, Answer], score: Score, *, questionnaire_version: str
) -> dict[str, Any]:
    """A completed FHIR QuestionnaireResponse (JSON dict) for ``answers``.

    ``score`` is re-checked against the answers (ValueError when it differs) and recorded in a
    complex extension (:data:`SCORE_EXTENSION_URL`: instrument, value, band, subscores).
    Unanswered items (skipped ODI sections) are left out. The caller adds ``subject``,
    ``authored`` and the like.
    """
    if not isinstance(questionnaire_version, str) or not questionnaire_version.strip():
        raise ValueError("questionnaire_version must be a non-empty string")
    if "|" in questionnaire_version:
        raise ValueError("questionnaire_version must not contain '|'")
    instrument, values, expected = score_with_answers(code, answers)
    if (
        score.instrument != expected.instrument
        or not math.isclose(score.value, expected.value, rel_tol=0, abs_tol=EPSILON)
        or score.band != expected.band
        or dict(score.subscores) != dict(expected.subscores)
    ):
        raise ValueError(f"{code}: the score given does not match the answers ({expected})")
    items = []
    for spec in instrument.items:
        value = values[spec.link_id]
        if value is None:
            continue
        answer = (
            {"valueBoolean": bool(value)}
            if spec.answer_type == "boolean"
            else {"valueInteger": value}
        )
        items.append({"linkId": spec.link_id, "answer": [answer]})
    response: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "extension": [_score_extension(expected)],
        "questionnaire": f"{instrument.url}|{questionnaire_version}",
        "status": "completed",
        "item": items,
    }
    QuestionnaireResponse.model_validate(response)
    return response


def answers_from_fhir(response: Mapping[str, Any]) -> dict[str, Answer]:
    """The answers in a QuestionnaireResponse, as ``linkId -> int | bool | None``.

    The inverse of :func:`response_to_fhir`. Items at any depth are read (including items nested
    under answers); an item with neither answer nor child items gives ``None``. Raises
    ValueError for an invalid resource, a repeated linkId, several answers to one item, or an
    answer that is neither valueInteger nor valueBoolean.
    """
    if not isinstance(response, Mapping) or response.get("resourceType") != (
        "QuestionnaireResponse"
    ):
        raise ValueError("not a QuestionnaireResponse")
    try:
        QuestionnaireResponse.model_validate(dict(response))
    except pydantic.ValidationError as error:
        raise ValueError("; ".join(pydantic_problems(error))) from None
    result: dict[str, Answer] = {}

    def walk(items: object) -> None:
        for item in items if isinstance(items, list) else ():
            link_id = item["linkId"]
            answers = item.get("answer") or []
            children = item.get("item") or []
            if link_id in result:
                raise ValueError(f"item {link_id!r} appears more than once")
            if len(answers) > 1:
                raise ValueError(f"item {link_id!r} has {len(answers)} answers; expected one")
            if answers:
                answer = answers[0]
                if "valueBoolean" in answer:
                    result[link_id] = bool(answer["valueBoolean"])
                elif "valueInteger" in answer:
                    result[link_id] = int(answer["valueInteger"])
                else:
                    kinds = ", ".join(k for k in answer if k.startswith("value"))
                    raise ValueError(f"item {link_id!r}: unsupported answer ({kinds})")
                walk(answer.get("item"))
            elif not children:
                result[link_id] = None
            walk(children)

    walk(response.get("item"))
    return result
