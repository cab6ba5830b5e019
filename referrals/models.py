"""Referrals for specialist help, stepped triage, interventions and information requests to outside agencies."""

import datetime

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Agency, Specialism  # Specialism: the referral specialisms of the one vocabulary
from concerns.models import EscalationRoute


def never_deleted() -> pgtrigger.Protect:
    return pgtrigger.Protect(name="never_deleted", operation=pgtrigger.Delete)


@pghistory.track()
@pgtrigger.register(never_deleted())
class Referral(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        ALLOCATED = "allocated", "Allocated to a specialist"
        SIGNPOSTED = "signposted", "Signposted to the universal offer"
        DECLINED = "declined", "Declined"
        ESCALATED = "escalated", "Escalated"
        IN_PROGRESS = "in_progress", "In progress"
        CLOSED = "closed", "Closed"

    TRIAGED = (Status.ALLOCATED, Status.SIGNPOSTED, Status.DECLINED, Status.ESCALATED)
    OPEN = (Status.SUBMITTED, Status.ALLOCATED, Status.IN_PROGRESS)
    WAITING = (*OPEN, Status.ESCALATED)  # someone still has to act on it; the triage queue counts these
    CLOSABLE = (Status.ALLOCATED, Status.IN_PROGRESS, Status.SIGNPOSTED, Status.ESCALATED)

    class Consent(models.TextChoices):
        NOT_ASKED = "not_asked", "Not yet asked"
        PUPIL_AND_PARENT = "pupil_and_parent", "Given by pupil and parent/carer"
        PARENT = "parent", "Given by parent/carer"
        PUPIL = "pupil", "Given by pupil (competent to consent)"
        REFUSED = "refused", "Refused"

    class Urgency(models.TextChoices):
        ROUTINE = "routine", "Routine"
        SOON = "soon", "Soon (within two weeks)"
        URGENT = "urgent", "Urgent"

    # The one vocabulary of routes outside the PRU: the escalation a triage creates is tracked in concerns.
    Escalation = EscalationRoute

    class Outcome(models.TextChoices):
        ACHIEVED = "achieved", "Goals achieved"
        PARTLY = "partly", "Partly achieved"
        NOT_ACHIEVED = "not_achieved", "Not achieved"
        DISENGAGED = "disengaged", "Pupil or family disengaged"
        LEFT = "left", "Pupil left the PRU"
        REFERRED_ON = "referred_on", "Referred on to another service"

    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.PROTECT, related_name="referrals")
    concern = models.ForeignKey(
        "concerns.Concern", on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    specialism = models.CharField(max_length=32, choices=Specialism.choices)
    reasons = models.TextField(help_text="What has been seen, and what help is asked for.")
    tried = models.TextField(
        "Already tried in the universal offer", blank=True, help_text="Mentoring, small-group work, clubs, and so on."
    )
    consent_status = models.CharField(max_length=20, choices=Consent.choices, default=Consent.NOT_ASKED)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_raised")
    raised_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    triaged_at = models.DateTimeField(null=True, blank=True)
    allocated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals_allocated"
    )
    duplication_reason = models.CharField(
        max_length=300, blank=True, help_text="Why a second open intervention of this kind is needed."
    )
    signpost_offer = models.CharField("Universal offer", max_length=200, blank=True)
    decline_reason = models.CharField(max_length=300, blank=True)
    escalation = models.CharField(max_length=24, choices=Escalation.choices, blank=True)
    escalation_record = models.ForeignKey(
        "concerns.Escalation", on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    triage_note = models.CharField(max_length=500, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="allocated") | Q(allocated_to__isnull=False), name="referral_allocated_has_person"
            ),
            models.CheckConstraint(
                condition=~Q(status="signposted") | ~Q(signpost_offer=""), name="referral_signposted_names_offer"
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""), name="referral_declined_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status="escalated") | ~Q(escalation=""), name="referral_escalated_has_route"
            ),
            models.CheckConstraint(condition=~Q(status="closed") | ~Q(outcome=""), name="referral_closed_has_outcome"),
        ]
        indexes = [
            # The triage counts by state and age, answered from the index alone; the specialism is carried for the
            # readers who may not know of health referrals (their count leaves those out).
            models.Index(fields=["status", "raised_at"], include=["specialism"], name="referral_status_raised_idx"),
            models.Index(fields=["pupil", "status"], name="referral_pupil_status_idx"),
        ]

    def __str__(self) -> str:
        return f"Referral #{self.pk}: {self.get_specialism_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def age_days(self) -> int:
        return (timezone.now() - self.raised_at).days

    @property
    def outcome_words(self) -> str:
        """Where the referral went, in plain words (reads `allocated_to`: fetch it with the row)."""
        status = self.Status
        if self.status == status.SUBMITTED:
            return "Waiting for triage"
        if self.status == status.ALLOCATED:
            return f"Allocated to {self.allocated_to}"
        if self.status == status.IN_PROGRESS:
            return f"In progress with {self.allocated_to}" if self.allocated_to_id else "In progress"
        if self.status == status.SIGNPOSTED:
            return f"Signposted to the universal offer: {self.signpost_offer}"
        if self.status == status.DECLINED:
            return f"Declined: {self.decline_reason}"
        if self.status == status.ESCALATED:
            return f"Escalated: {self.get_escalation_display().lower()}"
        words = f"Closed: {self.get_outcome_display().lower()}" if self.outcome else "Closed"
        if self.allocated_to_id:
            words += f" (worked with {self.allocated_to})"
        return words


