"""The meeting pages log the pupils they name, and only those."""

from django.urls import reverse

from meetings import services
from pru_cases.models import AccessEvent


def test_the_access_log_is_not_written_for_pupils_a_page_holds_back(client, mdt, item, other_pupil, leader, staff):
    """The meeting page names only the cases the reader may see; the one held back is not logged as read."""
    services.agenda_add_pupil(meeting=mdt, by=leader, pupil=other_pupil)
    client.force_login(staff)
    url = reverse("meetings:detail", args=[mdt.pk])
    body = client.get(url).content.decode()
    assert "Casey" not in body
    pupils = set(AccessEvent.objects.filter(user=staff, path=url).values_list("pupil_id", flat=True))
    assert pupils == {item.pupil_id}


def test_every_read_of_a_tac_meeting_is_logged_against_its_pupil(client, tac, dsl, family_worker):
    """A TAC meeting is about one pupil: fetching it is a read of that pupil, whatever the page does next."""
    client.force_login(family_worker)
    for url in (reverse("meetings:detail", args=[tac.pk]), reverse("meetings:screen", args=[tac.pk])):
        assert client.get(url).status_code == 200
        assert AccessEvent.objects.filter(user=family_worker, path=url, pupil=tac.pupil, outcome="allowed").exists()


def test_a_meeting_outside_the_readers_scope_is_a_logged_404(client, tac, other_staff):
    client.force_login(other_staff)
    url = reverse("meetings:detail", args=[tac.pk])
    assert client.get(url).status_code == 404
    row = AccessEvent.objects.get(user=other_staff, path=url)
    assert (row.outcome, row.pupil_id) == (AccessEvent.Outcome.DENIED, tac.pupil_id)
