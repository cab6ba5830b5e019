from django.core.management import call_command

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
