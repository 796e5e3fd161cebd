"""Demo directory for `manage.py seed_demo`: Greater Manchester's worth of clinics and therapists.

Real neighbourhood centres (jittered by up to ~300 m), 15 clinics, 70-odd locations and 320
therapists with varied techniques, languages, prices and experience; most licences verified,
some expired, some waiting for a check, a few rejected; reviews; and the demo logins wired in:
therapist@example.com works at Didsbury for a clinic run by clinic@example.com, and
patient@example.com has a flare-up plan. One small clinic in Boston (US, dollars) is where the
demo patient had two sessions on a work trip: a US clinic's papers (a superbill) in the demo. A fixed random seed makes every run the same.
Idempotent: when the demo clinics exist, only the demo logins' parts are checked.

Seeded therapists and reviewers are accounts without a usable password. Demo reviews carry no
session (they predate booking); the review rules apply to every review made in the product.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db.models import Avg, Count
from django.utils import timezone

from sciaticare.accounts.demo import DEMO_TIME_ZONE, ensure_person
from sciaticare.accounts.models import Role, User
from sciaticare.directory import search_table
from sciaticare.directory.models import (
    Clinic,
    Credential,
    CredentialKind,
    CredentialStatus,
    FlareUpPlanEntry,
    Location,
    Review,
    SessionType,
    TherapistLocation,
    TherapistProfile,
)
from sciaticare.directory.ranking import MODALITIES
from sciaticare.directory.services.credentials import refresh_licence_summary
from sciaticare.directory.services.plan import add_to_plan

SEED = 4
THERAPISTS = 320
_PDF = b"%PDF-1.4\n% Sciaticare demo licence: not a real document.\n%%EOF\n"

# (name, latitude, longitude) of neighbourhood and town centres in Greater Manchester.
PLACES: list[tuple[str, float, float]] = [
    ("City Centre", 53.4808, -2.2426),
    ("Northern Quarter", 53.4840, -2.2360),
    ("Ancoats", 53.4840, -2.2260),
    ("Hulme", 53.4690, -2.2500),
    ("Moss Side", 53.4600, -2.2400),
    ("Rusholme", 53.4560, -2.2230),
    ("Fallowfield", 53.4410, -2.2190),
    ("Withington", 53.4333, -2.2290),
    ("Didsbury", 53.4167, -2.2310),
    ("Chorlton", 53.4420, -2.2770),
    ("Whalley Range", 53.4520, -2.2560),
    ("Levenshulme", 53.4440, -2.1930),
    ("Burnage", 53.4280, -2.2020),
    ("Northenden", 53.4080, -2.2590),
    ("Wythenshawe", 53.3920, -2.2640),
    ("Gorton", 53.4670, -2.1690),
    ("Clayton", 53.4830, -2.1800),
    ("Newton Heath", 53.5010, -2.1860),
    ("Harpurhey", 53.5080, -2.2140),
    ("Blackley", 53.5190, -2.2200),
    ("Cheetham Hill", 53.5050, -2.2380),
    ("Old Trafford", 53.4590, -2.2800),
    ("Stretford", 53.4460, -2.3090),
    ("Urmston", 53.4480, -2.3540),
    ("Sale", 53.4250, -2.3240),
    ("Timperley", 53.3960, -2.3270),
    ("Altrincham", 53.3870, -2.3490),
    ("Hale", 53.3780, -2.3450),
    ("Partington", 53.4190, -2.4290),
    ("Salford Quays", 53.4710, -2.2950),
    ("Pendleton", 53.4880, -2.2890),
    ("Eccles", 53.4830, -2.3340),
    ("Irlam", 53.4400, -2.4220),
    ("Swinton", 53.5120, -2.3390),
    ("Worsley", 53.5020, -2.3780),
    ("Walkden", 53.5240, -2.4000),
    ("Prestwich", 53.5330, -2.2830),
    ("Whitefield", 53.5540, -2.2990),
    ("Bury", 53.5930, -2.2980),
    ("Ramsbottom", 53.6480, -2.3170),
    ("Radcliffe", 53.5610, -2.3260),
    ("Bolton", 53.5780, -2.4290),
    ("Farnworth", 53.5450, -2.4000),
    ("Horwich", 53.6010, -2.5500),
    ("Westhoughton", 53.5490, -2.5240),
    ("Wigan", 53.5450, -2.6320),
    ("Hindley", 53.5340, -2.5750),
    ("Ashton-in-Makerfield", 53.4870, -2.6410),
    ("Leigh", 53.4970, -2.5150),
    ("Atherton", 53.5230, -2.4930),
    ("Tyldesley", 53.5140, -2.4680),
    ("Rochdale", 53.6150, -2.1550),
    ("Heywood", 53.5920, -2.2190),
    ("Middleton", 53.5540, -2.2010),
    ("Littleborough", 53.6440, -2.0940),
    ("Oldham", 53.5410, -2.1180),
    ("Chadderton", 53.5460, -2.1410),
    ("Royton", 53.5660, -2.1210),
    ("Shaw", 53.5770, -2.0930),
    ("Uppermill", 53.5490, -2.0060),
    ("Failsworth", 53.5100, -2.1650),
    ("Droylsden", 53.4800, -2.1450),
    ("Ashton-under-Lyne", 53.4890, -2.0950),
    ("Stalybridge", 53.4840, -2.0590),
    ("Denton", 53.4560, -2.1170),
    ("Hyde", 53.4510, -2.0790),
    ("Reddish", 53.4370, -2.1580),
    ("Heaton Moor", 53.4250, -2.1850),
    ("Stockport", 53.4080, -2.1490),
    ("Cheadle", 53.3930, -2.2140),
    ("Cheadle Hulme", 53.3760, -2.1890),
    ("Bramhall", 53.3600, -2.1640),
    ("Hazel Grove", 53.3780, -2.1110),
    ("Marple", 53.3940, -2.0630),
]

CLINICS = [
    "Didsbury Back Care",
    "Northern Quarter Massage Collective",
    "Salford Sports Therapy",
    "Trafford Bodywork",
    "Bolton Spine & Soft Tissue",
    "Wigan Massage Rooms",
    "Rochdale Therapy Centre",
    "Oldham Muscle & Joint",
    "Tameside Massage Clinic",
    "Stockport Remedial Massage",
    "Bury Wellbeing Studio",
    "South Manchester Myotherapy",
    "North Manchester Health Hub",
    "Leigh & Atherton Massage",
    "Altrincham Treatment Rooms",
]

FIRST = [
    "Aisha",
    "Ben",
    "Chloe",
    "Dev",
    "Ella",
    "Farah",
    "George",
    "Hannah",
    "Imran",
    "Jess",
    "Kacper",
    "Laura",
    "Mohammed",
    "Niamh",
    "Olu",
    "Priya",
    "Qasim",
    "Rosa",
    "Sam",
    "Tariq",
    "Uma",
    "Vik",
    "Wiktoria",
    "Xin",
    "Yusuf",
    "Zara",
    "Amir",
    "Beth",
    "Callum",
    "Daria",
    "Emeka",
    "Fatima",
    "Grace",
    "Harpreet",
    "Isla",
    "Jamal",
    "Kate",
    "Leon",
    "Maja",
    "Nadia",
]
LAST = [
    "Ahmed",
    "Brennan",
    "Chowdhury",
    "Davies",
    "Evans",
    "Fernandes",
    "Green",
    "Hughes",
    "Iqbal",
    "Jones",
    "Kowalski",
    "Lewis",
    "Mahmood",
    "Nowak",
    "Okafor",
    "Patel",
    "Quinn",
    "Roberts",
    "Shah",
    "Taylor",
    "Ulloa",
    "Walsh",
    "Xu",
    "Yilmaz",
    "Zielinski",
    "Begum",
    "Carter",
    "Hussain",
    "Murphy",
    "Singh",
]
EXTRA_LANGUAGES = ["pl", "ur", "pa", "ar", "es", "zh", "fr", "so", "pt", "it", "bn", "gu"]
REVIEW_TEXTS = [
    "Listened properly and explained each step. The leg pain eased for days.",
    "Gentle with my lower back and gave me stretches for home.",
    "Good session, easy to book, clean room with step-free access.",
    "Knew exactly where the tight spots were around my hip.",
    "Helpful, though the relief only lasted a day or two.",
    "Calm and careful; asked about my medication before starting.",
    "Took time to check my symptoms and suggested I see my GP first — glad I did.",
    "",
]


def _jitter(rng: random.Random, lat: float, lon: float) -> tuple[float, float]:
    return round(lat + rng.uniform(-0.0027, 0.0027), 6), round(
        lon + rng.uniform(-0.0045, 0.0045), 6
    )


def seed(accounts: dict[str, User]) -> None:
    """Create the demo directory once; then only make sure the demo logins' parts exist."""
    if not Clinic.objects.filter(name=CLINICS[0]).exists():
        _seed_directory(accounts)
    _seed_plan(accounts["patient@example.com"])
    _seed_us_clinic(accounts["admin@example.com"])


