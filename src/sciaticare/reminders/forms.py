"""The reminders page's forms: channels per kind with quiet hours, and a browser's push
subscription as the page's script sends it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sciaticare.reminders.models import ENDPOINT_LENGTH, Channel, Kind

#: The latest expiry a browser may give (milliseconds since 1970): the year 2100.
LATEST_EXPIRY_MS = 4_102_444_800_000


def field_name(kind: Kind, channel: Channel) -> str:
    return f"{kind.value}_{channel.value}"


class PreferencesForm(forms.Form):
    """One checkbox per kind and channel, and the quiet hours."""

    quiet_start = forms.TimeField(
        label=_("Quiet from"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "invalid": _("Enter a time such as 22:00."),
            "required": _("Enter a time such as 22:00."),
        },
    )
    quiet_end = forms.TimeField(
        label=_("Quiet until"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "invalid": _("Enter a time such as 08:00."),
            "required": _("Enter a time such as 08:00."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in Kind:
            for channel in Channel:
                self.fields[field_name(kind, channel)] = forms.BooleanField(
                    required=False, label=f"{kind.label}: {channel.label}"
                )

    @staticmethod
    def initial_for(
        choices: dict[Kind, frozenset[Channel]], quiet: tuple[Any, Any]
    ) -> dict[str, Any]:
        initial: dict[str, Any] = {"quiet_start": quiet[0], "quiet_end": quiet[1]}
        for kind, channels in choices.items():
            for channel in Channel:
                initial[field_name(kind, channel)] = channel in channels
        return initial

    def rows(self) -> list[tuple[Kind, list[tuple[Channel, forms.BoundField]]]]:
        """The table the page draws: a row per kind, a box per channel."""
        return [
            (kind, [(channel, self[field_name(kind, channel)]) for channel in Channel])
            for kind in Kind
        ]

    def choices(self) -> dict[Kind, set[Channel]]:
        return {
            kind: {
                channel for channel in Channel if self.cleaned_data.get(field_name(kind, channel))
            }
            for kind in Kind
        }


class DeviceForm(forms.Form):
    """A PushSubscription as the browser gives it (`subscription.toJSON()`), sent by
    reminders/push.js."""

    endpoint = forms.CharField(max_length=ENDPOINT_LENGTH)
    p256dh = forms.CharField(max_length=100)
    auth = forms.CharField(max_length=50)
    # `expirationTime`: milliseconds since 1970, or empty when the subscription does not expire.
    expiration_time = forms.IntegerField(required=False, min_value=0, max_value=LATEST_EXPIRY_MS)

    def expires_at(self) -> datetime | None:
        value = self.cleaned_data.get("expiration_time")
        return None if value is None else datetime.fromtimestamp(value / 1000, tz=UTC)
