from __future__ import annotations

from typing import Any

from django import forms

from sciaticare.directory.ranking import MODALITIES
from sciaticare.intake.bodymap import REGIONS
from sciaticare.records.models import (
    ADVERSE_EVENT_DETAIL_MAX_LENGTH,
    AMENDMENT_REASON_MAX_LENGTH,
    AMENDMENT_TEXT_MAX_LENGTH,
    NOTE_TEXT_MAX_LENGTH,
    AdverseEvent,
    Pressure,
)

PAIN = [("", "—")] + [(str(i), str(i)) for i in range(11)]


def _pain(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=PAIN, coerce=int, empty_value=None, required=False
    )


class NoteForm(forms.Form):
    """The SOAP note editor; autosave posts it whole, the service keeps what is valid."""

    # max_length puts the limit on the textarea (maxlength), so the browser stops typing there.
    subjective = forms.CharField(
        label="Subjective (the client's account)",
        max_length=NOTE_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    objective = forms.CharField(
        label="Objective findings",
        max_length=NOTE_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    assessment = forms.CharField(
        label="Assessment",
        max_length=NOTE_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    assessment_shared = forms.BooleanField(label="Show my assessment to the client", required=False)
    plan = forms.CharField(
        label="Plan",
        max_length=NOTE_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    regions = forms.MultipleChoiceField(
        label="Regions treated",
        choices=[(c, r.label) for c, r in REGIONS.items() if r.massage_region],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    techniques = forms.MultipleChoiceField(
        label="Techniques",
        choices=list(MODALITIES.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    pressure = forms.ChoiceField(
        label="Pressure", choices=[("", "—"), *Pressure.choices], required=False
    )
    pressure_warning_acknowledged = forms.BooleanField(
        label="I have read the precaution and chose this pressure deliberately", required=False
    )
    minutes = forms.IntegerField(
        label="Minutes of hands-on work", min_value=0, max_value=480, required=False
    )
    back_pain_before = _pain("Back pain before (0–10)")
    back_pain_after = _pain("Back pain after (0–10)")
    leg_pain_before = _pain("Leg pain before (0–10)")
    leg_pain_after = _pain("Leg pain after (0–10)")
    adverse_event = forms.ChoiceField(label="Adverse events", choices=AdverseEvent.choices)
    adverse_event_detail = forms.CharField(
        label="Describe", max_length=ADVERSE_EVENT_DETAIL_MAX_LENGTH, required=False
    )
    home_care = forms.MultipleChoiceField(
        label="Home-care advice", widget=forms.CheckboxSelectMultiple, required=False
    )
    new_home_care = forms.CharField(
        label="Add your own advice line", max_length=300, required=False
    )

    # The note's version this page was opened on (services.save_draft: a stale tab gets 409).
    version = forms.CharField(
        widget=forms.HiddenInput(attrs={"id": "note-version"}), required=False, max_length=40
    )

    def __init__(self, *args: Any, library: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        chosen = list(self.initial.get("home_care") or [])
        lines = list(dict.fromkeys([*library, *chosen]))
        self.fields["home_care"].choices = [(line, line) for line in lines]  # type: ignore[attr-defined]

    def values(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        d.pop("version", None)
        extra = d.pop("new_home_care", "").strip()
        if extra:
            d["home_care"] = [*d.get("home_care", []), extra]
        return d


class AmendmentForm(forms.Form):
    """A correction to a signed note; the limits are the model's and the API's."""

    reason = forms.CharField(
        label="Reason for the amendment", max_length=AMENDMENT_REASON_MAX_LENGTH
    )
    text = forms.CharField(
        label="Amendment",
        max_length=AMENDMENT_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "a-%s")  # a-reason, a-text: apart from the note's fields
        super().__init__(*args, **kwargs)
