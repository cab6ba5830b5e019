"""The oversight summaries: always equal to a count from scratch, kept up to date by request rows and a Celery task
(enqueued after commit, swept when Redis was down, rebuilt nightly), shown with the time they were computed."""

import base64
import csv
import datetime
import decimal
import io
import json
import os
import re

import pytest
from celery.schedules import crontab
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from conftest import make_pupil
from outcomes import oversight, oversight_summary
from outcomes import services as outcomes_services
from outcomes.models import (
    AttendanceWeek,
    DestinationFollowUp,
    Exclusion,
    FamilyFeedback,
    OversightRefresh,
    ReadingTest,
    SDQResponse,
)
from outcomes.models.measures import FEEDBACK_QUESTIONS
from outcomes.oversight_summary import oversight_refresh_all, oversight_refresh_request, oversight_refresh_run
from outcomes.tasks import oversight_refresh_run as oversight_refresh_run_task
from outcomes.tests.outcome_data import Occasion, make_sdq, monday
from pru_cases.celery import app
from pupils.models import Pupil, School
from referrals.models import Intervention, Referral, Specialism

URL = "/oversight/"
PERIOD = {"start": "2025-09-01", "end": "2026-08-31"}
FILTERS = oversight.Filters(start=datetime.date(2025, 9, 1), end=datetime.date(2026, 8, 31))
Status = OversightRefresh.Status


@pytest.fixture(autouse=True)
def no_broker(settings):
    # No broker unless a test starts one: enqueueing fails fast and the requests wait for the sweeper.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.MFA_REQUIRED_ROLES = []


def _tables(build: dict, user, filters: oversight.Filters) -> list:
    return [
        (slug, t.columns, t.rows, t.title, t.charts) for slug, t in ((s, f(user, filters)) for s, f in build.items())
    ]


def _dashboard(user, filters: oversight.Filters) -> list:
    tables = oversight_summary.oversight_tables(user, filters)
    return [(slug, t.columns, t.rows, t.title, t.charts) for slug, t in zip(oversight.TABLES, tables, strict=True)]


def _work_through_requests() -> None:
    """What the worker does with the messages the requests would have sent."""
    for refresh_id in (
        OversightRefresh.objects.filter(status=Status.PENDING).order_by("pk").values_list("pk", flat=True)
    ):
        oversight_refresh_run_task(refresh_id)


# --- The summaries never drift from the records -----------------------------------------------------------


DAY = st.dates(min_value=datetime.date(2024, 6, 1), max_value=datetime.date(2026, 11, 27))
SPECIALISMS = [Specialism.SALT, Specialism.CAMHS, Specialism.CAREERS]


def _moment(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)


@pytest.fixture
def scenario(site, other_site, dsl, leader, staff, specialist):
    pupils = [
        make_pupil(site, first_name="Ann", entry_date=datetime.date(2025, 1, 8)),
        make_pupil(site, first_name="Ben", entry_date=datetime.date(2025, 9, 3)),
        make_pupil(other_site, first_name="Cal", entry_date=datetime.date(2024, 11, 4)),
        make_pupil(other_site, first_name="Dee", entry_date=datetime.date(2025, 10, 20)),
    ]
    school = School.objects.create(name="Millbrook Academy")
    return {"pupils": pupils, "dsl": dsl, "leader": leader, "staff": staff, "specialist": specialist, "school": school}


