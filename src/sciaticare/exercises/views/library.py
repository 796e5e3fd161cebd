"""The public exercise library: every built-in exercise, and one with its drawing, steps, dose,
stop rule and source. Nobody's data: open to anyone, signed in or not."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sciaticare.core.errors import NotFound
from sciaticare.exercises.selectors.library import public_exercise, public_library, stop_rule


@require_GET
def library(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "exercises/library.html",
        {"exercises": public_library(), "stop_rule": stop_rule()},
    )


@require_GET
def exercise(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        words = public_exercise(slug=slug)
    except NotFound:
        raise Http404 from None
    return render(request, "exercises/exercise.html", {"words": words})
