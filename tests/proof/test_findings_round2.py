"""Findings of the second outside test, each with the test that would have caught it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sciaticare.core.errors import Refused
from sciaticare.scheduling.models import AppointmentStatus, SlotOffer, WaitlistEntry
from sciaticare.scheduling.services import booking, changes, waitlist
from tests.records.conftest import clinic_world
from tests.scheduling.helpers import at, bookable_patient, make_plan, working_therapist

__all__ = ["clinic_world"]  # the fixture, imported for these tests

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tasks_run_on_enqueue(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


# --- 1. "Not taking new patients" holds on the waitlist too ----------------------------------


@pytest.fixture
def closed(django_capture_on_commit_callbacks):
    """A therapist with one booked session (whose cancellation frees a slot), who then stops
    taking new patients."""
    therapist, _, _ = working_therapist(first_name="Cora", last_name="Shut")
    canceller = bookable_patient(first_name="Cas")
    appointment = booking.book_appointment(
        patient=canceller, therapist_id=therapist.pk, start=at(3, 10)
    )
    therapist.accepting_new_patients = False
    therapist.save(update_fields=["accepting_new_patients"])
    return therapist, canceller, appointment


def _free(canceller, appointment, capture):
    with capture(execute=True):
        changes.cancel_appointment(user=canceller, appointment_id=appointment.pk)


def test_a_new_patient_cannot_join_a_closed_therapists_waitlist(client, closed):
    therapist, _, _ = closed
    newcomer = bookable_patient(first_name="New")
    today = timezone.localdate()

    with pytest.raises(Refused) as refused:
        waitlist.join_waitlist(
            patient=newcomer, therapist_id=therapist.pk, earliest=today, latest=today
        )
    assert refused.value.code == "not_accepting_new_patients"

    client.force_login(newcomer)
    page = client.post(
        reverse("scheduling:waitlist_join") + f"?therapist={therapist.pk}",
        {"scope": "therapist", "earliest": today.isoformat(), "latest": today.isoformat()},
    )
    assert b"is not taking new patients" in page.content
    assert not WaitlistEntry.objects.filter(patient=newcomer).exists()


def test_a_freed_slot_is_not_offered_to_a_new_patient_of_a_closed_therapist(
    closed, django_capture_on_commit_callbacks
):
    therapist, canceller, appointment = closed
    newcomer = bookable_patient(first_name="New")
    make_plan(newcomer, therapist)
    today = timezone.localdate()
    # Joined before the therapist closed (a direct entry), and through the flare-up plan.
    WaitlistEntry.objects.create(
        patient=newcomer, therapist=therapist, earliest=today, latest=today + timedelta(days=7)
    )
    WaitlistEntry.objects.create(
        patient=newcomer, therapist=None, earliest=today, latest=today + timedelta(days=7)
    )

    _free(canceller, appointment, django_capture_on_commit_callbacks)

    assert not SlotOffer.objects.filter(entry__patient=newcomer).exists()


def test_an_existing_client_still_gets_the_offer(closed, django_capture_on_commit_callbacks):
    therapist, canceller, appointment = closed
    regular = bookable_patient(first_name="Reg")
    today = timezone.localdate()
    therapist.accepting_new_patients = True
    therapist.save(update_fields=["accepting_new_patients"])
    booking.book_appointment(patient=regular, therapist_id=therapist.pk, start=at(5, 10))
    therapist.accepting_new_patients = False
    therapist.save(update_fields=["accepting_new_patients"])
    waitlist.join_waitlist(
        patient=regular, therapist_id=therapist.pk, earliest=today, latest=today + timedelta(days=7)
    )

    _free(canceller, appointment, django_capture_on_commit_callbacks)

    assert SlotOffer.objects.filter(entry__patient=regular).exists()


def test_an_offer_made_before_the_therapist_closed_is_checked_again_at_accept(
    client, django_capture_on_commit_callbacks
):
    therapist, _, _ = working_therapist(first_name="Cora", last_name="Later")
    canceller = bookable_patient(first_name="Cas")
    appointment = booking.book_appointment(
        patient=canceller, therapist_id=therapist.pk, start=at(3, 10)
    )
    newcomer = bookable_patient(first_name="New")
    today = timezone.localdate()
    waitlist.join_waitlist(
        patient=newcomer,
        therapist_id=therapist.pk,
        earliest=today,
        latest=today + timedelta(days=7),
    )
    _free(canceller, appointment, django_capture_on_commit_callbacks)
    offer = SlotOffer.objects.get(entry__patient=newcomer)
    therapist.accepting_new_patients = False
    therapist.save(update_fields=["accepting_new_patients"])

    with pytest.raises(Refused) as refused:
        waitlist.accept_offer(patient=newcomer, offer_id=offer.pk)
    assert refused.value.code == "not_accepting_new_patients"

    client.force_login(newcomer)
    client.post(reverse("scheduling:offer_accept", args=[offer.pk]))
    offer.appointment.refresh_from_db()
    assert offer.appointment.status == AppointmentStatus.HELD


# --- 3. A report link's token is never stored in the task table ------------------------------


def test_a_report_link_token_is_mailed_from_the_request_and_stored_nowhere(
    settings, django_capture_on_commit_callbacks
):
    import hashlib
    import re

    from django.core import mail
    from django_tasks_db.models import DBTaskResult

    from sciaticare.core.generated import FileStatus
    from sciaticare.outcomes import services as outcomes_services
    from sciaticare.outcomes.models import ProgressReport
    from tests.factories import PatientFactory

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    patient = PatientFactory()
    report = ProgressReport.objects.create(
        patient=patient,
        requested_by=patient,
        status=FileStatus.READY,
        content=b"%PDF-1.7",
        finished_at=timezone.now(),
    )

    with django_capture_on_commit_callbacks(execute=True):
        share, _ = outcomes_services.share_report(
            patient=patient, report_id=report.pk, email="gp@practice.example"
        )

    [message] = mail.outbox
    link = re.search(r"/shared-reports/([^/\s]+)/", message.body)
    assert link is not None
    raw = link.group(1)
    assert hashlib.sha256(raw.encode()).hexdigest() == share.token_digest
    stored = [str(row.args_kwargs) for row in DBTaskResult.objects.all()]
    assert not any(raw in args for args in stored)


# --- 6. The export link is offered only to a therapist who may export ------------------------


def test_the_brief_offers_the_record_export_only_to_a_treating_therapist(client, clinic_world):
    from sciaticare.intake import services as intake_services
    from tests.directory.factories import TherapistProfileFactory

    patient = clinic_world["people"]["patient"]
    treating = clinic_world["people"]["therapist"]
    share_only = TherapistProfileFactory().user
    intake_services.share_intake(patient=patient, therapist_email=treating.email)
    intake_services.share_intake(patient=patient, therapist_email=share_only.email)
    export = reverse("interop:patient_fhir", args=[patient.pk])

    client.force_login(share_only)
    page = client.get(reverse("intake:brief", args=[patient.pk]))
    assert page.status_code == 200
    assert export not in page.content.decode()
    assert client.get(export).status_code == 404

    client.force_login(treating)
    page = client.get(reverse("intake:brief", args=[patient.pk]))
    assert export in page.content.decode()


# --- 2. Imported dates keep the years typed dates keep ---------------------------------------


def test_a_fhir_import_dated_in_year_one_is_refused_naming_each_entry():
    import json
    import re

    from sciaticare.core.errors import Invalid
    from sciaticare.intake.models import Episode, QuestionnaireResponse
    from sciaticare.interop import services as interop_services
    from sciaticare.outcomes.models import PainEntry
    from tests.factories import PatientFactory
    from tests.interop.test_export_import import history

    patient = history()
    bundle = interop_services.export_patient(patient=patient, viewer=patient)
    ancient = json.loads(re.sub(r'"\d{4}-(\d\d-\d\d)', r'"0001-\1', json.dumps(bundle)))
    diary_ids = [
        e["resource"]["id"]
        for e in ancient["entry"]
        if e["resource"]["resourceType"] == "Observation"
        and "component" in e["resource"]
        and "encounter" not in e["resource"]
    ]
    newcomer = PatientFactory()

    with pytest.raises(Invalid) as refused:
        interop_services.import_bundle(patient=newcomer, data=ancient, importer=newcomer)

    problems = [message for _, message in refused.value.errors]
    assert diary_ids
    assert any("Condition/" in p and "out of range" in p for p in problems), problems
    assert any("QuestionnaireResponse/" in p and "out of range" in p for p in problems), problems
    assert not PainEntry.objects.filter(patient=newcomer).exists()
    assert not Episode.objects.filter(patient=newcomer).exists()
    assert not QuestionnaireResponse.objects.filter(patient=newcomer).exists()

    # With only the diary days out of range, each is named.
    only_diary = json.loads(json.dumps(bundle))
    for entry in only_diary["entry"]:
        if entry["resource"]["id"] in diary_ids:
            day = entry["resource"]["effectiveDateTime"]
            entry["resource"]["effectiveDateTime"] = "0001" + day[4:]
    with pytest.raises(Invalid) as refused:
        interop_services.import_bundle(patient=newcomer, data=only_diary, importer=newcomer)
    problems = [message for _, message in refused.value.errors]
    for diary_id in diary_ids:
        assert any(f"Observation/{diary_id}" in p and "out of range" in p for p in problems)
    assert not PainEntry.objects.filter(patient=newcomer).exists()


def test_the_diary_and_its_import_refuse_the_same_days():
    import datetime as dt

    from sciaticare.core.bounds import day_out_of_range
    from sciaticare.core.errors import Invalid
    from sciaticare.outcomes import services as outcomes_services
    from tests.factories import PatientFactory

    patient = PatientFactory()
    for day in (dt.date(1, 8, 7), dt.date(1999, 12, 31)):
        assert day_out_of_range(day)
        with pytest.raises(Invalid) as typed:
            outcomes_services.log_pain(patient=patient, back_pain=3, leg_pain=4, day=day)
        with pytest.raises(Invalid) as imported:
            outcomes_services.add_past_entries(
                patient=patient,
                entries=[outcomes_services.PastEntry(day=day, back_pain=3, leg_pain=4)],
            )
        assert typed.value.errors == [("date", day_out_of_range(day))]
        assert day_out_of_range(day) in imported.value.errors[0][1]
    assert day_out_of_range(dt.date(2000, 1, 1)) is None


# --- 5. A home-visit base cannot be found from the public search ------------------------------


def test_the_public_search_cannot_locate_a_home_visit_base_within_500_m(client):
    import math

    from sciaticare.directory import geo
    from tests.directory.factories import TherapistProfileFactory

    # Two private bases 1.5 km apart, north and south in the same grid cell.
    bases = {"north": (53.4870, -2.2330), "south": (53.4730, -2.2330)}
    assert geo.great_circle_km(*bases["north"], *bases["south"]) > 1.0
    made = {
        name: TherapistProfileFactory(
            location=False,
            is_mobile=True,
            base_latitude=lat,
            base_longitude=lon,
            service_radius_km=30,
        ).pk
        for name, (lat, lon) in bases.items()
    }

    def distances(lat: float, lon: float) -> dict[str, float]:
        answer = client.get(
            "/api/v1/therapists",
            {"lat": lat, "lon": lon, "radius_km": 50, "include_unverified": "true"},
        )
        assert answer.status_code == 200, answer.content
        body = answer.json()
        assert str(bases["north"][0]) not in answer.content.decode()
        found = {item["id"]: item["distance_km"] for item in body["items"]}
        return {name: found[pk] for name, pk in made.items()}

    at_base = distances(*bases["north"])
    assert at_base["north"] != 0.0
    # From any point, the two bases give the same answers: nothing the search tells can say
    # which of two places 1.5 km apart is the base, so it places neither within 500 m.
    for bearing in range(0, 360, 30):
        for km in (0.3, 1, 2.5, 7):
            lat = bases["north"][0] + km / 111.2 * math.cos(math.radians(bearing))
            lon = bases["north"][1] + km / 66.2 * math.sin(math.radians(bearing))
            seen = distances(lat, lon)
            assert seen["north"] == seen["south"] == round(seen["north"])


# --- 4. Short one-line text refuses control and invisible format characters ------------------

HIDDEN = ["\r\n", "\n", "\t", "\x00", "\u202e", "\u200b", "\ufeff", "\u2066"]


@pytest.mark.parametrize("hidden", HIDDEN, ids=[repr(c) for c in HIDDEN])
@pytest.mark.parametrize("field", ["title", "issuing_body", "jurisdiction", "number"])
def test_credential_fields_refuse_control_and_format_characters(client, field, hidden):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sciaticare.directory.models import Credential
    from tests.directory.factories import TherapistProfileFactory
    from tests.proof.test_uploads import CREDENTIAL_FORM, PDF_BYTES

    client.force_login(TherapistProfileFactory().user)
    data = {**CREDENTIAL_FORM, field: f"CNHC{hidden}Bcc: x@evil.example"}
    upload = SimpleUploadedFile("licence.pdf", PDF_BYTES, "application/pdf")

    response = client.post(reverse("directory:my_credentials"), {**data, "document": upload})

    assert response.status_code == 400
    assert "invisible characters" in response.content.decode()
    assert not Credential.objects.filter(**{f"{field}__contains": "evil.example"}).exists()


@pytest.mark.parametrize("hidden", HIDDEN, ids=[repr(c) for c in HIDDEN])
def test_token_and_template_names_refuse_control_and_format_characters(hidden):
    from django.core.exceptions import ValidationError

    from sciaticare.accounts.forms import ApiTokenForm
    from sciaticare.accounts.models import ApiToken
    from sciaticare.core.errors import Invalid
    from sciaticare.directory.models import Credential, Location
    from sciaticare.records import services as records_services
    from sciaticare.records.models import NoteTemplate
    from tests.directory.factories import TherapistProfileFactory

    assert not ApiTokenForm({"name": f"my{hidden}script"}).is_valid()
    with pytest.raises(Invalid):
        records_services.save_template(
            therapist_user=TherapistProfileFactory().user, name=f"Usual{hidden}", values={}
        )
    # The models say so too (the Django admin's forms follow them).
    for model, field in [
        (ApiToken, "name"),
        (NoteTemplate, "name"),
        (Location, "address"),
        (Credential, "title"),
        (Credential, "number"),
        (Credential, "issuing_body"),
        (Credential, "jurisdiction"),
    ]:
        with pytest.raises(ValidationError):
            model._meta.get_field(field).run_validators(f"a{hidden}b")


@pytest.mark.parametrize("hidden", ["\u202e", "\u200b", "\u00ad", "\u2066", "\ufeff"])
def test_names_refuse_invisible_format_characters(hidden):
    from django.core.exceptions import ValidationError

    from sciaticare.core.names import validate_name

    with pytest.raises(ValidationError):
        validate_name(f"Ada{hidden}nna")


def test_names_keep_joiners_and_ordinary_letters():
    from sciaticare.core.names import validate_name, validate_one_line

    for name in ["Zoë", "O'Brien-Smith", "علی", "می\u200cخواهم", "José María", "李小龙"]:
        validate_name(name)
        validate_one_line(name)
