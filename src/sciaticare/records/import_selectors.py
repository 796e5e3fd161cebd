"""Reads of session summaries imported from another system: for a therapist who treats the
patient (scheduling's one rule) at a clinic the summary came to; every read audited."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from sciaticare.accounts.models import Role, User
from sciaticare.audit.services import record_event
from sciaticare.records.models import ImportedSummary
from sciaticare.scheduling.selectors.care import treats


def imported_summaries_for(*, viewer: User, patient: User) -> list[ImportedSummary]:
    """The patient's imported summaries this therapist may read, newest first: none unless they
    treat the patient, and only those imported into a clinic the therapist works for."""
    if not viewer.has_role(Role.THERAPIST) or not treats(therapist=viewer, patient=patient):
        return []
    found = list(
        ImportedSummary.objects.filter(
            patient=patient,
            appointment__location__clinic__therapists__user=viewer,
        )
        .select_related("therapist__user", "appointment__location")
        .distinct()
    )
    if found:
        record_event(actor=viewer, action="imported_summary.read", patient=patient)
    return found


def brief_section(viewer: User, patient: User) -> SafeString:
    """The brief's "Imported history" (installed into intake's seam), or nothing."""
    summaries = imported_summaries_for(viewer=viewer, patient=patient)
    if not summaries:
        return SafeString("")
    return render_to_string("records/_imported_summaries.html", {"summaries": summaries})
