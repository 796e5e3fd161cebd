"""Directory pages: who may and who may not, for every page; and the flows behind them."""

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from sciaticare.directory.models import (
    Credential,
    CredentialStatus,
    FlareUpPlanEntry,
    Review,
    TherapistProfile,
)
from sciaticare.directory.services.credentials import verify_credential
from sciaticare.directory.services.plan import add_to_plan
from tests.directory.factories import (
    MANCHESTER,
    PDF_BYTES,
    ClinicFactory,
    CredentialFactory,
    ReviewFactory,
    TherapistProfileFactory,
)
from tests.factories import (
    ROLES,
    ClinicAdminFactory,
    PatientFactory,
    SiteAdminFactory,
    TherapistFactory,
)

pytestmark = pytest.mark.django_db


@dataclass
class World:
    people: dict[str, Any]
    profile: TherapistProfile
    credential: Credential
    review: Review
    session_id: int


@pytest.fixture
def world() -> World:
    profile = TherapistProfileFactory(user__first_name="Dana", user__last_name="Quill")
    credential = CredentialFactory(therapist=profile, number="SECRET-NUMBER-42")
    patient = PatientFactory()
    review = ReviewFactory(therapist=profile, patient=patient, text="lovely")
    clinic_admin = ClinicAdminFactory()
    profile.clinics.first().admins.add(clinic_admin)
    other_admin = ClinicAdminFactory()
    ClinicFactory(admins=[other_admin])
    add_to_plan(patient=patient, therapist=profile)
    people = {
        "anonymous": None,
        "patient": patient,
        "other_patient": PatientFactory(),
        "therapist": profile.user,
        "other_therapist": TherapistProfileFactory().user,
        "clinic_admin": clinic_admin,
        "other_clinic_admin": other_admin,
        "site_admin": SiteAdminFactory(),
    }
    session = profile.session_types.get()
    return World(people, profile, credential, review, session.pk)


def url_for(world: World, page: str) -> str:
    p, c, r = world.profile, world.credential, world.review
    return {
        "search": reverse("directory:search") + f"?lat={MANCHESTER[0]}&lon={MANCHESTER[1]}",
        "profile": reverse("directory:profile", args=[p.pk]),
        "edit": reverse("directory:edit", args=[p.pk]),
        "me": reverse("directory:me"),
        "my_credentials": reverse("directory:my_credentials"),
        "document": reverse("directory:document", args=[c.pk]),
        "verify": reverse("directory:verify", args=[c.pk]),
        "reject": reverse("directory:reject", args=[c.pk]),
        "hide_review": reverse("directory:hide_review", args=[r.pk]),
        "clinic": reverse("directory:clinic"),
        "plan": reverse("directory:plan"),
        "plan_remove": reverse("directory:plan_remove", args=[p.pk]),
        "add_review": reverse("directory:add_review", args=[p.pk]),
        "remove_session": reverse("directory:remove_session", args=[world.session_id]),
    }[page]


# Expected GET status per role, in the order of ROLES; 302 = sent to sign in (or onwards).
MATRIX = {
    "search": [200, 200, 200, 200, 200, 200, 200, 200],
    "profile": [200, 200, 200, 200, 200, 200, 200, 200],
    "edit": [302, 404, 404, 200, 404, 200, 404, 200],
    "me": [302, 404, 404, 302, 302, 404, 404, 404],
    "my_credentials": [302, 404, 404, 200, 200, 404, 404, 404],
    "document": [302, 404, 404, 200, 404, 200, 404, 200],
    "verify": [302, 404, 404, 404, 404, 200, 404, 200],
    "reject": [302, 404, 404, 404, 404, 200, 404, 200],
    "hide_review": [302, 404, 404, 404, 404, 200, 404, 200],
    "clinic": [302, 404, 404, 404, 404, 200, 200, 200],
    "plan": [302, 200, 200, 404, 404, 404, 404, 404],
    "plan_remove": [302, 200, 404, 404, 404, 404, 404, 404],
    "add_review": [302, 200, 200, 404, 404, 404, 404, 404],
    "remove_session": [302, 404, 404, 200, 404, 200, 404, 200],
}


