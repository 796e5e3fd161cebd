"""A local Stripe-compatible server (localstripe) for every test that takes money: the same
code paths as production through Stripe's own library, no mocks of our code.

One server per test process (xdist worker), started on a free port the first time a test asks
for `stripe_server`; each test starts from an empty store. Webhooks: `send_webhooks_to` makes
the server post its events, signed, to a URL of the live server, and `stop_webhooks` ends that
(the server is shared by the whole test process); `sign` signs a body as Stripe does.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

SECRET_KEY = "sk_test_sciaticare_local"
PUBLISHABLE_KEY = "pk_test_sciaticare_local"
WEBHOOK_SECRET = "whsec_sciaticare_local"
#: Test cards (localstripe knows Stripe's): a plain one, one that asks for 3-D Secure on every
#: charge, and one that is saved but declined when charged.
CARD = "4242424242424242"
CARD_3DS = "4000002760003184"
CARD_DECLINED_ON_CHARGE = "4000000000000341"
#: Asks for 3-D Secure on every charge, and is declined once the check has passed.
CARD_3DS_THEN_DECLINED = "4000008260003178"


@dataclass(frozen=True)
class StripeServer:
    url: str

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - our own local server
            self.url + path, data=data, method=method
        )
        request.add_header("Authorization", f"Bearer {SECRET_KEY}")
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            return json.loads(answer.read() or b"null")

    def save_card(self, setup_intent_secret: str, number: str = CARD) -> dict[str, Any]:
        """What Stripe.js does in the browser: confirm the card set-up with the card's
        number (sent to the processor, never to us)."""
        setup_intent = setup_intent_secret.split("_secret_")[0]
        answer = self.call(
            "POST",
            f"/v1/setup_intents/{setup_intent}/confirm",
            {
                "key": PUBLISHABLE_KEY,
                "client_secret": setup_intent_secret,
                "use_stripe_sdk": True,
                "payment_method_data": {
                    "type": "card",
                    "card": {"number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"},
                    "billing_details": {},
                },
            },
        )
        if answer.get("status") == "requires_action":  # the bank's check, passed
            answer = self.call(
                "POST",
                f"/v1/setup_intents/{setup_intent}/confirm",
                {
                    "key": PUBLISHABLE_KEY,
                    "client_secret": setup_intent_secret,
                    "use_stripe_sdk": True,
                },
            )
        return answer

    def authenticate(self, client_secret: str, *, success: bool = True) -> dict[str, Any]:
        """The bank's check (3-D Secure) answered in the browser (Stripe.js's
        confirmCardPayment with the payment's client secret)."""
        payment_intent = client_secret.split("_secret_")[0]
        return self.call(
            "POST",
            f"/v1/payment_intents/{payment_intent}/_authenticate?success={str(success).lower()}",
            {"key": PUBLISHABLE_KEY, "client_secret": client_secret},
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _executable() -> str:
    beside = Path(sys.executable).with_name("localstripe")
    return str(beside) if beside.exists() else shutil.which("localstripe") or "localstripe"


@pytest.fixture(scope="session")
def _stripe_process() -> Iterator[StripeServer]:
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - a fixed local program
        [_executable(), "--port", str(port), "--from-scratch"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = StripeServer(f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 20
    while True:
        try:
            server.call("GET", "/v1/customers")
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("localstripe did not start") from None
            time.sleep(0.1)
    yield server
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def stripe_server(_stripe_process: StripeServer, settings: Any) -> StripeServer:
    """The local processor, emptied, with the settings that point the app at it."""
    _stripe_process.call("DELETE", "/_config/data")
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_PUBLISHABLE_KEY = PUBLISHABLE_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = _stripe_process.url
    settings.STRIPE_JS_URL = f"{_stripe_process.url}/js.stripe.com/v3/"
    return _stripe_process


#: localstripe posts an event this long after it happens, to the webhooks listening then.
WEBHOOK_DELAY = 1.0


def send_webhooks_to(server: StripeServer, url: str) -> None:
    """Make the local processor post every event, signed with the webhook secret, to `url`.
    Only once the events of earlier tests have gone out: each test's database numbers its
    payments from 1 again, so an earlier test's late event would name this test's payment."""
    time.sleep(WEBHOOK_DELAY * 2)
    server.call("POST", "/_config/webhooks/sciaticare", {"url": url, "secret": WEBHOOK_SECRET})


def stop_webhooks(server: StripeServer) -> None:
    """Post no more events (localstripe cannot forget a webhook: it now listens to no type)."""
    server.call(
        "POST",
        "/_config/webhooks/sciaticare",
        {"url": "http://127.0.0.1:9/", "secret": WEBHOOK_SECRET, "events": []},
    )


def sign(payload: bytes, *, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    """A `Stripe-Signature` header for `payload`, made the way Stripe makes it: HMAC-SHA256 of
    "<timestamp>.<body>" with the endpoint's secret."""
    timestamp = int(time.time()) if at is None else at
    digest = hmac.new(secret.encode(), b"%d.%s" % (timestamp, payload), hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"
