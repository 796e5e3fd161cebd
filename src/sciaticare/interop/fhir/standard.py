"""Standard FHIR in: what Sciaticare takes from a Bundle another system made (an EHR's
``searchset``, a SMART app's ``collection``, a ``transaction`` or ``batch`` a client would send
to a FHIR server, a ``document``), read resource by resource (pure).

What is taken, recognised by content (codes), never by our ids or profiles:

- pain 0-10: an ``Observation`` coded LOINC 72514-3, its value a whole number 0-10
  (``valueInteger``, or ``valueQuantity`` with no unit or the unit ``{score}``/``score``), its
  site the lower back or a leg (:data:`BACK_SITES`, :data:`LEG_SITES`). The diary keeps one day's
  back and leg pain together, so a day becomes a diary entry only with both; a reading with no
  site, or a day with one site only, is skipped with the reason (nothing is invented);
- a questionnaire response of one of our instruments, named by our canonical URL (with or
  without ``|version``), or for the ODI by its LOINC panel code (in ``questionnaire``, a
  contained Questionnaire's ``code``, an identifier or a tag), its items read by our linkIds;
- a ``Condition`` of sciatica (SNOMED CT 23056005, ICD-10-CM or ICD-10 M54.3/M54.30/M54.31/
  M54.32): an episode, from its onset day, with the side its ICD-10-CM code names.

Everything else is listed as skipped, with why. Each resource is checked alone (R4B); one that
is not valid FHIR is skipped, not the Bundle. The Bundle itself is refused
(:class:`BundleRefused`) only when it is not a Bundle of an accepted type, holds no entries or
more than :data:`MAX_ENTRIES`, or holds more than one person's data.

Idempotency: each resource has a key (:func:`resource_key`): its first identifier's system and
value, else a digest of its content without ``id``, ``meta`` and ``text``; the caller passes
the keys it already imported and those resources are skipped as "already imported".

Each resource is read by ``standard_resources``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import pydantic
from fhir.resources.R4B import get_fhir_model_class

from sciaticare.core.translation import gettext
from sciaticare.interop.fhir.codes import BASE_URL, LOINC, PAIN_LOINC, codes_in
from sciaticare.interop.fhir.imported import Skipped
from sciaticare.interop.fhir.standard_resources import (
    AnswersFound,
    DiaryDay,
    EpisodeFound,
    PainReading,
    diary_days,
    episode_of,
    pain_readings,
    questionnaire_answers,
)

#: Bundle types taken. A transaction's or batch's ``request`` is ignored: we import what the
#: entries hold, we do not execute them.
ACCEPTED_TYPES: Final = ("collection", "transaction", "batch", "searchset", "document")
#: Entries one import reads; a record of years of daily pain scores fits well below it.
MAX_ENTRIES: Final = 2000

_PATIENT_REFERENCE = re.compile(r"(?:^|/)(Patient/[^/]+)$")
_OURS = (f"{BASE_URL}/CodeSystem/", f"{BASE_URL}/StructureDefinition/")


class BundleRefused(ValueError):
    """The Bundle as a whole cannot be read; ``problems`` says why."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class StandardBundle:
    """What a foreign Bundle holds for import, and what is skipped with why."""

    days: list[DiaryDay] = field(default_factory=list)
    episodes: list[EpisodeFound] = field(default_factory=list)
    answers: list[AnswersFound] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def made_by_sciaticare(data: object) -> bool:
    """A Sciaticare record (the export of this or another instance): a ``collection`` with a
    Patient and resources coded in our own code systems or extensions. Such a Bundle is
    imported whole or not at all (``checks``, ``imported``); any other Bundle is read here."""
    if not isinstance(data, Mapping) or data.get("type") != "collection":
        return False
    entries = data.get("entry")
    if not isinstance(entries, list):
        return False
    resources = [
        e["resource"]
        for e in entries
        if isinstance(e, Mapping) and isinstance(e.get("resource"), Mapping)
    ]
    return any(r.get("resourceType") == "Patient" for r in resources) and any(
        _uses_our_codes(r) for r in resources
    )


