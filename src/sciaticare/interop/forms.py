"""The patient's upload of a FHIR Bundle on "Your data": one file, judged by its content (read
as JSON and then as a Bundle by the import service), never by its name or declared type."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext, gettext_lazy


def size_limit_mb() -> str:
    """The API's limit on a Bundle (the request body), in MB as people read it: "2.5"."""
    return f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024:g}"


class BundleUploadForm(forms.Form):
    bundle = forms.FileField(
        label=gettext_lazy("Your records file (FHIR R4 Bundle, .json)"),
        widget=forms.FileInput(attrs={"accept": ".json,application/json"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bundle"].help_text = gettext(
            "The file your clinic, GP or health app exported, up to %(size)s MB."
        ) % {"size": size_limit_mb()}

    def clean_bundle(self) -> Any:
        upload = self.cleaned_data["bundle"]
        # The same limit as the API's body: a file field is not held to it by Django.
        if upload.size > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            raise forms.ValidationError(
                gettext(
                    "The file is larger than %(size)s MB. Ask for a smaller export, for example "
                    "one year at a time."
                )
                % {"size": size_limit_mb()},
                code="too_large",
            )
        return upload

    @property
    def too_large(self) -> bool:
        """Over the API's size limit: answered 413, as the API answers it."""
        return any(e.code == "too_large" for e in self.errors.as_data().get("bundle", []))
