"""Questionnaires: a patient answers one; a clinic admin imports licensed text for their clinic."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from sciaticare.accounts.models import Role
from sciaticare.accounts.types import AuthedRequest
from sciaticare.core.bounds import loads_json
from sciaticare.core.errors import DomainError
from sciaticare.intake import selectors, services
from sciaticare.intake.forms import QuestionnaireImportForm
from sciaticare.intake.models import band_words
from sciaticare.intake.scoring.instruments import INSTRUMENTS
from sciaticare.intake.scoring.questionnaire import MAX_VALUE_URL, MIN_VALUE_URL
from sciaticare.intake.scoring.rules import IncompleteResponse, InvalidResponse
from sciaticare.intake.views.checks import require_role

#: The instruments whose text ships with Sciaticare, translated on the page.
SHIPPED_CODES = frozenset(code for code, i in INSTRUMENTS.items() if i.ships_text)


def _answers_from_post(resource: dict[str, Any], post: Any) -> dict[str, int | bool | None]:
    answers: dict[str, int | bool | None] = {}
    for spec in resource.get("item", []):
        link = spec.get("linkId")
        if spec.get("type") in ("group", "display") or not link:
            continue
        raw = post.get(link, "")
        if raw == "":
            answers[link] = None
        elif spec.get("type") == "boolean":
            answers[link] = raw == "true"
        else:
            try:
                answers[link] = int(raw)
            except ValueError:
                answers[link] = None
    return answers


@login_required
@require_http_methods(["GET", "POST"])
def questionnaire(request: AuthedRequest, code: str) -> HttpResponse:
    require_role(request, Role.PATIENT)
    found = selectors.questionnaire(code, viewer=request.user)
    if found is None:
        raise Http404
    resource, version = found
    instrument = INSTRUMENTS[code]
    errors: dict[str, str] = {}
    explanation = ""
    answers: dict[str, Any] = {}
    if request.method == "POST":
        answers = _answers_from_post(resource, request.POST)
        try:
            response = services.record_questionnaire(
                patient=request.user, code=code, answers=answers, version=version
            )
        except IncompleteResponse as exc:
            errors = dict.fromkeys(exc.missing, gettext("Please answer this."))
            explanation = gettext(exc.explanation)
        except InvalidResponse as exc:
            errors = dict(exc.errors)
        else:
            words = {
                "title": gettext(instrument.title),
                "score": f"{response.score:g}",
                "band": band_words(response.band),
            }
            messages.success(
                request,
                (
                    gettext("%(title)s: %(score)s (%(band)s)")
                    if response.band
                    else gettext("%(title)s: %(score)s")
                )
                % words,
            )
            return redirect("intake:home")
    return render(
        request,
        "intake/questionnaire.html",
        {
            "instrument": instrument,
            "resource": resource,
            "copyright": (
                gettext(resource.get("copyright", ""))
                if code in SHIPPED_CODES
                else resource.get("copyright", "")
            ),
            "items": _render_items(resource, answers, errors),
            "errors": errors,
            "explanation": explanation,
        },
        status=422 if errors else 200,
    )


def _render_items(
    resource: dict[str, Any], answers: dict[str, Any], errors: dict[str, str]
) -> list[dict[str, Any]]:
    items = []
    # The shipped questionnaires' words are marked for translation (scoring/texts.py); an
    # imported licensed text is shown as the clinic imported it.
    words = gettext if resource.get("id") in SHIPPED_CODES else str
    for spec in resource.get("item", []):
        kind = spec.get("type")
        link = spec.get("linkId", "")
        entry: dict[str, Any] = {
            "link": link,
            "text": words(spec.get("text", "")),
            "type": kind,
            "error": errors.get(link),
        }
        if kind == "integer":
            low, high = _bounds(spec)
            entry["options"] = list(range(low, high + 1))
        elif kind == "choice":
            entry["options"] = [o.get("valueInteger") for o in spec.get("answerOption", [])]
            entry["type"] = "integer"
        entry["value"] = answers.get(link)
        entry["anchors"] = [
            words(child.get("text", ""))
            for child in spec.get("item", [])
            if child.get("type") == "display"
        ]
        items.append(entry)
    return items


def _bounds(spec: dict[str, Any]) -> tuple[int, int]:
    low, high = 0, 10
    for extension in spec.get("extension", []):
        if extension.get("url") == MIN_VALUE_URL:
            low = int(extension.get("valueInteger", low))
        if extension.get("url") == MAX_VALUE_URL:
            high = int(extension.get("valueInteger", high))
    return low, high


@login_required
@require_http_methods(["GET", "POST"])
def import_questionnaire(request: AuthedRequest) -> HttpResponse:
    if not (request.user.has_role(Role.CLINIC_ADMIN) or request.user.has_role(Role.SITE_ADMIN)):
        raise PermissionDenied
    clinics = list(selectors.clinics_for_import(admin=request.user))
    form = QuestionnaireImportForm(request.POST or None, request.FILES or None, clinics=clinics)
    if request.method == "POST" and form.is_valid():
        try:
            resource = loads_json(form.cleaned_data["resource"].read().decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            form.add_error("resource", gettext("The file is not JSON: %(error)s") % {"error": exc})
        else:
            try:
                imported = services.import_questionnaire(
                    admin=request.user,
                    resource=resource,
                    licence_statement=form.cleaned_data["licence_statement"],
                    clinic_id=form.cleaned_data.get("clinic"),
                )
            except DomainError as exc:
                form.add_error("resource", exc.message)
            else:
                messages.success(
                    request,
                    gettext("Imported %(code)s version %(version)s.")
                    % {"code": imported.code, "version": imported.version},
                )
                return redirect("intake:import_questionnaire")
    return render(
        request,
        "intake/import.html",
        {"form": form, "imported": selectors.imported_questionnaires(admin=request.user)},
        status=422 if form.is_bound and form.errors else 200,
    )
