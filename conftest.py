"""The fixed cast every test can use: one person per role, two centres, pupils in and out of scope."""

import datetime

import pytest

from accounts.models import Agency, Site, Specialism, User
from pru_cases.testing import celery_worker, private_redis  # noqa: F401 (fixtures for every app)
from pru_cases.tests.cast import CAST
from pupils.models import Allocation, HealthRecord, Pupil

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashers are deliberately slow; the cast is made afresh for every test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def site(db) -> Site:
    return Site.objects.create(name="Northfield Learning Centre", code="NF")


@pytest.fixture
def other_site(db) -> Site:
    return Site.objects.create(name="Riverside Learning Centre", code="RS")


@pytest.fixture
def pru_agency(db) -> Agency:
    return Agency.objects.create(name="Test PRU", kind=Agency.Kind.PRU)


@pytest.fixture
def health_agency(db) -> Agency:
    return Agency.objects.create(name="Test CAMHS", kind=Agency.Kind.CAMHS)


@pytest.fixture
def yjs_agency(db) -> Agency:
    return Agency.objects.create(name="Test Youth Justice", kind=Agency.Kind.YOUTH_JUSTICE)


def make_user(username: str, role: str, **extra) -> User:
    user = User(
        username=username,
        first_name=username.title(),
        last_name="Tester",
        role=role,
        **extra,
    )
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def dsl(pru_agency) -> User:
    return make_user("dsl", User.Role.DSL, agency=pru_agency)


@pytest.fixture
def leader(pru_agency) -> User:
    return make_user("leader", User.Role.SENIOR_LEADER, agency=pru_agency)


@pytest.fixture
def admin_user(pru_agency) -> User:
    return make_user("sysadmin", User.Role.ADMIN, agency=pru_agency)


@pytest.fixture
def staff(pru_agency, site) -> User:
    """PRU staff at the pupil's centre."""
    return make_user("teacher", User.Role.STAFF, agency=pru_agency, site=site)


@pytest.fixture
def other_staff(pru_agency, other_site) -> User:
    """PRU staff at the other centre: the pupil is out of their scope."""
    return make_user("otherteacher", User.Role.STAFF, agency=pru_agency, site=other_site)


@pytest.fixture
def specialist(yjs_agency) -> User:
    """A youth justice worker allocated to the pupil."""
    return make_user("yjs", User.Role.SPECIALIST, agency=yjs_agency, specialism=Specialism.YOUTH_JUSTICE)


@pytest.fixture
def health_specialist(health_agency) -> User:
    """A CAMHS practitioner allocated to the pupil."""
    return make_user("camhs", User.Role.SPECIALIST, agency=health_agency, specialism=Specialism.CAMHS)


@pytest.fixture
def outsider(yjs_agency) -> User:
    """A specialist with no allocation to the pupil."""
    return make_user("outsider", User.Role.SPECIALIST, agency=yjs_agency, specialism=Specialism.YOUTH_JUSTICE)


@pytest.fixture
def family_worker(pru_agency) -> User:
    return make_user("familyworker", User.Role.FAMILY_WORKER, agency=pru_agency)


def make_pupil(site: Site, **extra) -> Pupil:
    values = {
        "first_name": "Jordan",
        "last_name": "Example",
        "date_of_birth": datetime.date(2012, 3, 4),
        "year_group": 9,
        "site": site,
        "home_local_authority": "Millbrook City Council",
        "school_local_authority": "Millbrook City Council",
        "entry_date": datetime.date(2026, 1, 5),
        "entry_route": Pupil.EntryRoute.PERMANENT_EXCLUSION,
    }
    values.update(extra)
    return Pupil.objects.create(**values)


@pytest.fixture
def pupil(site, specialist, health_specialist, family_worker, dsl) -> Pupil:
    pupil = make_pupil(site)
    for person in (specialist, health_specialist, family_worker):
        Allocation.objects.create(pupil=pupil, user=person, created_by=dsl)
    return pupil


@pytest.fixture
def other_pupil(other_site) -> Pupil:
    return make_pupil(other_site, first_name="Casey", last_name="Elsewhere")


@pytest.fixture
def health_record(pupil) -> HealthRecord:
    return HealthRecord.objects.create(
        pupil=pupil,
        conditions="SENTINEL-HEALTH-CONDITION-7Q2",
        notes="SENTINEL-HEALTH-NOTE-3X9",
    )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Playwright drives the OS's Chromium: it cannot download browsers of its own here."""
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def cast(request) -> dict:
    """Every role of the cast by name (pru_cases/tests/cast.py), for permission matrices over all of them."""
    return {role: request.getfixturevalue(role) for role in CAST}
