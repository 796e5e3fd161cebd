"""Form controls every app's forms share."""

from typing import Any

from django import forms


class DayInput(forms.DateInput):
    """A day, in the browser's date control. Its value is always ISO 8601 (2026-09-23), as
    ``<input type="date">`` requires whatever the page's language: Django writes it in the
    active language's format otherwise, and a Spanish page's 23/09/2026 was dropped by the
    browser, leaving the field empty (found by an outside test)."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")
