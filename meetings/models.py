"""Meetings (the weekly MDT/MARM, Team Around the Child, ad hoc), their agenda and minutes, action plans
and their actions, and the PDF jobs that print them."""

import datetime

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone


def never_deleted() -> pgtrigger.Protect:
    return pgtrigger.Protect(name="never_deleted", operation=pgtrigger.Delete)


@pghistory.track()
@pgtrigger.register(never_deleted())
class Meeting(models.Model):
    class Kind(models.TextChoices):
        MDT = "mdt", "MDT / MARM (weekly)"
        TAC = "tac", "Team Around the Child"
        AD_HOC = "ad_hoc", "Ad hoc"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        CLOSED = "closed", "Closed (minutes final)"
        CANCELLED = "cancelled", "Cancelled"

    class Recurrence(models.TextChoices):
        NONE = "none", "Does not repeat"
        WEEKLY = "weekly", "Every week"
        FORTNIGHTLY = "fortnightly", "Every two weeks"

    RECURRENCE_DAYS = {Recurrence.WEEKLY: 7, Recurrence.FORTNIGHTLY: 14}

    kind = models.CharField(max_length=8, choices=Kind.choices)
    title = models.CharField(max_length=160)
    held_on = models.DateField()
    starts_at = models.TimeField(default=datetime.time(9, 30))
    location = models.CharField(max_length=120, blank=True)
    site = models.ForeignKey("accounts.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # A TAC meeting is about one pupil; an MDT covers many (one agenda item each).
    pupil = models.ForeignKey(
        "pupils.Pupil", on_delete=models.PROTECT, null=True, blank=True, related_name="tac_meetings"
    )
    recurrence = models.CharField(max_length=12, choices=Recurrence.choices, default=Recurrence.NONE)
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_meeting"
    )
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meetings_chaired")
    minute_taker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="meetings_minuted"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    summary = models.TextField("Summary for the minutes", blank=True)
    next_review_on = models.DateField(
        "Next meeting", null=True, blank=True, help_text="When the team will meet again: the family's letter says so."
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-held_on", "-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(kind="tac") | Q(pupil__isnull=False), name="meeting_tac_has_pupil"),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False), name="meeting_closed_has_time"
            ),
        ]
        indexes = [models.Index(fields=["kind", "held_on"], name="meeting_kind_held_idx")]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on:%d %b %Y})"

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.PLANNED


@pghistory.track()
@pgtrigger.register(never_deleted())
class SharingBasis(models.Model):
    """The information-sharing basis of a centre's MDT: its core members and the lawful basis they share under.

    The seeds' partnership agreement makes the partner agencies at the weekly MDT one team for its cases: a core member
    present sees an agenda-level summary of every case on the agenda (name, year, why it is there, referrals and
    interventions, open actions and their owners), whether or not they work with the pupil. Restricted field groups
    (health) and the detail of concerns stay with those who may see them. A basis with no centre covers every centre
    that has none of its own. Only the DSL records it (`meetings.services.sharing_basis_save`).
    """

    site = models.ForeignKey(
        "accounts.Site",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Leave empty for the basis that covers every centre without one of its own.",
    )
    lawful_basis = models.TextField(
        help_text="The lawful basis for sharing, in the words of the partnership agreement (for example UK GDPR "
        "Article 6(1)(e) public task and Article 9(2)(g), with the Children Act 2004 section 10 duty to co-operate)."
    )
    agreement = models.CharField(
        "Partnership agreement", max_length=200, help_text="Its title, version and where it is kept."
    )
    agreed_on = models.DateField()
    review_on = models.DateField(null=True, blank=True)
    agencies = models.ManyToManyField(
        "accounts.Agency", through="SharingBasisAgency", related_name="+", blank=True, verbose_name="core agencies"
    )
    people = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="SharingBasisPerson", related_name="+", blank=True, verbose_name="core people"
    )
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name_plural = "sharing bases"
        constraints = [
            models.UniqueConstraint(fields=["site"], nulls_distinct=False, name="sharingbasis_one_per_site"),
        ]

    def __str__(self) -> str:
        return f"MDT sharing basis: {self.site or 'every centre'}"


@pghistory.track(pghistory.InsertEvent(), pghistory.DeleteEvent())
class SharingBasisAgency(models.Model):
    """A core agency: every active member of its staff is a core member."""

    basis = models.ForeignKey(SharingBasis, on_delete=models.CASCADE, related_name="core_agencies")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["basis", "agency"], name="sharingbasisagency_unique")]


