"""Every date field's control holds its day as ISO 8601 in every language: the browser's date
control drops anything else, and Spanish pages left the intake's onset empty (outside test)."""

from datetime import date

import pytest
from django import forms
from django.utils import translation

from sciaticare.billing.forms import RangeForm
from sciaticare.core.widgets import DayInput
from sciaticare.directory.forms import CredentialForm
from sciaticare.exercises.forms import PrescriptionForm
from sciaticare.intake.forms import IntakeForm
from sciaticare.scheduling.views_waitlist import WaitlistForm

DAY = date(2026, 9, 23)


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize(
    ("form", "field"),
    [
        (IntakeForm, "onset_date"),
        (WaitlistForm, "earliest"),
        (WaitlistForm, "latest"),
        (RangeForm, "start"),
        (RangeForm, "end"),
        (CredentialForm, "expires_on"),
        (PrescriptionForm, "start_date"),
        (PrescriptionForm, "review_date"),
    ],
)
def test_a_day_is_written_iso_in_every_language(language, form, field):
    with translation.override(language):
        shown = str(form(initial={field: DAY})[field])

    assert 'type="date"' in shown
    assert 'value="2026-09-23"' in shown


def test_every_date_field_of_these_forms_uses_the_day_input():
    for form in (IntakeForm, WaitlistForm, RangeForm, CredentialForm, PrescriptionForm):
        for name, field in form.base_fields.items():
            if isinstance(field, forms.DateField):
                assert isinstance(field.widget, DayInput), (form.__name__, name)


def test_a_spanish_form_reads_the_iso_day_back():
    with translation.override("es"):
        bound = RangeForm(data={"start": "2026-09-23", "end": "2026-09-30"})
        assert bound.is_valid(), bound.errors
    assert bound.cleaned_data["start"] == DAY