def _seed_directory(accounts: dict[str, User]) -> None:
    rng = random.Random(SEED)
    now = timezone.now()
    today = timezone.localdate()
    site_admin = accounts["admin@example.com"]
    clinic_admin = accounts["clinic@example.com"]

    clinics = Clinic.objects.bulk_create([Clinic(name=name) for name in CLINICS])
    clinics[0].admins.add(clinic_admin)
    # Each clinic takes a run of neighbouring places; Didsbury Back Care holds Didsbury.
    places = sorted(PLACES, key=lambda p: (round(p[1], 1), p[2]))
    didsbury = next(p for p in places if p[0] == "Didsbury")
    places.remove(didsbury)
    locations: list[Location] = []
    for index, (name, lat, lon) in enumerate([didsbury, *places]):
        clinic = clinics[0] if index == 0 else clinics[index % len(clinics)]
        j_lat, j_lon = _jitter(rng, lat, lon)
        locations.append(
            Location(
                clinic=clinic,
                name=name,
                address=f"{rng.randint(2, 240)} {rng.choice(['High Street', 'Station Road', 'Church Lane', 'Market Street', 'Park Road', 'Wilmslow Road'])}, {name}",
                latitude=j_lat,
                longitude=j_lon,
                time_zone="Europe/London",
                step_free=rng.random() < 0.7,
                parking=rng.random() < 0.5,
                adjustable_table=rng.random() < 0.6,
            )
        )
    Location.objects.bulk_create(locations)
    by_clinic: dict[int, list[Location]] = {}
    for location in locations:
        by_clinic.setdefault(location.clinic_id, []).append(location)

    users = User.objects.bulk_create(
        [
            User(
                email=f"therapist{n:03d}@demo.sciaticare.example",
                first_name=rng.choice(FIRST),
                last_name=rng.choice(LAST),
                password=make_password(None),
                is_patient=False,
                is_therapist=True,
                time_zone=DEMO_TIME_ZONE,
            )
            for n in range(THERAPISTS)
        ]
    )
    demo_therapist = accounts["therapist@example.com"]
    profiles: list[TherapistProfile] = []
    homes: list[list[Location]] = []
    for user in [demo_therapist, *users]:
        is_demo = user.pk == demo_therapist.pk
        clinic = clinics[0] if is_demo else rng.choice(clinics)
        options = by_clinic[clinic.pk]
        home = (
            [options[0]]
            if is_demo
            else rng.sample(options, k=min(len(options), rng.choice((1, 1, 2))))
        )
        homes.append(home)
        experience = 14 if is_demo else rng.randint(1, 30)
        mobile = not is_demo and rng.random() < 0.08
        profile = TherapistProfile(
            user=user,
            bio=(
                "I have treated people with sciatica and low-back pain for nine years, alongside "
                "their GP and physiotherapist. Sessions start with your intake and finish with "
                "stretches to keep up at home."
                if is_demo
                else rng.choice(
                    [
                        "Remedial massage for back and leg pain, with exercises to take home.",
                        "Sports and deep tissue work; I check your symptoms before every session.",
                        "Gentle, unhurried massage for people in pain. Side-lying available.",
                        "I work with runners, office workers and new parents with back pain.",
                    ]
                )
            ),
            years_experience=experience,
            years_sciatica=9 if is_demo else rng.randint(0, experience),
            languages=["en", "es"]
            if is_demo
            else ["en", *rng.sample(EXTRA_LANGUAGES, k=rng.choice((0, 0, 0, 1, 1, 2)))],
            accepting_new_patients=is_demo or rng.random() < 0.8,
            is_mobile=mobile,
            service_radius_km=rng.choice((5, 8, 10, 15)) if mobile else None,
            base_latitude=home[0].latitude if mobile else None,
            base_longitude=home[0].longitude if mobile else None,
            updated_at=now,
        )
        chosen = (
            {"swedish", "deep_tissue", "trigger_point", "myofascial_release"}
            if is_demo
            else set(rng.sample(sorted(MODALITIES), k=rng.randint(1, 4)))
        )
        for code in MODALITIES:
            setattr(profile, f"offers_{code}", code in chosen)
        profiles.append(profile)
    TherapistProfile.objects.bulk_create(profiles)
    TherapistProfile.clinics.through.objects.bulk_create(
        [
            TherapistProfile.clinics.through(
                therapistprofile_id=profile.pk, clinic_id=home[0].clinic_id
            )
            for profile, home in zip(profiles, homes, strict=True)
        ]
    )
    TherapistLocation.objects.bulk_create(
        [
            TherapistLocation(therapist=profile, location=location)
            for profile, home in zip(profiles, homes, strict=True)
            for location in home
        ]
    )

    sessions: list[SessionType] = []
    credentials: list[Credential] = []
    for index, profile in enumerate(profiles):
        is_demo = index == 0
        price = Decimal(55) if is_demo else Decimal(rng.randrange(35, 80, 5))
        sessions.append(
            SessionType(
                therapist=profile,
                name="Sciatica relief massage",
                minutes=60,
                price=price,
                is_standard=True,
            )
        )
        if is_demo or rng.random() < 0.5:
            sessions.append(
                SessionType(
                    therapist=profile,
                    name="Short back treatment",
                    minutes=30,
                    price=(price * Decimal("0.6")).quantize(Decimal("1")),
                )
            )
        if is_demo or rng.random() < 0.3:
            sessions.append(
                SessionType(
                    therapist=profile,
                    name="Extended session",
                    minutes=90,
                    price=price + Decimal(25),
                )
            )
        checker = clinic_admin if homes[index][0].clinic_id == clinics[0].pk else site_admin
        roll = 0.0 if is_demo else rng.random()
        if roll < 0.82:
            status, expires = (
                CredentialStatus.VERIFIED,
                today + timedelta(days=rng.randint(30, 900)),
            )
        elif roll < 0.88:
            status, expires = CredentialStatus.EXPIRED, today - timedelta(days=rng.randint(1, 200))
        elif roll < 0.96:
            status, expires = (
                CredentialStatus.PENDING,
                today + timedelta(days=rng.randint(200, 900)),
            )
        else:
            status, expires = (
                CredentialStatus.REJECTED,
                today + timedelta(days=rng.randint(200, 900)),
            )
        checked = status in (
            CredentialStatus.VERIFIED,
            CredentialStatus.EXPIRED,
            CredentialStatus.REJECTED,
        )
        credentials.append(
            Credential(
                therapist=profile,
                kind=CredentialKind.LICENCE,
                title="Registered massage therapist",
                number=f"CNHC-{rng.randint(100000, 999999)}",
                issuing_body="Complementary and Natural Healthcare Council",
                jurisdiction="United Kingdom",
                expires_on=expires,
                document=_PDF,
                document_type="pdf",
                document_size=len(_PDF),
                status=status,
                checked_by=checker if checked else None,
                checked_at=now - timedelta(days=rng.randint(30, 600)) if checked else None,
                rejection_reason="The registration number is not on the CNHC register."
                if status == CredentialStatus.REJECTED
                else "",
                created_at=now - timedelta(days=rng.randint(30, 700)),
            )
        )
        if is_demo or rng.random() < 0.25:
            credentials.append(
                Credential(
                    therapist=profile,
                    kind=CredentialKind.CERTIFICATION,
                    title="Level 5 Diploma in Sports Massage Therapy",
                    number=f"ITEC-{rng.randint(10000, 99999)}",
                    issuing_body="ITEC",
                    jurisdiction="United Kingdom",
                    expires_on=None,
                    document=_PDF,
                    document_type="pdf",
                    document_size=len(_PDF),
                    status=CredentialStatus.PENDING,
                    created_at=now - timedelta(days=rng.randint(1, 20)),
                )
            )
    SessionType.objects.bulk_create(sessions)
    Credential.objects.bulk_create(credentials)
    for profile in profiles:
        refresh_licence_summary(profile_id=profile.pk, today=today)

    reviewers = User.objects.bulk_create(
        [
            User(
                email=f"reviewer{n:03d}@demo.sciaticare.example",
                first_name=rng.choice(FIRST),
                last_name=rng.choice(LAST),
                password=make_password(None),
                is_patient=True,
                time_zone=DEMO_TIME_ZONE,
            )
            for n in range(80)
        ]
    )
    reviews: list[Review] = []
    for profile in profiles:
        for _ in range(rng.choice((0, 0, 1, 2, 3, 5, 8, 12, 20, 35))):
            rating = rng.choices((5, 4, 3, 2, 1), weights=(50, 30, 10, 6, 4))[0]
            reviews.append(
                Review(
                    patient=rng.choice(reviewers),
                    therapist=profile,
                    rating=rating,
                    text=rng.choice(REVIEW_TEXTS),
                    created_at=now - timedelta(days=rng.randint(1, 700)),
                )
            )
    Review.objects.bulk_create(reviews)
    figures = Review.objects.values("therapist_id").annotate(count=Count("id"), mean=Avg("rating"))
    by_profile = {row["therapist_id"]: row for row in figures}
    for profile in profiles:
        row = by_profile.get(profile.pk)
        profile.review_count = row["count"] if row else 0
        profile.review_mean = float(row["mean"]) if row else None
    TherapistProfile.objects.bulk_update(profiles, ["review_count", "review_mean"])
    # Bulk inserts bypass the services, so the search table is written once, at the end.
    search_table.rebuild()


