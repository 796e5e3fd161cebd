"""Credentials: uploads, verification by a clinic admin, expiry, and the licence summary."""

from __future__ import annotations

from datetime import date
from typing import IO

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sciaticare.accounts.models import User
from sciaticare.core.errors import Conflict, Invalid, NotFound
from sciaticare.directory import documents, search_table
from sciaticare.directory.models import (
    Credential,
    CredentialKind,
    CredentialStatus,
    TherapistProfile,
)
from sciaticare.directory.selectors.access import administers
from sciaticare.directory.services.checks import NotAllowed, full_clean
from sciaticare.directory.services.profile import ensure_profile


def _read_document(upload: IO[bytes], size: int | None) -> tuple[bytes, str]:
    """The file's bytes and kind, or Invalid with a message a person can act on."""
    if size is not None and size > documents.MAX_DOCUMENT_BYTES:
        raise Invalid(
            "document_too_big",
            _("The document is larger than 5 MB."),
            [("document", _("Upload a file of 5 MB or less (a scan at 150–300 dpi is enough)."))],
        )
    data = upload.read(documents.MAX_DOCUMENT_BYTES + 1)
    if len(data) > documents.MAX_DOCUMENT_BYTES:
        raise Invalid(
            "document_too_big",
            _("The document is larger than 5 MB."),
            [("document", _("Upload a file of 5 MB or less (a scan at 150–300 dpi is enough)."))],
        )
    if not data:
        raise Invalid(
            "document_empty", _("The document is empty."), [("document", _("Empty file."))]
        )
    kind = documents.sniff(data[: documents.HEAD_BYTES])
    if kind is None:
        raise Invalid(
            "document_type",
            _("The document must be a PDF, PNG or JPEG file."),
            [
                (
                    "document",
                    _(
                        "This file is not a PDF, PNG or JPEG (judged by its content, not its "
                        "name). Export or scan the licence to one of those."
                    ),
                )
            ],
        )
    return data, kind


def add_credential(
    *,
    actor: User,
    kind: str,
    title: str,
    number: str,
    issuing_body: str,
    jurisdiction: str,
    expires_on: date | None,
    document: IO[bytes],
    document_size: int | None = None,
) -> Credential:
    """Record a licence or certification of the actor (a therapist), pending a check."""
    profile = ensure_profile(therapist=actor)
    if kind not in CredentialKind.values:
        raise Invalid(
            "invalid_kind", _("Choose licence or certification."), [("kind", _("Unknown."))]
        )
    if expires_on is not None and expires_on < timezone.localdate():
        raise Invalid(
            "already_expired",
            _("This credential has already expired."),
            [("expires_on", _("The expiry date is in the past."))],
        )
    data, doc_kind = _read_document(document, document_size)
    credential = Credential(
        therapist=profile,
        kind=kind,
        title=title.strip(),
        number=number.strip(),
        issuing_body=issuing_body.strip(),
        jurisdiction=jurisdiction.strip(),
        expires_on=expires_on,
        document=data,
        document_type=doc_kind,
        document_size=len(data),
    )
    full_clean(credential, exclude=["therapist"])
    credential.save()
    return credential


def _check(actor: User, credential: Credential) -> Credential:
    if not administers(actor, credential.therapist):
        raise NotFound("credential")
    if credential.therapist.user_id == actor.pk:
        raise NotAllowed("own_credential", _("Someone else must check your own credentials."))
    locked = Credential.objects.select_for_update().get(pk=credential.pk)
    if locked.status != CredentialStatus.PENDING:
        raise Conflict(
            "already_checked",
            _("This credential is no longer waiting for a check (it is %(status)s).")
            % {"status": locked.get_status_display().lower()},
        )
    return locked


def verify_credential(*, actor: User, credential: Credential) -> Credential:
    """Mark a pending credential verified (a clinic admin of the therapist's clinic, or a site
    admin; never the therapist themself), recording who and when."""
    with transaction.atomic():
        locked = _check(actor, credential)
        if locked.expires_on is not None and locked.expires_on < timezone.localdate():
            raise Conflict("expired", _("This credential has expired; it cannot be verified."))
        locked.status = CredentialStatus.VERIFIED
        locked.checked_by = actor
        locked.checked_at = timezone.now()
        locked.save(update_fields=["status", "checked_by", "checked_at"])
        refresh_licence_summary(profile_id=locked.therapist_id)
    return locked


def reject_credential(*, actor: User, credential: Credential, reason: str) -> Credential:
    """Mark a pending credential rejected, with a reason the therapist will read."""
    reason = reason.strip()
    if not reason:
        raise Invalid(
            "reason_required",
            _("Say why the credential is rejected."),
            [("reason", _("The therapist sees this reason."))],
        )
    with transaction.atomic():
        locked = _check(actor, credential)
        locked.status = CredentialStatus.REJECTED
        locked.checked_by = actor
        locked.checked_at = timezone.now()
        locked.rejection_reason = reason
        locked.save(update_fields=["status", "checked_by", "checked_at", "rejection_reason"])
        refresh_licence_summary(profile_id=locked.therapist_id)
    return locked


def refresh_licence_summary(*, profile_id: int, today: date | None = None) -> None:
    """Copy the therapist's best licence in force onto their profile and its search rows.

    The best is the verified, unexpired licence that lasts longest (no expiry beats any date).
    Caller: inside the transaction that changed a credential.
    """
    today = today or timezone.localdate()
    licences = Credential.objects.filter(
        therapist_id=profile_id,
        kind=CredentialKind.LICENCE,
        status=CredentialStatus.VERIFIED,
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    best = None
    for licence in licences:
        if best is None or _lasts_longer(licence, best):
            best = licence
    TherapistProfile.objects.filter(pk=profile_id).update(
        licence_verified_on=timezone.localdate(best.checked_at)
        if best and best.checked_at
        else None,
        licence_expires_on=best.expires_on if best else None,
    )
    search_table.refresh(profile_ids=[profile_id])


def _lasts_longer(a: Credential, b: Credential) -> bool:
    if a.expires_on is None or b.expires_on is None:
        return a.expires_on is None and b.expires_on is not None
    return a.expires_on > b.expires_on


def expire_credentials(*, today: date | None = None) -> int:
    """Mark every pending or verified credential past its expiry date expired; returns how many.

    Run daily (``tasks.expire_credentials``). Search does not wait for it: it compares expiry
    dates itself, so a licence stops listing a therapist on the day after it expires.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        due = Credential.objects.select_for_update().filter(
            status__in=[CredentialStatus.PENDING, CredentialStatus.VERIFIED],
            expires_on__lt=today,
        )
        profile_ids = set(due.values_list("therapist_id", flat=True))
        count = due.update(status=CredentialStatus.EXPIRED)
        for profile_id in sorted(profile_ids):
            refresh_licence_summary(profile_id=profile_id, today=today)
    return count
