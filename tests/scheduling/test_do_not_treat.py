"""The therapist is warned when a client's current intake says emergency or urgent (or a
red-flag re-check said yes): "Do not treat … — see brief" on the dashboard's Today rows, the
week view and the note editor, from one selector read in one query; and a mail asking them to
read the brief, with no clinical detail (UX finding 3)."""

from datetime import UTC, datetime, time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sciaticare.intake import selectors as intake_selectors
from sciaticare.intake import services as intake_services
from tests.intake.factories import make_intake
from tests.scheduling.helpers import LONDON, bookable_patient, place_appointment, working_therapist

pytestmark = pytest.mark.django_db

# A Saturday morning in December (London is on UTC): the day's sessions are still to come.
MORNING = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)
LEVELS = {"emergency": {"bladder_change": True}, "urgent": {"foot_drop": True}}


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: MORNING)


@pytest.fixture
def world(frozen):
    therapist, session, location = working_therapist(first_name="Ada", last_name="Byrne")
    patients = [bookable_patient(first_name=name) for name in ("Maya", "Sam", "Lena")]
    sessions = [
        place_appointment(
            patient=patient,
            therapist=therapist,
            session=session,
            location=location,
            start=datetime.combine(MORNING.date(), time(9 + 2 * i), tzinfo=LONDON),
        )
        for i, patient in enumerate(patients)
    ]
    return {"therapist": therapist, "patients": patients, "sessions": sessions}


def _markers(body: str) -> int:
    return body.count("data-do-not-treat=")


def test_the_selector_finds_the_blocked_patients_in_one_query(world, django_assert_num_queries):
    maya, sam, lena = world["patients"]
    make_intake(maya, yes=LEVELS["emergency"])
    make_intake(sam, yes=LEVELS["urgent"])
    make_intake(sam)  # seen by a doctor since: the newer intake says massage is fine
    intake_services.recheck_red_flags(patient=lena, yes=["saddle_numbness"])

    with django_assert_num_queries(1):
        blocked = intake_selectors.blocking_triage(patient_ids=[p.pk for p in world["patients"]])

    assert blocked == {maya.pk: "emergency", lena.pk: "emergency"}


@pytest.mark.parametrize(
    ("level", "words"),
    [("emergency", "Do not treat: emergency result"), ("urgent", "Do not treat: see a doctor")],
)
def test_the_dashboard_today_row_says_do_not_treat(client, world, level, words):
    maya = world["patients"][0]
    make_intake(maya, yes=LEVELS[level])
    client.force_login(world["therapist"].user)

    body = client.get(reverse("web:dashboard")).content.decode()

    assert _markers(body) == 1
    assert words in body
    row = body[body.index(words) - 400 : body.index(words) + 200]
    assert "Maya" in row
    assert reverse("intake:brief", args=[maya.pk]) in row


def test_the_dashboard_reads_the_triage_in_one_query_whatever_the_rows(client, world):
    client.force_login(world["therapist"].user)
    make_intake(world["patients"][0], yes=LEVELS["emergency"])
    client.get(reverse("web:dashboard"))
    with CaptureQueriesContext(connection) as one:
        body = client.get(reverse("web:dashboard")).content.decode()
    assert _markers(body) == 1

    for patient in world["patients"][1:]:
        make_intake(patient, yes=LEVELS["urgent"])
    with CaptureQueriesContext(connection) as three:
        body = client.get(reverse("web:dashboard")).content.decode()

    assert _markers(body) == 3
    assert len(three.captured_queries) == len(one.captured_queries)


def test_the_week_view_marks_the_session(client, world):
    make_intake(world["patients"][1], yes=LEVELS["urgent"])
    client.force_login(world["therapist"].user)

    with CaptureQueriesContext(connection) as seen:
        body = client.get(reverse("scheduling:week")).content.decode()

    assert _markers(body) == 1
    assert "Do not treat: see a doctor today" in body
    assert len([q for q in seen.captured_queries if '"intake_intake"' in q["sql"]]) == 1


def test_the_note_editor_says_do_not_treat(client, world):
    maya = world["patients"][0]
    make_intake(maya, yes=LEVELS["emergency"])
    client.force_login(world["therapist"].user)

    body = client.get(reverse("records:note", args=[world["sessions"][0].pk])).content.decode()
    assert _markers(body) == 1
    other = client.get(reverse("records:note", args=[world["sessions"][1].pk])).content.decode()
    assert _markers(other) == 0


def test_the_therapist_is_mailed_to_read_the_brief_without_clinical_detail(
    world, smtp, django_capture_on_commit_callbacks
):
    maya = world["patients"][0]
    other_therapist, _, _ = working_therapist(first_name="Bo")

    with django_capture_on_commit_callbacks(execute=True):
        make_intake(maya, yes={"cancer_history": True, "foot_drop": True})

    (mail,) = smtp.to(world["therapist"].user.email)
    assert mail["Subject"] == "Please read Maya's brief before your session"
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert "Do not treat before a doctor has seen them; read the brief" in body
    assert reverse("intake:brief", args=[maya.pk]) in body
    for clinical in ("emergency", "urgent", "cancer", "foot", "spinal", "bladder", "triage"):
        assert clinical not in body.lower(), clinical
        assert clinical not in str(mail["Subject"]).lower(), clinical
    assert smtp.to(other_therapist.user.email) == []


def test_no_mail_for_a_result_that_does_not_block_massage(
    world, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_intake(world["patients"][0], yes={"cancer_history": True})

    assert smtp.messages == []