def _uses_our_codes(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Mapping):
            for key, child in item.items():
                if key in ("system", "url") and isinstance(child, str) and child.startswith(_OURS):
                    return True
                stack.append(child)
        elif isinstance(item, list):
            stack.extend(item)
    return False


def resource_key(resource: Mapping[str, Any]) -> str:
    """What says two resources are the same one: its type and first identifier with a system
    and a value; lacking one, a digest of what it says (``id``, ``meta`` and ``text`` left out,
    as a server changes them without changing the resource)."""
    kind = str(resource.get("resourceType"))
    identifiers = resource.get("identifier")
    if isinstance(identifiers, Mapping):  # a QuestionnaireResponse has one, not a list
        identifiers = [identifiers]
    for identifier in identifiers if isinstance(identifiers, list) else ():
        if isinstance(identifier, Mapping) and identifier.get("system") and identifier.get("value"):
            source = f"{kind}|identifier|{identifier['system']}|{identifier['value']}"
            break
    else:
        content = {k: v for k, v in resource.items() if k not in ("id", "meta", "text")}
        source = f"{kind}|content|{json.dumps(content, sort_keys=True, separators=(',', ':'))}"
    return hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()


def _where(index: int, resource: Mapping[str, Any]) -> str:
    kind = resource.get("resourceType")
    rid = resource.get("id")
    kind = kind if isinstance(kind, str) else "resource"
    if isinstance(rid, str) and rid:
        return f"{kind}/{rid}"
    return f"entry[{index}] {kind}"


def _shell_problems(data: Mapping[str, Any]) -> list[str]:
    """The Bundle checked without its resources, which are checked one by one."""
    shell = dict(data)
    entries = []
    for entry in data["entry"]:
        if isinstance(entry, Mapping) and isinstance(entry.get("resource"), Mapping):
            entry = {k: v for k, v in entry.items() if k != "resource"}
        entries.append(entry)
    shell["entry"] = entries
    try:
        get_fhir_model_class("Bundle").model_validate(shell)
    except pydantic.ValidationError as error:
        return [
            f"{'.'.join(str(p) for p in e['loc']) or 'Bundle'}: {e['msg']}"
            for e in error.errors()[:20]
        ]
    return []


def _check_bundle(data: object) -> list[Mapping[str, Any] | None]:
    """The entries' resources (None where an entry has none), or BundleRefused."""
    if not isinstance(data, Mapping) or data.get("resourceType") != "Bundle":
        raise BundleRefused([gettext("not a FHIR Bundle (resourceType must be 'Bundle')")])
    if data.get("type") not in ACCEPTED_TYPES:
        raise BundleRefused(
            [
                gettext("Bundle.type must be one of %(types)s, not %(type)r")
                % {"types": ", ".join(ACCEPTED_TYPES), "type": data.get("type")}
            ]
        )
    entries = data.get("entry")
    if not isinstance(entries, list) or not entries:
        raise BundleRefused([gettext("the Bundle has no entries")])
    if len(entries) > MAX_ENTRIES:
        raise BundleRefused(
            [
                gettext("the Bundle has %(count)d entries; one import reads at most %(max)d")
                % {"count": len(entries), "max": MAX_ENTRIES}
            ]
        )
    if problems := _shell_problems(data):
        raise BundleRefused(problems)
    return [e.get("resource") if isinstance(e, Mapping) else None for e in entries]


def _patients(data: Mapping[str, Any], resources: list[Mapping[str, Any] | None]) -> None:
    """BundleRefused when the Bundle holds more than one person's data: several Patients, or
    resources about different patients. The person importing vouches that it is theirs."""
    aliases: dict[str, int] = {}
    for i, (entry, r) in enumerate(zip(data["entry"], resources, strict=True)):
        if r is None or r.get("resourceType") != "Patient":
            continue
        if isinstance(r.get("id"), str):
            aliases[f"Patient/{r['id']}"] = i
        if isinstance(entry.get("fullUrl"), str):
            aliases[entry["fullUrl"]] = i
    people: set[object] = set(aliases.values())
    for r in resources:
        if r is None or r.get("resourceType") not in (
            "Observation",
            "Condition",
            "QuestionnaireResponse",
        ):
            continue
        for name in ("subject", "patient"):
            reference = r.get(name)
            text = reference.get("reference") if isinstance(reference, Mapping) else None
            if not isinstance(text, str) or text.startswith("#"):
                continue
            found = _PATIENT_REFERENCE.search(text)
            people.add(aliases.get(text, aliases.get(found.group(1) if found else text, text)))
    if len(people) > 1:
        raise BundleRefused(
            [gettext("the Bundle holds more than one person's data: import one record at a time")]
        )


