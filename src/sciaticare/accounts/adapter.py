"""allauth's account adapter, changed only in how its mail names the site and links to it, and
in the language it is written in: the recipient's (docs/i18n.md)."""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils import translation

from sciaticare.accounts.selectors import language_of_address

PRODUCT_NAME = "Sciaticare"


@dataclass(frozen=True)
class MailSite:
    """What allauth's mail templates read as `current_site`: the product, not the request's host."""

    name: str
    domain: str


def on_site(url: str) -> str:
    """The same page on SITE_URL: allauth builds its links from the request's host."""
    base = urlsplit(settings.SITE_URL)
    parts = urlsplit(url)
    path = base.path.rstrip("/") + parts.path
    return urlunsplit((base.scheme, base.netloc, path, parts.query, parts.fragment))


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # Without django.contrib.sites allauth names the site after the request's host, so the
        # mail read "Hello from 127.0.0.1:8000!" and linked to whatever host the request used.
        site = MailSite(name=PRODUCT_NAME, domain=urlsplit(settings.SITE_URL).netloc)
        links = {
            key: on_site(value)
            for key, value in context.items()
            if key.endswith("_url") and isinstance(value, str) and value
        }
        with translation.override(recipient_language(email, context)):
            super().send_mail(
                template_prefix,
                email,
                {**context, **links, "current_site": site, "site_url": settings.SITE_URL},
            )


def recipient_language(email: str, context: dict[str, Any]) -> str | None:
    """The language of a mail to `email`: that kept on the recipient's account (a password reset
    asked for from a browser in another language still reaches them in theirs), else, for an
    address with no account, the language of the page that asked."""
    user = context.get("user")
    kept = getattr(user, "language", None) or language_of_address(email)
    return kept or translation.get_language()
