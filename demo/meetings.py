"""Fictional meetings for the demo, called by demo.seed.seed after the pupils and their case work exist.

Everything goes through the meetings services, as the people in the demo would have done it on screen: the MDT
information-sharing basis, last week's closed MDT at Northfield with its minutes and the cases it did not reach
carried over, this week's MDT at each centre with its agenda built and its core members invited, and a Team Around
the Child meeting with an action plan, its PDFs and the family's letter. The PDFs are queued as jobs and made by the
worker `make run` starts.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from accounts.models import Agency, Site, User
from families.models import Carer
from meetings import services
from meetings.models import Action, AgendaItem, Invitee, Meeting
from pupils.models import Pupil

AGREEMENT = "Millbrook multi-agency information-sharing agreement for PRU meetings, version 3"
LAWFUL_BASIS = (
    "UK GDPR Article 6(1)(e): the PRU's public task of educating and safeguarding its pupils; Article 9(2)(g) with "
    "the Data Protection Act 2018 Schedule 1 condition for safeguarding children. Members share what each case needs "
    "for the meeting to agree the help a pupil gets, and nothing more."
)

# The core members of the weekly MDT: the specialists who hear new referrals and case updates every week.
CORE_PEOPLE = ("salt", "camhs", "yjs", "earlyhelp", "edpsych", "familyworker")

DISCUSSIONS = (
    "Attendance has dipped since half term; mornings are the hardest. Mum says he is not sleeping.",
    "Settled well in the KS3 group. Reading age assessed at 9y 4m: phonics catch-up started.",
    "Two incidents on the bus home this fortnight. Staff think it links to older peers in the area.",
    "Engaging with the sports mentor each Tuesday; wants a college taster day for construction.",
    "School preference form returned by the family; shortlist of two schools agreed.",
)
DECISIONS = (
    "Family worker to make a home visit before the next MDT.",
    "Continue the current plan; review in four weeks.",
    "DSL to share the bus incidents with the complex safeguarding hub.",
    "Careers adviser to arrange the college taster day.",
    "Reintegration visit to the first-choice school to be booked.",
)


def _thursday(today: datetime.date) -> datetime.date:
    """This week's MDT day: the coming Thursday (today if it is one)."""
    return today + datetime.timedelta(days=(3 - today.weekday()) % 7)


def _sharing_basis(users: dict[str, User], today: datetime.date) -> None:
    core = [users[name] for name in CORE_PEOPLE if name in users]
    agencies = Agency.objects.filter(pk__in={person.agency_id for person in core if person.agency_id}).exclude(
        kind=Agency.Kind.PRU
    )
    services.sharing_basis_save(
        by=users["dsl"],
        site=None,
        agreement=AGREEMENT,
        agreed_on=today - datetime.timedelta(days=180),
        review_on=today + datetime.timedelta(days=185),
        lawful_basis=LAWFUL_BASIS,
        agencies=list(agencies),
        people=core,
    )


def _core(users: dict[str, User]) -> list[User]:
    return [users[name] for name in CORE_PEOPLE if name in users]


def _hold_last_weeks_mdt(site: Site, users: dict[str, User], held_on: datetime.date, rng: random.Random) -> Meeting:
    """Last week's MDT: attendance taken, five cases discussed, decisions and actions recorded, the rest carried
    over, closed with its minutes queued."""
    chair, recorder = users["deputy"], users["pso1"]
    meeting = services.meeting_create(
        by=chair,
        kind=Meeting.Kind.MDT,
        title=f"{site.name.split()[0]} weekly MDT",
        held_on=held_on,
        chair=chair,
        minute_taker=recorder,
        site=site,
        location="Meeting room 1",
        recurrence=Meeting.Recurrence.WEEKLY,
        invite=_core(users),
    )
    services.agenda_build(meeting=meeting, by=chair)
    invitees = list(meeting.invitees.all())
    away = rng.choice([i for i in invitees if i.user_id not in (chair.pk, recorder.pk)])
    services.attendance_record(
        meeting=meeting,
        by=chair,
        attendance={
            i.pk: Invitee.Attendance.APOLOGIES if i.pk == away.pk else Invitee.Attendance.PRESENT for i in invitees
        },
    )
    items = list(meeting.items.filter(pupil__isnull=False).select_related("pupil").order_by("position"))
    for index, item in enumerate(items[: len(DISCUSSIONS)]):
        services.discussion_record(item=item, by=recorder, text=DISCUSSIONS[index])
        services.decision_record(item=item, by=chair, text=DECISIONS[index])
        if index % 2 == 0:
            services.action_add(
                item=item,
                by=chair,
                description=DECISIONS[index].rstrip("."),
                owner_kind=Action.Owner.STAFF,
                owner_user=users["familyworker"] if index == 0 else recorder,
                due_on=held_on + datetime.timedelta(days=14),
                success_criteria="Reported back at the MDT.",
            )
    return services.meeting_close(
        meeting=meeting, by=chair, summary="Five cases discussed; the rest carried over to this week."
    )