@st.composite
def writes(draw):
    """One write a person could make, as (kind, pupil index, values)."""
    kind = draw(
        st.sampled_from(
            ["referral", "sdq", "week", "reading", "exclusion", "follow_up", "feedback", "pupil", "withdraw"]
        )
    )
    pupil = draw(st.integers(0, 3))
    day, hour = draw(DAY), draw(st.integers(0, 23))
    values: dict = {"day": day, "hour": hour}
    if kind == "referral":
        values |= {
            "specialism": draw(st.sampled_from(SPECIALISMS)),
            "outcome": draw(st.sampled_from(["waiting", "signposted", "allocated", "declined"])),
            "triage_hours": draw(st.integers(0, 24 * 40)),
            "started_after": draw(st.one_of(st.none(), st.integers(0, 60))),
        }
    elif kind == "sdq":
        values |= {
            "informant": draw(st.sampled_from(["self", "parent", "teacher"])),
            "occasion": draw(st.sampled_from(list(Occasion))),
            "scales": {
                s: draw(st.integers(0, 10)) for s in ("emotional", "conduct", "hyperactivity", "peer", "prosocial")
            },
        }
    elif kind == "week":
        possible = draw(st.integers(0, 10))
        values |= {"possible": possible, "attended": draw(st.integers(0, possible))}
    elif kind == "reading":
        values |= {"months": draw(st.integers(48, 240))}
    elif kind == "exclusion":
        values |= {
            "permanent": draw(st.booleans()),
            "days": decimal.Decimal(draw(st.integers(0, 60))) / 2,
            "school": draw(st.booleans()),
        }
    elif kind == "follow_up":
        values |= {
            "checkpoint": draw(st.sampled_from(list(DestinationFollowUp.Checkpoint))),
            "status": draw(st.sampled_from(list(DestinationFollowUp.Status))),
        }
    elif kind == "feedback":
        values |= {
            "ratings": {name: draw(st.one_of(st.none(), st.integers(1, 5))) for name, _ in FEEDBACK_QUESTIONS},
            "comment": draw(st.sampled_from(["", "It helped.", "=SUM(A1)"])),
        }
    elif kind == "pupil":
        values |= {
            "site": draw(st.booleans()),
            "stay_days": draw(st.one_of(st.none(), st.integers(0, 500))),
        }
    elif kind == "withdraw":
        values |= {"what": draw(st.sampled_from(["sdq", "reading", "exclusion", "feedback"]))}
    return kind, pupil, values


def _write(scenario: dict, kind: str, index: int, values: dict) -> None:
    pupil = Pupil.objects.get(pk=scenario["pupils"][index].pk)
    dsl, leader, specialist = scenario["dsl"], scenario["leader"], scenario["specialist"]
    day = values["day"]
    if kind == "referral":
        raised = _moment(day, values["hour"])
        triaged = raised + datetime.timedelta(hours=values["triage_hours"])
        outcome = values["outcome"]
        extra: dict = {"status": Referral.Status.SUBMITTED}
        if outcome == "signposted":
            extra = {"status": Referral.Status.SIGNPOSTED, "signpost_offer": "Reading group"}
        elif outcome == "declined":
            extra = {"status": Referral.Status.DECLINED, "decline_reason": "Not needed"}
        elif outcome == "allocated":
            extra = {"status": Referral.Status.ALLOCATED, "allocated_to": specialist}
        if outcome != "waiting":
            extra |= {"triaged_at": triaged, "triaged_by": leader}
        referral = Referral.objects.create(
            pupil=pupil, specialism=values["specialism"], reasons="x", raised_by=dsl, raised_at=raised, **extra
        )
        if outcome == "allocated":
            started = values["started_after"]
            Intervention.objects.create(
                pupil=pupil,
                referral=referral,
                specialism=referral.specialism,
                specialist=specialist,
                created_at=triaged,
                started_on=None if started is None else triaged.date() + datetime.timedelta(days=started),
            )
    elif kind == "sdq":
        make_sdq(pupil, dsl, occasion=values["occasion"], day=day, informant=values["informant"], **values["scales"])
    elif kind == "week":
        AttendanceWeek.objects.update_or_create(
            pupil=pupil,
            week_starting=monday(day),
            defaults={"sessions_possible": values["possible"], "sessions_attended": values["attended"]},
        )
    elif kind == "reading":
        ReadingTest.objects.create(
            pupil=pupil, occasion=Occasion.REVIEW, tested_on=day, reading_age_months=values["months"], recorded_by=dsl
        )
    elif kind == "exclusion":
        Exclusion.objects.create(
            pupil=pupil,
            kind=Exclusion.Kind.PERMANENT if values["permanent"] else Exclusion.Kind.SUSPENSION,
            start_date=day,
            days=values["days"],
            school=scenario["school"] if values["school"] else None,
            recorded_by=dsl,
        )
    elif kind == "follow_up":
        DestinationFollowUp.objects.update_or_create(
            pupil=pupil,
            checkpoint=values["checkpoint"],
            defaults={"status": values["status"], "checked_on": day, "recorded_by": dsl},
        )
    elif kind == "feedback":
        FamilyFeedback.objects.create(
            pupil=pupil,
            moment=FamilyFeedback.Moment.OTHER,
            respondent=FamilyFeedback.Respondent.PARENT,
            given_on=day,
            difference_made=values["comment"],
            recorded_by=dsl,
            **values["ratings"],
        )
    elif kind == "pupil":
        sites = [scenario["pupils"][0].site_id, scenario["pupils"][2].site_id]
        stay = values["stay_days"]
        Pupil.objects.filter(pk=pupil.pk).update(
            site_id=sites[values["site"]],
            entry_date=day,
            exit_date=None if stay is None else day + datetime.timedelta(days=stay),
        )
    elif kind == "withdraw":
        model = {"sdq": SDQResponse, "reading": ReadingTest, "exclusion": Exclusion, "feedback": FamilyFeedback}
        row = model[values["what"]].objects.filter(pupil=pupil, withdrawn_at__isnull=True).order_by("pk").first()
        if row is not None:
            type(row).objects.filter(pk=row.pk).update(withdrawn_at=timezone.now(), withdrawn_reason="A mistake")


