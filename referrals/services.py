"""Referrals through stepped triage to interventions, and information requests. Every service is atomic;
status changes lock the row first, so two people triaging at once cannot both succeed."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts.models import Agency, Notification, User
from accounts.notifications import notify
from concerns.models import Concern
from concerns.services import escalation_open
from pru_cases.access import (
    FieldGroup,
    can_write_field_group,
    hidden_row_fields,
    require_write,
    without_restricted_rows,
)
from pru_cases.lib.conflicts import EditConflict
from pupils.models import Allocation, Pupil
from pupils.services import allocation_add
from pupils.signals import pupil_figures_changed
from referrals.models import (
    InformationRequest,
    Intervention,
    InterventionSession,
    Referral,
    Specialism,
    default_due_by,
)
from referrals.selectors import specialisms_for, specialists_for

REVIEW_AFTER = datetime.timedelta(weeks=6)


CONFLICT_MESSAGE = (
    "Someone else changed this referral while you were looking at it. Check its new state below, then try again."
)

REFUSED_TRIAGE = {
    Referral.Status.ALLOCATED: "This referral has already been triaged: it is allocated to {who}.",
    Referral.Status.SIGNPOSTED: "This referral has already been triaged: it was signposted to the universal offer.",
    Referral.Status.DECLINED: "This referral has already been triaged: it was declined.",
    Referral.Status.ESCALATED: "This referral has already been triaged: it was escalated.",
    Referral.Status.IN_PROGRESS: "This referral is already in progress with {who}.",
    Referral.Status.CLOSED: "This referral is closed.",
}


# Checks against the consent decisions on record, registered by the app that keeps them (families, in its
# ready()). Each is called as check(pupil=..., agency_kind_or_specialism=...) and returns what stands in the way
# of sharing, or None.
CONSENT_CHECKS: list[Callable[..., str | None]] = []


def register_consent_check(check: Callable[..., str | None]) -> None:
    if check not in CONSENT_CHECKS:
        CONSENT_CHECKS.append(check)


def _consent_check(*, pupil: Pupil, specialism: str, consent_status: str) -> None:
    """The one place consent is checked before a referral is accepted: the status given on the form, then the
    consent decisions on record (CONSENT_CHECKS). Complex safeguarding does not wait for consent."""
    if specialism == Specialism.COMPLEX_SAFEGUARDING:
        return
    if consent_status == Referral.Consent.REFUSED:
        raise ValidationError(
            {
                "consent_status": (
                    "Consent was refused, so this referral cannot go ahead. If you think the pupil is at risk of "
                    "harm, tell the DSL: safeguarding does not wait for consent."
                )
            }
        )
    for check in CONSENT_CHECKS:
        problem = check(pupil=pupil, agency_kind_or_specialism=specialism)
        if problem:
            raise ValidationError({"consent_status": problem})


@transaction.atomic
def referral_create(
    *,
    pupil: Pupil,
    by: User,
    specialism: str,
    reasons: str,
    tried: str = "",
    consent_status: str = Referral.Consent.NOT_ASKED,
    urgency: str = Referral.Urgency.ROUTINE,
    concern: Concern | None = None,
) -> Referral:
    require_write(by, pupil)
    if pupil.is_archived:
        raise ValidationError("This pupil's record is archived: restore it before raising a referral.")
    if specialism in specialisms_for(by):
        raise ValidationError(
            {
                "specialism": (
                    "This is your own specialism: record the work as an intervention rather than referring to "
                    "yourself. A referral asks another specialism for help."
                )
            }
        )
    if concern is not None and concern.pupil_id != pupil.pk:
        raise ValidationError("That concern is about a different pupil.")
    if Referral.objects.filter(pupil=pupil, specialism=specialism, status=Referral.Status.SUBMITTED).exists():
        raise ValidationError(
            {
                "specialism": (
                    "A referral to this specialism is already waiting for triage for this pupil: add to it at the "
                    "MDT rather than raising another."
                )
            }
        )
    _consent_check(pupil=pupil, specialism=specialism, consent_status=consent_status)
    referral = Referral(
        pupil=pupil,
        raised_by=by,
        specialism=specialism,
        reasons=reasons.strip(),
        tried=tried.strip(),
        consent_status=consent_status,
        urgency=urgency,
        concern=concern,
    )
    referral.full_clean()
    referral.save()
    pupil_figures_changed.send(sender=__name__, pupil_ids=[pupil.pk])
    return referral


def _lock(referral: Referral, version: int | None, *, by: User | None = None) -> Referral:
    locked = Referral.objects.select_for_update(of=("self",)).select_related("allocated_to").get(pk=referral.pk)
    if by is not None and hidden_row_fields(by, locked) is None:
        # A referral to a health service is health detail: the pages do not show it to this person either.
        raise ValidationError("Referrals to health services are triaged and closed by the DSL and health staff.")
    if version is not None and locked.version != version:
        raise EditConflict(CONFLICT_MESSAGE)
    return locked


def referral_words(referral: Referral) -> str:
    """How an escalation names the referral it came from: no specialism, which may be health detail."""
    return f"referral #{referral.pk}"


def _who(referral: Referral) -> str:
    return str(referral.allocated_to) if referral.allocated_to_id else "a specialist"


def open_duplicate(*, pupil: Pupil, specialism: str) -> Intervention | None:
    return (
        Intervention.objects.filter(pupil=pupil, specialism=specialism, status=Intervention.Status.OPEN)
        .select_related("specialist")
        .first()
    )


@transaction.atomic
def referral_triage(
    *,
    referral: Referral,
    by: User,
    outcome: str,
    version: int | None = None,
    specialist: User | None = None,
    duplication_reason: str = "",
    offer: str = "",
    reason: str = "",
    escalation: str = "",
    note: str = "",
) -> Referral:
    """The MDT's decision: allocate to a specialist, signpost to the universal offer, decline, or escalate."""
    require_write(by, referral.pupil_id)
    locked = _lock(referral, version, by=by)
    if locked.status != Referral.Status.SUBMITTED:
        raise ValidationError(REFUSED_TRIAGE[locked.status].format(who=_who(locked)))
    now = timezone.now()
    locked.triaged_by = by
    locked.triaged_at = now
    locked.triage_note = note.strip()[:500]  # a long MDT minute is kept in full by the meetings app
    if outcome == Referral.Status.ALLOCATED:
        _allocate(locked, by=by, specialist=specialist, duplication_reason=duplication_reason.strip())
    elif outcome == Referral.Status.SIGNPOSTED:
        if not offer.strip():
            raise ValidationError({"offer": "Name the part of the universal offer the pupil is signposted to."})
        locked.signpost_offer = offer.strip()
    elif outcome == Referral.Status.DECLINED:
        if not reason.strip():
            raise ValidationError({"reason": "Give the reason for declining, so the referrer can explain it."})
        locked.decline_reason = reason.strip()
    elif outcome == Referral.Status.ESCALATED:
        if escalation not in Referral.Escalation.values:
            raise ValidationError(
                {
                    "escalation": (
                        "Choose the route: early help assessment, child protection procedures, a police "
                        "safe-and-well check, a MASH referral or another route."
                    )
                }
            )
        locked.escalation = escalation
        # The escalation is tracked from here (owner, due date, outside reference, outcome), in this transaction.
        locked.escalation_record = escalation_open(
            pupil=locked.pupil,
            by=by,
            route=escalation,
            # Never the triage note: it may be health detail, and staff read it on the referral.
            summary=f"Escalated when {referral_words(locked)} was triaged.",
            concern=locked.concern,
        )
    else:
        raise ValidationError({"outcome": "Choose a triage outcome."})
    locked.status = outcome
    locked.version += 1
    locked.full_clean()
    locked.save()
    # the figures count time to triage, signposting and interventions
    pupil_figures_changed.send(sender=__name__, pupil_ids=[locked.pupil_id])
    triage_alerts(locked, by=by)
    referral.refresh_from_db()
    return referral


