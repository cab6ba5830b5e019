"""Health detail never reaches other agencies: every page, fragment, export, PDF, history view and admin page.

Every field in the health field group (pru_cases.access.FieldGroup.HEALTH), in every app, holds a unique
sentinel (pru_cases/tests/world.py), and so does every record that is health detail because of what it is
about (ROW_FIELD_GROUPS: a CAMHS referral, its triage note and goals, the CAMHS worker's allocation and an
answer from the CAMHS agency). Each role that may not read health detail then fetches every URL the
seeded ids can fill, as a page and as an htmx fragment, every PDF and CSV among them, and the admin's
changelists and change pages; no sentinel may appear. Health staff and the DSL do see them, so the walk
cannot pass by reaching nothing. pupils/tests/test_health_detail.py keeps the pupil page's own checks.
"""

import io

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import NoReverseMatch, reverse
from pypdf import PdfReader

from pru_cases.tests.world import HEALTH_SENTINELS, build_world, seeded_urls

NOT_HEALTH = ("staff", "specialist", "family_worker", "leader", "admin_user")


def _filtered_lists(world) -> list[str]:
    """Lists whose default filter would leave out a seeded record: answered requests, every referral to CAMHS,
    every intervention and the CAMHS worker's caseload."""
    return [
        "/referrals/information-requests/?status=answered",
        "/referrals/information-requests/?status=",
        "/referrals/?specialism=camhs",
        "/referrals/caseload/?status=",
        f"/referrals/caseload/?status=&specialist={world.health_specialist_id}",
        "/referrals/triage/?status=",
    ]


@pytest.fixture
def world(pupil, dsl, leader, staff, specialist, health_specialist, family_worker):
    world = build_world(
        pupil=pupil,
        dsl=dsl,
        leader=leader,
        staff=staff,
        specialist=specialist,
        health_specialist=health_specialist,
        family_worker=family_worker,
    )
    world.health_specialist_id = health_specialist.pk
    return world


