"""Every document is built for the person who receives or downloads it: the document walk.

Two pupils with distinctive names: the world's pupil (pru_cases/tests/world.py, at Northfield, with a record in
every app) and a Riverside pupil whom most of the cast may not see. Both are cases at a closed MDT where only the
DSL was marked present, so the old rule (build the minutes from the people present) would print both names for
anyone. Then, as every role of the test cast:

- every kind of PDF (each `PdfJob.Kind`) is built for that person and read back with pypdf, and every copy in the
  database is fetched through the download URL;
- every CSV export in the URLconf is fetched;
- every notification email (each `Notification.Kind`, immediate and in the daily digest) and the break-glass
  alert are sent to them;

and no document may name a pupil outside their scope (`pupils_visible_to`). It is not vacuous: a reader who may
see a pupil does find the name in the minutes and the one-pupil documents. A new PDF kind, CSV view or email
template fails `test_every_document_kind_is_walked` until it is added here.
"""

from __future__ import annotations

import datetime
import inspect
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import get_resolver
from pypdf import PdfReader

from conftest import make_pupil
from pru_cases.tests.cast import CAST
from pru_cases.tests.world import FIRST_NAME, LAST_NAME, build_world
from pupils.selectors import pupils_visible_to

OUT_FIRST, OUT_LAST = "Ottoline", "Farrowgate"  # the Riverside pupil

# What the walk covers. Adding a kind of document means adding it here and to the walk below.
WALKED_PDF_KINDS = {"minutes", "action_plan", "family_letter"}
WALKED_CSV_VIEWS = {"outcomes.oversight_views.export"}
WALKED_EMAIL_TEMPLATES = {"notification", "digest"}
# Modules that make documents: PDFs (render_pdf), CSV responses, emails. Any other module doing so is unwalked.
DOCUMENT_MODULES = {
    "pdf": {"pru_cases/pdf.py", "meetings/services.py", "meetings/views.py"},
    "csv": {"outcomes/oversight_views.py"},
    "email": {"accounts/notifications.py", "pru_cases/security.py"},
}
MARKERS = {
    "pdf": ("render_pdf(", "html_to_pdf(", "application/pdf"),
    "csv": ("text/csv", "csv.writer"),
    "email": ("send_mail(", "EmailMessage(", "EmailMultiAlternatives(", "send_mass_mail("),
}


# The world ---------------------------------------------------------------------------------------------------


