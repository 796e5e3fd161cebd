"""Mail and tasks in tests: a real SMTP server on localhost (`smtp`), tasks that run at once,
and any task failure failing the test. Registered for every test by tests/conftest.py."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.tasks.signals import task_finished


@dataclass
class Inbox:
    """What the SMTP server received: each message parsed, with its envelope recipients."""

    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=default_policy)
        self.messages.append((list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for recipients, message in self.messages if address in recipients]

    def subjects(self, address: str) -> list[str]:
        return [str(message["Subject"]) for message in self.to(address)]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings: Any) -> Iterator[Inbox]:
    """Mail goes over SMTP to a local aiosmtpd server; tasks run on enqueue.

    pytest-django swaps MAILERS for locmem before each test, so the SMTP mailer is set here.
    """
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "timeout": 10},
        }
    }
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def _tasks_must_not_fail() -> Iterator[None]:
    """The immediate backend logs a failing task and carries on; a test should fail instead."""
    failures: list[str] = []

    def record(sender: Any, task_result: Any, **kwargs: Any) -> None:
        if task_result.errors:
            failures.append(task_result.errors[-1].traceback)

    task_finished.connect(record)
    try:
        yield
    finally:
        task_finished.disconnect(record)
    assert not failures, "a task failed:\n" + "\n".join(failures)
