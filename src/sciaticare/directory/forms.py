"""Forms of the directory pages: they parse and check input; services do the writing."""

from __future__ import annotations

from typing import Any

from django import forms

from sciaticare.core.bounds import MAX_PAGE, ModelIdsField
from sciaticare.core.display import language_choices
from sciaticare.core.names import validate_name, validate_one_line
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


class SearchForm(forms.Form):
    """Where and what to search. A place name, or coordinates from the browser's location."""

    place = forms.CharField(
        label="Near",
        required=False,
        max_length=120,
        help_text="A town, a neighbourhood or a postcode, e.g. Didsbury, M20 2RN or 10001.",
        widget=forms.TextInput(attrs={"autocomplete": "address-level2", "type": "search"}),
    )
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    radius_km = forms.TypedChoiceField(
        label="Within", choices=RADIUS_CHOICES, coerce=int, initial=25, required=False
    )
    modality = forms.ChoiceField(
        label="Technique",
        required=False,
        choices=[("", "Any technique"), *MODALITIES.items()],
    )
    language = forms.ChoiceField(
        label="Speaks",
        required=False,
        choices=lambda: [("", "Any language"), *language_choices()],
    )
    max_price = forms.DecimalField(
        label="Standard session up to", required=False, min_value=0, decimal_places=2
    )
    step_free = forms.BooleanField(label="Step-free access", required=False)
    parking = forms.BooleanField(label="Parking", required=False)
    adjustable_table = forms.BooleanField(label="Height-adjustable table", required=False)
    accepting_new = forms.BooleanField(label="Taking new patients", required=False)
    include_unverified = forms.BooleanField(
        label="Also show therapists whose licence is not verified", required=False
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
                    f"We don't know where the postcode “{place}” is. Try the town instead.",
                )
            else:
                self.suggestions = suggest_places(place)
                self.add_error(
                    "place",
                    f"We don't know a place called “{place}”. Check the spelling, try a nearby "
                    "town or a postcode, or add the country after a comma (“Sale, UK”).",
                )
        elif data.get("lat") is not None and data.get("lon") is not None:
            self.place_label = "your location"
        else:
            self.add_error(
                "place", "Say where to search: a town or a postcode, or use your location."
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
        label="Techniques you offer",
        choices=list(MODALITIES.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    languages_text = forms.MultipleChoiceField(
        label="Languages you speak",
        required=False,
        choices=language_choices,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="Choose one or more (hold Ctrl, or ⌘ on a Mac, to choose several).",
    )
    locations = ModelIdsField(
        label="Where you work",
        queryset=Location.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Your clinics' locations. A clinic admin adds you to a clinic.",
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
            "base_latitude": "Home visits start from: latitude",
            "base_longitude": "Home visits start from: longitude",
        }
        help_texts = {
            "bio": "What you do for people with sciatica, in plain words.",
            "service_radius_km": f"1 to {MAX_SERVICE_RADIUS_KM} km, for home visits.",
            "base_latitude": "Only for home visits: the latitude of where your visits start "
            "(a map app shows it, e.g. 53.4808 for central Manchester).",
            "base_longitude": "Its longitude, e.g. -2.2426 for central Manchester.",
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
        max_length=80, initial="Sciatica relief massage", validators=[validate_name]
    )
    minutes = forms.IntegerField(min_value=15, max_value=240, initial=60)
    price = forms.DecimalField(min_value=0, max_digits=8, decimal_places=2)
    currency = forms.ChoiceField(
        choices=[("GBP", "Pounds sterling (£)"), ("EUR", "Euros (€)"), ("USD", "US dollars ($)")],
        initial="GBP",
    )
    is_standard = forms.BooleanField(
        label="Make this my standard session", required=False, help_text="Search shows its price."
    )


class CredentialForm(forms.Form):
    kind = forms.ChoiceField(choices=CredentialKind.choices)
    title = forms.CharField(
        max_length=120,
        help_text="e.g. Licensed Massage Therapist, CNHC registration.",
        validators=[validate_one_line],
    )
    number = forms.CharField(
        max_length=60, label="Licence or certificate number", validators=[validate_one_line]
    )
    issuing_body = forms.CharField(
        max_length=200, label="Issued by", validators=[validate_one_line]
    )
    jurisdiction = forms.CharField(
        max_length=120,
        required=False,
        help_text="Country or state.",
        validators=[validate_one_line],
    )
    expires_on = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty if it does not expire.",
    )
    document = forms.FileField(
        help_text="A PDF, PNG or JPEG of the licence, 5 MB at most. Only you and the admins "
        "who check it can open it."
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=1000, label="Reason"
    )


class ReviewForm(forms.Form):
    session_id = forms.TypedChoiceField(coerce=int, label="Session")
    rating = forms.TypedChoiceField(
        coerce=int,
        choices=[(n, f"{n} star{'s' if n > 1 else ''}") for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), max_length=2000, required=False
    )

    def __init__(
        self, *args: Any, sessions: list[CompletedSession], therapist_name: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session_id"].choices = [  # type: ignore[attr-defined]
            (session.id, session.label(therapist_name)) for session in sessions
        ]
