from django import forms
from django.utils.translation import gettext_lazy as _

from sciaticare.outcomes.models import Tag

SCALE = [(str(i), str(i)) for i in range(11)]


class PainForm(forms.Form):
    """Two taps: back pain, then leg pain (the page submits itself once both are chosen)."""

    back_pain = forms.TypedChoiceField(
        label=_("Back pain today"), choices=SCALE, coerce=int, widget=forms.RadioSelect
    )
    leg_pain = forms.TypedChoiceField(
        label=_("Leg pain today"), choices=SCALE, coerce=int, widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("Note (optional)"), max_length=500, required=False)
    tags = forms.MultipleChoiceField(
        label=_("Tags"), choices=Tag.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