@pghistory.track(pghistory.InsertEvent(), pghistory.DeleteEvent())
class SharingBasisPerson(models.Model):
    """A core member by name (someone whose agency is not a core agency, or a lone practitioner)."""

    basis = models.ForeignKey(SharingBasis, on_delete=models.CASCADE, related_name="core_people")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["basis", "user"], name="sharingbasisperson_unique")]


@pghistory.track()
@pgtrigger.register(never_deleted())
class Invitee(models.Model):
    """Someone invited: a user of the system, or a guest without an account (a parent or carer, an outside
    professional)."""

    class Attendance(models.TextChoices):
        INVITED = "invited", "Invited"
        PRESENT = "present", "Present"
        APOLOGIES = "apologies", "Apologies"
        ABSENT = "absent", "Absent"
        LEFT = "left", "Left early"

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="invitees")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="meeting_invitations"
    )
    name = models.CharField(max_length=120, blank=True, help_text="For a guest without an account.")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    is_family = models.BooleanField("Parent or carer", default=False)
    attendance = models.CharField(max_length=10, choices=Attendance.choices, default=Attendance.INVITED)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"], condition=Q(user__isnull=False), name="invitee_one_per_user"
            ),
            models.CheckConstraint(condition=Q(user__isnull=False) | ~Q(name=""), name="invitee_named"),
        ]

    def __str__(self) -> str:
        return str(self.user) if self.user_id else self.name

    @property
    def is_present(self) -> bool:
        return self.attendance == self.Attendance.PRESENT


@pghistory.track()
@pgtrigger.register(never_deleted())
class AgendaItem(models.Model):
    """One case on the agenda (or a general item with no pupil), with the reasons it is there."""

    class Status(models.TextChoices):
        PENDING = "pending", "To discuss"
        DISCUSSED = "discussed", "Discussed"
        CARRIED_OVER = "carried_over", "Carried over"

    class Reason(models.TextChoices):
        NEW_PUPIL = "new_pupil", "New pupil"
        REFERRAL = "referral", "Referral awaiting triage"
        ESCALATION = "escalation", "Escalation awaiting its outcome"
        REVIEW_DUE = "review_due", "Review due"
        OVERDUE_ACTION = "overdue_action", "Overdue action"
        CONCERN_PATTERN = "concern_pattern", "Pattern of concerns"
        INFORMATION_OVERDUE = "information_overdue", "Information request overdue"
        FRESH_START = "fresh_start", "Fresh Start interview to feed back"
        FRESH_START_MISSING = "fresh_start_missing", "No Fresh Start interview yet"
        CARRIED_OVER = "carried_over", "Carried over"
        ADDED = "added", "Added by the chair"
        TAC = "tac", "Team Around the Child"

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="items")
    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    title = models.CharField(max_length=160, blank=True, help_text="For a general item with no pupil.")
    # [{"kind": Reason value, "ref": id of the record or null, "text": plain words}], filled by the agenda builder.
    reasons = models.JSONField(default=list, blank=True)
    position = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.PENDING)
    carried_from = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="carried_to")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "pupil"], condition=Q(pupil__isnull=False), name="agendaitem_one_per_pupil"
            ),
            models.CheckConstraint(condition=Q(pupil__isnull=False) | ~Q(title=""), name="agendaitem_has_subject"),
        ]

    def __str__(self) -> str:
        return self.title or f"Agenda item {self.pk}"

    @property
    def reason_kinds(self) -> set[str]:
        return {reason.get("kind") for reason in self.reasons}

    @property
    def reason_words(self) -> list[str]:
        """Why the item is on the agenda, in words: each reason's own text, or its kind's name, never a code."""
        words = []
        for reason in self.reasons:
            text = (reason.get("text") or "").strip()
            if not text:
                kind = reason.get("kind")
                text = self.Reason(kind).label if kind in self.Reason.values else "Added to the agenda"
            words.append(text)
        return words


@pghistory.track()
@pgtrigger.register(pgtrigger.Protect(name="minutes_append_only", operation=pgtrigger.Update | pgtrigger.Delete))
class Discussion(models.Model):
    """A note of what was said about an item: part of the minutes, never edited afterwards."""

    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="discussions")
    text = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "pk"]


@pghistory.track()
@pgtrigger.register(pgtrigger.Protect(name="decisions_append_only", operation=pgtrigger.Update | pgtrigger.Delete))
class Decision(models.Model):
    """What the meeting decided. A triage decision names the referral and the outcome given to referral_triage."""

    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="decisions")
    text = models.TextField()
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, null=True, blank=True, related_name="meeting_decisions"
    )
    triage_outcome = models.CharField(max_length=12, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "pk"]


