"""Family fixtures: the pupil's household with a carer, a school list, and plans at given stages."""

import datetime

import pytest
from django.utils import timezone

from families import services
from families.models import (
    Carer,
    Household,
    HouseholdPupil,
    ReintegrationPlan,
    ShortlistedSchool,
)
from pupils.models import School


@pytest.fixture
def household(pupil) -> Household:
    household = Household.objects.create(name="Example household", address="1 Canal Street", postcode="MB1 2AB")
    HouseholdPupil.objects.create(pupil=pupil, household=household)
    return household


@pytest.fixture
def carer(household) -> Carer:
    return Carer.objects.create(
        household=household, name="Dana Example", relationship=Carer.Relationship.MOTHER, phone="07700 900123"
    )


@pytest.fixture
def schools(db) -> list[School]:
    return [
        School.objects.create(name="Millbrook Academy", urn="900001"),
        School.objects.create(name="Parkside Community School", urn="900002"),
        School.objects.create(name="Kingsway School", urn="900003"),
    ]


@pytest.fixture
def shortlist_plan(pupil, family_worker, schools) -> ReintegrationPlan:
    """A plan at the shortlist stage with two schools on the list."""
    plan = services.reintegration_plan_start(pupil=pupil, by=family_worker)
    services.reintegration_decide_readiness(
        plan=plan, by=family_worker, ready=True, reason="Settled.", version=plan.version
    )
    services.reintegration_shortlist_add(plan=plan, by=family_worker, school=schools[0])
    services.reintegration_shortlist_add(plan=plan, by=family_worker, school=schools[1])
    plan.refresh_from_db()
    return plan


@pytest.fixture
def today() -> datetime.date:
    return timezone.localdate()


def first_entry(plan: ReintegrationPlan) -> ShortlistedSchool:
    return plan.shortlist.order_by("pk").first()