@pghistory.track()
@pgtrigger.register(never_deleted())
class Intervention(models.Model):
    """The specialist work that follows an allocation."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.PROTECT, related_name="interventions")
    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="intervention")
    specialism = models.CharField(max_length=32, choices=Specialism.choices)
    specialist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="interventions")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    started_on = models.DateField(null=True, blank=True)
    review_date = models.DateField(null=True, blank=True)
    goals = models.TextField(blank=True)
    outcome = models.CharField(max_length=16, choices=Referral.Outcome.choices, blank=True)
    outcome_note = models.TextField(blank=True)
    closed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | (~Q(outcome="") & Q(closed_on__isnull=False)),
                name="intervention_closed_has_outcome",
            ),
        ]
        indexes = [
            models.Index(fields=["specialist", "status"], name="intervention_caseload_idx"),
            models.Index(fields=["pupil", "specialism", "status"], name="intervention_duplicate_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_specialism_display()} intervention"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def review_overdue(self) -> bool:
        return self.is_open and self.review_date is not None and self.review_date < timezone.localdate()


@pghistory.track()
@pgtrigger.register(never_deleted())
class InterventionSession(models.Model):
    """One session with the pupil. `health_notes` is in the health field group."""

    intervention = models.ForeignKey(Intervention, on_delete=models.PROTECT, related_name="sessions")
    held_on = models.DateField(default=timezone.localdate)
    minutes = models.PositiveSmallIntegerField(default=45)
    attended = models.BooleanField(default=True)
    notes = models.TextField(blank=True, help_text="Shared with the team around the pupil.")
    health_notes = models.TextField(blank=True, help_text="Health staff and the DSL only.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-pk"]


# Agency kinds an information request can go to, as a PRU asks in practice: police, the GP and other NHS services,
# social care, another local authority, a previous school, housing.
INFORMATION_AGENCY_KINDS = (
    Agency.Kind.POLICE,
    Agency.Kind.HEALTH,
    Agency.Kind.CAMHS,
    Agency.Kind.SOCIAL_CARE,
    Agency.Kind.EARLY_HELP,
    Agency.Kind.YOUTH_JUSTICE,
    Agency.Kind.SCHOOL,
    Agency.Kind.LOCAL_AUTHORITY,
    Agency.Kind.HOUSING,
    Agency.Kind.OTHER,
)


@pghistory.track()
@pgtrigger.register(never_deleted())
class InformationRequest(models.Model):
    """A question to an outside agency. Police and NHS can take a fortnight to answer, so due dates matter."""

    class Status(models.TextChoices):
        OPEN = "open", "Waiting"
        ANSWERED = "answered", "Answered"
        WITHDRAWN = "withdrawn", "Withdrawn"

    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.PROTECT, related_name="information_requests")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="information_requests")
    contact = models.CharField("Of whom", max_length=160, blank=True, help_text="Person, team or local authority.")
    question = models.TextField("What was asked")
    asked_on = models.DateField(default=timezone.localdate)
    due_by = models.DateField()
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    answered_on = models.DateField(null=True, blank=True)
    answer = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_by", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(due_by__gte=models.F("asked_on")), name="inforequest_due_after_asked"),
            models.CheckConstraint(
                condition=~Q(status="answered") | Q(answered_on__gte=models.F("asked_on")),
                name="inforequest_answered_after_asked",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_by"], name="inforequest_status_due_idx")]

    def __str__(self) -> str:
        return f"Information request to {self.agency}"

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_by < timezone.localdate()

    @property
    def days_waiting(self) -> int:
        end = self.answered_on or timezone.localdate()
        return (end - self.asked_on).days


def default_due_by(asked_on: datetime.date) -> datetime.date:
    return asked_on + datetime.timedelta(days=14)
