"""Forms of the booking pages: a tapped start, and booking first (a new patient's details)."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from sciaticare.accounts.forms import BrowserTimeZoneField
from sciaticare.core.bounds import whole_number
from sciaticare.core.names import validate_name


def parse_start(raw: str | None) -> datetime | None:
    """A tapped slot's start (ISO 8601 with its offset), or None for anything else."""
    try:
        parsed = parse_datetime(raw or "")
    except ValueError:  # well formed but not a real time, e.g. 2026-02-30T10:00
        return None
    return parsed if parsed is not None and timezone.is_aware(parsed) else None


def named_holds(raw: str | None) -> set[int]:
    """The held times (ids, comma-separated) a confirm step named as let go by its booking:
    one held since it was shown stops the booking (`payments.HELD_TIME_NOT_NAMED`). Anything
    that is not an id is ignored, so names nothing."""
    return {n for part in (raw or "").split(",") if (n := whole_number(part.strip())) is not None}


class NewPatientForm(forms.Form):
    """Booking first: the person confirms the symptom check's answers shown beside the form
    and gives what an account needs (the service checks the password and the number)."""

    check_confirmed = forms.BooleanField(
        label=_("These are my answers, and they are right today."),
        error_messages={"required": _("Please read your answers and confirm them.")},
    )
    # The answers the page showed (carried_check.digest): booking takes the check only if it
    # is still the one the person read (another tab may have taken it again meanwhile).
    shown_check = forms.CharField(widget=forms.HiddenInput, max_length=64)
    first_name = forms.CharField(
        max_length=150,
        label=_("First name"),
        validators=[validate_name],
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        max_length=150,
        label=_("Last name"),
        required=False,
        validators=[validate_name],
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("Your booking confirmation goes here, with a link to confirm the address."),
    )
    phone = forms.CharField(
        max_length=32,
        label=_("Mobile number"),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        help_text=_(
            "Reminders of your session come by text and by email. From abroad, start with + "
            "and the country code."
        ),
    )
    password = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        # Hashing is slow on purpose: an unbounded password would be an unbounded cost.
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters; not a common password."),
    )
    time_zone = BrowserTimeZoneField()  # as on the sign-up page
