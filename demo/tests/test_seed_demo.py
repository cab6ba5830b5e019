from django.core.management import call_command
from django.urls import reverse

from accounts.models import Agency, Site, User
from pupils.models import Allocation, Pupil


def test_it_loads_a_demo_data_set_with_every_role(db, capsys):
    call_command("seed_demo", "--pupils", "40")
    assert Pupil.objects.count() == 40
    assert Site.objects.count() == 2
    assert set(User.objects.values_list("role", flat=True)) == set(User.Role.values)
    assert Agency.objects.filter(kind=Agency.Kind.CAMHS).exists()
    assert Allocation.objects.exists()
    upns = list(Pupil.objects.values_list("upn", flat=True))
    assert len(set(upns)) == 40
    for pupil in Pupil.objects.all():
        pupil.full_clean()  # the generated data passes the model's own validation
    assert "Loaded 40 pupils" in capsys.readouterr().out


def test_it_adds_more_pupils_without_duplicating_people_and_skips_when_asked(db, capsys):
    call_command("seed_demo", "--pupils", "5")
    call_command("seed_demo", "--pupils", "7")
    assert Pupil.objects.count() == 12
    assert User.objects.filter(username="dsl").count() == 1
    call_command("seed_demo", "--if-empty")
    assert Pupil.objects.count() == 12


def test_it_prints_the_demo_logins(db, capsys):
    call_command("seed_demo", "--logins")
    out = capsys.readouterr().out
    assert "dsl" in out and "Designated safeguarding lead" in out and "password" in out


def test_demo_birthdays_match_their_year_groups():
    import datetime
    import random

    from demo.seed import date_of_birth_for, year_group_for

    rng = random.Random(1)
    for today in (datetime.date(2026, 11, 23), datetime.date(2027, 7, 1)):
        for year in range(7, 12):
            for _ in range(50):
                assert year_group_for(date_of_birth_for(year, today, rng), today) == year


def test_the_demo_shows_meetings_at_every_stage(db, tmp_path, settings):
    """This week's MDT at each centre with its agenda built and core members invited, last week's closed MDT with its
    minutes and carried-over cases, and a closed TAC with an action plan, its PDFs and the family's letter."""
    import io

    from pypdf import PdfReader

    from meetings.models import Action, AgendaItem, Meeting, PdfJob, SharingBasis
    from meetings.tasks import pdf_job_render

    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", "--pupils", "60")

    basis = SharingBasis.objects.get(site=None)
    assert basis.core_people.count() >= 5 and basis.core_agencies.exists()
    for site in Site.objects.all():
        planned = Meeting.objects.get(site=site, kind=Meeting.Kind.MDT, status=Meeting.Status.PLANNED)
        assert planned.items.count() >= 5
        invited = set(planned.invitees.values_list("user__username", flat=True))
        assert {"salt", "camhs", "yjs"} <= invited

    closed = Meeting.objects.get(kind=Meeting.Kind.MDT, status=Meeting.Status.CLOSED)
    assert closed.items.filter(status=AgendaItem.Status.DISCUSSED).count() == 5
    assert closed.next_meeting.items.filter(reasons__contains=[{"kind": AgendaItem.Reason.CARRIED_OVER}]).exists()
    assert PdfJob.objects.filter(meeting=closed, kind=PdfJob.Kind.MINUTES).exists()

    tac = Meeting.objects.get(kind=Meeting.Kind.TAC, status=Meeting.Status.CLOSED)
    assert Action.objects.filter(agreed_at__meeting=tac).count() == 3
    assert tac.next_review_on is not None
    letter = PdfJob.objects.get(meeting=tac, kind=PdfJob.Kind.FAMILY_LETTER)
    assert set(PdfJob.objects.filter(meeting=tac).values_list("kind", flat=True)) >= {
        PdfJob.Kind.ACTION_PLAN,
        PdfJob.Kind.FAMILY_LETTER,
    }
    pdf_job_render(letter.pk)
    letter.refresh_from_db()
    with letter.file.open("rb") as handle:
        text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(handle.read())).pages).split())
    assert "Northfield Learning Centre" in text and "0161 000 0101" in text
    assert f"We will meet again on {tac.next_review_on:%A} {tac.next_review_on.day}" in text
    assert "each morning" in text and "PSO to monitor" not in text


