"""The home page: how many pupils on roll the reader can see, and the pupils they work with."""

from conftest import make_pupil
from pupils.models import Pupil


def test_it_counts_the_pupils_on_roll_in_scope_and_lists_the_ones_the_reader_works_with(
    client, staff, pupil, other_pupil, site, other_site
):
    mine = make_pupil(other_site, first_name="Kim", last_name="Keyworked", key_worker=staff)
    make_pupil(site, first_name="Lee", last_name="Left", status=Pupil.Status.ARCHIVED)
    client.force_login(staff)
    page = client.get("/").content.decode()
    # on roll at their centre (pupil) and key-worked elsewhere (mine); not the archived pupil nor other_pupil
    assert "2 pupils on roll that you can see." in page
    assert f'<a href="/pupils/{mine.pk}/">Kim Keyworked</a>' in page
    assert pupil.full_name not in page  # at their centre, but they do not work with this pupil


def test_it_lists_a_specialists_allocated_pupils_with_links_to_them(client, specialist, pupil, other_pupil):
    client.force_login(specialist)
    page = client.get("/").content.decode()
    assert "1 pupil on roll that you can see." in page
    assert f'<a href="/pupils/{pupil.pk}/">{pupil.full_name}</a>' in page
    assert other_pupil.full_name not in page