def _text(response) -> tuple[str, str]:
    """The body as text, and what kind of document it was (PDFs through pypdf)."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "").split(";")[0]
    if kind == "application/pdf":
        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages), kind
    return content.decode(errors="replace"), kind


def _admin_urls() -> list[str]:
    urls = []
    for model in admin.site._registry:
        opts = model._meta
        try:
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        except NoReverseMatch:
            continue
        for pk in model._default_manager.order_by("-pk").values_list("pk", flat=True)[:3]:
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk]))
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[pk]))
    return urls


def _fetch_all(client: Client, world) -> dict[str, tuple[int, str, str]]:
    """Every seeded URL, plain and as htmx, and every admin page: url -> (status, kind, text)."""
    seen = {}
    for url in [*seeded_urls(world), *_filtered_lists(world)]:
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers=headers)
            text, kind = _text(response)
            seen[url + (" [htmx]" if headers else "")] = (response.status_code, kind, text)
    for url in _admin_urls():
        response = client.get(url)
        text, kind = _text(response)
        seen[url] = (response.status_code, kind, text)
    return seen


@pytest.mark.parametrize("role", NOT_HEALTH)
def test_no_sentinel_reaches_a_role_without_health_access(request, world, role):
    client = Client(raise_request_exception=False)
    client.force_login(request.getfixturevalue(role))
    seen = _fetch_all(client, world)
    leaks = [
        (url, name)
        for url, (_status, _kind, text) in seen.items()
        for name, sentinel in HEALTH_SENTINELS.items()
        if sentinel in text
    ]
    assert not leaks, leaks
    assert not [url for url, (status, _kind, _text) in seen.items() if status >= 500]
    shown = [url for url, (status, _kind, _text) in seen.items() if status == 200]
    assert len(shown) > (5 if role == "admin_user" else 20), shown  # the walk reached real pages


def test_it_walks_pdfs_csvs_fragments_history_and_admin(request, world, leader, dsl):
    """The kinds of output the policy must cover are really in the walk (seen by someone who may open them)."""
    kinds = {}
    for user in (leader, dsl):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        for url, (status, kind, _text) in _fetch_all(client, world).items():
            if status == 200:
                kinds.setdefault(kind, []).append(url)
    assert {"text/html", "application/pdf", "text/csv"} <= kinds.keys(), kinds.keys()
    pages = kinds["text/html"]
    assert any(url.endswith("/history/") and url.startswith("/pupils/") for url in pages)
    assert any(url.endswith("[htmx]") for url in pages)
    assert any(url.startswith("/admin/pupils/") for url in pages)
    assert len(kinds["application/pdf"]) >= 3


def test_health_staff_see_the_record_and_their_own_session_notes(client, health_specialist, world):
    client.force_login(health_specialist)
    body = client.get(f"/pupils/{world.ids['pupil']}/").content.decode()
    for name in ("conditions", "medication", "allergies", "notes"):
        assert HEALTH_SENTINELS[name] in body, name
    assert HEALTH_SENTINELS["camhs_allocation"] in body
    body = client.get(f"/referrals/{world.ids['camhs_referral']}/").content.decode()
    for name in ("camhs_session", "camhs_referral", "camhs_triage_note", "camhs_goals"):
        assert HEALTH_SENTINELS[name] in body, name


def test_the_dsl_sees_the_answer_from_camhs_in_the_information_requests(client, dsl, world):
    client.force_login(dsl)
    body = client.get("/referrals/information-requests/?status=answered").content.decode()
    assert HEALTH_SENTINELS["camhs_answer"] in body


@pytest.mark.parametrize("role", ["staff", "family_worker", "leader"])
def test_others_learn_only_that_a_health_service_is_involved(client, request, world, health_specialist, role):
    """A teacher must know a specialist health service is involved, not which one, who, or why."""
    client.force_login(request.getfixturevalue(role))
    body = client.get(f"/pupils/{world.ids['pupil']}/").content.decode()
    team = body.split('id="team"')[1].split("</ul>")[0]  # the allocation form below lists every professional
    assert "A specialist health service also works with this pupil" in team
    assert str(health_specialist) not in team and health_specialist.agency.name not in body
    assert "CAMHS" not in team
    assert "1 to a specialist health service" in body  # the open referral, without its specialism
    assert client.get(f"/referrals/{world.ids['camhs_referral']}/").status_code == 404
    answered = client.get("/referrals/information-requests/?status=answered")
    if answered.status_code == 200:  # the roles that may ask agencies see that CAMHS answered, not what
        text = answered.content.decode()
        assert "health detail: seen by health staff and the DSL" in text
        assert HEALTH_SENTINELS["camhs_answer"] not in text


def test_the_dsl_sees_every_sentinel_somewhere(dsl, world):
    client = Client(raise_request_exception=False)
    client.force_login(dsl)
    everything = "\n".join(text for _status, _kind, text in _fetch_all(client, world).values())
    missing = [name for name, sentinel in HEALTH_SENTINELS.items() if sentinel not in everything]
    assert not missing, missing


def test_the_dsl_sees_health_changes_in_the_history(client, dsl, world):
    """The history view is in the walk above; here the health changes are really in it for those who may read them."""
    client.force_login(dsl)
    body = client.get(f"/pupils/{world.ids['pupil']}/history/").content.decode()
    assert HEALTH_SENTINELS["conditions"] in body


@pytest.mark.parametrize(
    "role,record,session",
    [
        ("staff", None, {"health_notes"}),
        ("specialist", None, {"health_notes"}),
        ("family_worker", None, {"health_notes"}),
        ("leader", None, {"health_notes"}),
        ("health_specialist", set(), set()),
        ("dsl", set(), set()),
    ],
)
def test_the_policy_names_the_hidden_fields_for_each_role(request, role, record, session):
    from pru_cases.access import unreadable_fields

    user = request.getfixturevalue(role)
    assert unreadable_fields(user, "pupils.HealthRecord") == (None if record is None else frozenset(record))
    assert unreadable_fields(user, "referrals.InterventionSession") == frozenset(session)
    assert unreadable_fields(user, "pupils.Pupil") == frozenset()
    # an answer is health detail only on rows from a health agency, but is never shown or filtered on generically
    assert unreadable_fields(user, "referrals.InformationRequest") == (
        frozenset({"answer"}) if session else frozenset()
    )


def test_it_hides_the_answer_only_on_rows_from_a_health_agency(staff, dsl, world):
    from pru_cases.access import hidden_row_fields
    from referrals.models import InformationRequest

    camhs = InformationRequest.objects.get(pk=world.ids["camhs_information_request"])
    yjs = InformationRequest.objects.get(pk=world.ids["information_request"])
    assert hidden_row_fields(staff, camhs) == frozenset({"answer"})
    assert hidden_row_fields(staff, yjs) == frozenset()
    assert hidden_row_fields(dsl, camhs) == frozenset()


def test_it_keeps_the_health_specialisms_in_step_with_the_agencies_that_take_them():
    from accounts.models import AGENCY_KIND_OF, Agency
    from pru_cases.access import HEALTH_SPECIALISMS

    taken_by_health = {specialism for specialism, kind in AGENCY_KIND_OF.items() if kind in Agency.HEALTH_KINDS}
    assert taken_by_health == HEALTH_SPECIALISMS


def test_every_health_text_field_in_the_policy_is_seeded_with_a_sentinel(world):
    """A field added to the health group must get a sentinel in world.py, or this walk would not cover it."""
    from django.apps import apps
    from django.db import models

    from pru_cases.access import FIELD_GROUP_FIELDS, FieldGroup

    seeded = set(HEALTH_SENTINELS.values())
    for label, fields in FIELD_GROUP_FIELDS[FieldGroup.HEALTH].items():
        model = apps.get_model(label)
        names = fields or {
            f.name for f in model._meta.concrete_fields if isinstance(f, (models.TextField, models.CharField))
        }
        for name in names:
            values = set(model.objects.exclude(**{name: ""}).values_list(name, flat=True))
            assert values and values <= seeded, (label, name, values)


def test_every_health_row_rule_is_seeded_with_a_sentinel(world):
    """Rows in the health group because of what they are about: the world holds at least one of each, and every
    free text on them that is filled in is a sentinel (choices such as the specialism are not free text)."""
    from django.apps import apps
    from django.db import models

    from pru_cases.access import ROW_FIELD_GROUPS, FieldGroup

    seeded = set(HEALTH_SENTINELS.values())
    for label, rule in ROW_FIELD_GROUPS[FieldGroup.HEALTH].items():
        model = apps.get_model(label)
        rows = model.objects.filter(rule.rows)
        assert rows.exists(), label
        names = rule.fields or {
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, (models.TextField, models.CharField)) and not f.choices
        }
        filled = [value for name in names for value in rows.exclude(**{name: ""}).values_list(name, flat=True)]
        assert filled and set(filled) <= seeded, (label, filled)


def test_the_history_would_hide_health_rows_from_anyone_else_given_it(client, staff, world, monkeypatch):
    """Only the DSL reads the history today; were it opened to PRU staff, the policy would still hide health rows."""
    from pru_cases import access

    monkeypatch.setitem(access._ACTIONS, access.Action.VIEW_HISTORY, frozenset({access.Role.DSL, access.Role.STAFF}))
    client.force_login(staff)
    response = client.get(f"/pupils/{world.ids['pupil']}/history/?page=1")
    assert response.status_code == 200
    text = response.content.decode()
    for page in range(2, response.context["page"].paginator.num_pages + 1):
        text += client.get(f"/pupils/{world.ids['pupil']}/history/?page={page}").content.decode()
    assert "Referral" in text  # the YJS referral's history is there
    leaks = [name for name, sentinel in HEALTH_SENTINELS.items() if sentinel in text]
    assert not leaks, leaks
