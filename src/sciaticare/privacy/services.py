"""Deleting an account after a cooling-off period, and what it erases and keeps
(docs/privacy.md)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Final

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sciaticare.accounts.models import User
from sciaticare.accounts.selectors import local_now
from sciaticare.accounts.services import close_account, revoke_all_api_tokens
from sciaticare.audit.services import record_event
from sciaticare.core.display import day
from sciaticare.core.errors import NotFound, Refused
from sciaticare.privacy import erasure
from sciaticare.privacy.models import DeletionRequest

logger = logging.getLogger(__name__)

#: Time to change one's mind before a deletion is carried out (docs/privacy.md).
COOLING_OFF: Final = timedelta(days=14)
#: Years clinical records are kept after the last session: the NHS England Records Management
#: Code of Practice 2021 (updated 2023) keeps most adult health records 8 years after the end of
#: treatment. It binds the NHS in England and its contractors; other clinics follow their own
#: law (docs/privacy.md says so plainly).
RETENTION_YEARS: Final = 8


def retention_note() -> str:
    """What deleting keeps, and for how long, in the reader's language (the archive's README)."""
    return gettext(
        "If you delete your account, your clinical records (intakes, questionnaire scores, "
        "appointments and signed session notes, and the log of who opened them) are kept for "
        "%(years)s years after your last session, as health records must be, and then "
        "destroyed; everything else is erased. The rule and its source are on the Your data page."
    ) % {"years": RETENTION_YEARS}


#: What deleting an account does to each kind of data: the page shows this table and a test
#: checks that every table holding a person's data is in one of the two lists. Each app erases
#: its own rows of ``ERASED`` through the eraser it registers (privacy/erasure.py).
ERASED: Final = {
    "accounts.apitoken": _("API tokens"),
    "outcomes.painentry": _("pain diary"),
    "outcomes.diarypreference": _("diary reminder setting"),
    "outcomes.progressreport": _("progress reports (PDF)"),
    "interop.dataexport": _("downloaded archives"),
    "interop.externalresource": _("history imported from another service"),
    "interop.importedresource": _("which records from other systems you imported"),
    "scheduling.calendarfeed": _("calendar feed link"),
    "scheduling.waitlistentry": _("waitlist places and offers"),
    "directory.flareupplanentry": _("flare-up plan"),
    "exercises.exerciseplan": _("home exercise programmes, with your ticks and pauses"),
    "exercises.exercise": _("exercises you wrote down yourself"),
    "directory.review": _("reviews you wrote"),
    "billing.cardonfile": _("cards saved for payments (the processor's reference to them)"),
    "reminders.channelchoice": _("how you chose to get each kind of reminder"),
    "reminders.remindersettings": _("your quiet hours"),
    "reminders.pushsubscription": _("the devices that get your notifications"),
    "reminders.delivery": _("the record of reminders sent to you"),
    "account.emailaddress": _("email address and sign-in"),
    "mfa.authenticator": _("two-factor devices"),
}
KEPT: Final = {
    "intake.episode": _("episodes of sciatica"),
    "intake.intake": _("intakes (symptoms, red flags, triage)"),
    "intake.intakeshare": _("consents to read your intake (all revoked)"),
    "intake.redflagrecheck": _("red-flag questions answered again before booking"),
    "intake.questionnaireresponse": _("questionnaire scores"),
    "scheduling.appointment": _("appointments (upcoming ones are cancelled)"),
    "scheduling.appointmentchange": _("appointment history"),
    "records.sessionnote": _("session notes"),
    "records.amendment": _("amendments to session notes"),
    "records.importedsummary": _(
        "summaries of past sessions your clinic brought from its old system"
    ),
    "audit.auditevent": _("the log of who opened or changed your records"),
    "accounts.user": _("your name, to identify the kept records (not your email or password)"),
    "privacy.deletionrequest": _("when you asked for the deletion and when it was done"),
    "billing.invoice": _("invoices and credit notes (financial records the law keeps)"),
    "billing.invoiceline": _("the lines of those invoices"),
    "billing.payment": _("payments (amounts, dates, method; never card numbers)"),
    "billing.refund": _("refunds"),
}


class DeletionRefused(Refused):
    pass


def _deletion_mail(user: User, subject: str, body: str) -> None:
    # No clinical detail in mail (docs/security.md). The caller writes it in the account's
    # language (translation.override(user.language)): no browser asks for one in a task.
    send_mail(f"[Sciaticare] {subject}", body, None, [user.email])


def _hello(user: User) -> str:
    if user.first_name:
        return gettext("Hello %(name)s,") % {"name": user.first_name}
    return gettext("Hello there,")


def pending_deletion(*, user: User) -> DeletionRequest | None:
    return DeletionRequest.objects.filter(
        user=user, cancelled_at__isnull=True, carried_out_at__isnull=True
    ).first()


def request_deletion(*, user: User, now: datetime | None = None) -> DeletionRequest:
    """Ask to delete a patient account; it is carried out after ``COOLING_OFF`` unless
    cancelled. The caller has re-authenticated and confirmed. Staff accounts (therapist, clinic
    admin, site admin) are refused: their names sign clinical records and run clinics, so a
    site admin deactivates them (docs/privacy.md). Asking twice returns the pending request."""
    if user.has_staff_role:
        raise DeletionRefused(
            "staff_deletion_by_site_admin",
            gettext(
                "Accounts of therapists and clinic admins are closed by a site admin: ask them."
            ),
        )
    existing = pending_deletion(user=user)
    if existing is not None:
        return existing
    now = now or timezone.now()
    try:
        with transaction.atomic():
            found = DeletionRequest.objects.create(
                user=user, requested_at=now, due_at=now + COOLING_OFF
            )
            # Programs stop acting for the account now, not at the end of the cooling-off.
            revoke_all_api_tokens(user=user, reason="account deletion requested")
            record_event(actor=user, action="account.delete.request", patient=user, obj=found)
    except IntegrityError:  # a concurrent request won (one open request per account)
        existing = pending_deletion(user=user)
        assert existing is not None
        return existing
    link = settings.SITE_URL + reverse("interop:your_data")
    with translation.override(user.language):
        when = day(local_now(user, found.due_at), "long")
        _deletion_mail(
            user,
            gettext("Your account will be deleted"),
            f"{_hello(user)}\n\n"
            + gettext(
                "You asked us to delete your Sciaticare account. We will do it on %(day)s. "
                "Until then you can sign in and cancel: %(link)s"
            )
            % {"day": when, "link": link}
            + "\n\n"
            + gettext("If you did not ask for this, sign in, cancel, and change your password.")
            + "\n",
        )
    return found


def cancel_deletion(*, user: User) -> DeletionRequest:
    """Cancel the account's pending deletion; NotFound when none is pending."""
    with transaction.atomic():
        found = (
            DeletionRequest.objects.select_for_update()
            .filter(user=user, cancelled_at__isnull=True, carried_out_at__isnull=True)
            .first()
        )
        if found is None:
            raise NotFound("deletion request")
        found.cancelled_at = timezone.now()
        found.save(update_fields=["cancelled_at"])
        record_event(actor=user, action="account.delete.cancel", patient=user, obj=found)
    with translation.override(user.language):
        _deletion_mail(
            user,
            gettext("Your account will not be deleted"),
            f"{_hello(user)}\n\n"
            + gettext(
                "You cancelled the deletion of your Sciaticare account. Nothing has been erased."
            )
            + "\n",
        )
    return found


