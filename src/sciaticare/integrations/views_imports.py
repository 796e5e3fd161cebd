"""The clinic admin's "Move in from another system": upload a CSV export, choose its columns,
read the dry run, import. Only the admins of that clinic; anyone else gets a 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sciaticare.accounts.types import AuthedRequest
from sciaticare.core.errors import DomainError, Invalid, NotFound
from sciaticare.core.spreadsheet import escape_cell
from sciaticare.directory.selectors.access import clinic_run_by
from sciaticare.integrations.mappings import (
    FIELDS,
    KIND_NAMES,
    SOURCE_NAMES,
    Kind,
    Source,
)
from sciaticare.integrations.models import ImportRun, RunStatus
from sciaticare.integrations.rows import MAX_BYTES, said
from sciaticare.integrations.selectors import imports as selectors
from sciaticare.integrations.services import imports as services


def _found(fn: Callable[..., Any], **kwargs: Any) -> Any:
    try:
        return fn(**kwargs)
    except NotFound:
        raise Http404 from None


class UploadForm(forms.Form):
    source = forms.ChoiceField(
        label=gettext_lazy("The system you are moving from"),
        choices=[(s.value, gettext_lazy(SOURCE_NAMES[s])) for s in Source],
        widget=forms.RadioSelect,
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("What the file holds"),
        choices=[(k.value, gettext_lazy(KIND_NAMES[k])) for k in Kind],
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=gettext_lazy("The CSV file (up to 5 MB and 20,000 rows)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                gettext("The file is larger than 5 MB: split it into smaller files.")
            )
        return upload


def _mapping_form(run: ImportRun, headers: list[str], data: Any = None) -> forms.Form:
    choices = [("", gettext("— not in the file —"))] + [
        (str(i), str(escape_cell(h)) or gettext("column %(n)s") % {"n": i + 1})
        for i, h in enumerate(headers)
    ]
    form = forms.Form(data)
    for field in FIELDS[Kind(run.kind)]:
        column = run.mapping.get(field.name)
        label = gettext(field.label) + (" *" if field.required else "")
        if field.name in ("patient_id", "patient_email"):
            # Either names the row's patient (mappings.missing): neither alone is needed.
            label += " " + gettext("(one of these two)")
        form.fields[field.name] = forms.ChoiceField(
            label=label,
            choices=choices,
            required=False,
            initial="" if column is None else str(column),
        )
    return form


@login_required
@require_http_methods(["GET", "POST"])
def imports(request: AuthedRequest, clinic_id: int) -> HttpResponse:
    clinic = _found(clinic_run_by, user=request.user, clinic_id=clinic_id)
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                run = services.start_run(
                    user=request.user,
                    clinic=clinic,
                    source=form.cleaned_data["source"],
                    kind=form.cleaned_data["kind"],
                    file_name=upload.name or "",
                    data=upload.read(),
                )
            except Invalid as refused:
                form.add_error("file", refused.message)
            else:
                return redirect("integrations:import_run", clinic_id=clinic.pk, run_id=run.pk)
        status = 422
    context = {"clinic": clinic, "form": form, "runs": selectors.runs_of(clinic=clinic)}
    return render(request, "integrations/imports.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def import_run(request: AuthedRequest, clinic_id: int, run_id: int) -> HttpResponse:
    """The mapping step while the file waits; the result once imported."""
    run = _found(selectors.run_for, user=request.user, clinic_id=clinic_id, run_id=run_id)
    if run.status != RunStatus.UPLOADED:
        if request.method == "POST":
            return redirect("integrations:import_run", clinic_id=clinic_id, run_id=run.pk)
        return render(request, "integrations/import_result.html", _result_context(run))
    headers = services.table_of(run).headers
    form = _mapping_form(run, headers, request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        chosen = {
            name: int(value) for name, value in form.cleaned_data.items() if value not in ("", None)
        }
        try:
            services.set_mapping(run=run, mapping=dict(chosen))
        except Invalid as refused:
            for name, message in refused.errors:
                form.add_error(name, message)
            status = 422
        else:
            return redirect("integrations:import_check", clinic_id=clinic_id, run_id=run.pk)
    elif request.method == "POST":
        status = 422
    chosen_columns = set(run.mapping.values())
    context = {
        "run": run,
        "clinic": run.clinic,
        "form": form,
        # Each column found, and whether the columns as chosen now import it.
        "headers": [(escape_cell(h), i in chosen_columns) for i, h in enumerate(headers)],
        "source_name": gettext(SOURCE_NAMES[Source(run.source_system)]),
        "kind_name": gettext(KIND_NAMES[Kind(run.kind)]),
    }
    return render(request, "integrations/import_mapping.html", context, status=status)


def _said(result: dict[str, Any]) -> dict[str, Any]:
    """A report with each row's reasons in the reader's language (rows.said): a saved result
    is read in the language of whoever reads it, not the importer's."""
    rows = {
        key: [
            {"row": row.get("row"), "reasons": [said(reason) for reason in row.get("reasons", [])]}
            for row in result.get(key, [])
        ]
        for key in ("refused", "notes")
    }
    return {**result, **rows}


def _result_context(run: ImportRun) -> dict[str, Any]:
    return {
        "run": run,
        "clinic": run.clinic,
        "result": _said(run.result),
        "source_name": gettext(SOURCE_NAMES[Source(run.source_system)]),
        "kind_name": gettext(KIND_NAMES[Kind(run.kind)]),
    }


@login_required
@require_GET
def import_check(request: AuthedRequest, clinic_id: int, run_id: int) -> HttpResponse:
    """The dry run: what would be created, and every refused row with why."""
    run = _found(selectors.run_for, user=request.user, clinic_id=clinic_id, run_id=run_id)
    try:
        report = services.dry_run(run=run)
    except DomainError as refused:
        messages.error(request, refused.message)
        return redirect("integrations:import_run", clinic_id=clinic_id, run_id=run.pk)
    context = {**_result_context(run), "result": _said(report.as_json()), "dry_run": True}
    return render(request, "integrations/import_check.html", context)


@login_required
@require_POST
def import_do(request: AuthedRequest, clinic_id: int, run_id: int) -> HttpResponse:
    run = _found(selectors.run_for, user=request.user, clinic_id=clinic_id, run_id=run_id)
    if request.POST.get("confirm") != "yes":
        return redirect("integrations:import_check", clinic_id=clinic_id, run_id=run.pk)
    try:
        report = services.import_file(run=run, by=request.user)
    except DomainError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            gettext("Imported. The rows not imported are listed below.")
            if report.refused
            else gettext("Imported."),
        )
    return redirect("integrations:import_run", clinic_id=clinic_id, run_id=run.pk)


@login_required
@require_POST
def import_discard(request: AuthedRequest, clinic_id: int, run_id: int) -> HttpResponse:
    run = _found(selectors.run_for, user=request.user, clinic_id=clinic_id, run_id=run_id)
    if request.POST.get("confirm") != "yes":
        return redirect("integrations:import_run", clinic_id=clinic_id, run_id=run.pk)
    try:
        services.discard_run(run=run, by=request.user)
    except DomainError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, gettext("The file was discarded; nothing was imported."))
    return redirect("integrations:imports", clinic_id=clinic_id)
