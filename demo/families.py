"""Fictional families demo data, called by demo.seed.seed after the pupils exist.

Households, carers, siblings, consent decisions (a few refused or withdrawn), information-sharing decisions,
family support actions, home visits, Fresh Start interviews and reintegration plans in every state. Names,
addresses and phone numbers are invented (phone numbers are in Ofcom's range for drama, 07700 900xxx).
Everything is written with bulk_create, so a 5,000-pupil seed stays quick.
"""

from __future__ import annotations

import datetime
import itertools
import random
from collections import defaultdict

from django.utils import timezone

from accounts.models import Agency, User
from families.models import (
    ANY_AGENCY,
    Carer,
    Consent,
    FollowUpCheck,
    FreshStartInterview,
    HomeVisit,
    Household,
    HouseholdPupil,
    ReintegrationPlan,
    SchoolVisit,
    SharingDecision,
    ShortlistedSchool,
    Sibling,
    SupportAction,
)
from pupils.models import Allocation, Pupil, School

CARER_FIRST = [
    "Amanda",
    "Angela",
    "Ayesha",
    "Carla",
    "Chantelle",
    "Claire",
    "Danielle",
    "Donna",
    "Fatima",
    "Gemma",
    "Hayley",
    "Joanne",
    "Karen",
    "Kerry",
    "Kirsty",
    "Lisa",
    "Michelle",
    "Nicola",
    "Samantha",
    "Sarah",
    "Stacey",
    "Tracey",
    "Yasmin",
    "Zoe",
    "Adrian",
    "Andrew",
    "Craig",
    "Darren",
    "Gary",
    "Imran",
    "Jason",
    "Kevin",
    "Lee",
    "Mark",
    "Neil",
    "Paul",
    "Richard",
    "Shaun",
    "Steven",
    "Tariq",
    "Wayne",
]
CHILD_FIRST = [
    "Alfie",
    "Amber",
    "Ava",
    "Bobby",
    "Eli",
    "Erin",
    "Freddie",
    "Grace",
    "Harry",
    "Isla",
    "Kai",
    "Lola",
    "Max",
    "Mia",
    "Noah",
    "Poppy",
    "Ruby",
    "Sonny",
    "Zack",
]
STREETS = (
    "Canal Street",
    "Albert Road",
    "Victoria Terrace",
    "Mill Lane",
    "Station Road",
    "Park View",
    "Church Walk",
    "Hollins Close",
    "Beech Avenue",
    "Orchard Court",
    "Cromwell Street",
    "Brook Way",
    "Ashdown Grove",
    "Kestrel Rise",
)
TOWNS = ("Millbrook", "Eastgate", "Hallam Vale", "Northfield", "Riverside")
LANGUAGES = (
    ("English", False),
    ("English", False),
    ("English", False),
    ("English", False),
    ("English", False),
    ("English", False),
    ("Urdu", True),
    ("Polish", True),
    ("Somali", True),
    ("Arabic", False),
    ("Romanian", True),
    ("Bengali", False),
    ("Tigrinya", True),
)

