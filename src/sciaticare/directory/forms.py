"""Forms of the directory pages: they parse and check input; services do the writing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.template.defaultfilters import urlencode
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from sciaticare.core.bounds import MAX_PAGE, ModelIdsField
from sciaticare.core.display import language_choices
from sciaticare.core.names import validate_name, validate_one_line
from sciaticare.core.widgets import DayInput
from sciaticare.directory import postcodes
from sciaticare.directory.models import (
    MAX_SERVICE_RADIUS_KM,
    CredentialKind,
    Location,
    TherapistProfile,
)
from sciaticare.directory.places import resolve_place, suggest_places
from sciaticare.directory.ranking import MODALITIES
from sciaticare.directory.selectors.profile import locations_for
from sciaticare.directory.sessions import CompletedSession

RADIUS_CHOICES = [(5, "5 km"), (10, "10 km"), (25, "25 km"), (50, "50 km"), (100, "100 km")]

#: The modalities as a form offers them, each named in the page's language.
MODALITY_CHOICES = [(code, _(label)) for code, label in MODALITIES.items()]


class SearchForm(forms.Form):
    """Where and what to search. A place name, or coordinates from the browser's location."""

    place = forms.CharField(
        label=_("Near"),
        required=False,
        max_length=120,
        help_text=_("A town, a neighbourhood or a postcode, e.g. Didsbury, M20 2RN or 10001."),
        widget=forms.TextInput(attrs={"autocomplete": "address-level2", "type": "search"}),
    )
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    radius_km = forms.TypedChoiceField(
        label=_("Within"), choices=RADIUS_CHOICES, coerce=int, initial=25, required=False
    )
    modality = forms.ChoiceField(
        label=_("Technique"),
        required=False,
        choices=[("", _("Any technique")), *MODALITY_CHOICES],
    )
    language = forms.ChoiceField(
        label=_("Speaks"),
        required=False,
        choices=lambda: [("", gettext("Any language")), *language_choices()],
    )
    max_price = forms.DecimalField(
        label=_("Standard session up to"), required=False, min_value=0, decimal_places=2
    )
    step_free = forms.BooleanField(label=_("Step-free access"), required=False)
    parking = forms.BooleanField(label=_("Parking"), required=False)
    adjustable_table = forms.BooleanField(label=_("Height-adjustable table"), required=False)
    accepting_new = forms.BooleanField(label=_("Taking new patients"), required=False)
    include_unverified = forms.BooleanField(
        label=_("Also show therapists whose licence is not verified"), required=False
    )
    page = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_PAGE, widget=forms.HiddenInput
    )

    place_label: str = ""
    #: Known places spelled like an unknown one, for the page to offer.
    suggestions: list[str]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.suggestions = []

    @property
    def suggestion_links(self) -> SafeString:
        """The suggested places as links that search again, "A, B": the page asks "Did you mean
        A, B?" in one sentence, which each language words its own way."""
        return format_html_join(
            ", ",
            '<a href="?place={}">{}</a>',
            ((urlencode(name), name) for name in self.suggestions),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        place = (data.get("place") or "").strip()
        if place:
            # A typed place wins over coordinates left from an earlier search.
            found = _locate(place)
            if found is not None:
                data["lat"], data["lon"], self.place_label = found
            elif postcodes.looks_like_postcode(place):
                self.add_error(
                    "place",
                    gettext(
                        "We don't know where the postcode “%(place)s” is. Try the town instead."
                    )
                    % {"place": place},
                )
            else:
                self.suggestions = suggest_places(place)
                self.add_error(
                    "place",
                    gettext(
                        "We don't know a place called “%(place)s”. Check the spelling, try a "
                        "nearby town or a postcode, or add the country after a comma (“Sale, UK”)."
                    )
                    % {"place": place},
                )
        elif data.get("lat") is not None and data.get("lon") is not None:
            self.place_label = gettext("your location")
        else:
            self.add_error(
                "place", gettext("Say where to search: a town or a postcode, or use your location.")
            )
        return data


def _locate(place: str) -> tuple[float, float, str] | None:
    """Coordinates and a label for a typed place name, UK postcode or US ZIP code."""
    code = postcodes.lookup(place)
    if code is None:
        return resolve_place(place)
    if code.town is not None:
        town = resolve_place(f"{code.town}, GB")
        return (town[0], town[1], code.label) if town else None
    if code.latitude is None or code.longitude is None:
        return None
    return code.latitude, code.longitude, code.label


class ProfileForm(forms.ModelForm):
    """A therapist's own directory entry (or their clinic admin's edit of it)."""

    modalities = forms.MultipleChoiceField(
        label=_("Techniques you offer"),
        choices=MODALITY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    languages_text = forms.MultipleChoiceField(
        label=_("Languages you speak"),
        required=False,
        choices=language_choices,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Choose one or more (hold Ctrl, or ⌘ on a Mac, to choose several)."),
    )
    locations = ModelIdsField(
        label=_("Where you work"),
        queryset=Location.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Your clinics' locations. A clinic admin adds you to a clinic."),
    )

    class Meta:
        model = TherapistProfile
        fields = [
            "bio",
            "years_experience",
            "years_sciatica",
            "accepting_new_patients",
            "is_mobile",
            "service_radius_km",
            "base_latitude",
            "base_longitude",
        ]
        widgets = {"bio": forms.Textarea(attrs={"rows": 6})}
        labels = {
            "bio": _("Bio"),
            "years_experience": _("Years in practice"),
            "years_sciatica": _("Years treating sciatica or low-back pain"),
            "accepting_new_patients": _("Accepting new patients"),
            "is_mobile": _("Visits clients at home"),
            "service_radius_km": _("Service radius km"),
            "base_latitude": _("Home visits start from: latitude"),
            "base_longitude": _("Home visits start from: longitude"),
        }
        help_texts = {
            "bio": _("What you do for people with sciatica, in plain words."),
            "service_radius_km": format_lazy(
                _("1 to {most} km, for home visits."), most=MAX_SERVICE_RADIUS_KM
            ),
            "base_latitude": _(
                "Only for home visits: the latitude of where your visits start "
                "(a map app shows it, e.g. 53.4808 for central Manchester)."
            ),
            "base_longitude": _("Its longitude, e.g. -2.2426 for central Manchester."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        profile = self.instance
        self.fields["locations"].queryset = locations_for(profile=profile)  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial["modalities"] = sorted(profile.modalities)
            self.initial["languages_text"] = list(profile.languages)
            self.initial["locations"] = list(profile.locations.values_list("pk", flat=True))

    def clean_languages_text(self) -> list[str]:
        return [code.lower() for code in self.cleaned_data.get("languages_text") or []]

    def _post_clean(self) -> None:
        # The service validates the model; the form only parses (no save through the form).
        pass


class SessionTypeForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=80,
        initial=_("Sciatica relief massage"),
        validators=[validate_name],
    )
    minutes = forms.IntegerField(label=_("Minutes"), min_value=15, max_value=240, initial=60)
    price = forms.DecimalField(label=_("Price"), min_value=0, max_digits=8, decimal_places=2)
    currency = forms.ChoiceField(
        label=_("Currency"),
        choices=[
            ("GBP", _("Pounds sterling (£)")),
            ("EUR", _("Euros (€)")),
            ("USD", _("US dollars ($)")),
        ],
        initial="GBP",
    )
    is_standard = forms.BooleanField(
        label=_("Make this my standard session"),
        required=False,
        help_text=_("Search shows its price."),
    )


class CredentialForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CredentialKind.choices)
    title = forms.CharField(
        label=_("Title"),
        max_length=120,
        help_text=_("e.g. Licensed Massage Therapist, CNHC registration."),
        validators=[validate_one_line],
    )
    number = forms.CharField(
        max_length=60, label=_("Licence or certificate number"), validators=[validate_one_line]
    )
    issuing_body = forms.CharField(
        max_length=200, label=_("Issued by"), validators=[validate_one_line]
    )
    jurisdiction = forms.CharField(
        label=_("Jurisdiction"),
        max_length=120,
        required=False,
        help_text=_("Country or state."),
        validators=[validate_one_line],
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=DayInput(),
        help_text=_("Leave empty if it does not expire."),
    )
    document = forms.FileField(
        label=_("Document"),
        help_text=_(
            "A PDF, PNG or JPEG of the licence, 5 MB at most. Only you and the admins "
            "who check it can open it."
        ),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=1000, label=_("Reason")
    )


class ReviewForm(forms.Form):
    session_id = forms.TypedChoiceField(coerce=int, label=_("Session"))
    rating = forms.TypedChoiceField(
        label=_("Rating"),
        coerce=int,
        choices=[
            (n, format_lazy(ngettext_lazy("{n} star", "{n} stars", n), n=n))
            for n in range(5, 0, -1)
        ],
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
    )

    def __init__(
        self, *args: Any, sessions: list[CompletedSession], therapist_name: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session_id"].choices = [  # type: ignore[attr-defined]
            (session.id, session.label(therapist_name)) for session in sessions
        ]
