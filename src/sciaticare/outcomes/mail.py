"""Mail sent from the request itself, not from a task: a task's arguments are stored in the task
table (shown in the admin, kept in backups), so a mail that carries a secret goes here.

It is written in the language of the request that sends it, the patient's: the doctor is no
account of ours, and the report they open is in the patient's language too (docs/i18n.md)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from sciaticare.core.display import day
from sciaticare.outcomes.models import ReportShare


def send_report_link(share_id: int, token: str) -> None:
    """Mail the doctor the secret link of a shared report: no name, no health data, no PDF.

    Only the token's digest is stored, so the raw token exists only in the request that made
    the share: the mail is sent from there, after commit (`share_report`).
    """
    share = ReportShare.objects.filter(pk=share_id).first()
    if share is None:  # its report was deleted before the mail went: nothing to open
        return
    link = settings.SITE_URL + reverse("outcomes:shared_report", args=[token])
    body = gettext(
        "A patient of yours has shared a progress report from Sciaticare with you.\n\n"
        "Open it here: %(link)s\n\n"
        "You will need the 8-character code the patient gives you. The link works until "
        "%(until)s and the patient can stop it at any time.\n\n"
        "If you do not know why you received this, ignore it: nothing opens without the code.\n"
    ) % {"link": link, "until": day(timezone.localtime(share.expires_at), "long")}
    send_mail(
        gettext("A progress report has been shared with you"),
        body,
        None,
        [share.recipient_email],
    )