SUPPORT = (
    (SupportAction.Kind.BENEFITS, "Universal Credit claim stopped: help to re-apply", "Jobcentre Plus"),
    (SupportAction.Kind.BENEFITS, "Check entitlement to free school meals and clothing grant", ""),
    (SupportAction.Kind.HOUSING, "Damp in the children's bedroom: letter to the landlord", "Landlord"),
    (SupportAction.Kind.HOUSING, "Rent arrears: appointment about a possession notice", "Law Centre"),
    (SupportAction.Kind.FOODBANK, "Foodbank voucher for the half-term week", "Millbrook Foodbank"),
    (
        SupportAction.Kind.WELFARE_FUND,
        "Welfare fund application: beds for two children",
        "School Home Support welfare fund",
    ),
    (SupportAction.Kind.WELFARE_FUND, "Charity application for school uniform and shoes", "Local uniform charity"),
    (SupportAction.Kind.AGENCY_MEETING, "Debt advice appointment", "Citizens Advice"),
    (SupportAction.Kind.AGENCY_MEETING, "Housing Benefit review meeting", "Housing Benefit"),
    (SupportAction.Kind.MEETING_SUPPORT, "Go with mum to the EHCP review", ""),
    (SupportAction.Kind.MEETING_SUPPORT, "Support at the child in need meeting", "Children's social care"),
    (SupportAction.Kind.EMOTIONAL, "Weekly phone call with dad while things settle", ""),
)
VISIT_PURPOSES = (
    "Introductory visit",
    "Attendance concern: not seen since Monday",
    "Follow-up on the welfare fund application",
    "Check in after the TAC meeting",
    "Fresh Start interview",
    "Discuss reintegration options with parents",
)
VISIT_FINDINGS = (
    "Mum was welcoming. The flat is cold; the heating has been broken for two weeks. Food in the cupboards.",
    "Dad says mornings are the hardest; the pupil goes to bed late on a phone. Agreed a routine to try.",
    "Family under stress about rent arrears. Letters unopened on the table; we opened them together.",
    "Home warm and tidy. Grandmother is now the main carer during the week.",
    "Pupil was at home and spoke briefly. Mum worried about older friends in the area.",
)
FOLLOW_UPS = (
    "Contact the landlord by Friday.",
    "Apply for a foodbank voucher.",
    "Raise at Thursday's MDT.",
    "Phone mum next week to see how the routine is going.",
    "",
)
POSITIVES = (
    "Liked PE and the food technology teacher; had one member of staff who 'got' them.",
    "Good at maths in Year 7; enjoyed the school trips.",
    "Friends at school; liked the football club at lunchtime.",
)
NEGATIVES = (
    "Felt picked on in lessons; lots of time in isolation; fell behind after missing weeks of Year 8.",
    "Struggled with the size of the school and noisy corridors; fights started on the bus.",
    "Did not understand the work and got sent out instead of getting help.",
)
GOALS = (
    "Get GCSEs in maths and English; go to college for construction.",
    "Stop getting into fights; go back to a mainstream school by Year 10.",
    "Come in every day; become a mechanic like an uncle.",
)
NEEDS = (
    "Small groups, a key adult to check in with each morning, help with reading.",
    "Time out card, a mentor, help for mum with the housing situation.",
    "Speech and language screening; careers advice early.",
)


def _phone(rng: random.Random) -> str:
    return f"07700 900{rng.randrange(0, 1000):03d}"


def _postcode(rng: random.Random) -> str:
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return f"MB{rng.randrange(1, 20)} {rng.randrange(1, 10)}{rng.choice(letters)}{rng.choice(letters)}"


def _households(rng: random.Random, pupils: list[Pupil]) -> list[list[Pupil]]:
    """Group pupils into households: most alone, some brothers and sisters (same surname and home area)."""
    groups: dict[tuple[str, str], list[Pupil]] = defaultdict(list)
    for pupil in pupils:
        groups[(pupil.last_name, pupil.home_local_authority)].append(pupil)
    households = []
    for members in groups.values():
        members = members[:]
        rng.shuffle(members)
        while members:
            size = rng.choices([1, 2, 3], weights=[20, 3, 1])[0]
            households.append(members[:size])
            members = members[size:]
    return households