@pytest.mark.parametrize("page", sorted(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_who_may_see_each_page(client, world, page, role):
    expected = MATRIX[page][ROLES.index(role)]
    person = world.people[role]
    if person is not None:
        client.force_login(person)

    response = client.get(url_for(world, page))

    assert response.status_code == expected, (page, role)
    if expected == 302 and person is None:
        assert response["Location"].startswith(reverse("account_login"))
    if expected == 404:
        body = response.content.decode()
        assert "SECRET-NUMBER-42" not in body
        assert "Quill" not in body
        assert "lovely" not in body


@pytest.mark.parametrize(
    ("page", "data"),
    [
        ("verify", {}),
        ("reject", {"reason": "nope"}),
        ("hide_review", {"reason": "spam"}),
        ("plan_remove", {}),
        ("remove_session", {}),
    ],
)
@pytest.mark.parametrize("role", ["other_patient", "other_therapist", "other_clinic_admin"])
def test_refused_posts_change_nothing(client, world, page, data, role):
    client.force_login(world.people[role])

    response = client.post(url_for(world, page), data)

    assert response.status_code == 404
    world.credential.refresh_from_db()
    assert world.credential.status == CredentialStatus.PENDING
    assert not Review.objects.filter(hidden_at__isnull=False).exists()
    assert FlareUpPlanEntry.objects.count() == 1
    assert world.profile.session_types.count() == 1


def test_nav_links_by_role(client, world):
    client.force_login(world.people["clinic_admin"])
    body = client.get(reverse("web:home")).content.decode()
    nav = body.split("<nav", 1)[1].split("</nav>", 1)[0]
    assert "Find a therapist" in nav
    assert "Clinic" in nav

    client.force_login(world.people["patient"])
    nav = client.get(reverse("web:home")).content.decode().split("<nav", 1)[1].split("</nav>", 1)[0]
    assert "Find a therapist" in nav
    assert ">Clinic<" not in nav


# --- Search page ----------------------------------------------------------------------------


def test_search_by_place_name_lists_reasons_distance_and_price(client):
    t = TherapistProfileFactory(price="55.00")

    response = client.get(reverse("directory:search"), {"place": "Manchester", "radius_km": 25})

    body = response.content.decode()
    assert response.status_code == 200
    assert "within 25 km of Manchester, United Kingdom" in body
    assert t.name in body
    assert "Why it matches" in body
    assert "km away" in body
    assert "£55.00" in body
    assert "geolocate.js" in body
    assert "<script>" not in body  # CSP: no inline script


def test_unknown_place_says_so(client):
    response = client.get(reverse("directory:search"), {"place": "Atlantis Bay"})

    assert response.status_code == 400
    assert "know a place called" in response.content.decode()


@pytest.mark.parametrize(
    "bad",
    [
        {"page": "0"},
        {"page": "abc"},
        {"radius_km": "7"},
        {"modality": "bogus"},
        {"max_price": "-5"},
        {"max_price": "12.345"},
        {"max_price": "NaN"},
        {"lat": "91"},
    ],
)
def test_a_bad_search_link_says_what_was_wrong(client, bad):
    # An old or hand-edited link: a 400 that says so beside the field, or at the top for the
    # fields the page does not show.
    response = client.get(
        reverse("directory:search"), {"place": "Manchester", "lat": "53.4", "lon": "-2.2", **bad}
    )

    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


def test_htmx_search_returns_only_the_form_and_results(client):
    TherapistProfileFactory()

    response = client.get(
        reverse("directory:search"), {"place": "Manchester"}, headers={"HX-Request": "true"}
    )

    body = response.content.decode()
    assert body.lstrip().startswith('<div id="search">')
    assert "<html" not in body


def test_unverified_results_are_labelled_on_the_page(client):
    TherapistProfileFactory(licence=False)

    body = client.get(
        reverse("directory:search"), {"place": "Manchester", "include_unverified": "on"}
    ).content.decode()

    assert "Licence not verified" in body


def test_search_page_pagination_links(client):
    for i in range(22):
        TherapistProfileFactory(location__latitude=MANCHESTER[0] + i * 0.001)

    body = client.get(reverse("directory:search"), {"place": "Manchester"}).content.decode()

    assert "Page 1 of 2" in body
    assert "page=2" in body


# --- Profile, editing and credentials -------------------------------------------------------


def test_profile_page_shows_badges_with_dates_and_reviews_with_dates(client, world):
    verify_credential(actor=world.people["clinic_admin"], credential=world.credential)

    body = client.get(url_for(world, "profile")).content.decode()

    assert "Licence verified" in body
    assert world.review.created_at.strftime("%Y-%m-%d") in body
    assert "lovely" in body
    assert "SECRET-NUMBER-42" not in body
    assert world.profile.locations.first().address in body


@pytest.mark.parametrize(
    ("referer", "back"),
    [
        (
            "http://testserver/therapists/?place=Didsbury&radius_km=10",
            'href="/therapists/?place=Didsbury&amp;radius_km=10"',
        ),
        ("http://evil.example/therapists/?place=Didsbury", 'href="/therapists/"'),
        ("http://testserver/dashboard/?place=x", 'href="/therapists/"'),
        ("", 'href="/therapists/"'),
        ("http://testserver/therapists/?" + "&".join(["a=1"] * 1100), 'href="/therapists/"'),
    ],
)
def test_the_way_back_from_a_profile_keeps_the_search(client, world, referer, back):
    # Found by an outside test: "← Find a therapist" dropped the place searched for.
    headers = {"Referer": referer} if referer else {}

    body = client.get(url_for(world, "profile"), headers=headers).content.decode()

    assert f"<p><a {back}>← Find a therapist</a></p>" in body


def test_therapist_saves_their_profile_through_the_page(client, world):
    client.force_login(world.people["therapist"])
    location = world.profile.locations.first()

    response = client.post(
        url_for(world, "edit"),
        {
            "bio": "New bio",
            "years_experience": 9,
            "years_sciatica": 4,
            "accepting_new_patients": "on",
            "modalities": ["swedish", "prenatal"],
            "languages_text": ["en", "ur"],
            "locations": [location.pk],
        },
    )

    assert response.status_code == 302
    world.profile.refresh_from_db()
    assert world.profile.modalities == {"swedish", "prenatal"}
    assert world.profile.languages == ["en", "ur"]


def test_profile_form_errors_are_shown(client, world):
    client.force_login(world.people["therapist"])

    response = client.post(
        url_for(world, "edit"), {"bio": "x", "years_experience": 2, "years_sciatica": 5}
    )

    assert response.status_code == 400
    assert "cannot exceed" in response.content.decode()


def test_first_visit_makes_the_therapist_a_profile(client):
    therapist = TherapistFactory()
    client.force_login(therapist)

    response = client.get(reverse("directory:me"))

    profile = TherapistProfile.objects.get(user=therapist)
    assert response["Location"] == reverse("directory:edit", args=[profile.pk])
    assert "not listed in search" in client.get(response["Location"]).content.decode()


def test_upload_through_the_page_and_refusal_messages(client, world):
    client.force_login(world.people["therapist"])
    form = {
        "kind": "licence",
        "title": "LMT",
        "number": "N-1",
        "issuing_body": "CNHC",
        "jurisdiction": "UK",
        "expires_on": "2099-01-01",
    }

    bad = client.post(
        url_for(world, "my_credentials"),
        {
            **form,
            "document": SimpleUploadedFile(
                "licence.pdf", b"<html>not a pdf</html>", "application/pdf"
            ),
        },
    )
    good = client.post(
        url_for(world, "my_credentials"),
        {**form, "document": SimpleUploadedFile("scan.pdf", PDF_BYTES, "application/pdf")},
    )

    assert bad.status_code == 400
    assert "not a PDF, PNG or JPEG" in bad.content.decode()
    assert good.status_code == 302
    assert world.profile.credentials.filter(number="N-1").exists()


def test_document_download_is_private_and_not_cached(client, world):
    client.force_login(world.people["clinic_admin"])

    response = client.get(url_for(world, "document"))

    assert response.status_code == 200
    assert response.content == bytes(world.credential.document)
    assert response.content.startswith(b"%PDF-")
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]


# --- Clinic admin ---------------------------------------------------------------------------


def test_clinic_admin_verifies_after_confirming(client, world):
    admin = world.people["clinic_admin"]
    client.force_login(admin)

    queue = client.get(url_for(world, "clinic")).content.decode()
    confirm = client.get(url_for(world, "verify")).content.decode()
    done = client.post(url_for(world, "verify"))

    assert "SECRET-NUMBER-42" in queue
    assert "Verify this licence?" in confirm
    assert done.status_code == 302
    world.credential.refresh_from_db()
    assert world.credential.status == CredentialStatus.VERIFIED
    assert world.credential.checked_by == admin


def test_other_clinics_admin_sees_none_of_this_clinics_queue(client, world):
    client.force_login(world.people["other_clinic_admin"])

    body = client.get(url_for(world, "clinic")).content.decode()

    assert "SECRET-NUMBER-42" not in body
    assert "lovely" not in body


def test_rejecting_needs_a_reason(client, world):
    client.force_login(world.people["site_admin"])

    empty = client.post(url_for(world, "reject"), {"reason": ""})
    done = client.post(url_for(world, "reject"), {"reason": "Not on the register"})

    assert empty.status_code == 400
    assert done.status_code == 302
    world.credential.refresh_from_db()
    assert world.credential.rejection_reason == "Not on the register"


def test_hiding_a_review_after_confirming_with_a_reason(client, world):
    client.force_login(world.people["clinic_admin"])

    assert "Hide this review" in client.get(url_for(world, "hide_review")).content.decode()
    client.post(url_for(world, "hide_review"), {"reason": "Abusive"})

    world.review.refresh_from_db()
    assert world.review.hidden_reason == "Abusive"
    assert "lovely" not in client.get(url_for(world, "profile")).content.decode()


# --- Reviews and the flare-up plan ----------------------------------------------------------


def test_patient_reviews_a_completed_session_through_the_page(client, world, ledger):
    patient = world.people["other_patient"]
    session = ledger.add(patient=patient, therapist=world.profile)
    client.force_login(patient)

    assert "Review a session" in client.get(url_for(world, "profile")).content.decode()
    response = client.post(
        url_for(world, "add_review"), {"session_id": session.id, "rating": 4, "text": "Helped."}
    )

    assert response.status_code == 302
    assert Review.objects.filter(session_id=session.id, rating=4).exists()
    assert "Review a session" not in client.get(url_for(world, "profile")).content.decode()


def test_add_to_plan_from_search_then_reorder_and_remove_with_confirmation(client, world):
    patient = world.people["other_patient"]
    other = TherapistProfileFactory()
    client.force_login(patient)

    for t in (world.profile, other):
        client.post(
            reverse("directory:plan_add"),
            {"therapist": t.pk, "next": "/therapists/?place=Manchester"},
        )
    client.post(reverse("directory:plan_move", args=[other.pk]), {"direction": "up"})

    order = list(
        FlareUpPlanEntry.objects.filter(patient=patient).values_list("therapist_id", flat=True)
    )
    assert order == [other.pk, world.profile.pk]
    confirm = client.get(reverse("directory:plan_remove", args=[other.pk]))
    assert "Remove" in confirm.content.decode()
    assert "preferred" in confirm.content.decode()
    client.post(reverse("directory:plan_remove", args=[other.pk]))
    assert list(
        FlareUpPlanEntry.objects.filter(patient=patient).values_list("therapist_id", "rank")
    ) == [(world.profile.pk, 0)]


def test_plan_add_redirects_only_to_this_site(client, world):
    client.force_login(world.people["other_patient"])

    response = client.post(
        reverse("directory:plan_add"),
        {"therapist": world.profile.pk, "next": "https://evil.example/"},
    )

    assert response["Location"] == reverse("directory:plan")


def test_dashboard_shows_the_plan_to_patients(client, world):
    client.force_login(world.people["patient"])

    body = client.get(reverse("web:dashboard")).content.decode()

    assert "Your flare-up plan" in body
    assert world.profile.name in body


def test_a_deactivated_therapist_in_the_plan_is_marked_not_bookable(client, world):
    # A flare-up skips them: the plan and the dashboard say so, with no price and no link to a
    # profile that is now a 404.
    world.profile.user.is_active = False
    world.profile.user.save()
    client.force_login(world.people["patient"])
    profile_link = f'href="{reverse("directory:profile", args=[world.profile.pk])}"'

    plan = client.get(reverse("directory:plan")).content.decode()
    dashboard = client.get(reverse("web:dashboard")).content.decode()

    assert world.profile.name in plan
    assert "No longer on Sciaticare: a flare-up cannot be booked with them" in plan
    assert "Not taking new patients" not in plan
    assert " min " not in plan
    assert "no longer on Sciaticare" in dashboard
    assert profile_link not in plan
    assert profile_link not in dashboard
    world.people["patient"].language = "es"  # a signed-in person reads their account's language
    world.people["patient"].save()
    assert "Ya no está en Sciaticare" in client.get(reverse("directory:plan")).content.decode()


def test_a_bookable_therapist_in_the_plan_shows_price_and_profile(client, world):
    client.force_login(world.people["patient"])

    plan = client.get(reverse("directory:plan")).content.decode()

    assert "No longer on Sciaticare" not in plan
    assert f'href="{reverse("directory:profile", args=[world.profile.pk])}"' in plan
    assert " min " in plan


def test_dashboard_invites_a_patient_without_a_plan(client, world):
    client.force_login(world.people["other_patient"])

    body = client.get(reverse("web:dashboard")).content.decode()

    assert "Choose a therapist now" in body


def test_plan_read_by_a_site_admin_is_audited(world):
    from sciaticare.audit.models import AuditEvent
    from sciaticare.directory.selectors.plan import flare_up_plan

    admin = world.people["site_admin"]
    patient = world.people["patient"]

    flare_up_plan(viewer=patient, patient=patient)
    assert not AuditEvent.objects.exists()
    flare_up_plan(viewer=admin, patient=patient)

    event = AuditEvent.objects.get()
    assert (event.actor, event.patient, event.action) == (
        admin,
        patient,
        "directory.flare_up_plan.view",
    )


# --- Demo data ------------------------------------------------------------------------------


def test_seed_demo_builds_a_city_of_therapists_and_is_idempotent():
    call_command("seed_demo")
    counts = (TherapistProfile.objects.count(), Credential.objects.count(), Review.objects.count())
    call_command("seed_demo")

    assert (
        TherapistProfile.objects.count(),
        Credential.objects.count(),
        Review.objects.count(),
    ) == counts
    assert counts[0] >= 300
    demo = TherapistProfile.objects.get(user__email="therapist@example.com")
    assert demo.licence_verified_on is not None
    assert demo.clinics.get().admins.filter(email="clinic@example.com").exists()
    statuses = set(Credential.objects.values_list("status", flat=True))
    assert {"verified", "expired", "pending"} <= statuses
    from sciaticare.directory.models import Location

    assert Location.objects.count() >= 60
    plan = FlareUpPlanEntry.objects.filter(patient__email="patient@example.com")
    assert plan.filter(rank=0, therapist=demo).exists()
    assert plan.count() >= 2
    assert not TherapistProfile.objects.get(
        user__email="therapist000@demo.sciaticare.example"
    ).user.has_usable_password()
