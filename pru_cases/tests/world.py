"""One pupil with a record in every app, and every URL in the URLconf filled in with its ids.

The security tests that must cover routes other apps add later (no pupil data in URLs, health detail
never shown to other agencies) render every page the seeded ids can fill. A route whose arguments
cannot be filled from the world is reported by `unfilled_routes`, so a new kind of record shows up
as a test to extend rather than a page silently left out.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.urls import get_resolver
from django.utils import timezone

from pru_cases.tests.pages import _walk

# Pupil data that must never reach a URL: distinctive enough that a match cannot be a coincidence.
FIRST_NAME = "Zebulonia"
LAST_NAME = "Quillfeather"
UPN = "Q804217365091"
DATE_OF_BIRTH = datetime.date(2012, 7, 19)
PUPIL_DATA = (
    FIRST_NAME,
    LAST_NAME,
    UPN,
    DATE_OF_BIRTH.isoformat(),
    DATE_OF_BIRTH.strftime("%d/%m/%Y"),
    DATE_OF_BIRTH.strftime("%Y%m%d"),
)

# One sentinel per field in the health field group, across the apps.
HEALTH_SENTINELS = {
    "conditions": "SNTL-HEALTH-CONDITIONS-K4Z8",
    "medication": "SNTL-HEALTH-MEDICATION-P2W6",
    "allergies": "SNTL-HEALTH-ALLERGIES-M7R3",
    "notes": "SNTL-HEALTH-RECORD-NOTES-T9V1",
    "camhs_session": "SNTL-HEALTH-CAMHS-SESSION-B5N2",
    "yjs_session": "SNTL-HEALTH-YJS-SESSION-H3J7",
    # Health information that arrives outside the health record (pru_cases.access.ROW_FIELD_GROUPS): a CAMHS
    # referral's reasons and triage note, the goals of the work that follows, the CAMHS worker's allocation and
    # an answer from the CAMHS agency to an information request.
    "camhs_referral": "SNTL-HEALTH-CAMHS-REFERRAL-D8F4",
    "camhs_triage_note": "SNTL-HEALTH-CAMHS-TRIAGE-W2C9",
    "camhs_goals": "SNTL-HEALTH-CAMHS-GOALS-L6S3",
    "camhs_allocation": "SNTL-HEALTH-CAMHS-ALLOCATION-R1X5",
    "camhs_answer": "SNTL-HEALTH-CAMHS-ANSWER-V7G2",
}

# Which seeded record fills `<pk>` depends on the route before it; the longest prefix wins.
PK_BY_PREFIX = {
    "pupils/": "pupil",
    "pupils/concerns/": "concern",
    "pupils/concerns/escalations/": "escalation",
    "pupils/concerns/statutory-meetings/": "statutory_meeting",
    "referrals/": "referral",
    "referrals/interventions/": "intervention",
    "referrals/information-requests/": "information_request",
    "families/": "household",
    "families/pupil/": "pupil",
    "meetings/": "meeting",
    "meetings/actions/": "action",
}
OTHER_ARGS = {
    "pupil_pk": "pupil",
    "allocation_pk": "allocation",
    "item_pk": "item",
    "job_pk": "pdf_job",
    "carer_pk": "carer",
    "action_pk": "support_action",
    "consent_pk": "consent",
    "check_pk": "follow_up",
    "visit_pk": "school_visit",
    "response_pk": "sdq",
}


def _slugs(name: str) -> list[str]:
    if name == "kind":
        from outcomes.views import MEASURES

        return list(MEASURES)
    if name == "slug":
        from outcomes.oversight import TABLES

        return list(TABLES)
    return []


SLUG_ARGS = ("kind", "slug")
SKIPPED = ("admin/", "account/2fa/", "account/login", "account/logout", "account/password/reset", "account/confirm")


@dataclass
class World:
    ids: dict[str, int] = field(default_factory=dict)
    also: dict[str, list[int]] = field(default_factory=dict)  # more records of a kind, walked too


def _route_args(route: str) -> list[tuple[str, str]]:
    return re.findall(r"<(?:(\w+):)?(\w+)>", route)


def _pk_for(route: str) -> str | None:
    before = route.split("<int:pk>")[0]
    matches = [
        prefix
        for prefix in PK_BY_PREFIX
        if before == prefix or before.startswith(prefix) and before.count("/") == prefix.count("/")
    ]
    return PK_BY_PREFIX[max(matches, key=len)] if matches else None


def _routes():
    for route in _walk(get_resolver().url_patterns):
        if route.startswith(SKIPPED) or route.startswith("^") or "(?P" in route or "^" in route:
            continue
        yield route


def seeded_urls(world: World) -> list[str]:
    """Every route the world's ids can fill (slug routes once per known slug)."""
    urls = []
    for route in _routes():
        paths = [route]
        for converter, name in _route_args(route):
            token = f"<{converter}:{name}>" if converter else f"<{name}>"
            if converter == "slug" or name in SLUG_ARGS:
                paths = [p.replace(token, slug) for p in paths for slug in _slugs(name)]
                continue
            key = _pk_for(route) if name == "pk" else OTHER_ARGS.get(name)
            if key is None or key not in world.ids:
                paths = []
                break
            ids = [world.ids[key], *world.also.get(key, [])]
            paths = [p.replace(token, str(pk)) for p in paths for pk in ids]
        urls.extend("/" + p for p in paths)
    return sorted(set(urls))


