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
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final

import pydantic
from fhir.resources.R4B import get_fhir_model_class

from sciaticare.core.time import local_day
from sciaticare.core.translation import gettext
from sciaticare.intake.scoring.instruments import INSTRUMENTS
from sciaticare.interop.fhir.codes import (
    BASE_URL,
    CLINICAL_STATUS_SYSTEM,
    ICD10CM,
    LOINC,
    PAIN_LOINC,
    PAIN_SITE_SYSTEM,
    SCIATICA_SNOMED,
    SNOMED,
    PainSite,
    codes_in,
)
from sciaticare.interop.fhir.imported import ImportedQuestionnaire, Skipped

#: Bundle types taken. A transaction's or batch's ``request`` is ignored: we import what the
#: entries hold, we do not execute them.
ACCEPTED_TYPES: Final = ("collection", "transaction", "batch", "searchset", "document")
#: Entries one import reads; a record of years of daily pain scores fits well below it.
MAX_ENTRIES: Final = 2000

ICD10: Final = "http://hl7.org/fhir/sid/icd-10"
#: Sciatica in ICD-10-CM (M54.3x: M54.30 side unspecified, M54.31 right, M54.32 left) and in
#: ICD-10 (M54.3), docs/clinical.md "Codes".
SCIATICA_ICD10: Final = frozenset({"M54.3", "M54.30", "M54.31", "M54.32"})
ICD10CM_SIDES: Final = {"M54.31": "right", "M54.32": "left"}
#: SNOMED CT body structures that say which pain a 0-10 score measures: the lower back
#: (37822005 "Lower back structure") or a leg (61685007 "Lower limb structure", 32153003 left,
#: 62175007 right lower limb, 30021000 "Lower leg structure"). Any other site is skipped.
BACK_SITES: Final = frozenset({"37822005"})
LEG_SITES: Final = frozenset({"61685007", "32153003", "62175007", "30021000"})
SCORE_UNITS: Final = frozenset({"{score}", "score"})
#: LOINC panel codes of our instruments (docs/clinical.md, "Codes"): only the ODI has one.
LOINC_PANELS: Final = {"97908-8": "odi"}
ORDINAL_VALUE_URL: Final = "http://hl7.org/fhir/StructureDefinition/ordinalValue"

OBSERVATION_TAKEN: Final = frozenset({"final", "amended", "corrected"})
RESPONSE_TAKEN: Final = frozenset({"completed", "amended"})
CONDITION_ENDED: Final = frozenset({"inactive", "remission", "resolved"})
CONDITION_NOT_TRUE: Final = frozenset({"refuted", "entered-in-error"})
VERIFICATION_SYSTEM: Final = "http://terminology.hl7.org/CodeSystem/condition-ver-status"

_PATIENT_REFERENCE = re.compile(r"(?:^|/)(Patient/[^/]+)$")
_OURS = (f"{BASE_URL}/CodeSystem/", f"{BASE_URL}/StructureDefinition/")