def triage_alerts(referral: Referral, *, by: User) -> None:
    """The referrer hears the outcome and why; an allocated specialist hears that the work is theirs.

    A referrer who may not read the referral (a health referral raised by a teacher) hears only that it was
    triaged and how, with a link to the pupil: the reason, the offer and the specialist are health detail."""
    path = reverse("referrals:detail", args=[referral.pk])
    detail = {
        Referral.Status.ALLOCATED: f"Allocated to {referral.allocated_to}." if referral.allocated_to_id else "",
        Referral.Status.SIGNPOSTED: f"Signposted to: {referral.signpost_offer}",
        Referral.Status.DECLINED: f"Reason: {referral.decline_reason}",
        Referral.Status.ESCALATED: f"Escalated: {referral.get_escalation_display()}.",
    }.get(referral.status, "")
    referrer_path, referrer_detail = path, detail
    # a referrer who may not know this referral at all (a health referral, for someone outside health)
    if not without_restricted_rows(referral.raised_by, Referral.objects.filter(pk=referral.pk)).exists():
        referrer_path, referrer_detail = reverse("pupils:detail", args=[referral.pupil_id]), ""
    notify(
        kind=Notification.Kind.REFERRAL_TRIAGED,
        recipients=[referral.raised_by_id],
        object_id=referral.pk,
        occasion=referral.status,
        path=referrer_path,
        pupil_id=referral.pupil_id,
        detail=referrer_detail,
        exclude=by,
    )
    if referral.status == Referral.Status.ALLOCATED:
        notify(
            kind=Notification.Kind.REFERRAL_ALLOCATED,
            recipients=[referral.allocated_to_id],
            object_id=referral.pk,
            occasion=f"to-{referral.allocated_to_id}",
            path=path,
            pupil_id=referral.pupil_id,
            detail=f"{referral.get_specialism_display()}, allocated by {by}.",
            exclude=by,
        )


