"""The crash test's judge: what the clients were told (a log of `Write`s) against what the
database holds afterwards (`crash_world.state`). Pure: no Django, no server; each check returns
the problems it found, in words, so test_crash_history.py can show that each one can fail."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

ACTIVE = {"held", "booked", "completed", "no_show"}


@dataclass
class Write:
    """One write a client sent, and what it was told."""

    kind: str
    outcome: str  # "ack" (2xx), "no" (4xx), "lost" (no answer), "error" (5xx)
    status: int
    at: float  # time.monotonic() when the answer (or its absence) was known
    key: dict[str, Any]
    answer: dict[str, Any] = field(default_factory=dict)


def draft(appointment: int, version: int) -> dict[str, Any]:
    """Version `version` of a note: every field says which version it belongs to."""
    return {
        "subjective": f"v{version} S {appointment}",
        "objective": f"v{version} O {appointment}",
        "assessment": f"v{version} A {appointment}",
        "plan": f"v{version} P {appointment}",
        "minutes": 40 + version,
        "back_pain_before": version + 5,
        "back_pain_after": version,
        "pressure": "light",
    }


def check_bookings(world: dict[str, Any], writes: list[Write], state: dict[str, Any]) -> list[str]:
    """Acknowledged bookings present once and as answered; nothing else but lost ones."""
    problems = []
    past = {a for t in world["therapists"] for a in t["past_appointments"]}
    rows = {a["id"]: a for a in state["appointments"] if a["id"] not in past}
    writes = [w for w in writes if w.kind == "booking"]
    acked = [w for w in writes if w.outcome == "ack"]
    ack_ids = Counter(w.answer["id"] for w in acked)
    problems += [f"appointment {i} acknowledged {n} times" for i, n in ack_ids.items() if n > 1]
    for w in acked:
        row = rows.get(w.answer["id"])
        if row is None:
            problems.append(f"acknowledged booking {w.answer['id']} {w.key} is missing")
        elif (
            row["status"] not in ACTIVE
            or (row["patient_id"], row["therapist_id"]) != (w.key["patient"], w.key["therapist"])
            or abs(row["start"] - w.key["start"]) > 1e-3
        ):
            problems.append(f"acknowledged booking {w.key} is stored as {row}")
    lost = Counter(
        (w.key["patient"], w.key["therapist"], w.key["start"])
        for w in writes
        if w.outcome == "lost"
    )
    for row in rows.values():
        if row["id"] in ack_ids:
            continue
        what = (row["patient_id"], row["therapist_id"], row["start"])
        if not lost[what]:
            problems.append(f"appointment {row} was never acknowledged nor lost in flight")
        lost[what] -= 1  # one lost request explains one row, not two
    active = Counter(
        (r["patient_id"], r["therapist_id"], r["start"])
        for r in rows.values()
        if r["status"] in ACTIVE
    )
    problems += [f"booked twice: {k}" for k, n in active.items() if n > 1]
    audited = Counter(state["audited"].get("appointment.booked", []))
    for row in rows.values():
        if row["changes"] != ["booked"] or audited[str(row["id"])] != 1:
            problems.append(
                f"appointment {row['id']}: history {row['changes']}, "
                f"audited {audited[str(row['id'])]} times (half-written booking)"
            )
    return problems


def check_diary(writes: list[Write], state: dict[str, Any]) -> list[str]:
    """Each patient's entry is their last acknowledged write or a later lost one, whole."""
    problems = []
    by_patient: dict[int, list[Write]] = defaultdict(list)
    for w in writes:
        if w.kind == "diary":
            by_patient[w.key["patient"]].append(w)  # in order: one client per patient
    entries: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for entry in state["entries"]:
        entries[entry["patient_id"]].append(entry)
    for patient, attempts in by_patient.items():
        kept = sorted(entries.get(patient, []), key=lambda e: e["day"])
        days = Counter(e["day"] for e in kept)
        problems += [f"patient {patient} has {n} entries on {d}" for d, n in days.items() if n > 1]
        acks = [i for i, w in enumerate(attempts) if w.outcome == "ack"]
        last = acks[-1] if acks else 0
        allowed = {
            w.key["note"]: w
            for i, w in enumerate(attempts)
            if (acks and i == last) or (i >= last and w.outcome == "lost")
        }
        entry = kept[-1] if kept else None  # the latest day: a run that crosses midnight
        if entry is None:
            if acks:
                problems.append(f"patient {patient}: acknowledged {attempts[last].key} is missing")
            continue
        write = allowed.get(entry["note"])
        if write is None:
            problems.append(
                f"patient {patient}: entry {entry} is neither the last acknowledged write "
                f"({attempts[last].key if acks else None}) nor a later lost one"
            )
        elif (entry["back_pain"], entry["leg_pain"]) != (write.key["back"], write.key["leg"]):
            problems.append(f"patient {patient}: entry {entry} mixes writes ({write.key})")
    return problems