class BundleRefused(ValueError):
    """The Bundle as a whole cannot be read; ``problems`` says why."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class PainReading:
    where: str
    key: str
    site: PainSite
    value: int
    day: date
    moment: datetime | None  # None: a day without a time


@dataclass(frozen=True)
class DiaryDay:
    """Back and leg pain of one day, from the readings named (their keys, to record)."""

    day: date
    back_pain: int
    leg_pain: int
    sources: tuple[str, ...]
    keys: frozenset[str]


@dataclass(frozen=True)
class EpisodeFound:
    where: str
    key: str
    started_on: date
    active: bool
    side: str | None


@dataclass(frozen=True)
class AnswersFound:
    where: str
    key: str
    questionnaire: ImportedQuestionnaire


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


def _moment(text: object, zone: str) -> tuple[date, datetime | None] | str:
    """The day (in ``zone``) and instant of a FHIR date or dateTime, or why it has none."""
    if not isinstance(text, str):
        return gettext("no date")
    if len(text) == 10:
        try:
            return date.fromisoformat(text), None
        except ValueError:
            return gettext("%(value)r is not a date") % {"value": text}
    if "T" not in text:
        return gettext("%(value)r is not a whole day") % {"value": text}
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return gettext("%(value)r is not a date and time") % {"value": text}
    if moment.tzinfo is None:
        return gettext("%(value)r has no time zone offset") % {"value": text}
    try:
        return local_day(moment, zone), moment
    except (OverflowError, ValueError):
        return gettext("%(value)r is out of range") % {"value": text}


def _site(concepts: Iterable[object]) -> PainSite | str | None:
    """Back or leg from SNOMED CT body structures (or our own pain-site code); a reason when
    the site is another one; None when no site is given."""
    sites: set[PainSite] = set()
    other = []
    for concept in concepts:
        for code in codes_in(concept, SNOMED):
            if code in BACK_SITES:
                sites.add(PainSite.BACK)
            elif code in LEG_SITES:
                sites.add(PainSite.LEG)
            else:
                other.append(code)
        for code in codes_in(concept, PAIN_SITE_SYSTEM):
            if code in PainSite:
                sites.add(PainSite(code))
    if len(sites) == 1:
        return sites.pop()
    if len(sites) > 1:
        return gettext("it names both the back and a leg; the diary keeps them apart")
    if other:
        return gettext(
            "its body site (SNOMED CT %(codes)s) is neither the lower back nor a leg"
        ) % {"codes": ", ".join(other)}
    return None


def _score(holder: Mapping[str, Any]) -> int | str:
    """A whole number 0-10 from ``valueInteger`` or ``valueQuantity``, or why not."""
    if "valueInteger" in holder:
        value: object = holder["valueInteger"]
    elif isinstance(holder.get("valueQuantity"), Mapping):
        quantity = holder["valueQuantity"]
        units = {quantity.get("unit"), quantity.get("code")} - {None}
        if units - SCORE_UNITS:
            return gettext("its unit %(unit)r is not a 0-10 score") % {
                "unit": ", ".join(sorted(map(str, units)))
            }
        value = quantity.get("value")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
    elif "dataAbsentReason" in holder:
        return gettext("it has no value (dataAbsentReason)")
    else:
        return gettext("its value is neither valueInteger nor valueQuantity")
    if isinstance(value, bool) or not isinstance(value, int):
        return gettext("%(value)r is not a whole number") % {"value": value}
    if not 0 <= value <= 10:
        return gettext("%(value)s is outside 0-10") % {"value": value}
    return value


def _effective(r: Mapping[str, Any], zone: str) -> tuple[date, datetime | None] | str:
    """When an Observation was measured: effectiveDateTime, effectivePeriod.start,
    effectiveInstant or, lacking all, issued."""
    when: object = r.get("effectiveDateTime")
    if when is None and isinstance(r.get("effectivePeriod"), Mapping):
        when = r["effectivePeriod"].get("start")
    if when is None:
        when = r.get("effectiveInstant") or r.get("issued")
    return _moment(when, zone)


def _pain_readings(
    where: str, key: str, r: Mapping[str, Any], zone: str
) -> list[PainReading] | str:
    if r.get("status") not in OBSERVATION_TAKEN:
        return gettext("its status is %(status)r, not final, amended or corrected") % {
            "status": r.get("status")
        }
    moment = _effective(r, zone)
    if isinstance(moment, str):
        return gettext("when it was measured: %(why)s") % {"why": moment}
    day, instant = moment
    holders: list[tuple[Mapping[str, Any], list[object]]] = []
    if any(k.startswith("value") or k == "dataAbsentReason" for k in r):
        holders.append((r, [r["bodySite"]] if r.get("bodySite") else []))
    else:
        for component in r.get("component") or []:
            if PAIN_LOINC in codes_in(component.get("code"), LOINC):
                holders.append((component, [component.get("code")]))
        if not holders:
            return gettext("it has no value")
    readings = []
    for holder, concepts in holders:
        value = _score(holder)
        if isinstance(value, str):
            return value
        site = _site(concepts)
        if site is None:
            return gettext(
                "it does not say whether it measures back or leg pain (a bodySite of the lower "
                "back or a leg); the diary keeps them apart"
            )
        if not isinstance(site, PainSite):
            return site
        readings.append(PainReading(where, key, site, value, day, instant))
    if len({reading.site for reading in readings}) != len(readings):
        return gettext("it gives the same site twice")
    return readings


def _named(r: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """The canonical URLs and LOINC codes a response names its questionnaire by: its
    ``questionnaire``, a contained Questionnaire's url and code, an identifier, a tag."""
    canonical = r.get("questionnaire")
    canonicals = [canonical] if isinstance(canonical, str) else []
    loinc: list[str] = []
    contained = {
        c.get("id"): c for c in r.get("contained") or [] if c.get("resourceType") == "Questionnaire"
    }
    if isinstance(canonical, str) and canonical.startswith("#") and canonical[1:] in contained:
        questionnaire = contained[canonical[1:]]
        if isinstance(questionnaire.get("url"), str):
            canonicals.append(questionnaire["url"])
        loinc += [
            str(c.get("code")) for c in questionnaire.get("code") or [] if c.get("system") == LOINC
        ]
    identifier = r.get("identifier")
    if isinstance(identifier, Mapping) and identifier.get("system") == LOINC:
        loinc.append(str(identifier.get("value")))
    loinc += [
        str(t.get("code"))
        for t in (r.get("meta") or {}).get("tag") or []
        if t.get("system") == LOINC
    ]
    return canonicals, loinc


