"""The proof tests share one world per module, built once inside a transaction that is rolled
back when the module ends; each test runs in a savepoint inside it (pytest-django's `db`), so
what a test writes never reaches the next one."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from tests.factories import PASSWORD, totp_code
from tests.proof.world import World, build_world


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        override_settings(PASSWORD_HASHERS=fast),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        built = build_world()
        yield built
        transaction.set_rollback(True)


@pytest.fixture
def w(world: World, db: None) -> World:
    """The module's world, inside this test's savepoint."""
    return world


@pytest.fixture(scope="module")
def sessions(world: World, django_db_blocker: Any) -> dict[str, str]:
    """A session key per role, each made by the real sign-in (password, then TOTP for staff)."""
    keys: dict[str, str] = {}
    with django_db_blocker.unblock():
        for role, person in world.people.items():
            if person is None:
                continue
            client = Client()
            first = client.post(
                reverse("account_login"), {"login": person.email, "password": PASSWORD}
            )
            if person.has_staff_role:
                assert first["Location"] == reverse("mfa_authenticate"), role
                client.post(reverse("mfa_authenticate"), {"code": totp_code(person.totp_secret)})
            assert client.session.get("_auth_user_id") == str(person.pk), role
            keys[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return keys
