import pytest

from accounts.models import Agency
from concerns.models import Concern
from conftest import make_user
from referrals import services
from referrals.models import InformationRequest, Referral, Specialism


@pytest.fixture
def camhs_referral(pupil, staff) -> Referral:
    """A submitted CAMHS referral: the CAMHS practitioner (health_specialist) may see it, the YJS worker may not."""
    return Referral.objects.create(
        pupil=pupil, raised_by=staff, specialism=Specialism.CAMHS, reasons="Low mood for weeks.", tried="Mentoring."
    )


@pytest.fixture
def yjs_referral(pupil, staff) -> Referral:
    """A submitted youth justice referral: not health detail, so PRU staff and leaders see it too."""
    return Referral.objects.create(
        pupil=pupil, raised_by=staff, specialism=Specialism.YOUTH_JUSTICE, reasons="Out late with older boys."
    )


@pytest.fixture
def allocated_referral(camhs_referral, dsl, health_specialist) -> Referral:
    return services.referral_triage(
        referral=camhs_referral, by=dsl, outcome=Referral.Status.ALLOCATED, specialist=health_specialist
    )


@pytest.fixture
def intervention(allocated_referral):
    return allocated_referral.intervention


@pytest.fixture
def second_camhs_worker(health_agency):
    return make_user("camhs2", "specialist", agency=health_agency, specialism=Specialism.CAMHS)


@pytest.fixture
def police(db) -> Agency:
    return Agency.objects.create(name="Test Police", kind=Agency.Kind.POLICE)


@pytest.fixture
def info_request(pupil, staff, police) -> InformationRequest:
    return services.information_request_create(pupil=pupil, by=staff, agency=police, question="Any missing episodes?")


@pytest.fixture
def safeguarding_concern(pupil, staff) -> Concern:
    return Concern.objects.create(
        pupil=pupil, logged_by=staff, category=Concern.Category.SAFEGUARDING, seen="Picked up by an unknown adult."
    )