#: The demo's one US clinic: (clinic, location, address, latitude, longitude, therapist's email).
US_CLINIC = (
    "Back Bay Massage Therapy",
    "Back Bay",
    "145 Newbury Street, Boston, MA 02116",
    42.3509,
    -71.0779,
    "therapist.boston@demo.sciaticare.example",
)


def _seed_us_clinic(site_admin: User) -> None:
    """A Boston clinic with one licensed massage therapist, priced in US dollars; once."""
    name, place, address, latitude, longitude, email = US_CLINIC
    if Clinic.objects.filter(name=name).exists():
        return
    now = timezone.now()
    today = timezone.localdate()
    clinic = Clinic.objects.create(name=name)
    location = Location.objects.create(
        clinic=clinic,
        name=place,
        address=address,
        latitude=latitude,
        longitude=longitude,
        time_zone="America/New_York",
        step_free=True,
        adjustable_table=True,
    )
    # She runs her own practice: its therapist and its clinic admin.
    user = ensure_person(
        email,
        "Grace",
        "Whitfield",
        (Role.THERAPIST, Role.CLINIC_ADMIN),
        password=None,
        time_zone="America/New_York",
    )
    clinic.admins.add(user)
    profile = TherapistProfile.objects.create(
        user=user,
        bio="Licensed massage therapist in Back Bay; I work with people whose sciatica flares "
        "on long flights and at the desk.",
        years_experience=11,
        years_sciatica=6,
        languages=["en"],
        accepting_new_patients=True,
        offers_swedish=True,
        offers_deep_tissue=True,
        updated_at=now,
    )
    profile.clinics.add(clinic)
    TherapistLocation.objects.create(therapist=profile, location=location)
    SessionType.objects.create(
        therapist=profile,
        name="Sciatica relief massage",
        minutes=60,
        price=Decimal(120),
        currency="USD",
        is_standard=True,
    )
    Credential.objects.create(
        therapist=profile,
        kind=CredentialKind.LICENCE,
        title="Licensed Massage Therapist",
        number="LMT-12745",
        issuing_body="Massachusetts Board of Registration of Massage Therapy",
        jurisdiction="Massachusetts, United States",
        expires_on=today + timedelta(days=400),
        document=_PDF,
        document_type="pdf",
        document_size=len(_PDF),
        status=CredentialStatus.VERIFIED,
        checked_by=site_admin,
        checked_at=now - timedelta(days=200),
        created_at=now - timedelta(days=210),
    )
    refresh_licence_summary(profile_id=profile.pk, today=today)
    search_table.refresh(profile_ids=[profile.pk])


def _seed_plan(patient: User) -> None:
    if FlareUpPlanEntry.objects.filter(patient=patient).exists():
        return
    today = timezone.localdate()
    demo = TherapistProfile.objects.filter(user__email="therapist@example.com").first()
    if demo is None:
        return
    backups = (
        TherapistProfile.objects.filter(
            clinics=demo.clinics.first(), licence_verified_on__isnull=False
        )
        .exclude(pk=demo.pk)
        .order_by("-years_sciatica", "pk")[:2]
    )
    for profile in [demo, *backups]:
        if profile.licence_valid_on(today):
            add_to_plan(patient=patient, therapist=profile)
