"""Real HTTP servers on localhost that the real client libraries talk to, so no code of ours is
mocked: a Twilio Messages API (what `twilio`'s Client posts) and a Web Push service (what
`pywebpush` posts, decrypted with the keys of a browser the test makes)."""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC\w+)/Messages\.json$")


class _Server:
    """A threaded HTTP server on a free port, answering with `handle`."""

    def __init__(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                answered = owner.handle(self.path, dict(self.headers), body)
                if answered is None:  # hang up after reading the request: no answer at all
                    self.close_connection = True
                    return
                status, headers, answer = answered
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:  # quiet test output
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def handle(
        self, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes] | None:
        raise NotImplementedError


def _json(status: int, payload: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json"}, json.dumps(payload).encode()


class FakeTwilio(_Server):
    """Twilio's Messages API as far as sending goes: `POST /2010-04-01/Accounts/{sid}/
    Messages.json`, form-encoded, HTTP Basic auth with the account SID and auth token; answers
    201 and the message as JSON with its SID, or the error Twilio would give."""

    def __init__(self, account_sid: str, auth_token: str) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.messages: list[dict[str, str]] = []
        self.requests = 0
        # To → (HTTP status, Twilio error code), answered once each.
        self.refusals: dict[str, list[tuple[int, int]]] = {}
        # Numbers whose next message the server reads and then hangs up on, answering nothing.
        self.hang_ups: set[str] = set()
        super().__init__()

    def refuse(self, to: str, *, status: int = 400, code: int = 21610) -> None:
        self.refusals.setdefault(to, []).append((status, code))

    def to(self, number: str) -> list[str]:
        return [m["Body"] for m in self.messages if m["To"] == number]

    def handle(
        self, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        with self.lock:
            self.requests += 1
        match = MESSAGES_PATH.match(path)
        if match is None or match["sid"] != self.account_sid:
            return _json(
                404,
                {"code": 20404, "message": "The requested resource was not found", "status": 404},
            )
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if headers.get("Authorization") != f"Basic {expected}":
            return _json(401, {"code": 20003, "message": "Authenticate", "status": 401})
        fields = {name: values[0] for name, values in parse_qs(body.decode()).items()}
        to = fields.get("To", "")
        if to in self.hang_ups:
            self.hang_ups.discard(to)
            with self.lock:
                self.messages.append(fields)  # it went out; the answer was lost
            return None
        with self.lock:
            pending = self.refusals.get(to)
            if pending:
                status, code = pending.pop(0)
                return _json(
                    status, {"code": code, "message": f"refused ({code})", "status": status}
                )
            sid = "SM" + secrets.token_hex(16)
            self.messages.append(fields)
        return _json(
            201,
            {
                "sid": sid,
                "account_sid": self.account_sid,
                "to": to,
                "from": fields.get("From"),
                "messaging_service_sid": fields.get("MessagingServiceSid"),
                "body": fields.get("Body"),
                "status": "queued",
                "num_segments": "1",
                "direction": "outbound-api",
                "api_version": "2010-04-01",
                "date_created": "Wed, 01 Jul 2026 09:00:00 +0000",
                "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
            },
        )


@dataclass
class FakeBrowser:
    """What a browser keeps for one push subscription: its key pair and auth secret."""

    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes

    @staticmethod
    def _b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    @property
    def p256dh(self) -> str:
        return self._b64(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    @property
    def auth(self) -> str:
        return self._b64(self.auth_secret)


@dataclass
class Pushed:
    endpoint: str
    headers: dict[str, str]
    payload: dict[str, Any] = field(default_factory=dict)


class FakePushService(_Server):
    """A Web Push service (RFC 8030): `POST /push/{id}` with an aes128gcm body (RFC 8291) and a
    VAPID Authorization header (RFC 8292). It decrypts each message with the browser's keys, as
    the browser would, and answers 201, or the status set for that subscription."""

    def __init__(self) -> None:
        self.browsers: dict[str, FakeBrowser] = {}
        self.answers: dict[str, int] = {}
        self.received: list[Pushed] = []
        super().__init__()

    def browser(self) -> FakeBrowser:
        """A new subscription at this service, as a browser would make it."""
        endpoint = f"{self.url}/push/{secrets.token_hex(8)}"
        found = FakeBrowser(
            endpoint, ec.generate_private_key(ec.SECP256R1()), secrets.token_bytes(16)
        )
        self.browsers[endpoint] = found
        return found

    def answer(self, endpoint: str, status: int) -> None:
        self.answers[endpoint] = status

    def to(self, endpoint: str) -> list[dict[str, Any]]:
        return [p.payload for p in self.received if p.endpoint == endpoint]

    def handle(
        self, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        endpoint = self.url + path
        status = self.answers.get(endpoint, 201)
        browser = self.browsers.get(endpoint)
        if browser is None:
            return 404, {}, b""
        if status >= 300:
            return status, {}, b""
        clear = http_ece.decrypt(
            body,
            private_key=browser.private_key,
            auth_secret=browser.auth_secret,
            version="aes128gcm",
        )
        with self.lock:
            self.received.append(Pushed(endpoint, headers, json.loads(clear)))
        return 201, {"Location": endpoint + "/message"}, b""
