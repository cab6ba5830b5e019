"""Nothing typed is cut: a long account is kept whole, and text over a limit is refused with the text kept."""

import re

from django import forms
from django.urls import reverse

from concerns.forms import CONCERN_LIMIT
from concerns.models import Concern
from pru_cases.lib.forms import LongText

NEW = "/pupils/concerns/new/"


def _account(length: int) -> str:
    sentence = "He said the older boys at the bus stop made him carry a bag for them. "
    return (sentence * (length // len(sentence) + 1))[:length]


def test_a_long_account_of_an_incident_is_kept_whole(client, staff, pupil):
    client.force_login(staff)
    account = _account(6500)
    response = client.post(NEW, {"pupil": pupil.pk, "category": "safeguarding", "seen": account})
    assert response.status_code == 302
    assert Concern.objects.get().seen == account.strip()


def test_text_over_the_limit_is_refused_and_kept_in_the_form(client, staff, pupil):
    client.force_login(staff)
    account = _account(CONCERN_LIMIT + 25)
    response = client.post(NEW, {"pupil": pupil.pk, "category": "safeguarding", "seen": account})
    assert response.status_code == 400
    page = response.content.decode()
    assert f"This is {CONCERN_LIMIT + 25} characters; the limit is {CONCERN_LIMIT}." in page
    assert account.strip()[-60:].replace("'", "&#x27;") in page  # the end of the text is still there
    assert not Concern.objects.exists()


def test_no_text_area_on_the_busy_forms_carries_a_maxlength(client, staff, leader, pupil):
    client.force_login(staff)
    pages = [NEW, reverse("referrals:new", args=[pupil.pk])]
    for url in pages:
        page = client.get(url).content.decode()
        areas = re.findall(r"<textarea[^>]*>", page)
        assert areas, url
        assert not [area for area in areas if "maxlength" in area], url
        assert all("data-limit" in area for area in areas), url


def test_a_long_text_field_counts_instead_of_cutting():
    class Form(forms.Form):
        note = LongText(max_length=10)

    form = Form({"note": "x" * 12})
    assert "maxlength" not in str(form["note"]) and 'data-limit="10"' in str(form["note"])
    assert not form.is_valid()
    assert form.errors["note"] == [
        "This is 12 characters; the limit is 10. Nothing was cut: shorten it and save again."
    ]
