from types import SimpleNamespace
from typing import Any

import pytest
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from django.http import HttpRequest
from django.test.client import ClientMixin
from django.utils import translation
from hypothesis import settings

from sciaticare.core import kept_answers, ratelimits
from sciaticare.scheduling.selectors import bookable
from tests.factories import (
    ClinicAdminFactory,
    PatientFactory,
    SiteAdminFactory,
    TherapistFactory,
)

# No per-example deadline: a property is about the answer, and on a shared 2-core machine a
# pure example has taken 330 ms once and 16 ms the next time (Hypothesis then calls it flaky).
settings.register_profile("sciaticare", deadline=None)
settings.load_profile("sciaticare")


def _flushes(item: pytest.Item) -> bool:
    """A test that empties the database when it ends (transactional, or the live server's)."""
    fixtures = getattr(item, "fixturenames", ())
    marker = item.get_closest_marker("django_db")
    transaction = marker is not None and bool(
        marker.kwargs.get("transaction", marker.args[0] if marker.args else False)
    )
    return transaction or "transactional_db" in fixtures or "live_server" in fixtures


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that empty the database run after all the others: it is emptied without the rows
    that migrations write (the built-in exercise library, home-care lines), which a test that
    uses the database only through a fixture (not the django_db mark, which pytest-django
    orders) would otherwise find missing after a browser test. A stable sort: the order is
    otherwise kept."""
    items.sort(key=_flushes)


# The `smtp` fixture and failing-task check; the local card processor (`stripe_server`); a
# CalDAV server (`caldav_server`, `own_calendar`); an HTTPS webhook receiver.
pytest_plugins = ["tests.mail", "tests.stripe", "tests.caldav_server", "tests.webhook_receiver"]


@pytest.fixture(scope="session")
def _file_storage(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("storage"))


@pytest.fixture(autouse=True)
def _test_storages(settings: Any, _file_storage: str) -> None:
    settings.STORAGES = {
        # Only migration directory.0003 (reversed in the migration tests) writes files: never
        # into var/private.
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": _file_storage},
        },
        # Tests render templates without running collectstatic (no manifest to look up).
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def pass_two_factor(client: Any, user: Any) -> None:
    """Write into the client's session that it passed the user's second factor, as allauth
    does after the code is entered (the staff gate reads it: accounts/selectors.py)."""
    device = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if device is None:
        return
    request = HttpRequest()
    request.session = client.session
    record_authentication(request, user, "mfa", id=device.pk, type=device.type)
    request.session.save()


@pytest.fixture(autouse=True)
def _force_login_is_a_whole_sign_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """`force_login` stands for a finished sign-in: for a person with an authenticator, that
    includes its code. Tests of a password-only session build one themselves."""
    original = ClientMixin.force_login

    def force_login(self: Any, user: Any, backend: str | None = None) -> None:
        original(self, user, backend)
        pass_two_factor(self, user)

    monkeypatch.setattr(ClientMixin, "force_login", force_login)


@pytest.fixture(autouse=True)
def _english_after_each_test() -> Any:
    """A request in Spanish leaves Spanish active on its thread (Django activates a language
    per request and never resets it): the next test starts in the site's language."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _no_request_rate_limits(settings: Any) -> None:
    # Tests call the API and the symptom check faster than any person; the limits' own tests
    # (tests/proof/test_rate_limits.py) switch them back on. allauth's login limits stay on.
    settings.RATE_LIMITS_ENABLED = False
    # A lease taken in an earlier test's database would outlive its rolled-back row.
    ratelimits.leases.clear()


@pytest.fixture(autouse=True)
def _next_free_computed_each_time(settings: Any) -> None:
    # Tests change calendars and search at once; the kept answers have tests of their own
    # (tests/scheduling/test_next_free_kept.py).
    settings.NEXT_FREE_SECONDS = 0
    bookable.recent.clear()
    # Likewise the public answers kept by the process (tests/core/test_kept_answers.py).
    settings.PUBLIC_PROFILE_SECONDS = 0
    kept_answers.clear()


# 100 hours and 90 seconds after the epoch: 30 s into a minute, 90 s into an hour.
RATE_CLOCK = 100 * 3600 + 90.0


@pytest.fixture
def rate_clock(monkeypatch: pytest.MonkeyPatch) -> float:
    """Stops the request limits' clock well inside every window, so a test that counts a few
    requests is never split by a minute or hour ending halfway through it."""
    monkeypatch.setattr(ratelimits, "time", SimpleNamespace(time=lambda: RATE_CLOCK))
    return RATE_CLOCK


@pytest.fixture(autouse=True)
def _no_default_quiet_hours(settings: Any) -> None:
    # Quiet hours hold reminders at night on the person's clock; tests that send one at the
    # real time would then pass by day and fail by night. The quiet-hours tests
    # (tests/reminders/) set them, with a frozen clock.
    settings.REMINDER_QUIET_HOURS = ""


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # Argon2 is deliberately slow; tests that check it ask for the production hashers.
    settings.PRODUCTION_PASSWORD_HASHERS = settings.PASSWORD_HASHERS
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def patient(db: None) -> Any:
    return PatientFactory()


@pytest.fixture
def other_patient(db: None) -> Any:
    return PatientFactory()


@pytest.fixture
def therapist(db: None) -> Any:
    return TherapistFactory()


@pytest.fixture
def clinic_admin(db: None) -> Any:
    return ClinicAdminFactory()


@pytest.fixture
def site_admin(db: None) -> Any:
    return SiteAdminFactory()


@pytest.fixture
def roles(db: None) -> dict[str, Any]:
    """One person in each of the main roles (`tests.factories.MAIN_ROLES`), by role name; the
    anonymous visitor is None."""
    return {
        "anonymous": None,
        "patient": PatientFactory(),
        "therapist": TherapistFactory(),
        "clinic_admin": ClinicAdminFactory(),
        "site_admin": SiteAdminFactory(),
    }
