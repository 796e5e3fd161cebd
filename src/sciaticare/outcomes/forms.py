from django import forms

from sciaticare.outcomes.models import Tag

SCALE = [(str(i), str(i)) for i in range(11)]


class PainForm(forms.Form):
    """Two taps: back pain, then leg pain (the page submits itself once both are chosen)."""

    back_pain = forms.TypedChoiceField(
        label="Back pain today", choices=SCALE, coerce=int, widget=forms.RadioSelect
    )
    leg_pain = forms.TypedChoiceField(
        label="Leg pain today", choices=SCALE, coerce=int, widget=forms.RadioSelect
    )
    note = forms.CharField(label="Note (optional)", max_length=500, required=False)
    tags = forms.MultipleChoiceField(
        label="Tags", choices=Tag.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
