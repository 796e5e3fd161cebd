from django import forms


class DeletionConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        required=True,
        label="I understand that my account and the data listed above will be erased, and that "
        "I can cancel until the date shown.",
        error_messages={"required": "Tick the box to confirm."},
    )