def erase_account(*, user: User, now: datetime | None = None) -> None:
    """Deactivate the account and erase the personal data not kept as clinical records (the
    ``ERASED`` table); the ``KEPT`` rows stay, attributable to the person by name only.

    The caller guarantees the deletion is due (or ordered by a site admin). One transaction:
    a failure erases nothing.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # Each app erases its own rows (privacy/erasure.py); none reads another's erased rows,
        # so their order does not matter.
        for eraser in erasure.erasers().values():
            eraser(patient=user, now=now)
        close_account(user=user)
        record_event(actor=None, action="account.delete.done", patient=user)


def carry_out_due_deletions(*, now: datetime | None = None) -> int:
    """Erase every account whose cooling-off has ended and was not cancelled; returns how many.
    Run daily (``manage.py carry_out_deletions``). Each account is its own transaction, so one
    failure does not hold back the others."""
    now = now or timezone.now()
    done = 0
    for request_id in DeletionRequest.objects.filter(
        cancelled_at__isnull=True, carried_out_at__isnull=True, due_at__lte=now
    ).values_list("pk", flat=True):
        with transaction.atomic():
            found = (
                DeletionRequest.objects.select_for_update()
                .select_related("user")
                .filter(pk=request_id, cancelled_at__isnull=True, carried_out_at__isnull=True)
                .first()
            )
            if found is None:
                continue  # cancelled meanwhile
            if found.user.has_staff_role:
                # Became staff during the cooling-off: a site admin decides (docs/privacy.md).
                logger.warning("deletion %s left open: the account holds a staff role", found.pk)
                continue
            erase_account(user=found.user, now=now)
            found.carried_out_at = now
            found.save(update_fields=["carried_out_at"])
            done += 1
    return done
