"""Writes to family records. Each service is atomic; pghistory records every change with the request's user."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Model
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification, User
from accounts.notifications import notify
from families.consent import consent_problem
from families.models import (
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
from pru_cases.access import require_write
from pru_cases.lib.conflicts import EditConflict
from pupils.models import Pupil, School
from pupils.selectors import pupils_writable_by
from pupils.services import CONFLICT_MESSAGE

HOUSEHOLD_FIELDS = (
    "name",
    "address",
    "postcode",
    "phone",
    "home_language",
    "interpreter_needed",
    "interpreter_language",
    "notes",
)
CARER_FIELDS = (
    "name",
    "relationship",
    "parental_responsibility",
    "lives_with_pupil",
    "phone",
    "email",
    "address",
    "preferred_contact",
    "language",
    "interpreter_needed",
    "notes",
    "is_active",
)
SIBLING_FIELDS = ("name", "date_of_birth", "school", "school_other", "notes")
CONSENT_FIELDS = ("agency_kind", "purpose", "status", "given_by", "given_by_carer", "how", "decided_on", "expires_on")
SHARING_FIELDS = ("decided_on", "what", "agency_kind", "recipient", "why", "lawful_basis", "shared")
SUPPORT_FIELDS = ("kind", "detail", "outside_agency", "owner", "due_on")
HOME_VISIT_FIELDS = ("visited_on", "colleague", "others_present", "purpose", "outcome", "findings", "follow_ups")
FRESH_START_FIELDS = (
    "held_on",
    "location",
    "school_staff",
    "agency_member",
    "others_present",
    "positives",
    "negatives",
    "goals",
    "needs",
    "help_offered",
)
PREFERENCE_FIELDS = ("pupil_preferences", "pupil_priorities", "parent_preferences", "parent_priorities")

SCHOOL_STAFF_ROLES = frozenset({User.Role.STAFF, User.Role.DSL, User.Role.SENIOR_LEADER})
AGENCY_MEMBER_ROLES = frozenset({User.Role.SPECIALIST, User.Role.FAMILY_WORKER})


def _pick(data: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: data[name] for name in names if name in data}


def _save_versioned(obj: Model, *, version: int, changes: dict[str, Any], extra: dict[str, Any] | None = None) -> None:
    """Apply `changes` only if nobody has saved the row since `version` was read (no silent overwrite)."""
    model = type(obj)
    candidate = model.objects.get(pk=obj.pk)
    for name, value in changes.items():
        setattr(candidate, name, value)
    candidate.full_clean()
    updated = model.objects.filter(pk=obj.pk, version=version).update(
        **changes, **(extra or {}), version=F("version") + 1
    )
    if not updated:
        raise EditConflict(CONFLICT_MESSAGE)
    obj.refresh_from_db()


def _not_future(day: datetime.date | None, what: str) -> None:
    if day is not None and day > timezone.localdate():
        raise ValidationError(f"{what} cannot be in the future.")


# Households, carers, siblings --------------------------------------------------------------------------


def _require_household_write(by: User, household: Household) -> None:
    """A household is seen through its pupils, so it may be changed by someone who may change one of them:
    a household seen only through a break-glass grant is read-only (pru_cases.access.require_write)."""
    pupil_ids = list(HouseholdPupil.objects.filter(household=household).values_list("pupil_id", flat=True))
    if not pupil_ids or pupils_writable_by(by).filter(pk__in=pupil_ids).exists():
        return
    for pupil_id in pupil_ids:
        require_write(by, pupil_id)  # raises: break-glass (read-only) or out of scope


@transaction.atomic
def household_create(*, by: User, data: dict[str, Any], pupil: Pupil | None = None) -> Household:
    household = Household(**_pick(data, HOUSEHOLD_FIELDS))
    household.full_clean()
    household.save()
    if pupil is not None:
        household_add_pupil(household=household, pupil=pupil, by=by)
    return household


@transaction.atomic
def household_update(*, household: Household, by: User, data: dict[str, Any], version: int) -> Household:
    _require_household_write(by, household)
    _save_versioned(
        household, version=version, changes=_pick(data, HOUSEHOLD_FIELDS), extra={"updated_at": timezone.now()}
    )
    return household


@transaction.atomic
def household_add_pupil(*, household: Household, pupil: Pupil, by: User) -> HouseholdPupil:
    """Put the pupil in this household (a pupil lives in one household: joining one leaves the last)."""
    require_write(by, pupil)
    if household.status != Household.Status.ACTIVE:
        raise ValidationError("This household is archived.")
    link = HouseholdPupil.objects.select_for_update().filter(pupil=pupil).first()
    if link is None:
        return HouseholdPupil.objects.create(pupil=pupil, household=household)
    if link.household_id == household.pk:
        raise ValidationError(f"{pupil.full_name} is already in this household.")
    link.household = household
    link.since = timezone.localdate()
    link.save(update_fields=["household", "since"])
    return link


@transaction.atomic
def carer_add(*, household: Household, by: User, data: dict[str, Any]) -> Carer:
    _require_household_write(by, household)
    carer = Carer(household=household, **_pick(data, CARER_FIELDS))
    carer.full_clean()
    carer.save()
    return carer


@transaction.atomic
def carer_update(*, carer: Carer, by: User, data: dict[str, Any], version: int) -> Carer:
    _require_household_write(by, carer.household)
    _save_versioned(carer, version=version, changes=_pick(data, CARER_FIELDS))
    return carer


@transaction.atomic
def sibling_add(*, household: Household, by: User, data: dict[str, Any]) -> Sibling:
    _require_household_write(by, household)
    sibling = Sibling(household=household, **_pick(data, SIBLING_FIELDS))
    sibling.full_clean()
    sibling.save()
    return sibling


# Consent and information sharing ----------------------------------------------------------------------


@transaction.atomic
def consent_record(*, pupil: Pupil, by: User, data: dict[str, Any]) -> Consent:
    require_write(by, pupil)
    values = _pick(data, CONSENT_FIELDS)
    if values.get("status") not in (Consent.Status.GIVEN, Consent.Status.REFUSED):
        raise ValidationError("Record consent as given or refused; withdraw a given consent from its row.")
    _not_future(values.get("decided_on"), "The date of the decision")
    carer = values.get("given_by_carer")
    if carer is not None and not HouseholdPupil.objects.filter(pupil=pupil, household_id=carer.household_id).exists():
        raise ValidationError("That carer is not in this pupil's household.")
    consent = Consent(pupil=pupil, recorded_by=by, **values)
    consent.full_clean()
    consent.save()
    return consent


@transaction.atomic
def consent_withdraw(*, consent: Consent, by: User, withdrawn_on: datetime.date, reason: str) -> Consent:
    require_write(by, consent.pupil_id)
    _not_future(withdrawn_on, "The date of withdrawal")
    if withdrawn_on < consent.decided_on:
        raise ValidationError("Consent cannot be withdrawn before it was given.")
    updated = Consent.objects.filter(pk=consent.pk, status=Consent.Status.GIVEN).update(
        status=Consent.Status.WITHDRAWN,
        withdrawn_on=withdrawn_on,
        withdrawn_reason=reason.strip(),
        withdrawn_recorded_by=by,
    )
    if not updated:
        raise ValidationError("Only consent that is currently given can be withdrawn.")
    consent.refresh_from_db()
    return consent


@transaction.atomic
def sharing_decision_record(*, pupil: Pupil, by: User, data: dict[str, Any]) -> SharingDecision:
    require_write(by, pupil)
    values = _pick(data, SHARING_FIELDS)
    _not_future(values.get("decided_on"), "The date of the decision")
    if values.get("shared") and values.get("lawful_basis") == SharingDecision.LawfulBasis.CONSENT:
        problem = consent_problem(pupil=pupil, agency_kind_or_specialism=values["agency_kind"])
        if problem:
            raise ValidationError(problem)
    decision = SharingDecision(pupil=pupil, decided_by=by, **values)
    decision.full_clean()
    decision.save()
    return decision


# Family support and home visits ----------------------------------------------------------------------


@transaction.atomic
def support_action_create(*, household: Household, by: User, data: dict[str, Any]) -> SupportAction:
    _require_household_write(by, household)
    action = SupportAction(household=household, **_pick(data, SUPPORT_FIELDS))
    if action.owner_id is None:
        action.owner = by
    action.full_clean()
    action.save()
    return action


@transaction.atomic
def support_action_update(*, action: SupportAction, by: User, status: str, outcome: str, version: int) -> SupportAction:
    _require_household_write(by, action.household)
    if status in SupportAction.CLOSED_STATUSES and not outcome.strip():
        raise ValidationError({"outcome": "Say what came of it before closing the action."})
    closed_on = action.closed_on or timezone.localdate() if status in SupportAction.CLOSED_STATUSES else None
    _save_versioned(
        action, version=version, changes={"status": status, "outcome": outcome.strip(), "closed_on": closed_on}
    )
    return action


@transaction.atomic
def home_visit_record(*, household: Household, by: User, data: dict[str, Any]) -> HomeVisit:
    _require_household_write(by, household)
    values = _pick(data, HOME_VISIT_FIELDS)
    _not_future(values.get("visited_on"), "The visit date")
    if values.get("colleague") is not None and values["colleague"].pk == by.pk:
        raise ValidationError({"colleague": "The colleague is someone other than you."})
    if (
        values.get("outcome", HomeVisit.Outcome.SEEN) == HomeVisit.Outcome.SEEN
        and not values.get("findings", "").strip()
    ):
        raise ValidationError({"findings": "Record what was found when the family was seen."})
    visit = HomeVisit(household=household, lead=by, **values)
    visit.full_clean()
    visit.save()
    return visit


# Fresh Start interviews -----------------------------------------------------------------------------


def _check_interviewers(values: dict[str, Any]) -> None:
    staff, member = values.get("school_staff"), values.get("agency_member")
    errors = {}
    if staff is not None and staff.role not in SCHOOL_STAFF_ROLES:
        errors["school_staff"] = "Choose a member of the PRU's own staff."
    if member is not None and member.role not in AGENCY_MEMBER_ROLES:
        errors["agency_member"] = "Choose a member of the multi-agency team (a specialist or family worker)."
    if staff is not None and member is not None and staff.pk == member.pk:
        errors["agency_member"] = "The interview is held by two different people."
    if errors:
        raise ValidationError(errors)
    _not_future(values.get("held_on"), "The interview date")


@transaction.atomic
def fresh_start_record(*, pupil: Pupil, by: User, data: dict[str, Any]) -> FreshStartInterview:
    require_write(by, pupil)
    values = _pick(data, FRESH_START_FIELDS)
    _check_interviewers(values)
    if FreshStartInterview.objects.filter(pupil=pupil).exists():
        raise ValidationError("A Fresh Start interview is already recorded for this pupil: edit it instead.")
    interview = FreshStartInterview(pupil=pupil, recorded_by=by, **values)
    interview.full_clean()
    interview.save()
    return interview


@transaction.atomic
def fresh_start_update(
    *, interview: FreshStartInterview, by: User, data: dict[str, Any], version: int
) -> FreshStartInterview:
    require_write(by, interview.pupil_id)
    values = _pick(data, FRESH_START_FIELDS)
    _check_interviewers(values)
    _save_versioned(interview, version=version, changes=values)
    return interview


@transaction.atomic
def fresh_start_mark_discussed(
    *, interview: FreshStartInterview, by: User, discussed_on: datetime.date, note: str = ""
) -> FreshStartInterview:
    """Take the interview off the MDT agenda's list of interviews still to feed back."""
    require_write(by, interview.pupil_id)
    _not_future(discussed_on, "The meeting date")
    if discussed_on < interview.held_on:
        raise ValidationError("The MDT cannot discuss the interview before it was held.")
    updated = FreshStartInterview.objects.filter(pk=interview.pk, discussed_at_mdt_on__isnull=True).update(
        discussed_at_mdt_on=discussed_on, mdt_note=note.strip(), version=F("version") + 1
    )
    if not updated:
        raise ValidationError("This interview has already been discussed at the MDT.")
    interview.refresh_from_db()
    return interview


