"""One shape for the files the app makes in the background for a person to download: the
patient's "download everything" archive (interop) and the progress report for their doctor
(outcomes). The row is asked for (the app's service files it; the page that asked enqueues
the app's task once it is committed), the task fills it (`make_file`), the page polls its list
while one is pending (`poll_template`), the owner downloads it (`download_view`), and the daily
job deletes it once past its keeping time (`purge_expired`).

Each app keeps its own table, access rule and keeping time; this module holds what they share.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import models, transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from sciaticare.core.errors import NotFound

logger = logging.getLogger(__name__)


class FileStatus(models.TextChoices):
    PENDING = "pending", _("Being made")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Could not be made")


class GeneratedFile(models.Model):
    """A file made by a task for one person: pending until made, then ready with its bytes or
    failed (the person sees it and can ask again)."""

    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=FileStatus.choices, default=FileStatus.PENDING)
    # Kept in the database like everything else the app keeps (docs/scale.md, "No local files").
    content = models.BinaryField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @staticmethod
    def constraints_for(*, noun: str, content_word: str) -> list[models.BaseConstraint]:
        """The database rules of every generated file, named for the concrete table: a ready
        file has its bytes and finish time, one pending file per patient, a known status."""
        return [
            models.CheckConstraint(
                condition=~Q(status=FileStatus.READY)
                | Q(content__isnull=False, finished_at__isnull=False),
                name=f"%(app_label)s_%(class)s_ready_has_{content_word.lower()}",
                violation_error_message=f"A ready {noun} has its {content_word} and finish time.",
            ),
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(status=FileStatus.PENDING),
                name="%(app_label)s_%(class)s_one_pending",
                violation_error_message=f"A{'n' if noun[0] in 'aeiou' else ''} {noun} is "
                "already being made for this patient.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=FileStatus.values),
                name="%(app_label)s_%(class)s_status_known",
            ),
        ]


def any_pending(files: Iterable[GeneratedFile]) -> bool:
    return any(f.status == FileStatus.PENDING for f in files)


def make_file[F: GeneratedFile](
    queryset: models.QuerySet[F],
    file_id: int,
    build: Callable[[F], bytes],
    *,
    after: Callable[[F], None] | None = None,
) -> str:
    """The body of a task that makes a requested file: ``build(row)`` gives its bytes, then
    ``after(row)`` runs (e.g. an audit entry) whether it was made or failed. Returns the final
    status, or "gone" when the row was erased before a worker took the task. A repeated
    delivery of the task does nothing; a failure marks the file failed and is logged."""
    found = queryset.filter(pk=file_id).first()
    if found is None:
        return "gone"
    if found.status != FileStatus.PENDING:
        return found.status
    try:
        content = build(found)
    except Exception:
        logger.exception("%s %s could not be made", queryset.model._meta.verbose_name, file_id)
        found.status = FileStatus.FAILED
    else:
        found.status, found.content = FileStatus.READY, content
    found.finished_at = timezone.now()
    found.save(update_fields=["status", "content", "finished_at"])
    if after is not None:
        after(found)
    return found.status


def purge_expired(
    queryset: models.QuerySet[Any], *, kept_for: timedelta, now: datetime | None = None
) -> int:
    """Delete the files of ``queryset`` asked for more than ``kept_for`` ago (a copy of health
    data should not linger); returns how many. The caller narrows the queryset by its own rule
    (e.g. a report with a live link stays). Rows are locked first, so a write that checks their
    age inside its own transaction cannot race the deletion."""
    cutoff = (now or timezone.now()) - kept_for
    with transaction.atomic():
        doomed = list(
            queryset.select_for_update()
            .filter(requested_at__lt=cutoff)
            .values_list("pk", flat=True)
        )
        queryset.model._default_manager.filter(pk__in=doomed).delete()
    return len(doomed)


def poll_template(request: HttpRequest, template: str, fragment: str) -> str:
    """The list fragment alone for htmx's polling while a file is pending
    (hx-trigger="every 2s"), the whole page otherwise."""
    return f"{template}#{fragment}" if request.headers.get("HX-Request") else template


def file_response(found: GeneratedFile, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(bytes(found.content or b""), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def download_view[F: GeneratedFile](
    *,
    fetch: Callable[[Any, int], F],
    content_type: str,
    filename: Callable[[F, datetime], str],
    after: Callable[[Any, F], None] | None = None,
) -> Callable[..., HttpResponse]:
    """A signed-in person's download of a ready file. ``fetch(user, file_id)`` is the owning
    app's fetch-and-check selector (NotFound alike for missing, pending, expired or someone
    else's: a 404); ``filename(file, made)`` names the attachment from the local time it was
    made; ``after(user, file)`` records the download where the app audits it."""

    @login_required
    @require_GET
    def download(request: HttpRequest, **ids: int) -> HttpResponse:
        (file_id,) = ids.values()
        try:
            found = fetch(request.user, file_id)
        except NotFound:
            raise Http404 from None
        if after is not None:
            after(request.user, found)
        made = timezone.localtime(found.finished_at or found.requested_at)
        return file_response(found, content_type=content_type, filename=filename(found, made))

    return download
