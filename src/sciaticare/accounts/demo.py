"""Demo accounts for `manage.py seed_demo`."""

from allauth.account.models import EmailAddress

from sciaticare.accounts import services
from sciaticare.accounts.models import Role, User

DEMO_PASSWORD = "sciatica-demo-2026"  # noqa: S105 - published demo login, README says so

DEMO_ACCOUNTS: list[tuple[str, str, str, tuple[Role, ...]]] = [
    ("patient@example.com", "Maya", "Okafor", (Role.PATIENT,)),
    ("therapist@example.com", "Daniel", "Reyes", (Role.THERAPIST,)),
    ("clinic@example.com", "Priya", "Shah", (Role.CLINIC_ADMIN,)),
    ("admin@example.com", "Sam", "Admin", (Role.SITE_ADMIN,)),
]


# The demo's people live in Greater Manchester (the Boston clinic's therapist aside).
DEMO_TIME_ZONE = "Europe/London"


def ensure_person(
    email: str,
    first_name: str,
    last_name: str,
    roles: tuple[Role, ...],
    *,
    password: str | None,
    time_zone: str = DEMO_TIME_ZONE,
) -> User:
    """The account with this email, made if missing; an existing one is left as it is.

    With no password the account cannot sign in (demo patients and therapists beyond the four
    logins). The email is marked verified so that it can sign in at once.
    """
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email,
            password,
            first_name=first_name,
            last_name=last_name,
            is_patient=False,
            time_zone=time_zone,
        )
        if password is None:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        for role in roles:
            services.grant_role(user=user, role=role)
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
    return user


def seed() -> dict[str, User]:
    return {
        email: ensure_person(email, first, last, roles, password=DEMO_PASSWORD)
        for email, first, last, roles in DEMO_ACCOUNTS
    }