def unfilled_routes(world: World) -> list[str]:
    filled = []
    for route in _routes():
        for converter, name in _route_args(route):
            if converter == "slug" or name in SLUG_ARGS:
                continue
            key = _pk_for(route) if name == "pk" else OTHER_ARGS.get(name)
            if key is None or key not in world.ids:
                filled.append(route)
                break
    return filled


def build_world(*, pupil, dsl, leader, staff, specialist, health_specialist, family_worker, pdfs: bool = True) -> World:
    """Records of every kind about `pupil`, with every health-restricted field holding a sentinel."""
    from concerns.models import Concern, Escalation, StatutoryMeeting
    from families.models import (
        Carer,
        Consent,
        FollowUpCheck,
        HomeVisit,
        Household,
        HouseholdPupil,
        ReintegrationPlan,
        SchoolVisit,
        ShortlistedSchool,
        SupportAction,
    )
    from meetings import services as meeting_services
    from meetings.models import Action, ActionPlan, Decision, Meeting, PdfJob
    from outcomes.models import SDQResponse
    from pupils.models import Allocation, HealthRecord, Pupil, School
    from referrals import services as referral_services
    from referrals.models import Intervention, InterventionSession, Referral, Specialism

    today = timezone.localdate()
    Pupil.objects.filter(pk=pupil.pk).update(
        first_name=FIRST_NAME, last_name=LAST_NAME, upn=UPN, date_of_birth=DATE_OF_BIRTH
    )
    pupil.refresh_from_db()
    HealthRecord.objects.create(
        pupil=pupil,
        conditions=HEALTH_SENTINELS["conditions"],
        medication=HEALTH_SENTINELS["medication"],
        allergies=HEALTH_SENTINELS["allergies"],
        notes=HEALTH_SENTINELS["notes"],
        updated_by=health_specialist,
    )
    ids: dict[str, int] = {"pupil": pupil.pk}
    ids["allocation"] = Allocation.objects.filter(pupil=pupil).values_list("pk", flat=True).first()
    ids["concern"] = Concern.objects.create(
        pupil=pupil, category="attendance", seen="Late three days running.", logged_by=staff
    ).pk
    ids["escalation"] = Escalation.objects.create(
        pupil=pupil, route="mash", owner=dsl, opened_by=dsl, due_on=today, summary="Passed to MASH by phone."
    ).pk
    ids["statutory_meeting"] = StatutoryMeeting.objects.create(
        pupil=pupil, kind="cin_meeting", held_on=today, decisions="Child in need plan continues.", recorded_by=dsl
    ).pk

    # A CAMHS intervention (health staff's own) and a YJS one: the DSL writes a health note on the YJS
    # worker's intervention, which that worker (not health staff) must then never see.
    camhs = Referral.objects.create(
        pupil=pupil, raised_by=staff, specialism=Specialism.CAMHS, reasons=HEALTH_SENTINELS["camhs_referral"]
    )
    camhs = referral_services.referral_triage(
        referral=camhs,
        by=dsl,
        outcome=Referral.Status.ALLOCATED,
        specialist=health_specialist,
        note=HEALTH_SENTINELS["camhs_triage_note"],
    )
    Intervention.objects.filter(referral=camhs).update(goals=HEALTH_SENTINELS["camhs_goals"])
    Allocation.objects.filter(pupil=pupil, user=health_specialist, ended_on__isnull=True).update(
        reason=HEALTH_SENTINELS["camhs_allocation"]
    )
    yjs = Referral.objects.create(
        pupil=pupil, raised_by=staff, specialism=Specialism.YOUTH_JUSTICE, reasons="Out late."
    )
    yjs = referral_services.referral_triage(
        referral=yjs, by=dsl, outcome=Referral.Status.ALLOCATED, specialist=specialist
    )
    for referral, sentinel, by in (
        (camhs, HEALTH_SENTINELS["camhs_session"], health_specialist),
        (yjs, HEALTH_SENTINELS["yjs_session"], dsl),
    ):
        InterventionSession.objects.create(
            intervention=referral.intervention, recorded_by=by, held_on=today, health_notes=sentinel
        )
    ids["referral"] = yjs.pk
    ids["intervention"] = Intervention.objects.get(referral=yjs).pk
    ids["camhs_referral"] = camhs.pk
    ids["camhs_intervention"] = Intervention.objects.get(referral=camhs).pk
    ids["information_request"] = referral_services.information_request_create(
        pupil=pupil, by=staff, agency=specialist.agency, question="Any recent contact?"
    ).pk
    # Recorded by the teacher who asked: they hold the answer already; from then on it is health detail.
    camhs_request = referral_services.information_request_create(
        pupil=pupil, by=staff, agency=health_specialist.agency, question="Is the pupil known to you?"
    )
    referral_services.information_request_answer(
        request=camhs_request, by=staff, answered_on=today, answer=HEALTH_SENTINELS["camhs_answer"]
    )
    ids["camhs_information_request"] = camhs_request.pk
    ids["sdq"] = SDQResponse.objects.create(
        pupil=pupil, informant="teacher", occasion="entry", completed_on=today, recorded_by=staff
    ).pk

    household = Household.objects.create(name="Quill household", postcode="MB1 2AB")
    HouseholdPupil.objects.create(pupil=pupil, household=household)
    ids["household"] = household.pk
    ids["carer"] = Carer.objects.create(household=household, name="Robin Carer", relationship="mother").pk
    ids["support_action"] = SupportAction.objects.create(
        household=household,
        kind=SupportAction._meta.get_field("kind").choices[0][0],
        detail="Uniform grant.",
        owner=family_worker,
    ).pk
    HomeVisit.objects.create(household=household, visited_on=today, lead=family_worker, purpose="Introductions.")
    ids["consent"] = Consent.objects.create(
        pupil=pupil,
        agency_kind=Consent._meta.get_field("agency_kind").choices[0][0],
        purpose="Sharing with CAMHS.",
        status=Consent._meta.get_field("status").choices[0][0],
        given_by="Robin Carer",
        recorded_by=family_worker,
    ).pk
    school = School.objects.create(name="Millbrook Academy", urn="900101")
    plan = ReintegrationPlan.objects.create(
        pupil=pupil,
        lead=family_worker,
        status=ReintegrationPlan.Status.ALLOCATED,
        allocated_school=school,
        start_date=today,
    )
    shortlisted = ShortlistedSchool.objects.create(plan=plan, school=school)
    ids["school_visit"] = SchoolVisit.objects.create(shortlisted=shortlisted, visit_on=today).pk
    ids["follow_up"] = FollowUpCheck.objects.create(plan=plan, weeks=2, due_on=today).pk

    tac = meeting_services.meeting_create(
        by=dsl,
        kind=Meeting.Kind.TAC,
        title="Team around the child",
        held_on=today,
        chair=dsl,
        pupil=pupil,
        invite=[staff, specialist, health_specialist, family_worker, leader],
    )
    item = tac.items.filter(pupil=pupil).first() or meeting_services.agenda_add_pupil(
        meeting=tac, by=dsl, pupil=pupil, note="Review of support."
    )
    Decision.objects.create(item=item, text="Continue the plan.", recorded_by=dsl)
    action_plan = ActionPlan.objects.filter(pupil=pupil).first() or ActionPlan.objects.create(
        pupil=pupil, created_by=dsl
    )
    ids["action"] = Action.objects.create(
        plan=action_plan,
        description="Phone home weekly.",
        owner_kind=Action.Owner.STAFF,
        owner_user=staff,
        due_on=today,
        success_criteria="Weekly calls logged.",
        created_by=dsl,
    ).pk
    ids["meeting"] = tac.pk
    ids["item"] = item.pk
    Meeting.objects.filter(pk=tac.pk).update(status=Meeting.Status.CLOSED, closed_at=timezone.now())
    for kind in PdfJob.Kind.values:
        job = PdfJob.objects.create(meeting=tac, kind=kind, requested_by=dsl)
        if pdfs:
            meeting_services.pdf_job_render(job_id=job.pk)
        ids.setdefault("pdf_job", job.pk)
        ids[f"pdf_job_{kind}"] = job.pk
    also = {
        "referral": [camhs.pk],
        "information_request": [camhs_request.pk],
        "intervention": [ids["camhs_intervention"]],
        "pdf_job": [ids[f"pdf_job_{kind}"] for kind in PdfJob.Kind.values if ids[f"pdf_job_{kind}"] != ids["pdf_job"]],
    }
    return World(ids={key: value for key, value in ids.items() if value is not None}, also=also)