def _instrument(r: Mapping[str, Any]) -> tuple[str, str] | None:
    """Our instrument and its version, from what the response names its questionnaire by;
    None when it is not one of ours."""
    by_url = {i.url: i.code for i in INSTRUMENTS.values()}
    canonicals, loinc = _named(r)
    for text in canonicals:
        url, _, version = text.partition("|")
        if url in by_url:
            return by_url[url], version or "1.0"
        if re.match(r"^https?://loinc\.org/", url):  # http://loinc.org/q/97908-8 and the like
            loinc.append(url.rstrip("/").rsplit("/", 1)[-1])
    for code in loinc:
        if code in LOINC_PANELS:
            return LOINC_PANELS[code], "1.0"
    return None


def _answer(answer: Mapping[str, Any]) -> dict[str, Any] | None:
    """An answer as our scoring reads it (valueInteger/valueBoolean): a whole valueDecimal, or
    a valueCoding with an ordinal value, become valueInteger; None for any other kind."""
    if "valueInteger" in answer or "valueBoolean" in answer:
        return {k: v for k, v in answer.items() if k in ("valueInteger", "valueBoolean")}
    value: object = None
    if isinstance(answer.get("valueDecimal"), int | float):
        value = answer["valueDecimal"]
    elif isinstance(answer.get("valueCoding"), Mapping):
        for extension in answer["valueCoding"].get("extension") or []:
            if extension.get("url") == ORDINAL_VALUE_URL:
                value = extension.get("valueDecimal")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return {"valueInteger": value}
    return None


def _items(items: object, link_ids: frozenset[str], where: list[str]) -> list[dict[str, Any]]:
    """The instrument's items as our scoring reads them, found by linkId at any depth; other
    items (headings, instructions, a form's own questions) are left out."""
    found: list[dict[str, Any]] = []
    for item in items if isinstance(items, list) else ():
        answers = item.get("answer") or []
        link_id = item.get("linkId")
        if link_id in link_ids:
            read = [_answer(a) for a in answers]
            if any(a is None for a in read):
                kinds = ", ".join(k for a in answers for k in a if k.startswith("value"))
                where.append(
                    gettext("item %(item)r: unsupported answer (%(kinds)s)")
                    % {"item": link_id, "kinds": kinds or "none"}
                )
                continue
            found.append({"linkId": link_id, "answer": read} if read else {"linkId": link_id})
        for answer in answers:
            found += _items(answer.get("item"), link_ids, where)
        found += _items(item.get("item"), link_ids, where)
    return found


def _questionnaire(where: str, key: str, r: Mapping[str, Any], zone: str) -> AnswersFound | str:
    named = _instrument(r)
    if named is None:
        return gettext(
            "its questionnaire %(questionnaire)r is not one of our instruments (our canonical "
            "URLs, or the ODI's LOINC panel 97908-8)"
        ) % {"questionnaire": r.get("questionnaire")}
    code, version = named
    if r.get("status") not in RESPONSE_TAKEN:
        return gettext("its status is %(status)r, not completed or amended") % {
            "status": r.get("status")
        }
    authored = r.get("authored")
    moment = _moment(authored, zone)
    if isinstance(moment, str) or moment[1] is None:
        return gettext("authored needs a date and time with an offset")
    link_ids = frozenset(item.link_id for item in INSTRUMENTS[code].items)
    problems: list[str] = []
    items = _items(r.get("item"), link_ids, problems)
    if problems:
        return "; ".join(problems)
    if not {item["linkId"] for item in items} & link_ids:
        return gettext(
            "none of its items is one of %(code)s's (Sciaticare reads items by linkId: "
            "%(first)s to %(last)s)"
        ) % {"code": code, "first": min(link_ids), "last": max(link_ids)}
    if "|" in version or not version.strip():
        version = "1.0"
    return AnswersFound(
        where,
        key,
        ImportedQuestionnaire(
            instrument=code,
            version=version,
            resource={
                "resourceType": "QuestionnaireResponse",
                "status": "completed",
                "item": items,
            },
            completed_at=moment[1],
            source=where,
        ),
    )


