"""The leg sciatica is felt in, from the body map: one side gives its ICD-10-CM code (M54.31
right, M54.32 left), both legs or no leg M54.30; read from the intake saved by a given time."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sciaticare.intake import bodymap
from sciaticare.intake.models import Intake
from sciaticare.intake.selectors import sciatica_side
from tests.factories import PatientFactory
from tests.intake.factories import make_intake


@pytest.mark.parametrize(
    ("regions", "side", "code"),
    [
        (["left_calf", "left_buttock", "left_lower_back"], "left", "M54.32"),
        (["right_back_of_thigh"], "right", "M54.31"),
        (["left_calf", "right_calf"], None, "M54.30"),
        (["left_lower_back", "right_lower_back"], None, "M54.30"),  # back only: no leg
        (["groin_saddle", "right_calf"], "right", "M54.31"),
        ([], None, "M54.30"),
        (["not_a_region"], None, "M54.30"),
    ],
)
def test_the_leg_side_and_its_code(regions, side, code):
    assert bodymap.leg_side(regions) == side
    assert bodymap.SCIATICA_ICD10CM[side] == code


@pytest.mark.django_db
def test_the_side_is_the_intakes_saved_by_then():
    patient = PatientFactory()
    now = timezone.now()
    assert sciatica_side(patient=patient, at=now) is None
    first = make_intake(patient, regions=["left_calf"])
    Intake.objects.filter(pk=first.pk).update(created_at=now - timedelta(days=10))
    make_intake(patient, regions=["right_calf"])  # saved now, after the session below
    assert sciatica_side(patient=patient, at=now - timedelta(days=5)) == "left"
    assert sciatica_side(patient=patient, at=timezone.now()) == "right"
