"""FHIR Questionnaires: the bundled ones, their validation, and whether an imported one fits an
instrument's scoring rule (pure).

For the instruments whose text is licensed or non-commercial (ODI, Keele STarT Back) only the
scoring is built in: a clinic that holds a licence imports the text, and :func:`check_fits`
tells whether the import fits the rule.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from importlib import resources
from typing import Any, Final

import pydantic
from fhir.resources.R4B.questionnaire import Questionnaire

from sciaticare.core.translation import gettext
from sciaticare.intake.scoring.definition import Instrument, ItemSpec
from sciaticare.intake.scoring.instruments import get_instrument

__all__ = [
    "MAX_VALUE_URL",
    "MIN_VALUE_URL",
    "QUESTIONNAIRE_STATUSES",
    "TextNotShipped",
    "check_fits",
    "load_questionnaire",
    "pydantic_problems",
    "validate_questionnaire",
]

MIN_VALUE_URL: Final = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE_URL: Final = "http://hl7.org/fhir/StructureDefinition/maxValue"

# Questionnaire.status codes (FHIR R4 PublicationStatus); the pydantic models don't check codes.
QUESTIONNAIRE_STATUSES: Final = frozenset({"draft", "active", "retired", "unknown"})
# Questionnaire.item.type codes (FHIR R4 item-type value set).
_ITEM_TYPES: Final = frozenset(
    {
        "group",
        "display",
        "boolean",
        "decimal",
        "integer",
        "date",
        "dateTime",
        "time",
        "string",
        "text",
        "url",
        "choice",
        "open-choice",
        "attachment",
        "reference",
        "quantity",
    }
)
_NOT_ANSWERABLE: Final = frozenset({"group", "display"})


class TextNotShipped(LookupError):
    """The instrument's item text is not bundled (licensed / non-commercial): import it."""


def load_questionnaire(code: str) -> dict[str, Any]:
    """The bundled FHIR Questionnaire for ``code``, as parsed JSON (a fresh copy each call)."""
    instrument = get_instrument(code)
    if not instrument.ships_text:
        raise TextNotShipped(
            f"{code}: the item text is not shipped ({instrument.source}); "
            "a clinic holding a licence imports it"
        )
    path = resources.files("sciaticare.intake") / "questionnaires" / f"{code}.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _not_a_questionnaire(resource_type: object) -> str:
    return gettext("resourceType must be 'Questionnaire', not %(type)r") % {"type": resource_type}