def fresh_starts_awaiting_mdt():
    """Interviews the next MDT agenda should pick up: held, not yet discussed (oldest first)."""
    return (
        FreshStartInterview.objects.filter(discussed_at_mdt_on__isnull=True)
        .select_related("pupil", "school_staff", "agency_member")
        .order_by("held_on", "pk")
    )


# Reintegration plans --------------------------------------------------------------------------------

Status = ReintegrationPlan.Status


def _transition(
    plan: ReintegrationPlan, *, version: int, allowed: tuple[str, ...], message: str, changes: dict
) -> None:
    locked = ReintegrationPlan.objects.select_for_update().get(pk=plan.pk)
    if locked.version != version:
        raise EditConflict(CONFLICT_MESSAGE)
    if locked.status not in allowed:
        raise ValidationError(message)
    _save_versioned(plan, version=version, changes=changes, extra={"updated_at": timezone.now()})


@transaction.atomic
def reintegration_plan_start(*, pupil: Pupil, by: User) -> ReintegrationPlan:
    require_write(by, pupil)
    if pupil.is_archived:
        raise ValidationError("This pupil is archived.")
    if ReintegrationPlan.objects.filter(pupil=pupil, status__in=ReintegrationPlan.OPEN_STATUSES).exists():
        raise ValidationError("This pupil already has an open reintegration plan.")
    plan = ReintegrationPlan(pupil=pupil, lead=by)
    plan.full_clean()
    plan.save()
    return plan