def _validation_problem(resource: Mapping[str, Any]) -> str | None:
    kind = resource.get("resourceType")
    if not isinstance(kind, str):
        return gettext("not a FHIR resource (no resourceType)")
    try:
        model = get_fhir_model_class(kind)
    except (KeyError, ValueError, AttributeError, ImportError):
        return gettext("%(type)r is not a FHIR R4 resource type") % {"type": kind}
    try:
        model.model_validate(dict(resource))
    except pydantic.ValidationError as error:
        details = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or kind}: {e['msg']}" for e in error.errors()[:5]
        )
        return gettext("not valid FHIR R4: %(details)s") % {"details": details}
    except (ValueError, TypeError) as error:  # a validator of the library's own
        return gettext("not valid FHIR R4: %(details)s") % {"details": error}
    return None


def _read_one(
    where: str,
    key: str,
    resource: Mapping[str, Any],
    zone: str,
    found: StandardBundle,
    readings: list[PainReading],
) -> str | None:
    """Read one valid resource into ``found`` (pain scores into ``readings``), or say why it
    is skipped."""
    kind = resource["resourceType"]
    result: object
    if kind == "Observation" and PAIN_LOINC in codes_in(resource.get("code"), LOINC):
        result = pain_readings(where, key, resource, zone)
        if isinstance(result, list):
            readings += result
            return None
    elif kind == "QuestionnaireResponse":
        result = questionnaire_answers(where, key, resource, zone)
        if isinstance(result, AnswersFound):
            found.answers.append(result)
            return None
    elif kind == "Condition":
        result = episode_of(where, key, resource, zone)
        if isinstance(result, EpisodeFound):
            found.episodes.append(result)
            return None
    elif kind == "Observation":
        result = gettext("not a 0-10 pain score (LOINC 72514-3)")
    else:
        result = gettext(
            "Sciaticare takes pain scores, questionnaire responses and sciatica episodes "
            "from other systems, not a %(type)s"
        ) % {"type": kind}
    return str(result)


def read_standard_bundle(
    data: object, *, zone: str, imported: Collection[str] = frozenset()
) -> StandardBundle:
    """What a foreign Bundle holds for import (see the module docstring), each date read as a
    day in ``zone`` (the patient's). ``imported``: keys of resources imported before, which
    are skipped. Raises BundleRefused for a Bundle that cannot be read at all."""
    resources = _check_bundle(data)
    assert isinstance(data, Mapping)
    _patients(data, resources)
    found = StandardBundle()
    readings: list[PainReading] = []
    seen: set[str] = set()
    for i, resource in enumerate(resources):
        if resource is None:
            found.skipped.append(Skipped(f"entry[{i}]", gettext("the entry has no resource")))
            continue
        where = _where(i, resource)
        if problem := _validation_problem(resource):
            found.skipped.append(Skipped(where, problem))
            continue
        kind = resource["resourceType"]
        if kind == "Patient":
            found.skipped.append(
                Skipped(where, gettext("the person is you: your account is the Patient"))
            )
            continue
        key = resource_key(resource)
        if key in imported:
            found.skipped.append(Skipped(where, gettext("already imported")))
            continue
        if key in seen:
            found.skipped.append(Skipped(where, gettext("it appears twice in the Bundle")))
            continue
        seen.add(key)
        if reason := _read_one(where, key, resource, zone, found, readings):
            found.skipped.append(Skipped(where, reason))
    found.days = diary_days(readings, found.skipped)
    return found
