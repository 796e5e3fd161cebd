"""Directory services: profiles, credentials and their checks, reviews, flare-up plans."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from sciaticare.core.errors import Conflict, Invalid, NotFound
from sciaticare.directory import tasks
from sciaticare.directory.documents import MAX_DOCUMENT_BYTES
from sciaticare.directory.models import (
    Credential,
    CredentialStatus,
    FlareUpPlanEntry,
    Review,
    SessionType,
)
from sciaticare.directory.services.checks import NotAllowed
from sciaticare.directory.services.credentials import (
    add_credential,
    expire_credentials,
    reject_credential,
    verify_credential,
)
from sciaticare.directory.services.plan import (
    add_to_plan,
    move_in_plan,
    remove_from_plan,
    reorder_plan,
)
from sciaticare.directory.services.profile import (
    ProfileChanges,
    add_session_type,
    remove_session_type,
    update_profile,
)
from sciaticare.directory.services.reviews import (
    add_review,
    can_review,
    hide_review,
    reviewable_sessions,
)
from tests.directory.factories import (
    JPEG_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    ClinicFactory,
    CredentialFactory,
    LocationFactory,
    ReviewFactory,
    TherapistProfileFactory,
    days_from_today,
)
from tests.factories import ClinicAdminFactory, PatientFactory, SiteAdminFactory, TherapistFactory

pytestmark = pytest.mark.django_db


def changes(**overrides):
    values = {
        "bio": "Deep tissue and trigger point work.",
        "modalities": frozenset({"deep_tissue", "trigger_point"}),
        "years_experience": 12,
        "years_sciatica": 6,
        "languages": ["en", "PL"],
        "accepting_new_patients": True,
        "is_mobile": False,
        "service_radius_km": None,
        "base_latitude": None,
        "base_longitude": None,
        "location_ids": [],
    }
    return ProfileChanges(**{**values, **overrides})


def upload(data: bytes) -> BytesIO:
    return BytesIO(data)


def add_licence(therapist, data=PDF_BYTES, **overrides):
    values = {
        "kind": "licence",
        "title": "Licensed massage therapist",
        "number": "LMT-1",
        "issuing_body": "CNHC",
        "jurisdiction": "UK",
        "expires_on": days_from_today(365),
        "document": upload(data),
    }
    return add_credential(actor=therapist, **{**values, **overrides})


# --- Profiles -------------------------------------------------------------------------------


def test_therapist_edits_own_profile_and_languages_are_normalised():
    profile = TherapistProfileFactory()

    update_profile(actor=profile.user, profile=profile, changes=changes())

    profile.refresh_from_db()
    assert profile.modalities == {"deep_tissue", "trigger_point"}
    assert profile.languages == ["en", "pl"]
    assert profile.years_sciatica == 6


def test_clinic_admin_of_the_therapists_clinic_may_edit_but_another_clinics_may_not():
    profile = TherapistProfileFactory()
    own_admin = ClinicAdminFactory()
    profile.clinics.first().admins.add(own_admin)
    other_admin = ClinicAdminFactory()
    ClinicFactory(admins=[other_admin])

    update_profile(actor=own_admin, profile=profile, changes=changes(bio="Edited"))
    with pytest.raises(NotFound):
        update_profile(actor=other_admin, profile=profile, changes=changes())
    with pytest.raises(NotFound):
        update_profile(actor=TherapistFactory(), profile=profile, changes=changes())

    profile.refresh_from_db()
    assert profile.bio == "Edited"


def test_sciatica_years_cannot_exceed_years_in_practice():
    profile = TherapistProfileFactory()

    with pytest.raises(Invalid) as error:
        update_profile(
            actor=profile.user,
            profile=profile,
            changes=changes(years_experience=3, years_sciatica=5),
        )

    assert "cannot exceed" in str(error.value.errors)


def test_mobile_therapist_needs_a_base_and_radius():
    profile = TherapistProfileFactory()

    with pytest.raises(Invalid):
        update_profile(actor=profile.user, profile=profile, changes=changes(is_mobile=True))


def test_therapist_works_only_at_their_clinics_locations():
    profile = TherapistProfileFactory()
    own = LocationFactory(clinic=profile.clinics.first())
    elsewhere = LocationFactory()

    update_profile(actor=profile.user, profile=profile, changes=changes(location_ids=[own.pk]))
    assert list(profile.locations.all()) == [own]
    with pytest.raises(Invalid, match="own clinics"):
        update_profile(
            actor=profile.user, profile=profile, changes=changes(location_ids=[elsewhere.pk])
        )


def test_first_session_type_becomes_standard_and_removing_it_promotes_the_shortest():
    profile = TherapistProfileFactory(price=None)
    SessionType.objects.filter(therapist=profile).delete()
    user = profile.user

    long = add_session_type(
        actor=user,
        profile=profile,
        name="Long",
        minutes=90,
        price=Decimal(80),
        currency="gbp",
        is_standard=False,
    )
    short = add_session_type(
        actor=user,
        profile=profile,
        name="Short",
        minutes=30,
        price=Decimal(30),
        currency="GBP",
        is_standard=False,
    )
    assert long.is_standard
    assert not short.is_standard
    assert long.currency == "GBP"

    remove_session_type(actor=user, session=long)

    short.refresh_from_db()
    assert short.is_standard


def test_only_one_standard_session_per_therapist_in_the_database():
    profile = TherapistProfileFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        SessionType.objects.create(
            therapist=profile, name="x", minutes=60, price=1, is_standard=True
        )


# --- Credentials ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "kind"), [(PDF_BYTES, "pdf"), (PNG_BYTES, "png"), (JPEG_BYTES, "jpeg")]
)
def test_pdf_png_and_jpeg_documents_are_accepted_by_content(data, kind):
    therapist = TherapistFactory()

    credential = add_licence(therapist, data=data)

    assert credential.status == CredentialStatus.PENDING
    assert credential.document_type == kind
    assert credential.document_size == len(data)
    assert bytes(Credential.objects.get(pk=credential.pk).document) == data


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00 an executable renamed licence.pdf",
        b"<html><script>alert(1)</script></html>",
        b"GIF89a\x01\x00\x01\x00",
        b"PK\x03\x04 a zip or docx file",
    ],
    ids=["exe", "html", "gif", "docx"],
)
def test_documents_of_other_types_are_refused_whatever_their_name(data):
    therapist = TherapistFactory()

    with pytest.raises(Invalid) as error:
        add_licence(therapist, data=data)

    assert error.value.code == "document_type"
    assert "PDF, PNG or JPEG" in error.value.message
    assert not Credential.objects.exists()


def test_documents_over_5_mb_are_refused():
    therapist = TherapistFactory()
    big = PDF_BYTES + b"0" * MAX_DOCUMENT_BYTES

    with pytest.raises(Invalid) as error:
        add_licence(therapist, data=big)

    assert error.value.code == "document_too_big"
    assert not Credential.objects.exists()


def test_an_empty_document_is_refused():
    with pytest.raises(Invalid, match="empty"):
        add_licence(TherapistFactory(), data=b"")


def test_an_already_expired_credential_is_refused():
    with pytest.raises(Invalid, match="already expired"):
        add_licence(TherapistFactory(), expires_on=days_from_today(-1))


def test_a_patient_cannot_add_credentials():
    with pytest.raises(NotAllowed):
        add_licence(PatientFactory())


def test_clinic_admin_verifies_a_licence_and_the_therapist_is_listed():
    profile = TherapistProfileFactory(licence=False)
    admin = ClinicAdminFactory()
    profile.clinics.first().admins.add(admin)
    credential = add_licence(profile.user)
    assert not profile.licence_valid_on(timezone.localdate())

    verify_credential(actor=admin, credential=credential)

    credential.refresh_from_db()
    profile.refresh_from_db()
    assert credential.status == CredentialStatus.VERIFIED
    assert credential.checked_by == admin
    assert credential.checked_at is not None
    assert profile.licence_verified_on == timezone.localdate()
    assert profile.licence_expires_on == credential.expires_on


def test_site_admin_may_verify_any_credential():
    credential = CredentialFactory()

    verify_credential(actor=SiteAdminFactory(), credential=credential)

    assert Credential.objects.get().status == CredentialStatus.VERIFIED


@pytest.mark.parametrize("who", ["other_clinic_admin", "therapist", "patient"])
def test_others_cannot_verify_and_learn_nothing(who):
    credential = CredentialFactory()
    actor = {
        "other_clinic_admin": lambda: ClinicFactory(admins=[ClinicAdminFactory()]).admins.first(),
        "therapist": TherapistFactory,
        "patient": PatientFactory,
    }[who]()

    with pytest.raises(NotFound):
        verify_credential(actor=actor, credential=credential)
    assert Credential.objects.get().status == CredentialStatus.PENDING


def test_a_clinic_admin_who_is_also_the_therapist_cannot_verify_their_own():
    profile = TherapistProfileFactory(licence=False)
    profile.user.is_clinic_admin = True
    profile.user.save()
    profile.clinics.first().admins.add(profile.user)
    credential = add_licence(profile.user)

    with pytest.raises(NotAllowed):
        verify_credential(actor=profile.user, credential=credential)


def test_rejection_needs_a_reason_and_records_it():
    credential = CredentialFactory()
    admin = SiteAdminFactory()

    with pytest.raises(Invalid):
        reject_credential(actor=admin, credential=credential, reason="  ")
    reject_credential(actor=admin, credential=credential, reason="Not on the register.")

    credential.refresh_from_db()
    assert credential.status == CredentialStatus.REJECTED
    assert credential.rejection_reason == "Not on the register."
    assert credential.checked_by == admin


def test_a_checked_credential_cannot_be_checked_again():
    credential = CredentialFactory()
    admin = SiteAdminFactory()
    verify_credential(actor=admin, credential=credential)

    with pytest.raises(Conflict):
        reject_credential(actor=admin, credential=credential, reason="Changed my mind")


def test_the_database_refuses_a_verified_credential_without_who_and_when():
    credential = CredentialFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Credential.objects.filter(pk=credential.pk).update(status=CredentialStatus.VERIFIED)


def test_daily_task_expires_credentials_past_their_date_and_delists_the_therapist():
    profile = TherapistProfileFactory(licence=False)
    licence = CredentialFactory(therapist=profile, status=CredentialStatus.VERIFIED)
    still_valid = CredentialFactory(
        therapist=profile, status=CredentialStatus.VERIFIED, expires_on=days_from_today(30)
    )
    Credential.objects.filter(pk=licence.pk).update(expires_on=days_from_today(-1))
    Credential.objects.filter(pk=still_valid.pk).update(expires_on=days_from_today(-2))

    result = tasks.expire_credentials.call()

    assert result == 2
    assert set(Credential.objects.values_list("status", flat=True)) == {"expired"}
    profile.refresh_from_db()
    assert profile.licence_verified_on is None


def test_expire_credentials_command_runs_inline_and_can_enqueue(settings, capsys):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    credential = CredentialFactory(status=CredentialStatus.VERIFIED)
    Credential.objects.filter(pk=credential.pk).update(expires_on=days_from_today(-1))

    call_command("expire_credentials", "--enqueue")
    assert Credential.objects.get().status == CredentialStatus.VERIFIED
    call_command("expire_credentials")

    assert Credential.objects.get().status == CredentialStatus.EXPIRED
    assert "1 credential(s) marked expired" in capsys.readouterr().out


def test_the_longest_lasting_verified_licence_is_the_one_search_reads():
    profile = TherapistProfileFactory(licence=False)
    CredentialFactory(therapist=profile, status="verified", expires_on=days_from_today(10))
    later = CredentialFactory(therapist=profile, status="verified", expires_on=days_from_today(400))
    CredentialFactory(therapist=profile, status="pending", expires_on=days_from_today(900))

    profile.refresh_from_db()
    assert profile.licence_expires_on == later.expires_on


# --- Reviews --------------------------------------------------------------------------------


def test_a_patient_reviews_a_completed_session_once(ledger):
    profile = TherapistProfileFactory()
    patient = PatientFactory()
    session = ledger.add(patient=patient, therapist=profile)

    assert can_review(patient=patient, therapist=profile, session_id=session.id)
    add_review(patient=patient, therapist=profile, session_id=session.id, rating=4, text=" Good. ")

    assert not can_review(patient=patient, therapist=profile, session_id=session.id)
    with pytest.raises(Conflict):
        add_review(patient=patient, therapist=profile, session_id=session.id, rating=5, text="")
    profile.refresh_from_db()
    assert (profile.review_count, profile.review_mean) == (1, 4.0)
    assert Review.objects.get().text == "Good."


def test_each_completed_session_may_be_reviewed(ledger):
    profile = TherapistProfileFactory()
    patient = PatientFactory()
    first = ledger.add(patient=patient, therapist=profile)
    second = ledger.add(patient=patient, therapist=profile)

    for session, rating in ((first, 5), (second, 3)):
        add_review(
            patient=patient, therapist=profile, session_id=session.id, rating=rating, text=""
        )

    profile.refresh_from_db()
    assert (profile.review_count, profile.review_mean) == (2, 4.0)


def test_no_review_without_a_completed_session_of_ones_own(ledger):
    profile = TherapistProfileFactory()
    patient = PatientFactory()
    someone_elses = ledger.add(patient=PatientFactory(), therapist=profile)
    with_another_therapist = ledger.add(patient=patient, therapist=TherapistProfileFactory())

    for session_id in (someone_elses.id, with_another_therapist.id, 123456789):
        assert not can_review(patient=patient, therapist=profile, session_id=session_id)
        with pytest.raises(NotAllowed):
            add_review(patient=patient, therapist=profile, session_id=session_id, rating=5, text="")
    assert not Review.objects.exists()


def test_until_scheduling_exists_nobody_can_review():
    profile = TherapistProfileFactory()

    assert not can_review(patient=PatientFactory(), therapist=profile, session_id=1)
    assert reviewable_sessions(patient=PatientFactory(), therapist=profile) == []


def test_rating_is_one_to_five_in_the_database():
    review = ReviewFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.filter(pk=review.pk).update(rating=6)


def test_clinic_admin_hides_a_review_with_a_reason_and_the_figures_follow():
    profile = TherapistProfileFactory()
    admin = ClinicAdminFactory()
    profile.clinics.first().admins.add(admin)
    abusive = ReviewFactory(therapist=profile, rating=1, text="abuse")
    ReviewFactory(therapist=profile, rating=5)

    hide_review(actor=admin, review=abusive, reason="Personal abuse")

    abusive.refresh_from_db()
    profile.refresh_from_db()
    assert abusive.is_hidden
    assert (abusive.hidden_by, abusive.hidden_reason, abusive.text) == (
        admin,
        "Personal abuse",
        "abuse",
    )
    assert (profile.review_count, profile.review_mean) == (1, 5.0)


def test_hiding_needs_a_reason_and_the_right_admin():
    review = ReviewFactory()

    with pytest.raises(Invalid):
        hide_review(actor=SiteAdminFactory(), review=review, reason="")
    with pytest.raises(NotFound):
        hide_review(actor=ClinicAdminFactory(), review=review, reason="spam")
    with pytest.raises(NotFound):
        hide_review(actor=review.patient, review=review, reason="spam")


# --- Flare-up plan --------------------------------------------------------------------------


def test_plan_has_a_preferred_therapist_and_up_to_three_backups():
    patient = PatientFactory()
    therapists = [TherapistProfileFactory() for _ in range(5)]

    entries = [add_to_plan(patient=patient, therapist=t) for t in therapists[:4]]

    assert [e.rank for e in entries] == [0, 1, 2, 3]
    assert entries[0].is_preferred
    with pytest.raises(Conflict) as error:
        add_to_plan(patient=patient, therapist=therapists[4])
    assert error.value.code == "plan_full"


def test_the_same_therapist_is_in_a_plan_once():
    patient = PatientFactory()
    therapist = TherapistProfileFactory()
    add_to_plan(patient=patient, therapist=therapist)

    with pytest.raises(Conflict, match="already"):
        add_to_plan(patient=patient, therapist=therapist)


def test_only_verified_therapists_join_a_plan():
    with pytest.raises(Invalid, match="verified"):
        add_to_plan(patient=PatientFactory(), therapist=TherapistProfileFactory(licence=False))


def test_removing_the_preferred_promotes_the_first_backup():
    patient = PatientFactory()
    a, b, c = (TherapistProfileFactory() for _ in range(3))
    for t in (a, b, c):
        add_to_plan(patient=patient, therapist=t)

    remove_from_plan(patient=patient, therapist_id=a.pk)

    assert list(
        FlareUpPlanEntry.objects.filter(patient=patient).values_list("therapist_id", "rank")
    ) == [
        (b.pk, 0),
        (c.pk, 1),
    ]


def test_reorder_and_move_up_and_down():
    patient = PatientFactory()
    a, b, c = (TherapistProfileFactory() for _ in range(3))
    for t in (a, b, c):
        add_to_plan(patient=patient, therapist=t)

    reorder_plan(patient=patient, therapist_ids=[c.pk, a.pk, b.pk])
    move_in_plan(patient=patient, therapist_id=b.pk, up=True)
    move_in_plan(patient=patient, therapist_id=b.pk, up=True)
    move_in_plan(patient=patient, therapist_id=b.pk, up=True)  # already first: no change

    order = list(
        FlareUpPlanEntry.objects.filter(patient=patient).values_list("therapist_id", flat=True)
    )
    assert order == [b.pk, c.pk, a.pk]
    with pytest.raises(Invalid):
        reorder_plan(patient=patient, therapist_ids=[a.pk, b.pk])


def test_plans_are_per_patient_and_the_database_caps_ranks():
    patient, other = PatientFactory(), PatientFactory()
    therapist = TherapistProfileFactory()
    add_to_plan(patient=patient, therapist=therapist)
    add_to_plan(patient=other, therapist=therapist)

    with pytest.raises(NotFound):
        remove_from_plan(patient=other, therapist_id=TherapistProfileFactory().pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        FlareUpPlanEntry.objects.create(
            patient=patient, therapist=TherapistProfileFactory(), rank=4
        )


def test_therapists_and_admins_keep_no_plan():
    with pytest.raises(NotAllowed):
        add_to_plan(patient=TherapistFactory(), therapist=TherapistProfileFactory())


def test_expired_plan_entries_stay_but_are_flagged(client):
    patient = PatientFactory()
    therapist = TherapistProfileFactory()
    add_to_plan(patient=patient, therapist=therapist)
    Credential.objects.filter(therapist=therapist).update(
        expires_on=timezone.localdate() - timedelta(days=1)
    )
    expire_credentials()

    client.force_login(patient)
    body = client.get("/therapists/plan/").content.decode()
    assert therapist.name in body
    assert "Licence no longer verified" in body
