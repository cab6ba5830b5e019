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