def seed(*, rng: random.Random, pupils: list[Pupil], users: dict[str, User]) -> None:
    if not pupils:
        return
    today = timezone.localdate()
    staff_users = [u for u in users.values() if u.role in (User.Role.STAFF, User.Role.DSL)]
    agency_users = [u for u in users.values() if u.role in (User.Role.SPECIALIST, User.Role.FAMILY_WORKER)]
    family_worker = users.get("familyworker") or agency_users[0]
    leaders = [u for u in users.values() if u.role in (User.Role.SENIOR_LEADER, User.Role.DSL)]
    schools = list(School.objects.exclude(phase=School.Phase.ALTERNATIVE))
    kinds = [kind for kind in Agency.Kind.values if kind != Agency.Kind.PRU]

    # Households, pupils in them, carers and siblings.
    groups = _households(rng, pupils)
    household_rows = []
    for members in groups:
        language, interpreter = rng.choice(LANGUAGES)
        household_rows.append(
            Household(
                name=f"{members[0].last_name} household",
                address=f"{rng.randrange(1, 180)} {rng.choice(STREETS)}\n{rng.choice(TOWNS)}",
                postcode=_postcode(rng),
                phone=_phone(rng) if rng.random() < 0.4 else "",
                home_language=language,
                interpreter_needed=interpreter and rng.random() < 0.6,
                interpreter_language=language if interpreter else "",
                notes=rng.choice(
                    [
                        "",
                        "",
                        "Dog in the house: ring ahead.",
                        "Best after 10am: mum works nights.",
                        "Flat 3, buzzer broken: phone on arrival.",
                    ]
                ),
            )
        )
    households = Household.objects.bulk_create(household_rows, batch_size=2000)
    HouseholdPupil.objects.bulk_create(
        [
            HouseholdPupil(pupil=p, household=h, since=p.entry_date)
            for h, members in zip(households, groups)
            for p in members
        ],
        batch_size=2000,
    )
    carer_rows = []
    sibling_rows = []
    for household, members in zip(households, groups):
        surname = members[0].last_name
        relationship = rng.choices(
            [
                Carer.Relationship.MOTHER,
                Carer.Relationship.FATHER,
                Carer.Relationship.GRANDPARENT,
                Carer.Relationship.KINSHIP_CARER,
                Carer.Relationship.FOSTER_CARER,
            ],
            weights=[14, 4, 2, 1, 1],
        )[0]
        first_name = rng.choice(CARER_FIRST)
        fostering = relationship == Carer.Relationship.FOSTER_CARER
        family_name = rng.choice(["Dunn", "Hale", "Okoro"]) if fostering else surname
        carer_rows.append(
            Carer(
                household=household,
                name=f"{first_name} {family_name}",
                relationship=relationship,
                parental_responsibility=relationship in (Carer.Relationship.MOTHER, Carer.Relationship.FATHER)
                or rng.random() < 0.3,
                phone=_phone(rng),
                email=f"carer{household.pk}@example.org" if rng.random() < 0.5 else "",
                preferred_contact=rng.choice(Carer.Contact.values[:3]),
                language=household.home_language,
                interpreter_needed=household.interpreter_needed,
            )
        )
        if rng.random() < 0.45:
            carer_rows.append(
                Carer(
                    household=household,
                    name=f"{rng.choice(CARER_FIRST)} {rng.choice([surname, 'Reilly', 'Begum', 'Nowak'])}",
                    relationship=rng.choice(
                        [Carer.Relationship.FATHER, Carer.Relationship.STEP_PARENT, Carer.Relationship.GRANDPARENT]
                    ),
                    parental_responsibility=rng.random() < 0.6,
                    lives_with_pupil=rng.random() < 0.5,
                    phone=_phone(rng),
                    address=""
                    if rng.random() < 0.6
                    else f"{rng.randrange(1, 90)} {rng.choice(STREETS)}, {rng.choice(TOWNS)}",
                    preferred_contact=Carer.Contact.TEXT,
                    is_active=rng.random() < 0.9,
                )
            )
        for _ in range(rng.choices([0, 1, 2], weights=[5, 4, 2])[0]):
            age = rng.randrange(3, 19)
            sibling_rows.append(
                Sibling(
                    household=household,
                    name=f"{rng.choice(CHILD_FIRST)} {surname}",
                    date_of_birth=today - datetime.timedelta(days=age * 365 + rng.randrange(0, 365)),
                    school=rng.choice(schools) if 11 <= age <= 16 and schools else None,
                    school_other="Nursery"
                    if age < 5
                    else ("Primary school" if age < 11 else ("College" if age > 16 else "")),
                )
            )
    carers = Carer.objects.bulk_create(carer_rows, batch_size=2000)
    Sibling.objects.bulk_create(sibling_rows, batch_size=2000)
    first_carer = {}
    for carer in carers:
        first_carer.setdefault(carer.household_id, carer)
    household_of = {p.pk: h for h, members in zip(households, groups) for p in members}

    # Consent decisions (a few refused or withdrawn) and information-sharing decisions.
    consent_rows = []
    sharing_rows = []
    for pupil in pupils:
        carer = first_carer.get(household_of[pupil.pk].pk)
        decided = min(today, pupil.entry_date + datetime.timedelta(days=rng.randrange(0, 20)))
        if rng.random() < 0.85:
            withdrawn = rng.random() < 0.04 and decided < today
            consent_rows.append(
                Consent(
                    pupil=pupil,
                    agency_kind=ANY_AGENCY,
                    purpose="Share information with the PRU's multi-agency team for referrals and support",
                    status=Consent.Status.WITHDRAWN if withdrawn else Consent.Status.GIVEN,
                    given_by=carer.name if carer else "Parent",
                    given_by_carer=carer,
                    how=Consent.How.WRITTEN,
                    decided_on=decided,
                    recorded_by=family_worker,
                    withdrawn_on=min(today, decided + datetime.timedelta(days=rng.randrange(1, 120)))
                    if withdrawn
                    else None,
                    withdrawn_reason=(
                        "Mum phoned: does not want information passed on after a bad experience with an agency."
                    )
                    if withdrawn
                    else "",
                    withdrawn_recorded_by=family_worker if withdrawn else None,
                )
            )
        if rng.random() < 0.05:
            consent_rows.append(
                Consent(
                    pupil=pupil,
                    agency_kind=rng.choice([Agency.Kind.CAMHS, Agency.Kind.POLICE, Agency.Kind.YOUTH_JUSTICE]),
                    purpose="Referral and updates",
                    status=Consent.Status.REFUSED,
                    given_by=carer.name if carer else "Parent",
                    given_by_carer=carer,
                    how=Consent.How.VERBAL,
                    decided_on=decided,
                    recorded_by=family_worker,
                )
            )
        if rng.random() < 0.2:
            sharing_rows.append(
                SharingDecision(
                    pupil=pupil,
                    decided_on=decided,
                    decided_by=rng.choice(leaders),
                    what=rng.choice(
                        ["Attendance since September", "Summary of concerns this term", "Outcome of the SaLT screening"]
                    ),
                    agency_kind=rng.choice(kinds),
                    recipient=rng.choice(["Duty worker", "Allocated practitioner", "Team manager"]),
                    why="Needed to plan support agreed at the MDT.",
                    lawful_basis=rng.choice(
                        [
                            SharingDecision.LawfulBasis.CONSENT,
                            SharingDecision.LawfulBasis.PUBLIC_TASK,
                            SharingDecision.LawfulBasis.SAFEGUARDING,
                        ]
                    ),
                    shared=rng.random() < 0.9,
                )
            )
    Consent.objects.bulk_create(consent_rows, batch_size=2000)
    SharingDecision.objects.bulk_create(sharing_rows, batch_size=2000)

    # Family support actions and home visits.
    support_rows = []
    visit_rows = []
    for household in households:
        if rng.random() < 0.4:
            for kind, detail, outside in rng.sample(SUPPORT, k=rng.randrange(1, 4)):
                opened = today - datetime.timedelta(days=rng.randrange(0, 200))
                status = rng.choices(SupportAction.Status.values, weights=[4, 2, 5, 1])[0]
                closed = status in SupportAction.CLOSED_STATUSES
                support_rows.append(
                    SupportAction(
                        household=household,
                        kind=kind,
                        detail=detail,
                        outside_agency=outside,
                        owner=family_worker,
                        opened_on=opened,
                        due_on=opened + datetime.timedelta(days=rng.randrange(7, 45)),
                        status=status,
                        outcome=(
                            rng.choice(
                                ["Done: confirmed by phone.", "Awarded.", "Appointment attended; next steps agreed."]
                            )
                            if status == SupportAction.Status.DONE
                            else "Family decided not to go ahead."
                            if closed
                            else ""
                        ),
                        closed_on=min(today, opened + datetime.timedelta(days=rng.randrange(1, 40)))
                        if closed
                        else None,
                    )
                )
        if rng.random() < 0.5:
            for _ in range(rng.randrange(1, 4)):
                outcome = rng.choices(HomeVisit.Outcome.values, weights=[8, 2, 1])[0]
                visit_rows.append(
                    HomeVisit(
                        household=household,
                        visited_on=today - datetime.timedelta(days=rng.randrange(0, 300)),
                        lead=family_worker,
                        colleague=rng.choice(staff_users) if rng.random() < 0.4 else None,
                        purpose=rng.choice(VISIT_PURPOSES),
                        outcome=outcome,
                        findings=rng.choice(VISIT_FINDINGS) if outcome == HomeVisit.Outcome.SEEN else "",
                        follow_ups=rng.choice(FOLLOW_UPS),
                    )
                )
    SupportAction.objects.bulk_create(support_rows, batch_size=2000)
    HomeVisit.objects.bulk_create(visit_rows, batch_size=2000)

    # Fresh Start interviews: most pupils, held at home soon after entry; recent ones still await the MDT.
    interview_rows = []
    for pupil in pupils:
        if rng.random() > 0.8:
            continue
        held = min(today, pupil.entry_date + datetime.timedelta(days=rng.randrange(2, 12)))
        school_staff = (
            pupil.key_worker
            if pupil.key_worker and pupil.key_worker.role == User.Role.STAFF
            else rng.choice(staff_users)
        )
        member = rng.choice(agency_users)
        discussed = held + datetime.timedelta(days=rng.randrange(1, 10))
        interview_rows.append(
            FreshStartInterview(
                pupil=pupil,
                held_on=held,
                school_staff=school_staff,
                agency_member=member,
                others_present=rng.choice(["Mum", "Mum and older sister", "Dad", "Grandmother", ""]),
                positives=rng.choice(POSITIVES),
                negatives=rng.choice(NEGATIVES),
                goals=rng.choice(GOALS),
                needs=rng.choice(NEEDS),
                help_offered="Explained the PRU's offer and the family worker's role.",
                discussed_at_mdt_on=discussed if discussed <= today and (today - held).days > 10 else None,
                recorded_by=school_staff,
            )
        )
    FreshStartInterview.objects.bulk_create(interview_rows, batch_size=2000)

    # Reintegration plans in every state, for pupils who have been at the PRU a while.
    _plans(
        rng,
        [p for p in pupils if p.exit_date is None and (today - p.entry_date).days > 120],
        schools,
        family_worker,
        leaders,
        today,
    )


