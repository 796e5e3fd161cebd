"""The directory's tables, one module per domain: ``places`` (clinics, locations),
``profiles`` (therapist profiles, their places and session types), ``credentials``,
``reviews``, ``plan`` (flare-up plans) and ``search`` (the search table).

Django finds an app's models by importing ``<app>.models``, so this package imports every
model; callers import them from here (``from sciaticare.directory.models import Review``), the
one package that re-exports (docs/architecture.md).
"""

from sciaticare.directory.models.credentials import (
    Credential,
    CredentialKind,
    CredentialManager,
    CredentialStatus,
    DocumentType,
)
from sciaticare.directory.models.places import (
    Clinic,
    Location,
    validate_time_zone,
)
from sciaticare.directory.models.plan import (
    PLAN_SIZE,
    FlareUpPlanEntry,
)
from sciaticare.directory.models.profiles import (
    MAX_SERVICE_RADIUS_KM,
    MAX_SESSION_MINUTES,
    MIN_SESSION_MINUTES,
    SessionType,
    TherapistLocation,
    TherapistProfile,
)
from sciaticare.directory.models.reviews import (
    Review,
)
from sciaticare.directory.models.search import (
    NO_EXPIRY,
    SearchEntry,
    modality_bits,
)

__all__ = [
    "MAX_SERVICE_RADIUS_KM",
    "MAX_SESSION_MINUTES",
    "MIN_SESSION_MINUTES",
    "NO_EXPIRY",
    "PLAN_SIZE",
    "Clinic",
    "Credential",
    "CredentialKind",
    "CredentialManager",
    "CredentialStatus",
    "DocumentType",
    "FlareUpPlanEntry",
    "Location",
    "Review",
    "SearchEntry",
    "SessionType",
    "TherapistLocation",
    "TherapistProfile",
    "modality_bits",
    "validate_time_zone",
]