@pghistory.track()
@pgtrigger.register(never_deleted())
class ActionPlan(models.Model):
    """A pupil's plan: the actions agreed at TAC and MDT meetings. One open plan per pupil."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.PROTECT, related_name="action_plans")
    started_at_meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    review_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["pupil"], condition=Q(status="open"), name="actionplan_one_open_per_pupil"),
        ]

    def __str__(self) -> str:
        return f"Action plan {self.pk}"


@pghistory.track()
@pgtrigger.register(never_deleted())
class Action(models.Model):
    class Owner(models.TextChoices):
        STAFF = "staff", "A member of staff"
        AGENCY = "agency", "An agency"
        FAMILY = "family", "The parent or carer"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    plan = models.ForeignKey(ActionPlan, on_delete=models.PROTECT, related_name="actions")
    agreed_at = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, null=True, blank=True, related_name="actions")
    description = models.TextField("What will be done")
    family_wording = models.TextField(
        "How we will say it to the family",
        blank=True,
        help_text="The words the family's letter uses for this action. Leave empty to use the words above.",
    )
    owner_kind = models.CharField("Who does it", max_length=8, choices=Owner.choices)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="meeting_actions"
    )
    owner_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    owner_name = models.CharField("Parent or carer's name", max_length=120, blank=True)
    due_on = models.DateField("By when")
    success_criteria = models.TextField("How we will know it has worked")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    done_on = models.DateField(null=True, blank=True)
    dropped_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(owner_kind="staff") & Q(owner_user__isnull=False))
                | (Q(owner_kind="agency") & Q(owner_agency__isnull=False))
                | (Q(owner_kind="family") & ~Q(owner_name="")),
                name="action_owner_matches_kind",
            ),
            models.CheckConstraint(
                condition=~Q(status="dropped") | ~Q(dropped_reason=""), name="action_dropped_has_reason"
            ),
            models.CheckConstraint(condition=~Q(status="done") | Q(done_on__isnull=False), name="action_done_has_date"),
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="action_status_due_idx")]

    def __str__(self) -> str:
        return self.description[:60]

    @property
    def for_family(self) -> str:
        """The action as the family's letter puts it."""
        return self.family_wording.strip() or self.description

    @property
    def owner_label(self) -> str:
        if self.owner_kind == self.Owner.STAFF:
            return str(self.owner_user)
        if self.owner_kind == self.Owner.AGENCY:
            return str(self.owner_agency)
        return f"{self.owner_name} (parent/carer)"

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_on < timezone.localdate()


@pghistory.track()
@pgtrigger.register(pgtrigger.Protect(name="progress_append_only", operation=pgtrigger.Update | pgtrigger.Delete))
class ProgressNote(models.Model):
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="progress_notes")
    text = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "pk"]


class PdfJob(models.Model):
    """A PDF to render: a row first (same transaction as the request), then a Celery task with the id only.

    A job belongs to the person who asked for it: the document holds what they (and everyone present at the
    meeting) may see, so a file is never shared with someone whose scope it was not built for.

    The beat sweeper (meetings.tasks.pdf_jobs_sweep) re-enqueues jobs left pending or stuck running."""

    class Kind(models.TextChoices):
        MINUTES = "minutes", "Meeting minutes"
        ACTION_PLAN = "action_plan", "Action plan"
        FAMILY_LETTER = "family_letter", "Thank-you letter to the family"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        RUNNING = "running", "Being made"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="pdf_jobs")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(upload_to="pdf/meetings/", blank=True)
    # The file is built for this person (their scope, and the room's) and only they may download it.
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The pupils the rendered file names: each download writes one access-log row per pupil, and is refused
    # if any of them has since left the reader's scope.
    pupils_named = ArrayField(models.BigIntegerField(), default=list, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["status", "requested_at"], name="pdfjob_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def progress(self) -> dict:
        """Where the job is, in words a person waiting for it understands, for the polled status line.

        `token` changes whenever what is shown would change, so a poll that sees the same token needs no swap."""
        if self.status == self.Status.DONE:
            key, label, percent = "ready", "Ready", 100
        elif self.status == self.Status.FAILED:
            key, label, percent = "failed", "Failed: ask for it again", 0
        elif self.status == self.Status.RUNNING:
            attempt = f" (attempt {self.attempts})" if self.attempts > 1 else ""
            key, label, percent = "rendering", f"Rendering{attempt}", 70
        elif self.attempts:
            key, label, percent = "retrying", f"Failed, retrying (attempt {self.attempts + 1} next)", 40
        else:
            key, label, percent = "queued", "Queued", 15
        return {"key": key, "label": label, "percent": percent, "token": f"{self.status}-{self.attempts}"}
