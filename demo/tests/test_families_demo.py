from django.core.management import call_command

from families.models import (
    Carer,
    Consent,
    FollowUpCheck,
    FreshStartInterview,
    HomeVisit,
    Household,
    HouseholdPupil,
    ReintegrationPlan,
    SupportAction,
)
from pupils.models import Pupil


def test_it_seeds_families_for_every_pupil(db):
    call_command("seed_demo", "--pupils", "200")
    assert HouseholdPupil.objects.count() == Pupil.objects.count() == 200
    assert Household.objects.count() < 200  # some households have several pupils
    assert Carer.objects.filter(parental_responsibility=True).exists()
    assert Consent.objects.filter(status=Consent.Status.WITHDRAWN).exists()
    assert Consent.objects.filter(status=Consent.Status.GIVEN).exists()
    assert SupportAction.objects.filter(status=SupportAction.Status.DONE).exists()
    assert HomeVisit.objects.exists()
    assert FreshStartInterview.objects.filter(discussed_at_mdt_on__isnull=True).exists()
    states = set(ReintegrationPlan.objects.values_list("status", flat=True))
    assert {ReintegrationPlan.Status.SHORTLIST, ReintegrationPlan.Status.ALLOCATED} <= states
    assert FollowUpCheck.objects.exists()
    for model in (Household, Carer, Consent, SupportAction, HomeVisit, FreshStartInterview, ReintegrationPlan):
        for row in model.objects.all()[:50]:
            row.full_clean()  # the generated data passes the models' own validation