def _this_weeks_mdt(site: Site, chair: User, users: dict[str, User], held_on: datetime.date) -> Meeting:
    meeting = services.meeting_create(
        by=chair,
        kind=Meeting.Kind.MDT,
        title=f"{site.name.split()[0]} weekly MDT",
        held_on=held_on,
        chair=chair,
        minute_taker=users["pso2"] if site.code == "RS" else users["pso1"],
        site=site,
        location="Meeting room 1",
        recurrence=Meeting.Recurrence.WEEKLY,
        invite=_core(users),
    )
    services.agenda_build(meeting=meeting, by=chair)
    return meeting


def _tac(pupil: Pupil, users: dict[str, User], held_on: datetime.date) -> Meeting:
    """A Team Around the Child meeting held with the family: an action plan for everyone, the family's own actions
    in words chosen for them, closed with the date of the next one."""
    dsl = users["dsl"]
    team = [users["familyworker"], users["yjs"]]
    if pupil.key_worker_id:
        team.append(pupil.key_worker)
    meeting = services.meeting_create(
        by=dsl,
        kind=Meeting.Kind.TAC,
        title=f"Team Around the Child: {pupil.full_name}",
        held_on=held_on,
        chair=dsl,
        pupil=pupil,
        location="Family room",
    )
    services.invitees_add(meeting=meeting, by=dsl, people=team, allocate=True)
    carer = Carer.objects.filter(household__pupil_links__pupil=pupil, parental_responsibility=True).first()
    carer_name = carer.name if carer else "Parent or carer"
    services.invitee_add(meeting=meeting, by=dsl, name=carer_name, is_family=True)
    services.attendance_record(
        meeting=meeting,
        by=dsl,
        attendance={pk: Invitee.Attendance.PRESENT for pk in meeting.invitees.values_list("pk", flat=True)},
    )
    item = meeting.items.get()
    name = pupil.preferred_name or pupil.first_name
    services.discussion_record(
        item=item,
        by=dsl,
        text=f"{name} said mornings are hard and the bus is where trouble starts. The family want a fresh start "
        "after Christmas.",
    )
    due = held_on + datetime.timedelta(days=21)
    for description, wording, kind, extra in (
        (
            "Parent to ensure punctual arrival; PSO to monitor via the morning register.",
            f"Help {name} get to the centre by 8.45 each morning.",
            Action.Owner.FAMILY,
            {"owner_name": carer_name},
        ),
        (
            "SHSW to support a uniform grant application and a bus pass renewal.",
            "Help you apply for the uniform grant and renew the bus pass.",
            Action.Owner.STAFF,
            {"owner_user": users["familyworker"]},
        ),
        (
            "YJS to offer weekly mentoring sessions (Tues pm) re: peer influences.",
            f"Meet {name} every Tuesday afternoon for mentoring.",
            Action.Owner.STAFF,
            {"owner_user": users["yjs"]},
        ),
    ):
        services.action_add(
            item=item,
            by=dsl,
            description=description,
            family_wording=wording,
            owner_kind=kind,
            due_on=due,
            success_criteria="Checked at the next Team Around the Child meeting.",
            **extra,
        )
    return services.meeting_close(meeting=meeting, by=dsl, next_review_on=held_on + datetime.timedelta(days=42))


def seed(*, rng: random.Random, pupils: list[Pupil], users: dict[str, User], sites: dict[str, Site]) -> dict:
    """The demo's meetings; nothing when meetings exist already (the demo was loaded before)."""
    if Meeting.objects.exists():
        return {}
    today = timezone.localdate()
    thursday = _thursday(today)
    with transaction.atomic():
        _sharing_basis(users, today)
        closed = _hold_last_weeks_mdt(sites["NF"], users, thursday - datetime.timedelta(days=7), rng)
        northfield = services.meeting_schedule_next(meeting=closed, by=users["deputy"])
        services.agenda_build(meeting=northfield, by=users["deputy"])
        riverside = _this_weeks_mdt(sites["RS"], users["dsl2"], users, thursday)
        on_roll = [
            p
            for p in pupils
            if p.site_id == sites["NF"].pk
            and p.exit_date is None
            and p.entry_date < today - datetime.timedelta(days=30)
        ]
        tac = _tac(rng.choice(on_roll), users, today - datetime.timedelta(days=2)) if on_roll else None
    carried = northfield.items.filter(reasons__contains=[{"kind": AgendaItem.Reason.CARRIED_OVER}]).count()
    return {
        "closed": closed,
        "planned": [northfield, riverside],
        "tac": tac,
        "carried_over": carried,
    }