def _plans(rng, candidates, schools, lead, leaders, today) -> None:
    S = ReintegrationPlan.Status
    states = [
        S.CONSIDERING,
        S.NOT_READY,
        S.PREFERENCES,
        S.SHORTLIST,
        S.SHORTLIST,
        S.PREFERENCE_SENT,
        S.ALLOCATED,
        S.ALLOCATED,
        S.COMPLETED,
        S.CLOSED,
    ]
    chosen = [p for p in candidates if rng.random() < 0.2]
    if not chosen or not schools:
        return
    plan_rows = []
    for pupil, status in zip(chosen, itertools.cycle(states)):
        # Completed plans began long enough ago for all three follow-up checks to be done.
        started = today - datetime.timedelta(
            days=rng.randrange(200, 260) if status == S.COMPLETED else rng.randrange(20, 150)
        )
        past_readiness = status not in (S.CONSIDERING,)
        allocated = status in (S.ALLOCATED, S.COMPLETED)
        start_date = started + datetime.timedelta(days=rng.randrange(40, 90)) if allocated else None
        plan_rows.append(
            ReintegrationPlan(
                pupil=pupil,
                status=status,
                lead=lead,
                started_on=started,
                readiness_decided_on=started + datetime.timedelta(days=7) if past_readiness else None,
                readiness_reason=(
                    "Attendance above 90% for a term; no serious incidents since October."
                    if status != S.NOT_READY
                    else "Still settling; review after the next TAC meeting."
                )
                if past_readiness
                else "",
                pupil_preferences="Somewhere smaller, near friends from football; not the old school."
                if status not in (S.CONSIDERING, S.NOT_READY)
                else "",
                pupil_priorities="A fresh start where nobody knows the history."
                if status not in (S.CONSIDERING, S.NOT_READY)
                else "",
                parent_preferences="Within walking distance; good pastoral team."
                if status not in (S.CONSIDERING, S.NOT_READY)
                else "",
                parent_priorities="Support for reading; somewhere the siblings could go later."
                if status not in (S.CONSIDERING, S.NOT_READY)
                else "",
                preference_sent_on=started + datetime.timedelta(days=30)
                if status in (S.PREFERENCE_SENT, S.ALLOCATED, S.COMPLETED)
                else None,
                preference_sent_to=rng.choice(leaders)
                if status in (S.PREFERENCE_SENT, S.ALLOCATED, S.COMPLETED)
                else None,
                allocated_school=rng.choice(schools) if allocated else None,
                allocated_on=started + datetime.timedelta(days=35) if allocated else None,
                start_date=start_date,
                phased_timetable=(
                    "Weeks 1-2: three mornings a week with a PRU mentor.\nWeeks 3-4: four full days.\nWeek 5 on: "
                    "full time."
                )
                if allocated
                else "",
                closed_on=today - datetime.timedelta(days=rng.randrange(0, 10))
                if status in (S.COMPLETED, S.CLOSED)
                else None,
                close_reason={
                    S.COMPLETED: "Settled well: 12-week check on track.",
                    S.CLOSED: "Family moved out of the area.",
                }.get(status, ""),
            )
        )
    plans = ReintegrationPlan.objects.bulk_create(plan_rows, batch_size=2000)
    # The family worker leads reintegration, so works with each of these pupils.
    already = set(
        Allocation.objects.filter(user=lead, pupil__in=chosen, ended_on__isnull=True).values_list("pupil_id", flat=True)
    )
    Allocation.objects.bulk_create(
        [
            Allocation(
                pupil=pupil, user=lead, reason="Reintegration lead.", created_by=leaders[0], started_on=plan.started_on
            )
            for pupil, plan in zip(chosen, plans)
            if pupil.pk not in already
        ],
        batch_size=2000,
    )
    shortlist_rows = []
    for plan in plans:
        if plan.status in (S.SHORTLIST, S.PREFERENCE_SENT, S.ALLOCATED, S.COMPLETED):
            picks = rng.sample(schools, k=min(len(schools), rng.randrange(2, 4)))
            if plan.allocated_school and plan.allocated_school not in picks:
                picks[0] = plan.allocated_school
            ranked = plan.status != S.SHORTLIST
            for rank, school in enumerate(picks, start=1):
                shortlist_rows.append(
                    ShortlistedSchool(
                        plan=plan,
                        school=school,
                        reason="Close to home; strong pastoral support.",
                        family_rank=rank if ranked else None,
                    )
                )
    entries = ShortlistedSchool.objects.bulk_create(shortlist_rows, batch_size=2000)
    visit_rows = []
    for entry in entries:
        visit_on = entry.plan.started_on + datetime.timedelta(days=rng.randrange(10, 28))
        attended = visit_on <= today and rng.random() < 0.8
        visit_rows.append(
            SchoolVisit(
                shortlisted=entry,
                visit_on=visit_on,
                accompanied_by=lead,
                status=SchoolVisit.Status.ATTENDED if attended else SchoolVisit.Status.ARRANGED,
                pupil_feedback="Liked the sports hall; worried about the size." if attended else "",
                parent_feedback="Head of year was welcoming." if attended else "",
            )
        )
    SchoolVisit.objects.bulk_create(visit_rows, batch_size=2000)
    checks = []
    for plan in plans:
        if plan.start_date is None:
            continue
        for weeks in ReintegrationPlan.FOLLOW_UP_WEEKS:
            due = plan.start_date + datetime.timedelta(weeks=weeks)
            done = due <= today and (plan.status == S.COMPLETED or rng.random() < 0.7)
            checks.append(
                FollowUpCheck(
                    plan=plan,
                    weeks=weeks,
                    due_on=due,
                    done_on=min(today, due + datetime.timedelta(days=rng.randrange(0, 4))) if done else None,
                    done_by=lead if done else None,
                    outcome=rng.choice(
                        [FollowUpCheck.Outcome.ON_TRACK, FollowUpCheck.Outcome.ON_TRACK, FollowUpCheck.Outcome.CONCERNS]
                    )
                    if done
                    else "",
                    notes="Spoke to the head of year and to mum." if done else "",
                )
            )
    FollowUpCheck.objects.bulk_create(checks, batch_size=2000)
