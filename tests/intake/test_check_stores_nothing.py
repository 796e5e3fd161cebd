"""Nothing is stored before consent: an anonymous symptom check, walked screen by screen to its
result (with a missing answer and a step back on the way) or ended early by an emergency,
leaves every table of the database as it was, and sets no session cookie. Its answers stay in
the browser only (``carried_check``, a signed cookie) until the person signs up or books.

Every table is compared row by row, before and after, except one: ``core_ratecounter``, the
symptom check's rate limit (``core.ratelimits``). Each POST counts against it by design; a row
holds only the limit's scope with a digest of the client's address (no address in clear, no
answer), a window number and a count, and is deleted once its window ends
(``ratelimits.prune``). The test checks that this is all it holds.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.urls import reverse

from sciaticare.core import ratelimits
from sciaticare.core.models import RateCounter
from sciaticare.intake import carried_check
from sciaticare.intake.symptom_check import ONE_AT_A_TIME, SCREENS, STEPS
from tests.factories import PatientFactory
from tests.intake.factories import make_intake

pytestmark = pytest.mark.django_db

#: The one table a check writes, and why it may (the module's docstring).
RATE_COUNTER = RateCounter._meta.db_table


def _database() -> dict[str, list[str]]:
    """Every row of every table but the rate counter, in a comparable form."""
    rows: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table == RATE_COUNTER:
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows[table] = sorted(repr(row) for row in cursor.fetchall())
    return rows


@pytest.fixture
def counted(settings: Any, rate_clock: float) -> None:
    """The rate limit on, as in production, so that its table is written as it would be."""
    settings.RATE_LIMITS_ENABLED = True
    ratelimits.leases.clear()


@pytest.fixture
def before() -> dict[str, list[str]]:
    # Some rows to keep: a patient with an intake (tables an anonymous check must not touch).
    make_intake(PatientFactory())
    return _database()


def _post(client: Any, screen: int, answers: dict[str, str], **extra: str) -> Any:
    response = client.post(reverse("check"), {"step": str(screen), **answers, **extra})
    assert django_settings.SESSION_COOKIE_NAME not in response.cookies
    return response


def _assert_nothing_stored(client: Any, before: dict[str, list[str]]) -> None:
    assert _database() == before
    assert django_settings.SESSION_COOKIE_NAME not in client.cookies
    assert set(client.cookies) <= {django_settings.CSRF_COOKIE_NAME, carried_check.COOKIE}
    for row in RateCounter.objects.all():
        assert re.fullmatch(r"symptom_check:[0-9a-f]{40}", row.ident), row.ident
        assert "127.0.0.1" not in row.ident


def test_a_check_walked_to_its_result_stores_nothing(client, counted, before):
    answers = dict.fromkeys(STEPS, "no") | {"age": "52", "onset_weeks": "3"}
    answers |= {"first_episode": "yes", "pregnant": "yes"}
    assert client.get(reverse("check")).status_code == 200
    assert _post(client, 0, {"saddle_numbness": "no"}, go="next").status_code == 422
    for index in range(len(SCREENS) - 1):
        assert _post(client, index, answers, go="next").status_code == 200
    assert _post(client, 3, answers, go="back").status_code == 200  # and forward again

    result = _post(client, 3, answers, go="next")

    assert b"See a doctor within about two weeks" in result.content
    assert carried_check.COOKIE in client.cookies  # the answers are in the browser
    _assert_nothing_stored(client, before)


def test_a_check_one_question_at_a_time_stores_nothing(client, counted, before):
    answers = dict.fromkeys(STEPS, "no") | {"age": "35", "onset_weeks": "1"}
    for index in range(len(ONE_AT_A_TIME) - 1):
        assert _post(client, index, answers, one="1", go="next").status_code == 200

    result = _post(client, len(ONE_AT_A_TIME) - 1, answers, one="1", go="next")

    assert b"Massage is a reasonable option" in result.content
    _assert_nothing_stored(client, before)


@pytest.mark.parametrize(
    ("screen", "answers"),
    [
        (0, {"saddle_numbness": "yes"}),
        (2, {"foot_drop": "yes", "cancer_history": "yes"}),
    ],
    ids=["saddle numbness", "cancer history with foot drop"],
)
def test_a_check_ended_early_by_an_emergency_stores_nothing(
    client, counted, before, screen, answers
):
    given = {step: "no" for index in range(screen) for step in SCREENS[index].steps} | answers

    result = _post(client, screen, given, go="next")

    assert b'id="emergency"' in result.content
    _assert_nothing_stored(client, before)
