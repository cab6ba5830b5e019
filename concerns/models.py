"""The concern log (the staff log book): short, factual notes about what a member of staff saw."""

import datetime

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from pru_cases.lib.dates import add_working_days
from pupils.models.core import Pupil

# These models began in the pupils app: db_table (and the history tables' db_table) keep the tables they had
# there, so every row and every history event stays where it is.


@pghistory.track(meta={"db_table": "pupils_concernevent"})
@pgtrigger.register(pgtrigger.Protect(name="concern_never_deleted", operation=pgtrigger.Delete))
class Concern(models.Model):
    class Category(models.TextChoices):
        BEHAVIOUR = "behaviour", "Behaviour change"
        ATTENDANCE = "attendance", "Attendance"
        PUNCTUALITY = "punctuality", "Punctuality"
        APPEARANCE = "appearance", "Appearance / hygiene"
        POVERTY = "poverty", "Poverty / stress"
        PARENTAL_ENGAGEMENT = "parental_engagement", "Parental engagement"
        SAFEGUARDING = "safeguarding", "Safeguarding"
        WELLBEING = "wellbeing", "Wellbeing"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        REVIEWED = "reviewed", "Reviewed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="concerns")
    category = models.CharField(max_length=24, choices=Category.choices)
    seen = models.TextField("What was seen or heard", help_text="Facts only: what, where, who said what.")
    occurred_at = models.DateTimeField("When", default=timezone.now)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="concerns_logged")
    logged_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(max_length=500, blank=True)

    class Meta:
        db_table = "pupils_concern"
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | Q(reviewed_at__isnull=False), name="concern_reviewed_has_time"
            ),
        ]
        indexes = [
            models.Index(fields=["pupil", "-occurred_at"], name="concern_pupil_time_idx"),
            models.Index(fields=["category", "status"], name="concern_category_status_idx"),
            # The DSL's safeguarding queue, oldest first: a few hundred rows out of a million, read in order.
            models.Index(
                fields=["occurred_at"],
                condition=Q(category="safeguarding", status="open"),
                name="concern_safeguarding_open_idx",
            ),
            # The DSL's home page: the open safeguarding concerns waiting longest since they were logged.
            models.Index(
                fields=["logged_at", "id"],
                condition=Q(category="safeguarding", status="open"),
                name="concern_sg_waiting_idx",
            ),
            # Every pupil's count in the pattern window (the DSL's home page, the pattern alert): an index-only range
            # scan over the last few weeks instead of a scan of the whole log.
            models.Index(fields=["occurred_at"], include=["pupil", "status"], name="concern_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} concern"

    @property
    def is_safeguarding(self) -> bool:
        return self.category == self.Category.SAFEGUARDING


class EscalationRoute(models.TextChoices):
    """Where a safeguarding worry goes outside the PRU: the one vocabulary, used by referral triage as well."""

    EARLY_HELP = "early_help_assessment", "Early help assessment"
    CHILD_PROTECTION = "child_protection", "Child protection procedures"
    POLICE_SAFE_AND_WELL = "police_safe_and_well", "Police safe-and-well check"
    MASH = "mash", "MASH referral"
    OTHER = "other", "Other"


def escalation_due_on(opened_on: datetime.date | None = None) -> datetime.date:
    return add_working_days(opened_on or timezone.localdate(), settings.ESCALATION_DUE_WORKING_DAYS)


@pghistory.track()
@pgtrigger.register(pgtrigger.Protect(name="escalation_never_deleted", operation=pgtrigger.Delete))
class Escalation(models.Model):
    """A safeguarding worry taken outside the PRU (MASH, children's social care, the police), tracked until its
    outcome is known: who owns it, when an answer is due, the outside agency's reference, and what came of it."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    class Outcome(models.TextChoices):
        STRATEGY_MEETING = "strategy_meeting", "Strategy meeting held"
        SECTION_47 = "section_47", "Section 47 enquiry"
        CIN_PLAN = "cin_plan", "Child in need plan"
        CP_PLAN = "cp_plan", "Child protection plan"
        EARLY_HELP_PLAN = "early_help_plan", "Early help plan"
        NO_FURTHER_ACTION = "no_further_action", "No further action"
        POLICE_ATTENDED = "police_attended", "Police attended"
        OTHER = "other", "Other"

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="escalations")
    route = models.CharField(max_length=24, choices=EscalationRoute.choices)
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, null=True, blank=True, related_name="escalations")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="escalations_owned")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    due_on = models.DateField("Due", help_text="When an answer or the next step is due.")
    outside_reference = models.CharField(
        max_length=80, blank=True, help_text="The MASH reference or police log number, when there is one."
    )
    summary = models.TextField(help_text="What was passed on, to whom, and why.")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(max_length=24, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | (~Q(outcome="") & Q(closed_at__isnull=False)),
                name="escalation_closed_has_outcome",
            ),
        ]
        indexes = [
            models.Index(fields=["pupil", "-opened_at"], name="escalation_pupil_idx"),
            models.Index(fields=["due_on"], condition=Q(status="open"), name="escalation_open_due_idx"),
        ]

    def __str__(self) -> str:
        return f"Escalation: {self.get_route_display()}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_on < timezone.localdate()

    @property
    def age_days(self) -> int:
        return (timezone.now() - self.opened_at).days


@pghistory.track()
@pgtrigger.register(pgtrigger.Protect(name="statutory_meeting_never_deleted", operation=pgtrigger.Delete))
class StatutoryMeeting(models.Model):
    """A meeting held outside the PRU under the statutory guidance (a child protection conference, a child in need
    meeting, a looked-after child review) that someone from the PRU attended: what was decided, and when next."""

    class Kind(models.TextChoices):
        CP_CONFERENCE = "cp_conference", "Child protection conference"
        CP_REVIEW = "cp_review", "Review child protection conference"
        CIN_MEETING = "cin_meeting", "Child in need meeting"
        LAC_REVIEW = "lac_review", "Looked-after child review"
        STRATEGY = "strategy", "Strategy meeting"
        OTHER = "other", "Other"

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="statutory_meetings")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    held_on = models.DateField("Held on")
    attended_by = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="StatutoryMeetingAttendee",
        blank=True,
        related_name="statutory_meetings_attended",
        verbose_name="For the PRU",
    )
    others_attending = models.CharField("Others from the PRU", max_length=300, blank=True)
    decisions = models.TextField(help_text="What the meeting decided, and what the PRU agreed to do.")
    next_on = models.DateField("Next meeting", null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(next_on__isnull=True) | Q(next_on__gt=models.F("held_on")),
                name="statutory_meeting_next_after_held",
            ),
        ]
        indexes = [models.Index(fields=["pupil", "-held_on"], name="statutory_meeting_pupil_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.held_on:%-d %b %Y}"


@pghistory.track(pghistory.InsertEvent(), pghistory.DeleteEvent())
class StatutoryMeetingAttendee(models.Model):
    """Someone who attended a statutory meeting for the PRU (a correction removes the row; the history keeps it)."""

    meeting = models.ForeignKey(StatutoryMeeting, on_delete=models.CASCADE, related_name="attendees")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="statutorymeetingattendee_unique")]
