"""Standard FHIR in, resource by resource (pure): what a pain score, a questionnaire response
or a Condition from another system becomes, or why it is skipped; and a day's back and leg
scores paired into a diary day. The Bundle around them is read by ``standard``, whose
docstring says what is taken and why."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from sciaticare.core.time import local_day
from sciaticare.core.translation import gettext
from sciaticare.intake.scoring.instruments import INSTRUMENTS
from sciaticare.interop.fhir.codes import (
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


def pain_readings(where: str, key: str, r: Mapping[str, Any], zone: str) -> list[PainReading] | str:
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


def questionnaire_answers(
    where: str, key: str, r: Mapping[str, Any], zone: str
) -> AnswersFound | str:
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


def episode_of(where: str, key: str, r: Mapping[str, Any], zone: str) -> EpisodeFound | str:
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


def diary_days(readings: list[PainReading], skipped: list[Skipped]) -> list[DiaryDay]:
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
