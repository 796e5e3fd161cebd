"""Domain errors services and selectors raise; the API maps them to a status once (api.py)."""


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


class NotFound(DomainError):
    """Missing, or not the caller's to see: the same answer either way, so nobody can probe."""

    status = 404

    def __init__(self, what: str = "record") -> None:
        super().__init__("not_found", f"No such {what}.")


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