def _episode(where: str, key: str, r: Mapping[str, Any], zone: str) -> EpisodeFound | str:
    icd = [c for system in (ICD10CM, ICD10) for c in codes_in(r.get("code"), system)]
    if SCIATICA_SNOMED not in codes_in(r.get("code"), SNOMED) and not set(icd) & SCIATICA_ICD10:
        return gettext("not sciatica (SNOMED CT 23056005, ICD-10-CM M54.3x)")
    if set(codes_in(r.get("verificationStatus"), VERIFICATION_SYSTEM)) & CONDITION_NOT_TRUE:
        return gettext("its verification status says it is not so")
    onset: object = r.get("onsetDateTime")
    if onset is None and isinstance(r.get("onsetPeriod"), Mapping):
        onset = r["onsetPeriod"].get("start")
    if onset is None:
        return gettext(
            "it has no onset (onsetDateTime or onsetPeriod.start): an episode needs "
            "the day the pain began"
        )
    moment = _moment(onset, zone)
    if isinstance(moment, str):
        return gettext("its onset: %(why)s") % {"why": moment}
    statuses = set(codes_in(r.get("clinicalStatus"), CLINICAL_STATUS_SYSTEM))
    ended = bool(statuses & CONDITION_ENDED) or any(k.startswith("abatement") for k in r)
    sides = {ICD10CM_SIDES[c] for c in codes_in(r.get("code"), ICD10CM) if c in ICD10CM_SIDES}
    return EpisodeFound(where, key, moment[0], not ended, sides.pop() if len(sides) == 1 else None)


def _diary_days(readings: list[PainReading], skipped: list[Skipped]) -> list[DiaryDay]:
    """One diary day per day with a back and a leg reading; of several readings of one site
    that day, the last taken (the diary holds one a day)."""
    by_day: dict[date, list[PainReading]] = defaultdict(list)
    for reading in readings:
        by_day[reading.day].append(reading)
    days = []
    for day in sorted(by_day):
        chosen: dict[PainSite, PainReading] = {}
        for reading in by_day[day]:
            held = chosen.get(reading.site)
            if held is None or _later(reading, held):
                if held is not None:
                    skipped.append(Skipped(held.where, _not_last(day)))
                chosen[reading.site] = reading
            else:
                skipped.append(Skipped(reading.where, _not_last(day)))
        if len(chosen) == 2:
            back, leg = chosen[PainSite.BACK], chosen[PainSite.LEG]
            days.append(
                DiaryDay(
                    day,
                    back.value,
                    leg.value,
                    tuple(dict.fromkeys((back.where, leg.where))),
                    frozenset((back.key, leg.key)),
                )
            )
            continue
        (only,) = chosen.values()
        missing = gettext("leg") if only.site == PainSite.BACK else gettext("back")
        skipped.append(
            Skipped(
                only.where,
                gettext(
                    "the diary keeps a day's back and leg pain together, and %(day)s has no "
                    "%(missing)s pain score"
                )
                % {"day": day.isoformat(), "missing": missing},
            )
        )
    return days


def _later(reading: PainReading, held: PainReading) -> bool:
    if reading.moment is None or held.moment is None:
        return held.moment is None and reading.moment is not None
    return reading.moment >= held.moment


def _not_last(day: date) -> str:
    return gettext(
        "another score of the same pain on %(day)s was kept (the diary holds one a day: the "
        "last taken)"
    ) % {"day": day.isoformat()}


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
        result = _pain_readings(where, key, resource, zone)
        if isinstance(result, list):
            readings += result
            return None
    elif kind == "QuestionnaireResponse":
        result = _questionnaire(where, key, resource, zone)
        if isinstance(result, AnswersFound):
            found.answers.append(result)
            return None
    elif kind == "Condition":
        result = _episode(where, key, resource, zone)
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
    found.days = _diary_days(readings, found.skipped)
    return found


def side_record(started_on: date, side: str) -> dict[str, Any]:
    """What the export reads an imported episode's side from (kept beside the episode, as for
    our own Bundles: the side lives on the intake, which an import cannot make)."""
    return {
        "resourceType": "Condition",
        "id": f"condition-{started_on.isoformat()}",
        "code": {
            "coding": [
                {"system": SNOMED, "code": SCIATICA_SNOMED},
                {"system": ICD10CM, "code": {v: k for k, v in ICD10CM_SIDES.items()}[side]},
            ]
        },
    }
