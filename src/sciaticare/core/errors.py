"""Domain errors services and selectors raise; the API maps them to a status once (api.py).

Their messages are read by people (pages show them, the API's `detail` carries them), so each
is written in the language being answered in when the error is raised (core.translation)."""

from typing import Any, Self

from sciaticare.core.translation import gettext, gettext_noop

#: The things a NotFound names ("No such appointment."), marked here so that the message
#: names them in the reader's language; a thing not listed is named as the caller wrote it.
THINGS = (
    gettext_noop("appointment"),
    gettext_noop("calendar"),
    gettext_noop("client"),
    gettext_noop("clinic"),
    gettext_noop("consent"),
    gettext_noop("credential"),
    gettext_noop("deletion request"),
    gettext_noop("deposit"),
    gettext_noop("document for an insurer"),
    gettext_noop("exercise"),
    gettext_noop("exercise plan"),
    gettext_noop("export"),
    gettext_noop("fee"),
    gettext_noop("flare-up plan"),
    gettext_noop("instrument"),
    gettext_noop("intake"),
    gettext_noop("invoice"),
    gettext_noop("note"),
    gettext_noop("offer"),
    gettext_noop("outcome report"),
    gettext_noop("page"),
    gettext_noop("patient"),
    gettext_noop("payment"),
    gettext_noop("receipt"),
    gettext_noop("record"),
    gettext_noop("report"),
    gettext_noop("review"),
    gettext_noop("session type"),
    gettext_noop("share"),
    gettext_noop("shared report"),
    gettext_noop("template"),
    gettext_noop("therapist"),
    gettext_noop("therapist in your plan"),
    gettext_noop("therapist profile"),
    gettext_noop("time"),
    gettext_noop("waitlist entry"),
    gettext_noop("webhook"),
    gettext_noop("webhook delivery"),
)


def not_signed_in_message() -> str:
    """The API's 401, in the language being answered in (api.py)."""
    return gettext("Sign in, or send a valid bearer token.")


def invalid_fields_message() -> str:
    """The API's 422 beside the fields the schema refused, in the language being answered in;
    each field's own message is the validator's, in English (docs/i18n.md)."""
    return gettext("The request has invalid fields.")


class DomainError(Exception):
    """A refusal with a stable code a program can act on and a message a person can read."""

    status = 400

    def __init__(
        self, code: str, message: str, errors: list[tuple[str, str]] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.errors = errors or []  # (field, message) pairs, for 422s
        #: The message's English sentence (as marked for translation) and the values it names,
        #: when the raiser gave them (`saying`): a caller that keeps the refusal to show later
        #: (an import's report) says it again in the language of whoever reads it then.
        self.words: tuple[str, dict[str, Any]] | None = None

    def problem(self) -> dict[str, Any]:
        """The API's error body (`{detail, code, errors}`)."""
        errors = [{"field": field, "message": message} for field, message in self.errors]
        return {"detail": self.message, "code": self.code, "errors": errors}

    @classmethod
    def saying(cls, code: str, text: str, params: dict[str, Any] | None = None) -> Self:
        """The error with `text` (marked with gettext_noop) translated now and kept as words."""
        params = params or {}
        error = cls(code, gettext(text) % params if params else gettext(text))
        error.words = (text, params)
        return error


class NotFound(DomainError):
    """Missing, or not the caller's to see: the same answer either way, so nobody can probe."""

    status = 404

    def __init__(self, what: str = "record") -> None:
        super().__init__("not_found", gettext("No such %(what)s.") % {"what": gettext(what)})


class Refused(DomainError):
    """The caller is known but may not do this now (e.g. triage says see a doctor first)."""

    status = 403


class Conflict(DomainError):
    status = 409


class Invalid(DomainError):
    status = 422


class PaymentFailed(DomainError):
    """The card was declined or its bank did not confirm the payment: nothing was taken."""

    status = 402