def _allocate(referral: Referral, *, by: User, specialist: User | None, duplication_reason: str) -> None:
    if specialist is None:
        raise ValidationError({"specialist": "Choose the specialist who will take this referral."})
    if not specialists_for(referral.specialism).filter(pk=specialist.pk).exists():
        raise ValidationError(
            {
                "specialist": (
                    f"{specialist} does not work in {referral.get_specialism_display()}: choose someone who does."
                )
            }
        )
    duplicate = open_duplicate(pupil=referral.pupil, specialism=referral.specialism)
    if duplicate is not None and not duplication_reason:
        raise ValidationError(
            {
                "duplication_reason": (
                    f"{referral.pupil.full_name} already has an open {duplicate.get_specialism_display()} "
                    f"intervention with {duplicate.specialist}. Record why a second one is needed, or signpost "
                    "instead."
                )
            }
        )
    referral.allocated_to = specialist
    referral.duplication_reason = duplication_reason if duplicate is not None else ""
    Intervention.objects.create(
        pupil=referral.pupil,
        referral=referral,
        specialism=referral.specialism,
        specialist=specialist,
        review_date=timezone.localdate() + REVIEW_AFTER,
    )
    # The allocation is what lets the specialist see the pupil (pru_cases.access.pupils_visible_to).
    if not Allocation.objects.filter(pupil=referral.pupil, user=specialist, ended_on__isnull=True).exists():
        allocation_add(
            pupil=referral.pupil,
            user=specialist,
            by=by,
            reason=f"Referral #{referral.pk}: {referral.get_specialism_display()}",
        )


def may_work_on(user: User, referral: Referral) -> bool:
    return user.role == User.Role.DSL or (referral.allocated_to_id is not None and referral.allocated_to_id == user.pk)


@transaction.atomic
def referral_start(*, referral: Referral, by: User) -> Referral:
    require_write(by, referral.pupil_id)
    locked = _lock(referral, None)
    if locked.status == Referral.Status.IN_PROGRESS:
        raise ValidationError("This referral is already in progress.")
    if locked.status != Referral.Status.ALLOCATED:
        raise ValidationError("Only a referral allocated to a specialist can be started.")
    if not may_work_on(by, locked):
        raise ValidationError("Only the allocated specialist or the DSL can start this work.")
    Referral.objects.filter(pk=locked.pk).update(status=Referral.Status.IN_PROGRESS, version=F("version") + 1)
    if Intervention.objects.filter(referral=locked, started_on__isnull=True).update(started_on=timezone.localdate()):
        pupil_figures_changed.send(sender=__name__, pupil_ids=[locked.pupil_id])  # time to first intervention
    referral.refresh_from_db()
    return referral


REFUSED_CLOSE = {
    Referral.Status.SUBMITTED: "Triage this referral before closing it.",
    Referral.Status.DECLINED: "A declined referral is already finished; there is no outcome to record.",
    Referral.Status.CLOSED: "This referral is already closed.",
}


@transaction.atomic
def referral_close(
    *, referral: Referral, by: User, outcome: str, note: str = "", version: int | None = None
) -> Referral:
    require_write(by, referral.pupil_id)
    locked = _lock(referral, version, by=by)
    if locked.status not in Referral.CLOSABLE:
        raise ValidationError(REFUSED_CLOSE[locked.status])
    if locked.status in (Referral.Status.ALLOCATED, Referral.Status.IN_PROGRESS) and not (
        may_work_on(by, locked) or by.role == User.Role.SENIOR_LEADER
    ):
        raise ValidationError("Only the allocated specialist, the DSL or a senior leader can close this referral.")
    if outcome not in Referral.Outcome.values:
        raise ValidationError({"outcome": "Choose the outcome."})
    today = timezone.localdate()
    locked.status = Referral.Status.CLOSED
    locked.outcome = outcome
    locked.outcome_note = note.strip()
    locked.closed_by = by
    locked.closed_at = timezone.now()
    locked.version += 1
    locked.full_clean()
    locked.save()
    Intervention.objects.filter(referral=locked, status=Intervention.Status.OPEN).update(
        status=Intervention.Status.CLOSED,
        outcome=outcome,
        outcome_note=note.strip(),
        closed_on=today,
        version=F("version") + 1,
    )
    referral.refresh_from_db()
    return referral