FILTER_SETS = st.builds(
    lambda start, days, site, cohort, informant: {
        "start": start,
        "end": start + datetime.timedelta(days=days),
        "site": site,
        "cohort": cohort,
        "informant": informant,
    },
    DAY,
    st.integers(0, 500),
    st.sampled_from([None, 0, 1]),
    st.sampled_from([None, 2024, 2025]),
    st.sampled_from(["self", "parent", "teacher"]),
)
EXAMPLES = os.environ.get("OVERSIGHT_EXAMPLES")


@settings(
    max_examples=int(EXAMPLES or "25"),
    derandomize=EXAMPLES is None,  # the same examples every ordinary run, so the suite is never flaky
    deadline=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=st.lists(writes(), min_size=1, max_size=8), views=st.lists(FILTER_SETS, min_size=1, max_size=3))
def test_it_equals_a_count_from_scratch_after_random_writes(scenario, batch, views):
    for kind, index, values in batch:
        _write(scenario, kind, index, values)
        oversight_refresh_request(pupil_ids=[scenario["pupils"][index].pk])
    _work_through_requests()
    sites = [scenario["pupils"][0].site_id, scenario["pupils"][2].site_id]
    for view in views:
        filters = oversight.Filters(
            start=view["start"],
            end=view["end"],
            site_id=None if view["site"] is None else sites[view["site"]],
            cohort=view["cohort"],
            informant=view["informant"],
        )
        # The senior leader's totals (whole months and days) and the row-by-row count of a person with a narrower
        # scope both equal the count from the case records.
        for user in (scenario["leader"], scenario["staff"]):
            assert _dashboard(user, filters) == _tables(oversight.TABLES, user, filters)
            assert _tables(oversight_summary.TABLES, user, filters) == _tables(oversight.TABLES, user, filters)


def test_it_counts_whole_months_and_the_days_at_each_end(scenario):
    ann = scenario["pupils"][0]
    for day in ("2025-10-31", "2025-11-01", "2025-11-30", "2025-12-01", "2026-01-15"):
        _write(
            scenario,
            "referral",
            0,
            {
                "day": datetime.date.fromisoformat(day),
                "hour": 12,
                "specialism": Specialism.SALT,
                "outcome": "waiting",
                "triage_hours": 0,
                "started_after": None,
            },
        )
    oversight_refresh_request(pupil_ids=[ann.pk])
    _work_through_requests()
    leader = scenario["leader"]
    for start, end in [
        ("2025-11-01", "2025-11-30"),
        ("2025-10-31", "2025-12-01"),
        ("2025-11-02", "2025-11-29"),
        ("2025-10-01", "2026-01-31"),
        ("2025-11-15", "2025-11-15"),
    ]:
        filters = oversight.Filters(start=datetime.date.fromisoformat(start), end=datetime.date.fromisoformat(end))
        assert _tables(oversight_summary.TABLES, leader, filters) == _tables(oversight.TABLES, leader, filters)
    (row, _) = oversight_summary.referrals_by_month(
        leader, oversight.Filters(start=datetime.date(2025, 10, 31), end=datetime.date(2025, 12, 1))
    ).rows
    assert row[1:] == [1, 2, 1, 4]  # October's last day, all of November, December's first


