from functools import lru_cache
from typing import Any

from babel import Locale, UnknownLocaleError
from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sciaticare.accounts import services
from sciaticare.accounts.models import User
from sciaticare.accounts.phones import readable
from sciaticare.core.errors import Invalid
from sciaticare.core.names import validate_name, validate_one_line
from sciaticare.core.time import is_time_zone, time_zones


class BrowserTimeZoneField(forms.CharField):
    """The browser's zone, in a hidden field that accounts/time_zone.js fills (Intl); empty
    without JavaScript. Nobody sees it, so a value we do not know (too long, a NUL, no zone) is
    no error to show: it is dropped, and the caller falls back (the site's zone, or the booked
    place's). An outside test found a crafted one refused with nothing marked."""

    def __init__(self, **kwargs: Any) -> None:
        attrs = {"data-browser-time-zone": ""}
        super().__init__(required=False, widget=forms.HiddenInput(attrs=attrs), **kwargs)

    def clean(self, value: Any) -> str:
        return value if is_time_zone(value) else ""


class SignupRoleForm(forms.Form):
    """Extra sign-up fields: a name, and whether the person is a massage therapist."""

    first_name = forms.CharField(max_length=150, label=_("First name"), validators=[validate_name])
    last_name = forms.CharField(
        max_length=150, label=_("Last name"), required=False, validators=[validate_name]
    )
    is_therapist = forms.BooleanField(
        required=False,
        label=_("I am a massage therapist"),
        help_text=_(
            "Therapists add their licence later; a clinic verifies it before they are listed."
        ),
    )

    time_zone = BrowserTimeZoneField()  # the site's zone without one (complete_sign_up)

    def signup(self, request: HttpRequest, user: User) -> None:
        # Called by allauth once the user row exists.
        services.complete_sign_up(
            user=user,
            first_name=self.cleaned_data["first_name"],
            last_name=self.cleaned_data["last_name"],
            is_therapist=self.cleaned_data["is_therapist"],
            time_zone=self.cleaned_data["time_zone"],
            language=request.LANGUAGE_CODE,  # the language the sign-up page was read in
        )


# Zones named by place ("Europe/London"), not the database's aliases ("GB", "US/Eastern",
# "Etc/GMT+5"), which a person would not look for; the API and the form accept any zone. The
# regions are named in the reader's language; the places keep the database's English names.
_REGIONS = {
    "Africa": _("Africa"),
    "America": _("America"),
    "Antarctica": _("Antarctica"),
    "Asia": _("Asia"),
    "Atlantic": _("Atlantic"),
    "Australia": _("Australia"),
    "Europe": _("Europe"),
    "Indian": pgettext_lazy("the Indian Ocean's time zones", "Indian"),
    "Pacific": _("Pacific"),
}


@lru_cache(maxsize=1)
def time_zone_choices() -> list[tuple[Any, list[tuple[str, Any]]]]:
    """The account page's zones, grouped by region and sorted by place (a phone's picker shows
    the groups; a keyboard jumps by first letter): ("Europe", [("Europe/London", "London")…]).
    UTC comes first, on its own."""
    grouped: dict[str, list[tuple[str, str]]] = {}
    for name in time_zones():
        region, _slash, place = name.partition("/")
        if region in _REGIONS and place:
            grouped.setdefault(region, []).append(
                (name, place.replace("_", " ").replace("/", " – "))
            )
    return [("UTC", [("UTC", _("UTC (Coordinated Universal Time)"))])] + [
        (name, sorted(grouped[region], key=lambda choice: choice[1]))
        for region, name in _REGIONS.items()
    ]


class ZoneChoiceField(forms.ChoiceField):
    """A list of the usual zones that accepts any IANA zone (an alias kept from the API)."""

    def valid_value(self, value: Any) -> bool:
        return value in time_zones()


class TimeZoneForm(forms.Form):
    time_zone = ZoneChoiceField(
        label=_("Your time zone"),
        error_messages={
            "invalid_choice": _("%(value)s is not a time zone: choose one from the list."),
            "required": _("Choose your time zone."),
        },
        help_text=_(
            "Your diary's “today”, its reminders and your charts follow this zone. Days "
            "you have already logged stay on their days when you change it."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["time_zone"]
        assert isinstance(field, forms.ChoiceField)
        choices = time_zone_choices()
        current = self.initial.get("time_zone")
        listed = {name for _, zones in choices for name, _ in zones}
        if isinstance(current, str) and current not in listed:
            # An alias set through the API ("US/Eastern") is still shown as chosen.
            choices = [(_("Yours"), [(current, current)]), *choices]
        field.choices = choices


def country_name(region: str) -> str:
    """A two-letter country code in words, in the page's language ("GB" → "United Kingdom")."""
    try:
        locale = Locale.parse(translation.get_language() or "en", sep="-")
    except (ValueError, UnknownLocaleError):
        locale = Locale.parse("en")
    return str(locale.territories.get(region, region))


class PhoneForm(forms.Form):
    """The person's mobile number, in any format; kept in E.164 (services.set_phone). Empty
    removes it."""

    phone = forms.CharField(
        max_length=32,
        required=False,
        label=_("Mobile number"),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"phone": readable(user.phone) if user.phone else ""})
        super().__init__(*args, **kwargs)
        self.user = user
        region = services.phone_region(user)
        self.fields["phone"].help_text = (
            _(
                "For text reminders. A number without its country code is read as a number in "
                "%(country)s (your time zone's country)."
            )
            % {"country": country_name(region)}
            if region
            else _("For text reminders. Start with + and the country code, e.g. +44 7400 123456.")
        )

    def clean_phone(self) -> str:
        try:
            return services.normalise_phone(user=self.user, phone=self.cleaned_data["phone"])
        except Invalid as exc:
            raise ValidationError(exc.message, code=exc.code) from exc


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=80,
        label=_("Token name"),
        help_text=_("What the token is for, e.g. 'my script'."),
        validators=[validate_one_line],
    )

    def clean_name(self) -> Any:
        return self.cleaned_data["name"].strip()