@transaction.atomic
def reintegration_decide_readiness(
    *, plan: ReintegrationPlan, by: User, ready: bool, reason: str, version: int
) -> ReintegrationPlan:
    require_write(by, plan.pupil_id)
    _transition(
        plan,
        version=version,
        allowed=(Status.CONSIDERING, Status.NOT_READY),
        message="Readiness is decided before preferences are gathered.",
        changes={
            "status": Status.PREFERENCES if ready else Status.NOT_READY,
            "readiness_decided_on": timezone.localdate(),
            "readiness_reason": reason.strip(),
        },
    )
    return plan


@transaction.atomic
def reintegration_record_preferences(
    *, plan: ReintegrationPlan, by: User, data: dict[str, Any], version: int
) -> ReintegrationPlan:
    require_write(by, plan.pupil_id)
    _transition(
        plan,
        version=version,
        allowed=(Status.PREFERENCES, Status.SHORTLIST),
        message=(
            "Preferences are recorded once the pupil is judged ready and before the preference goes to senior staff."
        ),
        changes=_pick(data, PREFERENCE_FIELDS),
    )
    return plan


@transaction.atomic
def reintegration_shortlist_add(
    *, plan: ReintegrationPlan, by: User, school: School, reason: str = ""
) -> ShortlistedSchool:
    require_write(by, plan.pupil_id)
    locked = ReintegrationPlan.objects.select_for_update().get(pk=plan.pk)
    if locked.status not in (Status.PREFERENCES, Status.SHORTLIST):
        raise ValidationError("Schools are shortlisted after readiness is agreed and before the preference is sent.")
    if ShortlistedSchool.objects.filter(plan=plan, school=school).exists():
        raise ValidationError(f"{school} is already on the shortlist.")
    entry = ShortlistedSchool.objects.create(plan=plan, school=school, reason=reason.strip())
    if locked.status == Status.PREFERENCES:
        ReintegrationPlan.objects.filter(pk=plan.pk).update(
            status=Status.SHORTLIST, version=F("version") + 1, updated_at=timezone.now()
        )
    plan.refresh_from_db()
    return entry


