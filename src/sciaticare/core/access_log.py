"""Secrets and free text kept out of the server's logs.

Some URLs carry a secret (a calendar feed's `/calendar/<secret>.ics`, a shared report's
`/shared-reports/<token>/`, allauth's password-reset and email-confirmation keys) or words a
person typed (`?reason=` on an audited read). Access logs are read and kept by more people and
systems than the audit log, so every log line is rewritten before it is written: the secret
part of those paths and the values of those query parameters become `[redacted]`. Used by
Django's loggers (settings.LOGGING) and gunicorn's access log (gunicorn.conf.py).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn.glogging import Logger as GunicornBaseLogger

REDACTED = "[redacted]"

#: Query parameters whose values never reach a log: free text and secrets.
SECRET_PARAMETERS = ("reason", "code", "token", "secret", "key", "password", "email")

# Each pattern: (what comes before the secret)(the secret)(what comes after, maybe nothing).
_SECRET_PATHS = [
    re.compile(r"(/calendar/)([^/?#\s\"]+)(\.ics)"),
    re.compile(r"(/shared-reports/)([^/?#\s\"]+)()"),
    re.compile(r"(/accounts/password/reset/key/)([^/?#\s\"]+)()"),
    re.compile(r"(/accounts/confirm-email/)([^/?#\s\"]+)()"),
]
_SECRET_QUERY = re.compile(
    r"((?:^|[?&;])(?:" + "|".join(SECRET_PARAMETERS) + r")=)([^&;#\s\"]*)()", re.IGNORECASE
)


def redact(text: str) -> str:
    """`text` (a log line, a path, a query string) with secrets and free text replaced."""
    for pattern in (*_SECRET_PATHS, _SECRET_QUERY):
        text = pattern.sub(rf"\g<1>{REDACTED}\g<3>", text)
    return text


class RedactSecrets(logging.Filter):
    """Rewrites each record's message through `redact` (for Django's handlers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


class NoTracebackFor4xx(logging.Filter):
    """Django logs a refusal it raised (PermissionDenied, BadRequest) with the exception's
    traceback; an ordinary 4xx is one warning line ("Forbidden (Permission denied): /path"),
    so the terminal shows tracebacks only for real errors (5xx)."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info, record.exc_text = None, None
        return True


class GunicornLogger(GunicornBaseLogger):
    """gunicorn's logger with every access-log atom (request line, path, query, referer…)
    redacted, whatever `access_log_format` an operator chooses."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        return {k: redact(v) if isinstance(v, str) else v for k, v in atoms.items()}
