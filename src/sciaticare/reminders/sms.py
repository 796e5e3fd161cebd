"""Sending a text message, whoever the provider: an `SmsSender` takes a number in E.164 and a
text and returns the provider's id for the message. `TwilioSender` is Twilio's official library
(production); `ConsoleSender` prints the text (the demo). `sender()` builds the one chosen by
settings (`SMS_BACKEND`: "twilio", "console", or empty for no texts).

A send ends one of three ways, and delivery (services/delivery.py) treats each as it must for
"never twice": an id (sent); `SmsRefused` (the provider answered no: nothing went out, so a
retried task may try again); `SmsUncertain` (no answer: it may have gone out, so it is never
sent again).
"""

from __future__ import annotations

import itertools
import sys
from typing import Any, Protocol, TextIO

import requests
from django.conf import settings
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client
from urllib3.exceptions import NewConnectionError

#: Twilio's code for "the recipient replied STOP to this sender" (error 21610).
TWILIO_UNSUBSCRIBED = 21610
#: Where the library sends the Messages API; `TWILIO_API_BASE` replaces it (tests).
TWILIO_API = "https://api.twilio.com"


class SmsRefused(Exception):
    """The provider refused the message; nothing was sent. `opted_out`: the number has
    unsubscribed from our sender at the provider (it replied STOP there)."""

    def __init__(self, code: str, *, opted_out: bool = False) -> None:
        super().__init__(code)
        self.code = code
        self.opted_out = opted_out


class SmsUncertain(Exception):
    """The provider did not answer: the message may or may not have gone out."""


class SmsSender(Protocol):
    def send(self, *, to: str, body: str) -> str:
        """Send `body` to `to` (E.164); the provider's id of the message."""
        ...


class ConsoleSender:
    """Prints each text to the console (the demo: `make run` shows them beside the mail)."""

    _ids = itertools.count(1)

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def send(self, *, to: str, body: str) -> str:
        stream = self.stream or sys.stdout
        stream.write(f"--- Text message to {to} ---\n{body}\n{'-' * 40}\n")
        stream.flush()
        return f"console-{next(self._ids)}"


class RebasedHttpClient(TwilioHttpClient):
    """Twilio's own HTTP client, sending what it would send to api.twilio.com to another base
    URL: a local server that speaks the Messages API (the tests' fake, tests/reminders/fakes.py)."""

    def __init__(self, base: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base = base.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        if url.startswith(TWILIO_API):
            url = self.base + url[len(TWILIO_API) :]
        return super().request(method, url, *args, **kwargs)


class TwilioSender:
    """Texts through Twilio's Messages API with its official library. `sender` is our number
    in E.164, or a Messaging Service's SID ("MG…")."""

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        sender: str,
        api_base: str = "",
        timeout: float = 10,
    ) -> None:
        http = (
            RebasedHttpClient(api_base, timeout=timeout)
            if api_base
            else TwilioHttpClient(timeout=timeout)
        )
        self.client = Client(account_sid, auth_token, http_client=http)
        self.sender = sender

    def send(self, *, to: str, body: str) -> str:
        origin = (
            {"messaging_service_sid": self.sender}
            if self.sender.startswith("MG")
            else {"from_": self.sender}
        )
        try:
            message = self.client.messages.create(to=to, body=body, **origin)
        except (TwilioRestException, TwilioServiceException) as exc:
            # The API answered with an error (its legacy body, or RFC 9457 problem details).
            code = exc.code or exc.status
            raise SmsRefused(f"twilio_{code}", opted_out=code == TWILIO_UNSUBSCRIBED) from exc
        except requests.RequestException as exc:
            if never_sent(exc):
                raise SmsRefused("unreachable") from exc
            raise SmsUncertain(str(exc)) from exc  # a timeout or a hang-up after sending
        return str(message.sid)


def never_sent(exc: requests.RequestException) -> bool:
    """Whether a failed request surely never reached the provider: no connection was made (a
    refused connection, an unknown host, a connect timeout, a failed TLS handshake). A read
    timeout or a connection dropped after sending may have come after the provider acted."""
    if isinstance(exc, requests.ConnectTimeout | requests.exceptions.SSLError):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, NewConnectionError)


def is_on() -> bool:
    """Whether the site sends text messages at all."""
    return settings.SMS_BACKEND in ("console", "twilio")


def sender() -> SmsSender | None:
    """The sender settings choose, or None when the site sends no texts."""
    backend = settings.SMS_BACKEND
    if backend == "console":
        return ConsoleSender()
    if backend == "twilio":
        return TwilioSender(
            account_sid=settings.TWILIO_ACCOUNT_SID,
            auth_token=settings.TWILIO_AUTH_TOKEN,
            sender=settings.TWILIO_FROM,
            api_base=settings.TWILIO_API_BASE,
        )
    return None