def test_loading_the_demo_again_adds_no_second_set_of_meetings(db):
    from meetings.models import Meeting

    call_command("seed_demo", "--pupils", "30")
    count = Meeting.objects.count()
    call_command("seed_demo", "--pupils", "5")
    assert Meeting.objects.count() == count == 4


def test_the_demo_has_the_agencies_a_pru_asks_and_people_start_with_their_alerts(db, client):
    """GP, school nurse, housing, a previous school and another local authority are in the directory and can be
    asked for information; the DSL's bell already holds the fortnight's safeguarding concerns and the due
    reminders, and telling them again tells nobody twice."""
    import datetime

    from django.utils import timezone

    from accounts.models import Notification
    from concerns.models import Concern
    from demo import alerts
    from referrals.forms import InformationRequestForm

    call_command("seed_demo", "--pupils", "60")
    kinds = dict(Agency.objects.values_list("name", "kind"))
    assert kinds["Millbrook Road Medical Practice"] == Agency.Kind.HEALTH
    assert kinds["Millbrook School Nursing Service"] == Agency.Kind.HEALTH
    assert kinds["Millbrook Housing Options"] == Agency.Kind.HOUSING
    assert kinds["Parkside Community School"] == Agency.Kind.SCHOOL
    assert kinds["Eastgate Borough Council Children's Services"] == Agency.Kind.LOCAL_AUTHORITY
    offered = {agency.name for agency in InformationRequestForm().fields["agency"].queryset}
    assert {"Millbrook Road Medical Practice", "Millbrook Housing Options", "Parkside Community School"} <= offered

    dsl = User.objects.get(username="dsl")
    recent = Concern.objects.filter(
        category=Concern.Category.SAFEGUARDING, logged_at__gte=timezone.now() - datetime.timedelta(days=14)
    ).exclude(logged_by=dsl)
    assert recent.exists()
    told = Notification.objects.filter(recipient=dsl, kind=Notification.Kind.SAFEGUARDING_CONCERN)
    assert set(told.values_list("object_id", flat=True)) == set(recent.values_list("pk", flat=True))
    assert Notification.objects.exclude(kind__in=Notification.EVENT_KINDS).exists()  # the reminder pass ran
    before = Notification.objects.count()
    users = {user.username: user for user in User.objects.all()}
    assert alerts.seed(users=users) == 0
    assert Notification.objects.count() == before

    # the DSL's outside work: every escalated referral is tracked, one escalation is overdue and its owner reminded,
    # and the pupils known to social care have their last statutory meeting on record
    from concerns.models import Escalation, StatutoryMeeting
    from referrals.models import Referral

    assert not Referral.objects.filter(status=Referral.Status.ESCALATED, escalation_record__isnull=True).exists()
    overdue = Escalation.objects.filter(status=Escalation.Status.OPEN, due_on__lt=timezone.localdate())
    assert overdue.exists()
    assert Notification.objects.filter(
        kind=Notification.Kind.ESCALATION_DUE, object_id__in=overdue.values("pk"), recipient=dsl
    ).exists()
    assert StatutoryMeeting.objects.filter(next_on__gt=timezone.localdate()).exists()
    assert client.get(reverse("concerns:escalations")).status_code == 302  # signed out

    client.force_login(dsl)
    queue = client.get(reverse("concerns:escalations")).content.decode()
    assert overdue.first().pupil.last_name in queue
    page = client.get(reverse("notifications"))
    assert page.status_code == 200
    assert recent.first().pupil.first_name in page.content.decode()