@pytest.fixture
def private_files(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # no broker: jobs are rendered in the test


@pytest.fixture
def world(private_files, pupil, other_site, dsl, leader, staff, specialist, health_specialist, family_worker):
    from meetings import services
    from meetings.models import Action, Invitee, Meeting

    built = build_world(
        pupil=pupil,
        dsl=dsl,
        leader=leader,
        staff=staff,
        specialist=specialist,
        health_specialist=health_specialist,
        family_worker=family_worker,
        pdfs=False,
    )
    pupil.refresh_from_db()
    elsewhere = make_pupil(other_site, first_name=OUT_FIRST, last_name=OUT_LAST)
    today = datetime.date.today()
    mdt = services.meeting_create(
        by=leader,
        kind=Meeting.Kind.MDT,
        title="Weekly MDT",
        held_on=today,
        chair=leader,
        minute_taker=staff,
        invite=[dsl, specialist, health_specialist, family_worker],
    )
    mdt.invitees.filter(user=dsl).update(attendance=Invitee.Attendance.PRESENT)  # only the DSL marked present
    for case in (pupil, elsewhere):
        item = services.agenda_add_pupil(meeting=mdt, by=leader, pupil=case)
        services.discussion_record(item=item, by=dsl, text=f"Discussed the case of pupil {case.pk}.")
        services.action_add(
            item=item,
            by=dsl,
            description=f"Action for pupil {case.pk}",
            owner_kind=Action.Owner.AGENCY,
            owner_agency=dsl.agency,
            due_on=today + datetime.timedelta(days=7),
            success_criteria="Done",
        )
    services.meeting_close(meeting=mdt, by=leader)
    for job in mdt.pdf_jobs.all():  # the chair's own copy, made at closing: nobody else may fetch it
        services.pdf_job_render(job_id=job.pk)
    built.ids["mdt"] = mdt.pk
    built.ids["elsewhere"] = elsewhere.pk
    return built


def _names() -> dict[int, tuple[str, ...]]:
    from pupils.models import Pupil

    return {
        pupil.pk: (pupil.first_name, pupil.last_name)
        for pupil in Pupil.objects.filter(last_name__in=[LAST_NAME, OUT_LAST])
    }


def _named(text: str) -> set[int]:
    """The pupils a document names (either name counts)."""
    return {pk for pk, names in _names().items() if any(name in text for name in names)}


def _leaks(user, text: str) -> set[int]:
    named = _named(text)
    return named - set(pupils_visible_to(user).filter(pk__in=named).values_list("pk", flat=True))


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


# PDFs --------------------------------------------------------------------------------------------------------


def _copies_for(user, world) -> dict[str, str]:
    """Every kind of PDF for every closed meeting of the world, built for `user` (bypassing the pages' own
    checks, so the builders themselves are tested): label -> text, for the copies that were made."""
    from meetings.models import Meeting, PdfJob
    from meetings.services import PDF_KINDS_FOR, pdf_job_render

    texts = {}
    for meeting in Meeting.objects.filter(pk__in=[world.ids["mdt"], world.ids["meeting"]]):
        for kind in PDF_KINDS_FOR[meeting.kind]:
            job = PdfJob.objects.create(meeting=meeting, kind=kind, requested_by=user)
            pdf_job_render(job_id=job.pk)
            job.refresh_from_db()
            if job.status == PdfJob.Status.DONE:
                with job.file.open("rb") as handle:
                    texts[f"{meeting.get_kind_display()} {kind} #{job.pk}"] = _pdf_text(handle.read())
    return texts


@pytest.mark.parametrize("role", CAST)
def test_no_pdf_names_a_pupil_outside_its_readers_scope(request, world, role):
    from meetings.models import PdfJob

    user = request.getfixturevalue(role)
    texts = _copies_for(user, world)
    leaks = {label: _leaks(user, text) for label, text in texts.items() if _leaks(user, text)}
    assert not leaks, leaks
    # Not vacuous: whoever may see a pupil finds them in the minutes (and in the TAC's one-pupil documents).
    visible = set(pupils_visible_to(user).filter(pk__in=_names()).values_list("pk", flat=True))
    minutes = [text for label, text in texts.items() if " minutes " in label]
    if world.ids["pupil"] in visible:
        assert all(FIRST_NAME in text or LAST_NAME in text for text in texts.values()), texts.keys()
        assert {kind for kind in PdfJob.Kind.values if any(f" {kind} " in label for label in texts)} == set(
            PdfJob.Kind.values
        )
    if visible:
        assert minutes and any(_named(text) for text in minutes)

    # Through the pages: every copy anyone has, fetched as this person; what they may download is theirs.
    client = Client(raise_request_exception=False)
    client.force_login(user)
    for job in PdfJob.objects.filter(status=PdfJob.Status.DONE):
        response = client.get(f"/meetings/pdf/{job.pk}/download/")
        if job.requested_by_id != user.pk:
            assert response.status_code == 404, (job.pk, response.status_code)
        elif response.status_code == 200:
            assert not _leaks(user, _pdf_text(b"".join(response.streaming_content)))


def test_the_dsl_sees_both_pupils_in_the_minutes(dsl, world):
    minutes = [text for label, text in _copies_for(dsl, world).items() if "MDT" in label]
    assert minutes and _named(minutes[0]) == {world.ids["pupil"], world.ids["elsewhere"]}


# CSV exports --------------------------------------------------------------------------------------------------


def _csv_routes() -> dict[str, str]:
    """route -> dotted name of its view, for every view in the URLconf that writes CSV."""
    found = {}
    for route, callback in _walk_with_views(get_resolver().url_patterns):
        source = inspect.getsource(inspect.unwrap(callback))
        if any(marker in source for marker in MARKERS["csv"]):
            found[route] = f"{callback.__module__}.{callback.__name__}"
    return found


def _walk_with_views(patterns, prefix: str = ""):
    from django.urls import URLPattern, URLResolver

    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if prefix + str(pattern.pattern) == "admin/":
                continue
            yield from _walk_with_views(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def _csv_urls() -> list[str]:
    from outcomes.oversight import TABLES

    urls = []
    for route in _csv_routes():
        assert route == "oversight/export/<slug:slug>.csv", route  # a new CSV route: walk it below
        today = datetime.date.today()
        period = f"start={today - datetime.timedelta(days=365)}&end={today}"
        urls += [f"/oversight/export/{slug}.csv?{period}" for slug in TABLES]
    return urls


@pytest.mark.parametrize("role", CAST)
def test_no_csv_names_a_pupil_outside_its_readers_scope(request, world, role):
    """The exports hold figures, not names: they may name no pupil at all (else they would need access-log rows)."""
    from outcomes.models import FamilyFeedback
    from outcomes.oversight_summary import oversight_summaries_rebuild

    FamilyFeedback.objects.create(
        pupil_id=world.ids["pupil"],
        given_on=datetime.date.today(),
        moment=FamilyFeedback.Moment.AFTER_TAC,
        respondent=FamilyFeedback.Respondent.PARENT,
        listened_to=5,
        difference_made="Much calmer at home now.",
        recorded_by=request.getfixturevalue("dsl"),
    )
    oversight_summaries_rebuild()  # the row above bypasses the services, which would ask for a refresh
    user = request.getfixturevalue(role)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    fetched = 0
    for url in _csv_urls():
        response = client.get(url)
        assert response.status_code in (200, 403), (url, response.status_code)
        if response.status_code == 200:
            fetched += 1
            text = response.content.decode()
            assert response["Content-Type"].startswith("text/csv")
            assert not _named(text), (url, _named(text))
            if "family-comments" in url:
                assert "Much calmer at home now." in text  # not vacuous: the export holds the world's data
    assert fetched == (len(_csv_urls()) if role == "leader" else 0)


# Emails --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", CAST)
def test_no_email_names_a_pupil(request, settings, world, role):
    """Emails leave the system, so they name no pupil at all, in scope or not: every notification kind, sent at
    once and in the digest, and the break-glass alert."""
    from accounts.models import EmailPreference, Notification
    from accounts.notifications import notification_digests_send, notification_emails_send

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = request.getfixturevalue(role)
    type(user).objects.filter(pk=user.pk).update(email=f"{user.username}@example.org")
    user.refresh_from_db()
    paths = {"action": f"/meetings/actions/{world.ids['action']}/", "meeting": f"/meetings/{world.ids['meeting']}/"}
    for preference, send in (
        (EmailPreference.IMMEDIATE, notification_emails_send),
        (EmailPreference.DAILY, notification_digests_send),
    ):
        type(user).objects.filter(pk=user.pk).update(email_preference=preference)
        Notification.objects.bulk_create(
            Notification(
                recipient=user,
                kind=kind,
                object_id=world.ids["action"],
                occasion=f"{preference[0]}{n}",
                due_on=datetime.date.today(),
                count=2,
                path=paths["action" if "action" in kind else "meeting"],
            )
            for n, kind in enumerate(Notification.Kind.values)
        )
        mail.outbox = []
        assert send() >= 1
        sent = "\n".join(
            f"{m.subject}\n{m.body}\n{m.alternatives[0][0] if m.alternatives else ''}" for m in mail.outbox
        )
        assert paths["action"] in sent  # not vacuous: the emails were really built for this person
        assert not _named(sent), (preference, _named(sent))


def test_the_break_glass_alert_names_no_pupil(rf, settings, world, other_staff, dsl):
    from pru_cases.security import break_glass_grant, break_glass_notify
    from pupils.models import Pupil

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    type(dsl).objects.filter(pk=dsl.pk).update(email="dsl@example.org")
    request = rf.get("/account/break-glass/")
    request.user = other_staff
    grant = break_glass_grant(
        request=request,
        user=other_staff,
        pupil=Pupil.objects.get(pk=world.ids["pupil"]),
        reason="Covering at Northfield today and a disclosure was made to me.",
    )
    mail.outbox = []
    break_glass_notify(grant_id=grant.pk)
    assert len(mail.outbox) == 1 and str(world.ids["pupil"]) in mail.outbox[0].body
    assert not _named(mail.outbox[0].subject + mail.outbox[0].body)


# Nothing escapes the walk -------------------------------------------------------------------------------------------


def test_every_document_kind_is_walked():
    from meetings.documents import BUILDERS
    from meetings.models import PdfJob

    assert set(PdfJob.Kind.values) == WALKED_PDF_KINDS, "a new kind of PDF: walk it in this module"
    assert set(BUILDERS) == set(PdfJob.Kind.values)
    assert set(_csv_routes().values()) == WALKED_CSV_VIEWS, "a new CSV export: walk it in this module"
    templates = {
        path.name.removesuffix("-subject.txt")
        for path in Path(settings.BASE_DIR, "templates", "emails").glob("*-subject.txt")
    }
    assert templates == WALKED_EMAIL_TEMPLATES, "a new email: walk it in this module"
    # Code that makes a document outside the modules above is a document the walk does not know about.
    base = Path(settings.BASE_DIR)
    for kind, markers in MARKERS.items():
        found = set()
        for path in base.rglob("*.py"):
            relative = path.relative_to(base).as_posix()
            if relative.startswith((".venv/", "node_modules/")) or "/tests/" in relative or "/management/" in relative:
                continue
            if "/migrations/" in relative or relative.startswith("scripts/"):
                continue
            if any(marker in path.read_text(errors="replace") for marker in markers):
                found.add(relative)
        assert found <= DOCUMENT_MODULES[kind], (kind, sorted(found - DOCUMENT_MODULES[kind]))