@transaction.atomic
def school_visit_arrange(
    *, shortlisted: ShortlistedSchool, by: User, visit_on: datetime.date, accompanied_by: User | None = None
) -> SchoolVisit:
    require_write(by, shortlisted.plan.pupil_id)
    if shortlisted.plan.status != Status.SHORTLIST:
        raise ValidationError("Visits are arranged while the shortlist is open.")
    visit = SchoolVisit(shortlisted=shortlisted, visit_on=visit_on, accompanied_by=accompanied_by or by)
    visit.full_clean()
    visit.save()
    return visit


@transaction.atomic
def school_visit_record(
    *,
    visit: SchoolVisit,
    by: User,
    status: str,
    pupil_feedback: str = "",
    parent_feedback: str = "",
    staff_notes: str = "",
) -> SchoolVisit:
    require_write(by, visit.shortlisted.plan.pupil_id)
    if status == SchoolVisit.Status.ATTENDED:
        _not_future(visit.visit_on, "A visit that was attended")
    updated = SchoolVisit.objects.filter(pk=visit.pk, status=SchoolVisit.Status.ARRANGED).update(
        status=status,
        pupil_feedback=pupil_feedback.strip(),
        parent_feedback=parent_feedback.strip(),
        staff_notes=staff_notes.strip(),
    )
    if not updated:
        raise ValidationError("This visit's outcome has already been recorded.")
    visit.refresh_from_db()
    return visit


