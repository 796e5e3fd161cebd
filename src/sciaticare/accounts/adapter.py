"""allauth's account adapter, changed only in how its mail names the site."""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

PRODUCT_NAME = "Sciaticare"


@dataclass(frozen=True)
class MailSite:
    """What allauth's mail templates read as `current_site`: the product, not the request's host."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # Without django.contrib.sites allauth names the site after the request's host, so the
        # greeting read "Hello from 127.0.0.1:8000!".
        site = MailSite(name=PRODUCT_NAME, domain=urlsplit(settings.SITE_URL).netloc)
        super().send_mail(template_prefix, email, {"current_site": site, **context})
