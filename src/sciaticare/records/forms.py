from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _

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

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PAIN = [("", "—")] + [(str(i), str(i)) for i in range(11)]


def _pain(label: StrOrPromise) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=PAIN, coerce=int, empty_value=None, required=False
    )


class NoteForm(forms.Form):
    """The SOAP note editor; autosave posts it whole, the service keeps what is valid."""

    # max_length puts the limit on the textarea (maxlength), so the browser stops typing there.
    subjective = forms.CharField(
        label=_("Subjective (the client's account)"),
        max_length=NOTE_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    objective = forms.CharField(
        label=_("Objective findings"),
        max_length=NOTE_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    assessment = forms.CharField(
        label=_("Assessment"),
        max_length=NOTE_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    assessment_shared = forms.BooleanField(
        label=_("Show my assessment to the client"), required=False
    )
    plan = forms.CharField(
        label=_("Plan"),
        max_length=NOTE_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    # The body map's and the directory's words, marked there: translated as the form is shown.
    regions = forms.MultipleChoiceField(
        label=_("Regions treated"),
        choices=[(c, gettext_lazy(r.label)) for c, r in REGIONS.items() if r.massage_region],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    techniques = forms.MultipleChoiceField(
        label=_("Techniques"),
        choices=[(c, gettext_lazy(name)) for c, name in MODALITIES.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    pressure = forms.ChoiceField(
        label=_("Pressure"), choices=[("", "—"), *Pressure.choices], required=False
    )
    pressure_warning_acknowledged = forms.BooleanField(
        label=_("I have read the precaution and chose this pressure deliberately"),
        required=False,
    )
    minutes = forms.IntegerField(
        label=_("Minutes of hands-on work"), min_value=0, max_value=480, required=False
    )
    back_pain_before = _pain(_("Back pain before (0–10)"))
    back_pain_after = _pain(_("Back pain after (0–10)"))
    leg_pain_before = _pain(_("Leg pain before (0–10)"))
    leg_pain_after = _pain(_("Leg pain after (0–10)"))
    adverse_event = forms.ChoiceField(label=_("Adverse events"), choices=AdverseEvent.choices)
    adverse_event_detail = forms.CharField(
        label=_("Describe"), max_length=ADVERSE_EVENT_DETAIL_MAX_LENGTH, required=False
    )
    home_care = forms.MultipleChoiceField(
        label=_("Home-care advice"), widget=forms.CheckboxSelectMultiple, required=False
    )
    new_home_care = forms.CharField(
        label=_("Add your own advice line"), max_length=300, required=False
    )

    # The note's version this page was opened on (services.save_draft: a stale tab gets 409).
    version = forms.CharField(
        widget=forms.HiddenInput(attrs={"id": "note-version"}), required=False, max_length=40
    )

    def __init__(self, *args: Any, library: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        chosen = list(self.initial.get("home_care") or [])
        lines = list(dict.fromkeys([*library, *chosen]))
        # A line is kept as written (the built-in ones in English) and shown in the reader's
        # language when the catalogue has it (models.BUILT_IN_HOME_CARE).
        self.fields["home_care"].choices = [  # type: ignore[attr-defined]
            (line, gettext(line) if line else line) for line in lines
        ]

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
        label=_("Reason for the amendment"), max_length=AMENDMENT_REASON_MAX_LENGTH
    )
    text = forms.CharField(
        label=_("Amendment"),
        max_length=AMENDMENT_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "a-%s")  # a-reason, a-text: apart from the note's fields
        super().__init__(*args, **kwargs)