def _location(loc: Iterable[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def pydantic_problems(error: pydantic.ValidationError) -> list[str]:
    problems = []
    for detail in error.errors():
        where = _location(detail["loc"])
        message = " ".join(str(detail["msg"]).split())
        problems.append(f"{where}: {message}" if where else message)
    return problems


def _walk_items(
    items: object, path: str, visit: Callable[[Mapping[str, Any], str], None]
) -> list[str]:
    """Call ``visit`` on every item, depth first; return problems with the item structure."""
    if items is None:
        return []
    if not isinstance(items, list):
        return [gettext("%(where)s: must be a list") % {"where": path}]
    problems: list[str] = []
    for index, item in enumerate(items):
        where = f"{path}[{index}]"
        if not isinstance(item, Mapping):
            problems.append(gettext("%(where)s: must be an object") % {"where": where})
            continue
        visit(item, where)
        problems += _walk_items(item.get("item"), f"{where}.item", visit)
    return problems


def validate_questionnaire(data: object) -> list[str]:
    """Readable problems with ``data`` as a FHIR Questionnaire; empty when it is valid."""
    if not isinstance(data, Mapping):
        return [gettext("a Questionnaire must be a JSON object")]
    resource_type = data.get("resourceType")
    if resource_type != "Questionnaire":
        return [_not_a_questionnaire(resource_type)]
    problems: list[str] = []
    status = data.get("status")
    if status is not None and status not in QUESTIONNAIRE_STATUSES:
        problems.append(
            gettext("status: %(status)r is not one of %(statuses)s")
            % {"status": status, "statuses": ", ".join(sorted(QUESTIONNAIRE_STATUSES))}
        )
    seen: set[str] = set()

    def visit(item: Mapping[str, Any], where: str) -> None:
        item_type = item.get("type")
        if item_type is not None and item_type not in _ITEM_TYPES:
            problems.append(
                gettext("%(where)s.type: %(type)r is not a Questionnaire item type")
                % {"where": where, "type": item_type}
            )
        link_id = item.get("linkId")
        if isinstance(link_id, str):
            if link_id in seen:
                problems.append(
                    gettext("%(where)s.linkId: %(link)r is used more than once")
                    % {"where": where, "link": link_id}
                )
            seen.add(link_id)

    problems += _walk_items(data.get("item"), "item", visit)
    try:
        Questionnaire.model_validate(dict(data))
    except pydantic.ValidationError as error:
        problems += pydantic_problems(error)
    return problems


def _extension_int(item: Mapping[str, Any], url: str) -> tuple[bool, int | None]:
    """(present, valueInteger) of the item's extension with ``url``."""
    for extension in item.get("extension") or ():
        if isinstance(extension, Mapping) and extension.get("url") == url:
            value = extension.get("valueInteger")
            ok = isinstance(value, int) and not isinstance(value, bool)
            return True, value if ok else None
    return False, None


def _option_values(options: object) -> list[int] | None:
    """The valueInteger of every answerOption, or None when any option is not an integer."""
    if not isinstance(options, list):
        return None
    values = []
    for option in options:
        value = option.get("valueInteger") if isinstance(option, Mapping) else None
        if not isinstance(value, int) or isinstance(value, bool):
            return None
        values.append(value)
    return values


def _fit_integer(spec: ItemSpec, item: Mapping[str, Any], item_type: object) -> list[str]:
    words = {"link": spec.link_id, "range": f"{spec.min}-{spec.max}", "type": item_type}
    if item_type not in ("integer", "choice"):
        return [
            gettext("item %(link)r has type %(type)r; the scoring rule needs 'integer'") % words
        ]
    if "answerOption" in item or item_type == "choice":
        values = _option_values(item.get("answerOption"))
        if values is None:
            return [gettext("item %(link)r must list answerOption valueInteger %(range)s") % words]
        if sorted(values) != list(range(spec.min, spec.max + 1)):
            shown = ", ".join(map(str, sorted(values)))
            return [
                gettext(
                    "item %(link)r answer options (%(shown)s) disagree with the scoring range "
                    "%(range)s"
                )
                % {**words, "shown": shown}
            ]
        return []
    problems = []
    for label, url, expected in (
        ("minValue", MIN_VALUE_URL, spec.min),
        ("maxValue", MAX_VALUE_URL, spec.max),
    ):
        present, value = _extension_int(item, url)
        found = {**words, "label": label, "expected": expected, "value": value}
        if not present:
            problems.append(
                gettext("item %(link)r has no %(label)s extension (expected %(expected)s)") % found
            )
        elif value is None:
            problems.append(
                gettext("item %(link)r %(label)s must be a valueInteger (expected %(expected)s)")
                % found
            )
        elif value != expected:
            problems.append(
                gettext(
                    "item %(link)r %(label)s %(value)s disagrees with the scoring range %(range)s"
                )
                % found
            )
    return problems


def check_fits(instrument: Instrument, questionnaire: Mapping[str, Any]) -> list[str]:
    """Problems that stop ``questionnaire`` feeding ``instrument``'s scoring rule.

    Checks the answerable items (every type but group and display, at any depth) against the
    rule: missing or extra linkIds, duplicated linkIds, item types (``boolean`` for 0/1 items;
    ``integer`` with minValue/maxValue extensions, or ``integer``/``choice`` with answerOption
    valueInteger, for the rest), ranges that disagree, and repeating items. Empty when it fits.
    Run :func:`validate_questionnaire` for FHIR validity.
    """
    if not isinstance(questionnaire, Mapping):
        return [gettext("a Questionnaire must be a JSON object")]
    if questionnaire.get("resourceType") != "Questionnaire":
        return [_not_a_questionnaire(questionnaire.get("resourceType"))]
    found: dict[str, Mapping[str, Any]] = {}
    problems: list[str] = []

    def visit(item: Mapping[str, Any], where: str) -> None:
        if item.get("type") in _NOT_ANSWERABLE:
            return
        link_id = item.get("linkId")
        if not isinstance(link_id, str):
            problems.append(gettext("%(where)s has no linkId") % {"where": where})
        elif link_id in found:
            problems.append(gettext("item %(link)r appears more than once") % {"link": link_id})
        else:
            found[link_id] = item

    problems += _walk_items(questionnaire.get("item"), "item", visit)
    specs = {spec.link_id: spec for spec in instrument.items}
    problems += [
        gettext("missing item %(link)r (needed by %(code)s scoring)")
        % {"link": link_id, "code": instrument.code}
        for link_id in specs
        if link_id not in found
    ]
    problems += [
        gettext("item %(link)r is not part of %(code)s scoring")
        % {"link": link_id, "code": instrument.code}
        for link_id in found
        if link_id not in specs
    ]
    for link_id, spec in specs.items():
        item = found.get(link_id)
        if item is None:
            continue
        item_type = item.get("type")
        if item.get("repeats") is True:
            problems.append(
                gettext("item %(link)r repeats; the scoring rule needs one answer")
                % {"link": link_id}
            )
        if spec.answer_type == "boolean":
            if item_type != "boolean":
                problems.append(
                    gettext("item %(link)r has type %(type)r; the scoring rule needs 'boolean'")
                    % {"link": link_id, "type": item_type}
                )
        else:
            problems += _fit_integer(spec, item, item_type)
    return problems