@transaction.atomic
def intervention_session_add(
    *,
    intervention: Intervention,
    by: User,
    held_on: datetime.date,
    minutes: int = 45,
    attended: bool = True,
    notes: str = "",
    health_notes: str = "",
) -> InterventionSession:
    require_write(by, intervention.pupil_id)
    if intervention.status != Intervention.Status.OPEN:
        raise ValidationError("This intervention is closed: sessions can no longer be added.")
    if not (by.role == User.Role.DSL or intervention.specialist_id == by.pk):
        raise ValidationError("Only the allocated specialist or the DSL can record sessions.")
    if health_notes.strip() and not can_write_field_group(by, FieldGroup.HEALTH):
        raise ValidationError({"health_notes": "Only health staff and the DSL may write health notes."})
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "A session cannot be recorded for a future date."})
    session = InterventionSession(
        intervention=intervention,
        held_on=held_on,
        minutes=minutes,
        attended=attended,
        notes=notes.strip(),
        health_notes=health_notes.strip(),
        recorded_by=by,
    )
    session.full_clean()
    session.save()
    # The first session starts the work if nobody pressed "start".
    referral = intervention.referral
    if referral.status == Referral.Status.ALLOCATED:
        referral_start(referral=referral, by=by)
    if Intervention.objects.filter(pk=intervention.pk, started_on__isnull=True).update(started_on=held_on):
        pupil_figures_changed.send(sender=__name__, pupil_ids=[intervention.pupil_id])  # time to first intervention
    return session


@transaction.atomic
def intervention_update(
    *, intervention: Intervention, by: User, version: int, review_date: datetime.date | None, goals: str
) -> Intervention:
    require_write(by, intervention.pupil_id)
    if intervention.status != Intervention.Status.OPEN:
        raise ValidationError("This intervention is closed.")
    if not (by.role == User.Role.DSL or intervention.specialist_id == by.pk):
        raise ValidationError("Only the allocated specialist or the DSL can change this intervention.")
    updated = Intervention.objects.filter(pk=intervention.pk, version=version).update(
        review_date=review_date, goals=goals.strip(), version=F("version") + 1
    )
    if not updated:
        raise EditConflict(
            "Someone else changed this intervention while you were editing it. Your changes are shown below; "
            "save again to apply them."
        )
    intervention.refresh_from_db()
    return intervention


@transaction.atomic
def information_request_create(
    *,
    pupil: Pupil,
    by: User,
    agency: Agency,
    question: str,
    contact: str = "",
    asked_on: datetime.date | None = None,
    due_by: datetime.date | None = None,
) -> InformationRequest:
    require_write(by, pupil)
    asked_on = asked_on or timezone.localdate()
    if asked_on > timezone.localdate():
        raise ValidationError({"asked_on": "The date asked cannot be in the future."})
    request = InformationRequest(
        pupil=pupil,
        agency=agency,
        contact=contact.strip(),
        question=question.strip(),
        asked_on=asked_on,
        due_by=due_by or default_due_by(asked_on),
        asked_by=by,
    )
    if request.due_by < asked_on:
        raise ValidationError({"due_by": "The answer cannot be due before the question was asked."})
    request.full_clean()
    request.save()
    return request


@transaction.atomic
def information_request_answer(
    *, request: InformationRequest, by: User, answered_on: datetime.date, answer: str
) -> InformationRequest:
    require_write(by, request.pupil_id)
    if answered_on < request.asked_on:
        raise ValidationError({"answered_on": "The answer cannot come before the question was asked."})
    if answered_on > timezone.localdate():
        raise ValidationError({"answered_on": "The answer date cannot be in the future."})
    updated = InformationRequest.objects.filter(pk=request.pk, status=InformationRequest.Status.OPEN).update(
        status=InformationRequest.Status.ANSWERED, answered_on=answered_on, answer=answer.strip(), recorded_by=by
    )
    if not updated:
        raise ValidationError("This request has already been answered or withdrawn.")
    request.refresh_from_db()
    information_answered_alert(request, by=by)
    return request


def information_answered_alert(request: InformationRequest, *, by: User | None) -> int:
    """Who asked hears that the answer has come (unless they recorded it themselves)."""
    return notify(
        kind=Notification.Kind.INFORMATION_ANSWERED,
        recipients=[request.asked_by_id],
        object_id=request.pk,
        occasion="answered",
        path=reverse("pupils:detail", args=[request.pupil_id]),
        pupil_id=request.pupil_id,
        detail=f"{request.agency} answered on {request.answered_on:%-d %b %Y}.",
        exclude=by,
    )
