from django import forms
from django.utils.translation import gettext_lazy as _


class DeletionConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        required=True,
        label=_(
            "I understand that my account and the data listed above will be erased, and that "
            "I can cancel until the date shown."
        ),
        error_messages={"required": _("Tick the box to confirm.")},
    )
