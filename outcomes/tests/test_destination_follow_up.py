import datetime

import pytest

from outcomes.models import DestinationFollowUp
from outcomes.services import EditConflict, destination_follow_up_save


def test_it_refuses_a_correction_made_from_an_old_version_with_what_it_now_says(pupil, dsl, leader):
    left = datetime.date.today() - datetime.timedelta(days=120)
    pupil.entry_date = left - datetime.timedelta(days=200)
    pupil.exit_date = left
    pupil.save()
    checked = left + datetime.timedelta(days=90)
    first = destination_follow_up_save(
        pupil=pupil, by=dsl, checkpoint="3m", status=DestinationFollowUp.Status.EDUCATION, checked_on=checked
    )
    destination_follow_up_save(
        pupil=pupil,
        by=leader,
        checkpoint="3m",
        status=DestinationFollowUp.Status.EMPLOYMENT,
        checked_on=checked,
        version=first.version,
    )
    with pytest.raises(EditConflict) as refused:
        destination_follow_up_save(
            pupil=pupil,
            by=dsl,
            checkpoint="3m",
            status=DestinationFollowUp.Status.NEET,
            checked_on=checked,
            version=first.version,
        )
    assert "It now says: Employment with training" in str(refused.value)
    assert DestinationFollowUp.objects.get(pupil=pupil).status == DestinationFollowUp.Status.EMPLOYMENT
