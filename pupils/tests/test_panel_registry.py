"""The pupil page's panels come from the apps above pupils, registered in their AppConfig.ready()."""

import types

import pytest

from pupils import panels


def test_the_apps_register_their_panels_in_page_order():
    assert [panel.__name__ for panel in panels.panels()] == [
        "referrals.panels",
        "concerns.panels",
        "families.panels",
        "meetings.panels",
    ]


def test_registering_twice_changes_nothing_and_an_incomplete_panel_is_refused():
    before = panels.panels()
    panels.register(before[0], order=10)
    assert panels.panels() == before
    with pytest.raises(TypeError, match="has no pupil_panel"):
        panels.register(types.ModuleType("half_a_panel"), order=5)
    assert panels.panels() == before


@pytest.mark.django_db
def test_each_panel_is_drawn_on_the_pupil_page(client, dsl, pupil):
    client.force_login(dsl)
    response = client.get(f"/pupils/{pupil.pk}/")
    drawn = {template.name for template in response.templates}
    assert {panel.TEMPLATE for panel in panels.panels()} <= drawn