# --- Writes ask for a refresh, in their own transaction ---------------------------------------------------


def test_it_queues_a_refresh_with_the_write_and_sends_it_after_commit(pupil, dsl, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        outcomes_services.exclusion_record(
            pupil=pupil, by=dsl, kind=Exclusion.Kind.SUSPENSION, start_date=datetime.date(2026, 1, 5), days=1
        )
    (refresh,) = OversightRefresh.objects.all()
    assert (refresh.pupil_id, refresh.status, refresh.enqueued_at) == (pupil.pk, Status.PENDING, None)
    assert len(callbacks) == 1  # the task is sent only once the write has committed


def test_it_drops_the_request_with_a_write_that_rolls_back(pupil, dsl):
    with pytest.raises(RuntimeError), transaction.atomic():
        outcomes_services.exclusion_record(
            pupil=pupil, by=dsl, kind=Exclusion.Kind.SUSPENSION, start_date=datetime.date(2026, 1, 5), days=1
        )
        raise RuntimeError("the rest of the request failed")
    assert not OversightRefresh.objects.exists()
    assert not Exclusion.objects.exists()


def _services(pupil, dsl, leader, specialist, site):
    """Each write that changes a figure, as a callable."""
    from pupils.services import pupil_update
    from referrals import services as referrals

    def referral_then_triage():
        referral = referrals.referral_create(pupil=pupil, by=dsl, specialism=Specialism.CAREERS, reasons="x")
        OversightRefresh.objects.all().delete()
        referrals.referral_triage(referral=referral, by=leader, outcome=Referral.Status.SIGNPOSTED, offer="Club")

    def edit_exit_date():
        fresh = Pupil.objects.get(pk=pupil.pk)
        data = {
            name: getattr(fresh, name)
            for name in ("first_name", "last_name", "date_of_birth", "year_group", "entry_date")
        } | {"site": fresh.site}
        pupil_update(
            pupil=fresh, by=leader, data=data | {"exit_date": datetime.date(2026, 7, 1)}, version=fresh.version
        )

    def attendance():
        Pupil.objects.filter(pk=pupil.pk).update(upn="A123456789012")
        pupil.upn = "A123456789012"
        outcomes_services.attendance_import(
            by=leader, filename="r.csv", data=f"upn,date,session,mark\n{pupil.upn},2026-01-05,AM,/\n".encode()
        )

    day = datetime.date(2026, 1, 5)
    return {
        "sdq": lambda: outcomes_services.sdq_record(
            pupil=pupil, by=dsl, informant="self", occasion="baseline", completed_on=day, answers={1: 1}
        ),
        "reading": lambda: outcomes_services.reading_test_record(
            pupil=pupil, by=dsl, occasion="baseline", tested_on=day, reading_age_months=100
        ),
        "exclusion": lambda: outcomes_services.exclusion_record(
            pupil=pupil, by=dsl, kind="suspension", start_date=day, days=1
        ),
        "feedback": lambda: outcomes_services.family_feedback_record(
            pupil=pupil, by=dsl, moment="other", respondent="parent", given_on=day, listened_to=5
        ),
        "attendance import": attendance,
        "referral and triage": referral_then_triage,
        "exit date": edit_exit_date,
    }


@pytest.mark.parametrize(
    "write", ["sdq", "reading", "exclusion", "feedback", "attendance import", "referral and triage", "exit date"]
)
def test_it_asks_for_a_refresh_from_every_write_that_changes_a_figure(write, pupil, dsl, leader, specialist, site):
    if write == "attendance import":
        from outcomes.models import AttendanceCode

        AttendanceCode.objects.get_or_create(
            code="/",
            defaults={
                "meaning": "Present (AM)",
                "category": "present",
                "counts_as_possible": True,
                "counts_as_attended": True,
            },
        )
    _services(pupil, dsl, leader, specialist, site)[write]()
    assert list(OversightRefresh.objects.values_list("pupil_id", "status")) == [(pupil.pk, Status.PENDING)]


def test_it_does_not_ask_when_an_edit_leaves_the_figures_alone(pupil, leader):
    from pupils.services import pupil_update

    data = {
        name: getattr(pupil, name) for name in ("first_name", "last_name", "date_of_birth", "year_group", "entry_date")
    } | {"site": pupil.site, "preferred_name": "Jay"}
    pupil_update(pupil=pupil, by=leader, data=data, version=pupil.version)
    assert not OversightRefresh.objects.exists()


# --- The job: idempotent, batched, swept, nightly ---------------------------------------------------------


def test_it_rebuilds_a_pupils_rows_once_however_often_asked(scenario):
    ann, ben = scenario["pupils"][:2]
    _write(
        scenario,
        "exclusion",
        0,
        {"day": datetime.date(2026, 2, 2), "hour": 9, "permanent": False, "days": decimal.Decimal(2), "school": False},
    )
    first, *others = oversight_refresh_request(pupil_ids=[ann.pk]) + oversight_refresh_request(
        pupil_ids=[ann.pk, ben.pk]
    )
    assert oversight_refresh_run(refresh_id=first.pk) is True
    assert set(OversightRefresh.objects.values_list("status", flat=True)) == {Status.DONE}  # settled together
    assert all(oversight_refresh_run(refresh_id=r.pk) is False for r in [first, *others])  # a redelivery: nothing
    assert oversight_summary.exclusions_by_school(scenario["leader"], FILTERS).rows == [
        ["The PRU itself", 0, 1, 2.0, 1]
    ]


def test_it_sends_one_task_for_many_pupils(scenario, django_capture_on_commit_callbacks):
    pupils = scenario["pupils"]
    with django_capture_on_commit_callbacks() as callbacks:
        first, *_ = oversight_refresh_request(pupil_ids=[p.pk for p in pupils])  # an attendance import, say
    assert len(callbacks) == 1
    assert oversight_refresh_run(refresh_id=first.pk) is True
    assert not OversightRefresh.objects.exclude(status=Status.DONE).exists()  # one rebuild settled all four


def test_it_loses_nothing_while_redis_is_down(
    client, settings, scenario, private_redis, django_capture_on_commit_callbacks
):
    ann = scenario["pupils"][0]
    client.force_login(scenario["dsl"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("outcomes:measure_new", args=[ann.pk, "exclusion"]),
            {"kind": "suspension", "start_date": "2026-02-02", "days": "1.5", "reason": "", "school": ""},
        )
    assert response.status_code == 302  # no 500: the failed enqueue is logged and the request row kept
    (refresh,) = OversightRefresh.objects.all()
    assert (refresh.status, refresh.enqueued_at) == (Status.PENDING, None)
    assert oversight_summary.exclusions_by_school(scenario["leader"], FILTERS).rows == []  # not counted yet

    later = timezone.now() + oversight_summary.PENDING_GRACE + datetime.timedelta(seconds=1)
    assert oversight_summary.oversight_refresh_sweep(now=later) == 0  # Redis still down: it stays pending
    settings.CELERY_BROKER_URL = private_redis.url  # Redis is back; beat runs the sweeper
    assert oversight_summary.oversight_refresh_sweep(now=later) == 1
    message = json.loads(private_redis.client.rpop("celery"))
    _, kwargs, _ = json.loads(base64.b64decode(message["body"]))
    assert (message["headers"]["task"], kwargs) == ("outcomes.tasks.oversight_refresh_run", {"refresh_id": refresh.pk})
    oversight_refresh_run_task(**kwargs)  # what the worker does with it
    assert oversight_summary.exclusions_by_school(scenario["leader"], FILTERS).rows == [
        ["The PRU itself", 0, 1, 1.5, 1]
    ]
    assert oversight_summary.oversight_refresh_sweep(now=later + datetime.timedelta(minutes=5)) == 0


def test_it_puts_a_stuck_refresh_back_in_the_queue(scenario):
    (refresh,) = oversight_refresh_request(pupil_ids=[scenario["pupils"][0].pk])
    OversightRefresh.objects.filter(pk=refresh.pk).update(
        status=Status.RUNNING, started_at=timezone.now() - datetime.timedelta(hours=1), attempts=1
    )
    oversight_summary.oversight_refresh_sweep()
    refresh.refresh_from_db()
    assert refresh.status == Status.PENDING


def test_it_rebuilds_everything_nightly(scenario):
    for index in range(4):  # written past the services (an admin fix, a script): nothing asked for a refresh
        _write(
            scenario,
            "exclusion",
            index,
            {
                "day": datetime.date(2026, 3, 2),
                "hour": 9,
                "permanent": True,
                "days": decimal.Decimal(0),
                "school": True,
            },
        )
    assert oversight_summary.exclusions_by_school(scenario["leader"], FILTERS).rows == []
    assert oversight_refresh_all() is True
    assert _tables(oversight_summary.TABLES, scenario["leader"], FILTERS) == _tables(
        oversight.TABLES, scenario["leader"], FILTERS
    )
    assert oversight_summary.exclusions_by_school(scenario["leader"], FILTERS).rows == [
        ["Millbrook Academy", 4, 0, 0.0, 4]
    ]
    assert OversightRefresh.objects.get(pupil=None).status == Status.DONE
    entry = app.conf.beat_schedule["oversight-refresh-nightly"]
    assert entry["task"] == "outcomes.tasks.oversight_refresh_nightly"
    assert entry["schedule"] == crontab(minute=30, hour=2)
    assert app.conf.beat_schedule["oversight-refresh-sweep"]["task"] == "outcomes.tasks.oversight_refresh_sweep"


# --- The page -------------------------------------------------------------------------------------------


def test_it_says_when_the_figures_were_computed(client, scenario):
    client.force_login(scenario["leader"])
    assert "The figures have not been computed yet" in client.get(URL).content.decode()
    oversight_refresh_all()
    computed = timezone.localtime(OversightRefresh.objects.get().started_at)
    html = client.get(URL).content.decode()
    assert f'Figures as of <time datetime="{computed.isoformat()}">{computed:%H:%M}</time>.' in html
    oversight_refresh_request(pupil_ids=[scenario["pupils"][0].pk])
    assert "the latest changes are still being counted" in client.get(URL).content.decode()


def test_it_refreshes_now_for_senior_leaders_only(client, scenario):
    url = reverse("oversight:refresh")
    for role in ("dsl", "staff", "specialist"):
        client.force_login(scenario[role])
        assert client.post(url).status_code == 403
    assert not OversightRefresh.objects.exists()
    client.force_login(scenario["leader"])
    assert client.get(url).status_code == 405  # a GET never writes
    response = client.post(url + "?start=2025-09-01&end=2026-08-31")
    assert response.status_code == 302
    assert response["Location"] == "/oversight/?start=2025-09-01&end=2026-08-31"
    (refresh,) = OversightRefresh.objects.all()
    assert (refresh.pupil_id, refresh.requested_by, refresh.status) == (None, scenario["leader"], Status.PENDING)
    client.logout()
    assert client.post(url)["Location"].startswith(reverse("login"))


def test_the_page_offers_refresh_now_as_a_form(client, scenario):
    client.force_login(scenario["leader"])
    html = client.get(URL, PERIOD).content.decode()
    assert re.search(r'<form method="post" action="/oversight/refresh/\?start=2025-09-01&amp;end=2026-08-31"', html)
    assert "csrfmiddlewaretoken" in html


def test_its_csv_exports_show_what_the_page_shows(client, scenario):
    for index, kind in enumerate(["sdq", "exclusion", "feedback", "referral"]):
        _write(
            scenario,
            kind,
            index,
            {
                "day": datetime.date(2026, 3, 2),
                "hour": 9,
                "informant": "self",
                "occasion": Occasion.BASELINE,
                "scales": {"emotional": 3},
                "permanent": False,
                "days": decimal.Decimal(1),
                "school": False,
                "ratings": {"listened_to": 4},
                "comment": "It helped.",
                "specialism": Specialism.SALT,
                "outcome": "waiting",
                "triage_hours": 0,
                "started_after": None,
            },
        )
    oversight_refresh_all()
    _write(
        scenario,
        "exclusion",
        1,
        {"day": datetime.date(2026, 3, 3), "hour": 9, "permanent": True, "days": decimal.Decimal(0), "school": True},
    )  # not yet counted: in neither
    client.force_login(scenario["leader"])
    page = client.get(URL, PERIOD)
    for table in page.context["tables"]:
        response = client.get(f"/oversight/export/{table.slug}.csv", PERIOD)
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0] == table.columns
        assert rows[1:] == [["" if v is None else str(v) for v in row] for row in table.rows], table.slug
    assert "Millbrook" not in page.content.decode()