@transaction.atomic
def reintegration_send_preference(
    *, plan: ReintegrationPlan, by: User, ranking: list[ShortlistedSchool], sent_to: User, note: str, version: int
) -> ReintegrationPlan:
    """Record the family's ranked preference and who among senior staff it went to."""
    require_write(by, plan.pupil_id)
    if not ranking:
        raise ValidationError("Rank at least one shortlisted school.")
    if any(entry.plan_id != plan.pk for entry in ranking) or len({e.pk for e in ranking}) != len(ranking):
        raise ValidationError("Rank each shortlisted school once.")
    if sent_to.role not in (User.Role.SENIOR_LEADER, User.Role.DSL):
        raise ValidationError({"sent_to": "The preference goes to a senior leader or the DSL."})
    _transition(
        plan,
        version=version,
        allowed=(Status.SHORTLIST,),
        message="The family's preference is sent once the shortlist is drawn up.",
        changes={
            "status": Status.PREFERENCE_SENT,
            "preference_sent_on": timezone.localdate(),
            "preference_sent_to": sent_to,
            "preference_note": note.strip(),
        },
    )
    ShortlistedSchool.objects.filter(plan=plan).update(family_rank=None)
    for rank, entry in enumerate(ranking, start=1):
        ShortlistedSchool.objects.filter(pk=entry.pk).update(family_rank=rank)
    preference_sent_alert(plan, sent_to=sent_to, sent_on=timezone.localdate(), by=by)
    return plan


def preference_sent_alert(plan: ReintegrationPlan, *, sent_to: User, sent_on: datetime.date, by: User) -> int:
    """The senior leader a family's preference went to hears of it, with who sent it."""
    return notify(
        kind=Notification.Kind.PREFERENCE_SENT,
        recipients=[sent_to],
        object_id=plan.pk,
        occasion=f"{sent_on:%Y-%m-%d}",
        path=reverse("families:reintegration", args=[plan.pupil_id]),
        pupil_id=plan.pupil_id,
        detail=f"Sent by {by}.",
        exclude=by,
    )


@transaction.atomic
def reintegration_allocate(
    *,
    plan: ReintegrationPlan,
    by: User,
    school: School,
    start_date: datetime.date,
    phased_timetable: str,
    version: int,
) -> ReintegrationPlan:
    """The allocated school, the start date and the phased timetable; follow-up checks at 2, 6 and 12 weeks."""
    require_write(by, plan.pupil_id)
    _transition(
        plan,
        version=version,
        allowed=(Status.SHORTLIST, Status.PREFERENCE_SENT),
        message="A school is allocated after the shortlist is drawn up.",
        changes={
            "status": Status.ALLOCATED,
            "allocated_school": school,
            "allocated_on": timezone.localdate(),
            "start_date": start_date,
            "phased_timetable": phased_timetable.strip(),
        },
    )
    FollowUpCheck.objects.bulk_create(
        [
            FollowUpCheck(plan=plan, weeks=weeks, due_on=start_date + datetime.timedelta(weeks=weeks))
            for weeks in ReintegrationPlan.FOLLOW_UP_WEEKS
        ]
    )
    return plan


@transaction.atomic
def follow_up_record(
    *, check: FollowUpCheck, by: User, done_on: datetime.date, outcome: str, notes: str
) -> FollowUpCheck:
    require_write(by, check.plan.pupil_id)
    _not_future(done_on, "The check date")
    if check.plan.start_date and done_on < check.plan.start_date:
        raise ValidationError("A follow-up check comes after the start date.")
    updated = FollowUpCheck.objects.filter(pk=check.pk, done_on__isnull=True).update(
        done_on=done_on, done_by=by, outcome=outcome, notes=notes.strip()
    )
    if not updated:
        raise ValidationError("This check has already been recorded.")
    check.refresh_from_db()
    return check


@transaction.atomic
def reintegration_close(
    *, plan: ReintegrationPlan, by: User, completed: bool, reason: str, version: int
) -> ReintegrationPlan:
    """Finish the plan: completed after the return to school, or closed at any point with a reason."""
    require_write(by, plan.pupil_id)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the plan is ending."})
    if completed:
        _transition(
            plan,
            version=version,
            allowed=(Status.ALLOCATED,),
            message="A plan is completed once a school has been allocated.",
            changes={"status": Status.COMPLETED, "closed_on": timezone.localdate(), "close_reason": reason.strip()},
        )
    else:
        _transition(
            plan,
            version=version,
            allowed=ReintegrationPlan.OPEN_STATUSES,
            message="This plan has already ended.",
            changes={"status": Status.CLOSED, "closed_on": timezone.localdate(), "close_reason": reason.strip()},
        )
    return plan
