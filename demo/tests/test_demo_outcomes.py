"""The outcome measures in the demo data set: consistent scores, valid rows, figures on the dashboard."""

import datetime

from demo import seed as demo
from outcomes import oversight, sdq
from outcomes.models import AttendanceWeek, DestinationFollowUp, ReadingTest, SDQResponse
from outcomes.models.measures import Occasion
from pupils.models import Pupil


def test_it_seeds_outcomes_for_the_demo_pupils(db):
    demo.seed(pupils=30)  # seeds the outcome measures through demo_outcomes.seed
    pupils = list(Pupil.objects.all())
    users = {user.username: user for user in demo._people()[1].values()}

    baselines = SDQResponse.objects.filter(occasion=Occasion.BASELINE)
    assert baselines.count() >= 20  # most pupils
    leavers = [p for p in pupils if p.exit_date]
    assert SDQResponse.objects.filter(occasion=Occasion.ENDLINE).count() == len(leavers)
    for response in SDQResponse.objects.all()[:20]:
        response.full_clean()
        expected = sdq.score({int(k): v for k, v in response.answers.items()}, response.informant)
        assert response.total_difficulties == expected.total_difficulties
    assert AttendanceWeek.objects.filter(sessions_attended__gt=0).exists()
    assert not AttendanceWeek.objects.filter(week_starting__week_day__in=[1, 3, 4, 5, 6, 7]).exists()
    assert ReadingTest.objects.exists()
    assert not DestinationFollowUp.objects.filter(pupil__exit_date__isnull=True).exists()  # leavers only

    leader = users["head"]
    filters = oversight.Filters(start=datetime.date(2000, 1, 1), end=datetime.date.today())
    assert oversight.attendance_change(leader, filters).rows