def _version(note: dict[str, Any]) -> int | None:
    """The one PUT all the note's fields come from (0: the untouched draft), None if mixed."""
    text = note["objective"]
    if not text and not note["plan"] and note["back_pain_before"] is None:
        return 0
    k = int(text.split()[0].removeprefix("v")) if text.startswith("v") else -1
    expected = draft(note["appointment"], k)
    fields = ("subjective", "objective", "assessment", "plan", "minutes")
    same = all(note[f] == expected[f] for f in (*fields, "back_pain_before", "back_pain_after"))
    return k if same else None


def check_notes(writes: list[Write], state: dict[str, Any]) -> list[str]:  # noqa: C901 (each invariant a branch)
    """Notes whole, not older than acknowledged, signed as answered, sealed, audited once."""
    problems = []
    notes = {n["appointment"]: n for n in state["notes"]}
    status = {a["id"]: a["status"] for a in state["appointments"]}
    audited = Counter(state["audited"].get("note.sign", []))
    by_appointment: dict[int, dict[str, Write]] = defaultdict(dict)
    for w in writes:
        if w.kind.startswith("note."):
            by_appointment[w.key["appointment"]][w.kind] = w
    for appointment, note in notes.items():
        version = _version(note)
        if version is None:
            problems.append(f"note of {appointment} is half-written: {note}")
        if appointment not in by_appointment:
            problems.append(f"note of {appointment} exists but nobody opened it")
        if note["signed_at"] is not None:
            if not note["seal_intact"] or not note["signed_by"]:
                problems.append(f"signed note of {appointment} has a broken signature: {note}")
            if status[appointment] != "completed":
                problems.append(f"signed note of {appointment}: appointment {status[appointment]}")
            if audited[str(note["id"])] != 1:
                problems.append(
                    f"note of {appointment}: signing audited {audited[str(note['id'])]} times"
                )
        elif status[appointment] != "booked":
            problems.append(f"unsigned note of {appointment}: appointment {status[appointment]}")
    for appointment, steps in by_appointment.items():
        note = notes.get(appointment)
        if note is None:
            # Opening a note stores nothing; its first acknowledged save makes it.
            first_save = steps.get("note.v1")
            if first_save and first_save.outcome == "ack":
                problems.append(f"note of {appointment} was saved (acknowledged) but is missing")
            continue
        version = _version(note)
        puts = [(k, steps.get(f"note.v{k}")) for k in (1, 2)]
        acked = [k for k, w in puts if w and w.outcome == "ack"]
        allowed = {acked[-1] if acked else 0} | {
            k for k, w in puts if w and w.outcome == "lost" and k > (acked[-1] if acked else 0)
        }
        if version is not None and version not in allowed:
            problems.append(f"note of {appointment}: version {version}, expected one of {allowed}")
        sign = steps.get("note.sign")
        if sign and sign.outcome == "ack":
            answered = datetime.fromisoformat(sign.answer["signed_at"]).timestamp()
            if note["signed_at"] is None or abs(note["signed_at"] - answered) > 1e-3:
                problems.append(
                    f"note of {appointment}: signing acknowledged at {answered}, stored {note}"
                )
            if note["signed_by"] != sign.key["therapist_user"] or version != 2:
                problems.append(f"note of {appointment}: signed {note}")
        elif note["signed_at"] is not None and not (sign and sign.outcome == "lost"):
            problems.append(f"note of {appointment} is signed but no signing was sent")
    return problems
