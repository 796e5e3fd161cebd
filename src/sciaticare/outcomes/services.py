"""Every write of the outcomes app: pain entries, the nudge preference, report requests and
shares, and the daily removal of old reports."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import partial
from uuid import UUID

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from sciaticare.accounts.models import User
from sciaticare.accounts.selectors import today_for
from sciaticare.audit.services import record_event
from sciaticare.core import generated
from sciaticare.core.bounds import day_out_of_range
from sciaticare.core.errors import Conflict, Invalid, NotFound, Refused
from sciaticare.core.generated import FileStatus
from sciaticare.core.names import has_hidden_characters, hidden_characters_refusal
from sciaticare.core.sql import Dialect, fetch_rows, table
from sciaticare.core.time import parse_utc
from sciaticare.outcomes import mail, selectors
from sciaticare.outcomes.identity import PatientIdentity, identity_problems
from sciaticare.outcomes.models import DiaryPreference, PainEntry, ProgressReport, ReportShare, Tag

MAX_NOTE = 500


def entry_problems(
    *, back_pain: object, leg_pain: object, tags: Iterable[str], note: str = ""
) -> list[tuple[str, str]]:
    """What is wrong with a diary entry's values, as (field, message) pairs: the one rule for
    typed entries (`log_pain`), synced ones (`sync_entry`) and imported ones
    (`add_past_entries`)."""
    errors = [
        (name, gettext("must be a whole number from 0 to 10"))
        for name, v in (("back_pain", back_pain), ("leg_pain", leg_pain))
        if not (isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 10)
    ]
    unknown = [t for t in tags if t not in Tag.values]
    if unknown:
        errors.append(
            (
                "tags",
                gettext("unknown tags: %(unknown)s; use %(known)s")
                % {"unknown": ", ".join(unknown), "known": ", ".join(Tag.values)},
            )
        )
    if len(note.strip()) > MAX_NOTE:
        errors.append(("note", gettext("at most %(count)s characters") % {"count": MAX_NOTE}))
    elif has_hidden_characters(note):  # a NUL, which PostgreSQL cannot store, among them
        errors.append(("note", hidden_characters_refusal()))
    return errors


@dataclass(frozen=True)
class PastEntry:
    """A diary day brought from another record; `source` names it in a refusal."""

    day: date
    back_pain: int
    leg_pain: int
    note: str = ""
    tags: Sequence[str] = ()
    source: str = ""


def add_past_entries(
    *, patient: User, entries: Iterable[PastEntry], now: datetime | None = None
) -> tuple[int, int]:
    """Add imported diary days: the rules of `log_pain`, except that a past day is allowed (it
    is history); never a future day (in the patient's zone), and never over a day the patient
    already logged.

    Raises Invalid naming each refused entry, before writing anything. The caller holds the
    transaction (an import is all or nothing). Returns (added, already there).
    """
    listed = list(entries)
    today = today_for(patient, now)
    errors = []
    for entry in listed:
        where = entry.source or gettext("the entry of %(day)s") % {"day": entry.day.isoformat()}
        errors += [
            (where, f"{name}: {message}")
            for name, message in entry_problems(
                back_pain=entry.back_pain, leg_pain=entry.leg_pain, tags=entry.tags, note=entry.note
            )
        ]
        if out_of_range := day_out_of_range(entry.day):
            errors.append((where, out_of_range))
        elif entry.day > today:
            errors.append(
                (where, gettext("%(day)s is in the future") % {"day": entry.day.isoformat()})
            )
    if errors:
        raise Invalid(
            "invalid_entry", gettext("Some diary entries break the diary's rules."), errors
        )
    added = 0
    for entry in listed:
        _, created = PainEntry.objects.get_or_create(
            patient=patient,
            day=entry.day,
            defaults={
                "back_pain": entry.back_pain,
                "leg_pain": entry.leg_pain,
                "note": entry.note.strip(),
                "tags": list(dict.fromkeys(entry.tags)),
            },
        )
        added += created
    return added, len(listed) - added


def log_pain(
    *,
    patient: User,
    back_pain: int,
    leg_pain: int,
    note: str = "",
    tags: Iterable[str] = (),
    day: date | None = None,
    now: datetime | None = None,
) -> tuple[PainEntry, bool]:
    """Today's entry, created or changed (one per day; earlier days are read-only). "Today" is
    the patient's own day, in their time zone at `now` (the clock by default): 00:30 in London
    is London's day, whatever the date in UTC. The entry keeps that date for good.

    Returns the entry and whether it was created.
    """
    today = today_for(patient, now)
    day = day or today
    errors = entry_problems(back_pain=back_pain, leg_pain=leg_pain, tags=tags, note=note)
    if out_of_range := day_out_of_range(day):
        errors.append(("date", out_of_range))
    elif day != today:
        errors.append(("date", gettext("entries can be made or changed only on their own day")))
    if errors:
        raise Invalid("invalid_entry", gettext("The entry was not saved."), errors)
    # Made here, not queued on a device (no client_id): `written_at` becomes its save time.
    entry = PainEntry(
        patient=patient,
        day=day,
        back_pain=back_pain,
        leg_pain=leg_pain,
        note=note.strip()[:MAX_NOTE],
        tags=list(dict.fromkeys(tags)),
        updated_at=timezone.now(),
    )
    ops = connection.ops
    row = [
        *(entry.back_pain, entry.leg_pain, entry.note),
        entry._meta.get_field("tags").get_db_prep_value(entry.tags, connection),
        ops.adapt_datetimefield_value(entry.updated_at),
        *(patient.pk, ops.adapt_datefield_value(day)),
    ]
    # Never before what it replaces, though it waited for that write's lock after the clock
    # was read: the later write is the later one for the offline diary too.
    latest = ("%s", "created_at", "updated_at", "COALESCE(client_made_at, created_at)")
    change = _CHANGE_DAY_SQL.format(latest=Dialect.current().latest(*latest))
    with transaction.atomic():
        # Plain SQL, one statement for a change and two for a new day: the ORM's locking read
        # and then its insert or update cost several times the database's share.
        changed = fetch_rows(change, row)
        made = [] if changed else fetch_rows(_NEW_DAY_SQL, [*row, row[4]])  # made when saved
        if not changed and not made:  # the day's first entry was written meanwhile: change it
            changed = fetch_rows(change, row)
        ((entry.pk, made_at, saved_at),) = made or changed
        entry.created_at, entry.updated_at = parse_utc(made_at), parse_utc(saved_at)
        action = "diary.create" if made else "diary.update"
        record_event(actor=patient, action=action, patient=patient, obj=entry)
    return entry, bool(made)


_CHANGE_DAY_SQL = f"""
UPDATE {table(PainEntry)}
   SET back_pain = %s, leg_pain = %s, note = %s, tags = %s, updated_at = {{latest}},
       client_id = NULL, client_made_at = NULL
 WHERE patient_id = %s AND "day" = %s
RETURNING id, CAST(created_at AS TEXT), CAST(updated_at AS TEXT)
"""  # noqa: S608 - the table name from the model; values go as parameters
_NEW_DAY_SQL = f"""
INSERT INTO {table(PainEntry)}
       (back_pain, leg_pain, note, tags, updated_at, patient_id, "day", created_at)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (patient_id, "day") DO NOTHING
RETURNING id, CAST(created_at AS TEXT), CAST(updated_at AS TEXT)
"""  # noqa: S608 - the table name from the model; values go as parameters


# The offline diary (docs/offline.md): how long a device's queue may wait, and how far ahead of
# the server's clock a device's clock may run.
MAX_OFFLINE_AGE = timedelta(days=7)
CLOCK_SKEW = timedelta(minutes=5)


class SyncResult(StrEnum):
    """What the server kept for a queued write (`sync_entry`)."""

    CREATED = "created"  # the day's first entry: this write
    UPDATED = "updated"  # the day's entry now holds this write, made after the one it held
    KEPT = "kept"  # the day's entry holds a write made later (or at the same time): unchanged
    ALREADY_STORED = "already_stored"  # this write is the day's entry already (a retry)


def sync_entry(
    *,
    patient: User,
    client_id: UUID,
    made_at: datetime,
    day: date,
    back_pain: int,
    leg_pain: int,
    note: str = "",
    tags: Iterable[str] = (),
    now: datetime | None = None,
) -> tuple[PainEntry, SyncResult]:
    """A write queued on the patient's device, sent once it was back online (or again).

    Idempotent by `client_id`: a retry stores nothing and answers what the day holds. Two
    writes of one day (two devices, or a page save and a queued one) are ordered by when the
    person made them: the later one wins (`PainEntry.written_at`; on a tie the stored one
    stays). `day` must be the patient's own day (in their zone) at `made_at`, which may be up
    to `MAX_OFFLINE_AGE` ago (an entry made offline late at night is still that night's).
    Raises Invalid naming each bad field, Conflict when the id already names another day's
    entry.
    """
    now = now or timezone.now()
    errors = entry_problems(back_pain=back_pain, leg_pain=leg_pain, tags=tags, note=note)
    if made_at > now + CLOCK_SKEW:
        errors.append(("made_at", gettext("is in the future: check the device's clock")))
    elif made_at < now - MAX_OFFLINE_AGE:
        errors.append(
            (
                "made_at",
                gettext("more than %(days)s days ago: too old to sync")
                % {"days": MAX_OFFLINE_AGE.days},
            )
        )
    elif out_of_range := day_out_of_range(day):
        errors.append(("date", out_of_range))
    elif day != today_for(patient, made_at):  # log_pain's "today" when it was made
        errors.append(("date", gettext("must be the day the entry was made (your day at made_at)")))
    if errors:
        raise Invalid("invalid_entry", gettext("The entry was not saved."), errors)
    values = {
        "back_pain": back_pain,
        "leg_pain": leg_pain,
        "note": note.strip(),
        "tags": list(dict.fromkeys(tags)),
        "client_id": client_id,
        "client_made_at": (made_at := min(made_at, now)),
    }
    store = partial(
        _store_synced, patient=patient, day=day, client_id=client_id, made_at=made_at, now=now
    )
    try:
        return store(values=values)
    except IntegrityError:  # a concurrent write of the same day or id: answer against it
        return store(values=values)


def _store_synced(
    *,
    patient: User,
    day: date,
    client_id: UUID,
    made_at: datetime,
    values: dict[str, object],
    now: datetime,
) -> tuple[PainEntry, SyncResult]:
    with transaction.atomic():
        entry = PainEntry.objects.select_for_update().filter(patient=patient, day=day).first()
        if entry is not None and entry.client_id == client_id:
            return entry, SyncResult.ALREADY_STORED
        other = PainEntry.objects.filter(patient=patient, client_id=client_id).first()
        if other is not None:
            raise Conflict(
                "client_id_taken",
                gettext("This client id already names the entry of %(day)s.")
                % {"day": other.day.isoformat()},
                [("client_id", gettext("already used for another day: make a new one"))],
            )
        if entry is not None and made_at <= entry.written_at:
            return entry, SyncResult.KEPT
        if entry is None:
            entry = PainEntry.objects.create(patient=patient, day=day, **values)
            result = SyncResult.CREATED
        else:
            for name, value in values.items():
                setattr(entry, name, value)
            entry.updated_at = now
            entry.save()
            result = SyncResult.UPDATED
        record_event(
            actor=patient,
            action="diary.create" if result is SyncResult.CREATED else "diary.update",
            patient=patient,
            obj=entry,
        )
    return entry, result


def set_daily_nudge(*, patient: User, on: bool) -> DiaryPreference:
    preference, _ = DiaryPreference.objects.update_or_create(
        patient=patient, defaults={"daily_nudge": on}
    )
    return preference


def claim_nudge(*, preference_id: int, day: date) -> bool:
    """Mark the patient's nudge of `day` (their own day) as sent; False when it already was.
    One conditional UPDATE, so two runs of the job never both send it."""
    return bool(
        DiaryPreference.objects.filter(pk=preference_id, daily_nudge=True)
        .exclude(last_nudged_on=day)
        .update(last_nudged_on=day)
    )


def request_report(
    *, patient: User, identity: PatientIdentity | None = None
) -> tuple[ProgressReport, bool]:
    """A new progress report for the patient, and whether it is new.

    ``identity`` (date of birth, optional NHS number or other identifier) is printed on the
    report so the doctor can match it to their record; the request page always gives it, and
    ``Invalid`` names each field that cannot be used. The caller enqueues the ``build_report``
    task for a new report once the row is committed, so a worker always finds it. While one
    report is still being made, asking again returns that one (not new), so no second task is
    queued.
    """
    if identity is not None:
        problems = identity_problems(
            date_of_birth=identity.date_of_birth,
            identifier=identity.identifier,
            today=today_for(patient),
        )
        if problems:
            raise Invalid("identity", gettext("The report cannot identify you yet."), problems)
    pending = ProgressReport.objects.filter(patient=patient, status=FileStatus.PENDING).first()
    if pending is not None:
        return pending, False
    try:
        with transaction.atomic():
            progress = ProgressReport.objects.create(
                patient=patient,
                requested_by=patient,
                date_of_birth=identity.date_of_birth if identity else None,
                patient_identifier=identity.identifier.strip() if identity else "",
            )
            record_event(actor=patient, action="report.request", patient=patient, obj=progress)
    except IntegrityError:  # a concurrent request won (one pending report per patient)
        return ProgressReport.objects.get(patient=patient, status=FileStatus.PENDING), False
    return progress, True


# Sending a report to the patient's doctor (models.ReportShare says how it is protected).
SHARE_DAYS = 14
# A report is a copy of health data made for one visit to the doctor: it goes a month after it
# was asked for, or when the last link sent with it ends, whichever is later (the record itself
# stays, and the patient can make a new report at any time).
REPORT_KEPT_FOR = timedelta(days=30)
# No 0/O, 1/I/L: the code is read aloud or copied by hand.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def share_report(*, patient: User, report_id: int, email: str) -> tuple[ReportShare, str]:
    """Send the patient's ready report to `email`; returns the share and the code to pass on.

    The link goes out by mail after commit, from this request: the raw token must not sit in
    the task table; the code is shown to the patient once.
    """
    report = selectors.ready_report_for(user=patient, report_id=report_id)
    if report.requested_at < timezone.now() - REPORT_KEPT_FOR:
        # It is about to be deleted, and its figures are old: the doctor should see new ones.
        raise Invalid(
            "report_too_old",
            gettext(
                "This report is more than %(days)s days old. Make a new one to send, so that "
                "your doctor sees your latest figures."
            )
            % {"days": REPORT_KEPT_FOR.days},
        )
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise Invalid(
            "bad_email",
            gettext("Enter your doctor's email address."),
            [("email", gettext("Enter a valid email address."))],
        ) from None
    token = secrets.token_urlsafe(32)
    code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
    with transaction.atomic():
        share = ReportShare.objects.create(
            report=report,
            recipient_email=email,
            token_digest=_digest(token),
            code_digest=_digest(code),
            expires_at=timezone.now() + timedelta(days=SHARE_DAYS),
        )
        record_event(actor=patient, action="report.share", patient=patient, obj=share, reason=email)
        # robust: the share stands if the mail fails; the patient can stop it and send again.
        transaction.on_commit(partial(mail.send_report_link, share.pk, token), robust=True)
    return share, f"{code[:4]}-{code[4:]}"


def stop_share(*, patient: User, share_id: int) -> ReportShare:
    share = ReportShare.objects.filter(pk=share_id, report__patient=patient).first()
    if share is None:
        raise NotFound("share")
    if share.revoked_at is None:
        share.revoked_at = timezone.now()
        share.save(update_fields=["revoked_at"])
        record_event(actor=patient, action="report.share.stop", patient=patient, obj=share)
    return share


def purge_old_reports(*, now: datetime | None = None) -> int:
    """Delete reports asked for more than ``REPORT_KEPT_FOR`` ago whose every link has ended or
    was stopped, with those links; returns how many reports. Run daily with the deletions."""
    now = now or timezone.now()
    # One link must be both unstopped and unexpired (a correlated EXISTS; an exclude() across
    # the relation would let one stopped link and another expired one keep a report).
    live_link = ReportShare.objects.filter(
        report=OuterRef("pk"), revoked_at__isnull=True, expires_at__gt=now
    )
    # Locked, and share_report refuses reports this old: no link is added and lost with them
    # (their links go by CASCADE).
    return generated.purge_expired(
        ProgressReport.objects.exclude(Exists(live_link)), kept_for=REPORT_KEPT_FOR, now=now
    )


def open_shared_report(*, token: str, code: str) -> ProgressReport:
    """The shared report for a recipient holding the link and the code.

    NotFound alike for an unknown, expired or stopped link; a wrong code counts toward the lock
    and is committed even though the call fails.
    """
    now = timezone.now()
    share = (
        ReportShare.objects.select_related("report__patient")
        .filter(token_digest=_digest(token), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if share is None:
        raise NotFound("shared report")
    # Take one try before the code is compared, in a single conditional UPDATE: however many
    # requests race, the database hands out at most MAX_WRONG_CODES tries, so no more than that
    # many guesses are ever evaluated. A right code gives its try back.
    took_a_try = ReportShare.objects.filter(
        pk=share.pk, failed_attempts__lt=ReportShare.MAX_WRONG_CODES
    ).update(failed_attempts=F("failed_attempts") + 1)
    if not took_a_try:
        raise Refused(
            "share_locked",
            gettext(
                "Too many wrong codes: this link is locked. Ask the patient to send the report "
                "again."
            ),
        )
    given = "".join(ch for ch in code.upper() if ch.isalnum())
    if not hmac.compare_digest(_digest(given), share.code_digest):
        used = ReportShare.objects.values_list("failed_attempts", flat=True).get(pk=share.pk)
        left = max(ReportShare.MAX_WRONG_CODES - used, 0)
        raise Invalid(
            "wrong_code",
            (
                ngettext(
                    "That code is not right. %(count)s try left.",
                    "That code is not right. %(count)s tries left.",
                    left,
                )
                % {"count": left}
                if left
                else gettext("That code is not right. The link is now locked.")
            ),
            [("code", gettext("The code does not match."))],
        )
    ReportShare.objects.filter(pk=share.pk).update(
        failed_attempts=F("failed_attempts") - 1,
        times_opened=F("times_opened") + 1,
        last_opened_at=now,
    )
    record_event(
        actor=None,
        action="report.share.open",
        patient=share.report.patient,
        obj=share,
        reason=f"opened with the link sent to {share.recipient_email}",
    )
    return share.report


def erase_patient_data(*, patient: User, now: datetime) -> None:
    """Outcomes' part of erasing a deleted account (registered with privacy): the pain diary,
    its reminder setting, and progress reports with their links. Caller: inside its
    transaction."""
    PainEntry.objects.filter(patient=patient).delete()
    DiaryPreference.objects.filter(patient=patient).delete()
    ProgressReport.objects.filter(patient=patient).delete()
