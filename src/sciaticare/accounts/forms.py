from typing import Any

from django import forms
from django.http import HttpRequest

from sciaticare.accounts import services
from sciaticare.accounts.models import User
from sciaticare.core.names import validate_name, validate_one_line


class SignupRoleForm(forms.Form):
    """Extra sign-up fields: a name, and whether the person is a massage therapist."""

    first_name = forms.CharField(max_length=150, label="First name", validators=[validate_name])
    last_name = forms.CharField(
        max_length=150, label="Last name", required=False, validators=[validate_name]
    )
    is_therapist = forms.BooleanField(
        required=False,
        label="I am a massage therapist",
        help_text="Therapists add their licence later; a clinic verifies it before they are listed.",
    )

    def signup(self, request: HttpRequest, user: User) -> None:
        # Called by allauth once the user row exists.
        services.complete_sign_up(
            user=user,
            first_name=self.cleaned_data["first_name"],
            last_name=self.cleaned_data["last_name"],
            is_therapist=self.cleaned_data["is_therapist"],
        )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=80,
        label="Token name",
        help_text="What the token is for, e.g. 'my script'.",
        validators=[validate_one_line],
    )

    def clean_name(self) -> Any:
        return self.cleaned_data["name"].strip()
