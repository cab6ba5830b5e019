"""Fictional concerns, referrals in every state, interventions with sessions and information requests,
called by demo.seed.seed after the pupils exist. Bulk inserts only, so 5,000 pupils stay quick."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from accounts.models import Agency, User
from concerns.models import Concern
from pupils.models import Allocation, Pupil
from referrals.models import (
    InformationRequest,
    Intervention,
    InterventionSession,
    Referral,
    Specialism,
)

CONCERN_TEXT = {
    Concern.Category.BEHAVIOUR: [
        "Walked out of maths after a disagreement and would not return for the rest of the lesson.",
        "Unusually quiet all morning; sat apart from friends at break.",
        "Threw a chair in the corridor after a phone call.",
    ],
    Concern.Category.ATTENDANCE: [
        "Absent Monday and Tuesday; no call from home.",
        "Left site at lunch without permission.",
    ],
    Concern.Category.PUNCTUALITY: ["Arrived at 10:20, third late arrival this week; said the bus did not come."],
    Concern.Category.APPEARANCE: ["Same uniform all week, visibly unwashed; said the washing machine is broken."],
    Concern.Category.POVERTY: [
        "Said there was no food at home last night; had breakfast club twice today.",
        "Mentioned the electricity meter ran out at the weekend.",
    ],
    Concern.Category.PARENTAL_ENGAGEMENT: ["Third missed call to mum about the review meeting; voicemail full."],
    Concern.Category.SAFEGUARDING: [
        "New expensive trainers and two phones; picked up by an older male in a car not known to staff.",
        "Said an adult at home hit them; small bruise seen on the forearm.",
    ],
    Concern.Category.WELLBEING: ["Tearful in English; said they cannot sleep and feel 'done with everything'."],
    Concern.Category.OTHER: ["Asked staff about getting a part-time job; seemed worried about money."],
}
CATEGORY_WEIGHTS = [5, 4, 3, 2, 2, 2, 1, 3, 1]

REASONS = {
    Specialism.SALT: "Struggles to follow two-step instructions; vocabulary well below age expectations.",
    Specialism.CAMHS: "Low mood for several weeks, poor sleep, withdrawing from friends.",
    Specialism.YOUTH_JUSTICE: "Recent police contact; at risk of further offending.",
    Specialism.EARLY_HELP: "Family under financial pressure; parent asked for help with routines.",
    Specialism.COMPLEX_SAFEGUARDING: "Signs of possible criminal exploitation: money, phones, going missing.",
    Specialism.RESTORATIVE_JUSTICE: "Repeated conflict with a peer group; both sides willing to meet.",
    Specialism.EDUCATIONAL_PSYCHOLOGY: "Learning needs unclear; literacy far below peers despite support.",
    Specialism.CAREERS: "Year 11, no post-16 plan; at risk of NEET.",
    Specialism.FAMILY_WORKER: "Housing and benefit problems at home affecting attendance.",
    Specialism.SPORTS_MENTOR: "Responds well to PE staff; needs a positive adult outside lessons.",
    Specialism.COUNSELLOR: "Bereavement last term; would like someone to talk to.",
}
SPECIALISM_WEIGHTS = [10, 5, 3, 3, 2, 2, 3, 3, 4, 2, 2]
SPECIALIST_USERS = {
    Specialism.SALT: "salt",
    Specialism.CAMHS: "camhs",
    Specialism.YOUTH_JUSTICE: "yjs",
    Specialism.EARLY_HELP: "earlyhelp",
    Specialism.COMPLEX_SAFEGUARDING: "safeguarding",
    Specialism.RESTORATIVE_JUSTICE: "restorative",
    Specialism.EDUCATIONAL_PSYCHOLOGY: "edpsych",
    Specialism.CAREERS: "careers",
    Specialism.FAMILY_WORKER: "familyworker",
    Specialism.SPORTS_MENTOR: "sportsmentor",
    Specialism.COUNSELLOR: "counsellor",
}
OFFERS = ["Small-group literacy", "Lunchtime mentoring", "PSHRE group on healthy relationships", "Breakfast club"]
STATES = [
    Referral.Status.SUBMITTED,
    Referral.Status.ALLOCATED,
    Referral.Status.IN_PROGRESS,
    Referral.Status.SIGNPOSTED,
    Referral.Status.DECLINED,
    Referral.Status.ESCALATED,
    Referral.Status.CLOSED,
]
STATE_WEIGHTS = [3, 2, 4, 2, 1, 1, 3]
# Questions the team asks outside agencies: (agency, question, of whom).
QUESTIONS = [
    (
        "Millbrook Neighbourhood Police",
        "Any recent incidents or missing episodes involving the pupil?",
        "Neighbourhood team",
    ),
    (
        "Millbrook Speech and Language Therapy (NHS)",
        "Outcome of the last SaLT assessment at the previous school.",
        "Duty therapist",
    ),
    ("Millbrook Children's Social Care", "Is there an open assessment or a named social worker?", "MASH"),
    ("Millbrook CAMHS", "Is the pupil known to CAMHS or on the waiting list?", "CAMHS duty"),
    (
        "Millbrook Road Medical Practice",
        "Any diagnosis or medication school should know of, with consent.",
        "Practice manager",
    ),
    ("Millbrook School Nursing Service", "Date of the last health review and anything outstanding.", "School nurse"),
    ("Parkside Community School", "Safeguarding file and last year's attendance from the previous school.", "DSL"),
    (
        "Eastgate Borough Council Children's Services",
        "Was the family known to children's services before the move?",
        "Front door",
    ),
    (
        "Millbrook Housing Options",
        "Is the family in temporary accommodation, and is a move planned?",
        "Housing officer",
    ),
]


def seed(*, rng: random.Random, pupils: list[Pupil], users: dict[str, User]) -> None:
    now = timezone.now()
    today = timezone.localdate()
    staff = [u for u in users.values() if u.role in (User.Role.STAFF, User.Role.DSL)] or list(users.values())
    triager = users.get("deputy") or users["dsl"]
    categories = list(CONCERN_TEXT)

    concerns = []
    for pupil in pupils:
        # Most pupils have a few concerns spread out; some have a recent cluster (the pattern the flag is for).
        cluster = rng.random() < 0.1
        count = rng.randrange(3, 6) if cluster else rng.choices([0, 1, 2, 3], weights=[3, 3, 2, 1])[0]
        for _ in range(count):
            category = rng.choices(categories, weights=CATEGORY_WEIGHTS)[0]
            when = now - datetime.timedelta(days=rng.randrange(0, 10 if cluster else 60), minutes=rng.randrange(0, 600))
            reviewed = category == Concern.Category.SAFEGUARDING and rng.random() < 0.6
            concerns.append(
                Concern(
                    pupil=pupil,
                    category=category,
                    seen=rng.choice(CONCERN_TEXT[category]),
                    occurred_at=when,
                    logged_at=when + datetime.timedelta(minutes=rng.randrange(1, 90)),
                    logged_by=rng.choice(staff),
                    status=Concern.Status.REVIEWED if reviewed else Concern.Status.OPEN,
                    reviewed_by=users["dsl"] if reviewed else None,
                    reviewed_at=when + datetime.timedelta(hours=3) if reviewed else None,
                    review_note="Spoke to the pupil; logged with social care." if reviewed else "",
                )
            )
    # This week's safeguarding concerns from teaching staff, still waiting for the DSL: what a DSL opens first.
    on_roll = [pupil for pupil in pupils if pupil.exit_date is None]
    reporters = [u for u in users.values() if u.role == User.Role.STAFF] or staff
    for pupil in rng.sample(on_roll, k=min(3, len(on_roll))):
        when = now - datetime.timedelta(days=rng.randrange(0, 4), hours=rng.randrange(1, 6))
        concerns.append(
            Concern(
                pupil=pupil,
                category=Concern.Category.SAFEGUARDING,
                seen=rng.choice(CONCERN_TEXT[Concern.Category.SAFEGUARDING]),
                occurred_at=when,
                logged_at=when + datetime.timedelta(minutes=rng.randrange(5, 60)),
                logged_by=rng.choice(reporters),
            )
        )
    Concern.objects.bulk_create(concerns, batch_size=2000)

    referrals, specialists_of = [], []
    specialisms = list(REASONS)
    for pupil in pupils:
        for specialism in rng.sample(specialisms, k=rng.choices([0, 1, 2], weights=[4, 4, 2])[0]):
            state = rng.choices(STATES, weights=STATE_WEIGHTS)[0]
            waiting = state == Referral.Status.SUBMITTED
            raised = now - datetime.timedelta(
                days=rng.randrange(0, 35) if waiting else rng.randrange(6, 150), minutes=rng.randrange(0, 600)
            )
            triaged_at = min(raised + datetime.timedelta(days=rng.randrange(1, 8)), now - datetime.timedelta(hours=1))
            specialist = users.get(SPECIALIST_USERS[specialism])
            if specialist is None and state in (
                Referral.Status.ALLOCATED,
                Referral.Status.IN_PROGRESS,
                Referral.Status.CLOSED,
            ):
                state = Referral.Status.SIGNPOSTED
            triaged = state != Referral.Status.SUBMITTED
            worked = state in (Referral.Status.ALLOCATED, Referral.Status.IN_PROGRESS, Referral.Status.CLOSED)
            referrals.append(
                Referral(
                    pupil=pupil,
                    specialism=specialism,
                    reasons=REASONS[specialism],
                    tried=rng.choice(
                        ["Lunchtime mentoring for six weeks.", "Small-group literacy; seating plan changes.", ""]
                    ),
                    consent_status=rng.choice(
                        [Referral.Consent.PUPIL_AND_PARENT, Referral.Consent.PARENT, Referral.Consent.NOT_ASKED]
                    ),
                    urgency=rng.choices(list(Referral.Urgency.values), weights=[6, 3, 1])[0],
                    raised_by=rng.choice(staff),
                    raised_at=raised,
                    status=state,
                    triaged_by=triager if triaged else None,
                    triaged_at=triaged_at if triaged else None,
                    allocated_to=specialist if worked else None,
                    signpost_offer=rng.choice(OFFERS) if state == Referral.Status.SIGNPOSTED else "",
                    decline_reason="Needs are met by the current plan." if state == Referral.Status.DECLINED else "",
                    escalation=rng.choice(list(Referral.Escalation.values))
                    if state == Referral.Status.ESCALATED
                    else "",
                    outcome=rng.choice(list(Referral.Outcome.values)) if state == Referral.Status.CLOSED else "",
                    closed_by=specialist if state == Referral.Status.CLOSED else None,
                    closed_at=min(now, triaged_at + datetime.timedelta(days=rng.randrange(14, 90)))
                    if state == Referral.Status.CLOSED
                    else None,
                )
            )
            specialists_of.append(specialist)
    created = Referral.objects.bulk_create(referrals, batch_size=2000)

    interventions = []
    for referral in created:
        if referral.allocated_to_id is None:
            continue
        started = referral.status != Referral.Status.ALLOCATED
        begun = referral.triaged_at.date() + datetime.timedelta(days=7)
        closed = referral.status == Referral.Status.CLOSED
        interventions.append(
            Intervention(
                pupil_id=referral.pupil_id,
                referral=referral,
                specialism=referral.specialism,
                specialist_id=referral.allocated_to_id,
                status=Intervention.Status.CLOSED if closed else Intervention.Status.OPEN,
                started_on=min(begun, today) if started else None,
                review_date=begun + datetime.timedelta(days=rng.randrange(20, 60)),
                goals="Agreed with the pupil at the first session.",
                outcome=referral.outcome if closed else "",
                closed_on=referral.closed_at.date() if closed else None,
            )
        )
    Intervention.objects.bulk_create(interventions, batch_size=2000)

    sessions = []
    for intervention in interventions:
        if intervention.started_on is None:
            continue
        for n in range(rng.randrange(1, 5)):
            held = intervention.started_on + datetime.timedelta(days=7 * n)
            if held > (intervention.closed_on or today):
                break
            health = intervention.specialism in (Specialism.SALT, Specialism.CAMHS)
            sessions.append(
                InterventionSession(
                    intervention=intervention,
                    held_on=held,
                    minutes=rng.choice([30, 45, 60]),
                    attended=rng.random() < 0.85,
                    notes="Worked on the agreed goals; pupil engaged for most of the session.",
                    health_notes="Screening scores recorded in the clinical system." if health else "",
                    recorded_by_id=intervention.specialist_id,
                )
            )
    InterventionSession.objects.bulk_create(sessions, batch_size=2000)

    # The allocation is what lets the allocated specialist see the pupil.
    open_pairs = set(
        Allocation.objects.filter(pupil__in=pupils, ended_on__isnull=True).values_list("pupil_id", "user_id")
    )
    allocations = []
    for intervention in interventions:
        pair = (intervention.pupil_id, intervention.specialist_id)
        if intervention.status == Intervention.Status.OPEN and pair not in open_pairs:
            open_pairs.add(pair)
            allocations.append(
                Allocation(
                    pupil_id=pair[0],
                    user_id=pair[1],
                    reason=f"Referral: {intervention.get_specialism_display()}",
                    created_by=triager,
                )
            )
    Allocation.objects.bulk_create(allocations, batch_size=2000)

    agencies = {agency.name: agency for agency in Agency.objects.filter(name__in=[name for name, _, _ in QUESTIONS])}
    requests = []
    askers = [u for u in users.values() if u.role in (User.Role.DSL, User.Role.STAFF, User.Role.FAMILY_WORKER)] or staff
    for pupil in pupils:
        if rng.random() > 0.2:
            continue
        name, question, contact = rng.choice(QUESTIONS)
        if name not in agencies:
            continue
        asked = today - datetime.timedelta(days=rng.randrange(1, 60))
        answered = rng.random() < 0.6
        answered_on = min(today, asked + datetime.timedelta(days=rng.randrange(2, 25))) if answered else None
        requests.append(
            InformationRequest(
                pupil=pupil,
                agency=agencies[name],
                contact=contact,
                question=question,
                asked_on=asked,
                due_by=asked + datetime.timedelta(days=14),
                asked_by=rng.choice(askers),
                status=InformationRequest.Status.ANSWERED if answered else InformationRequest.Status.OPEN,
                answered_on=answered_on,
                answer="Shared by secure email; summary on file." if answered else "",
                recorded_by=rng.choice(askers) if answered else None,
            )
        )
    InformationRequest.objects.bulk_create(requests, batch_size=2000)
