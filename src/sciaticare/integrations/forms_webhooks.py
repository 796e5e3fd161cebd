"""The webhook endpoint form of the clinic admin's page (the address's checks are the
service's: services/webhooks.py)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sciaticare.integrations.models.webhooks import WebhookEndpoint, WebhookEvent


class EndpointForm(forms.Form):
    url = forms.CharField(
        label=_("Address (https://…)"),
        max_length=500,
        help_text=_(
            "It must start with https:// and be on a server reachable from the internet: "
            "private and local network addresses are refused."
        ),
        widget=forms.URLInput(attrs={"autocomplete": "off", "inputmode": "url"}),
    )
    events = forms.MultipleChoiceField(
        label=_("Events to send"),
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event.")},
    )
    description = forms.CharField(
        label=_("Description (optional)"),
        max_length=200,
        required=False,
        help_text=_("What the address is, for your own list, e.g. “our booking system”."),
    )

    @staticmethod
    def initial_of(endpoint: WebhookEndpoint) -> dict[str, object]:
        return {
            "url": endpoint.url,
            "events": list(endpoint.events),
            "description": endpoint.description,
        }
