from importlib import import_module

import pghistory
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from pru_cases.roles import HEALTH_AGENCY_KINDS, SEES_ALL_PUPILS, Role


@pghistory.track()
class Site(models.Model):
    """A learning centre: a PRU usually runs several."""

    name = models.CharField(max_length=120, unique=True)
    code = models.SlugField(max_length=20, unique=True)
    address = models.TextField(blank=True, help_text="As it should appear on letters to families.")
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True, help_text="The address families may write to.")
    contact_name = models.CharField(
        "Named contact", max_length=120, blank=True, help_text="Who families should ask for, e.g. 'Ms A Khan'."
    )
    contact_role = models.CharField(
        "Named contact's role", max_length=120, blank=True, help_text="e.g. 'Family liaison officer'."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Discipline(models.TextChoices):
    """The one vocabulary of the work professionals do. An agency's kind (`AgencyKind`), the specialism a
    referral or an intervention asks for and a specialist's own specialism (`Specialism`) are all values of it,
    so the same work has the same value and the same name everywhere."""

    PRU = "pru", "Pupil referral unit"
    HEALTH = "health", "NHS health services (GP, school nursing, speech and language)"
    SALT = "salt", "Speech and language therapy (SaLT)"
    CAMHS = "camhs", "CAMHS"
    YOUTH_JUSTICE = "youth_justice", "Youth justice"
    EARLY_HELP = "early_help", "Early help"
    COMPLEX_SAFEGUARDING = "complex_safeguarding", "Complex safeguarding"
    RESTORATIVE_JUSTICE = "restorative_justice", "Restorative justice"
    EDUCATIONAL_PSYCHOLOGY = "educational_psychology", "Educational psychology"
    CAREERS = "careers", "Careers"
    SOCIAL_CARE = "social_care", "Social care"
    POLICE = "police", "Police"
    OTHER = "other", "Other"
    FAMILY_WORKER = "family_worker", "Family worker"
    SPORTS_MENTOR = "sports_mentor", "Sports mentor"
    ENGAGEMENT_WORKER = "engagement_worker", "Engagement worker"
    COUNSELLOR = "counsellor", "Counsellor"
    SCHOOL = "school", "School"
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    HOUSING = "housing", "Housing"


# Which kind of agency does the work of each specialism: the one map from specialisms to agency kinds (referral
# scope, who may be allocated, whose consent covers a referral). The PRU's own staff do the last four.
AGENCY_KIND_OF: dict[str, str] = {
    Discipline.SALT: Discipline.HEALTH,
    Discipline.CAMHS: Discipline.CAMHS,
    Discipline.YOUTH_JUSTICE: Discipline.YOUTH_JUSTICE,
    Discipline.EARLY_HELP: Discipline.EARLY_HELP,
    Discipline.COMPLEX_SAFEGUARDING: Discipline.COMPLEX_SAFEGUARDING,
    Discipline.RESTORATIVE_JUSTICE: Discipline.RESTORATIVE_JUSTICE,
    Discipline.EDUCATIONAL_PSYCHOLOGY: Discipline.EDUCATIONAL_PSYCHOLOGY,
    Discipline.CAREERS: Discipline.CAREERS,
    Discipline.FAMILY_WORKER: Discipline.PRU,
    Discipline.SPORTS_MENTOR: Discipline.PRU,
    Discipline.ENGAGEMENT_WORKER: Discipline.PRU,
    Discipline.COUNSELLOR: Discipline.PRU,
}


def _choices_of(name: str, members) -> type[models.TextChoices]:
    """A part of the vocabulary as choices of its own: the same values and names, fewer of them."""
    return models.TextChoices(name, [(member.name, (member.value, member.label)) for member in members])


# What an agency may be, and what a referral, an intervention or a specialist may name.
AgencyKind = _choices_of(
    "AgencyKind",
    [
        Discipline.PRU,
        Discipline.HEALTH,
        Discipline.CAMHS,
        Discipline.YOUTH_JUSTICE,
        Discipline.EARLY_HELP,
        Discipline.COMPLEX_SAFEGUARDING,
        Discipline.RESTORATIVE_JUSTICE,
        Discipline.EDUCATIONAL_PSYCHOLOGY,
        Discipline.CAREERS,
        Discipline.SOCIAL_CARE,
        Discipline.POLICE,
        Discipline.SCHOOL,
        Discipline.LOCAL_AUTHORITY,
        Discipline.HOUSING,
        Discipline.OTHER,
    ],
)
Specialism = _choices_of("Specialism", AGENCY_KIND_OF)


@pghistory.track()
class Agency(models.Model):
    """An organisation whose staff work with the PRU, the PRU itself included."""

    Kind = AgencyKind

    # Agencies whose staff may read the health field group (DOMAIN.md: health keeps health detail confidential).
    HEALTH_KINDS = frozenset(AgencyKind(kind) for kind in HEALTH_AGENCY_KINDS)

    name = models.CharField(max_length=160, unique=True)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    website = models.URLField(blank=True)
    notes = models.TextField(blank=True, help_text="Protocols, thresholds, how to reach the duty worker.")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name

    @property
    def is_health(self) -> bool:
        return self.kind in self.HEALTH_KINDS


@pghistory.track()
class AgencyService(models.Model):
    """One entry in the directory of what each local professional can offer."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=160)
    description = models.TextField(blank=True)
    who_for = models.CharField(max_length=240, blank=True, help_text="Eligibility: ages, thresholds, areas.")
    how_to_access = models.TextField(blank=True, help_text="Referral route, consent needed, typical wait.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="agencyservice_unique_name")]

    def __str__(self) -> str:
        return f"{self.agency}: {self.name}"


class EmailPreference(models.TextChoices):
    IMMEDIATE = "immediate", "Email each reminder as it comes"
    DAILY = "daily", "One email a day listing the day's reminders"
    NONE = "none", "No emails: I check Notifications here"


@pghistory.track(exclude=["password", "last_login"])
class User(AbstractUser):
    Role = Role

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.STAFF)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="staff")
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="staff", help_text="Base learning centre."
    )
    job_title = models.CharField(max_length=120, blank=True)
    specialism = models.CharField(
        max_length=32,
        choices=Specialism.choices,
        blank=True,
        help_text=(
            "Specialists only: the referrals and interventions of this specialism they see and may be allocated. "
            "Family workers take family work by their role."
        ),
    )
    phone = models.CharField(max_length=40, blank=True)
    email_preference = models.CharField(
        "Reminder emails",
        max_length=12,
        choices=EmailPreference.choices,
        default=EmailPreference.IMMEDIATE,
        help_text="Reminders always appear under Notifications; this only decides when the emails come.",
    )

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def clean(self) -> None:
        super().clean()
        if not self.specialism:
            return
        if self.role != self.Role.SPECIALIST:
            raise ValidationError({"specialism": "Only specialists have a specialism: clear it for this role."})
        if self.specialism == Specialism.FAMILY_WORKER:
            raise ValidationError({"specialism": "Family work goes with the family worker role: choose that role."})
        # The work of a specialism is done by one kind of agency (a health specialism by a health agency), so a
        # specialist is never allocated work their agency does not do.
        kind = AGENCY_KIND_OF[self.specialism]
        agency = self.agency if self.agency_id else None
        if (agency is None and kind != Discipline.PRU) or (agency is not None and agency.kind != kind):
            raise ValidationError(
                {
                    "specialism": (
                        f"{Specialism(self.specialism).label} is the work of a {AgencyKind(kind).label} agency: "
                        "choose the specialist's agency first, or another specialism."
                    )
                }
            )

    @property
    def sees_all_pupils(self) -> bool:
        return self.role in SEES_ALL_PUPILS

    @property
    def is_leader(self) -> bool:
        """Senior leaders and administrators (the admin site itself is for the roles in Action.USE_ADMIN)."""
        return self.role in (self.Role.SENIOR_LEADER, self.Role.ADMIN)


# What a triage outcome (the occasion of a REFERRAL_TRIAGED alert) is called in its title.
TRIAGE_WORDS = {
    "allocated": "allocated to a specialist",
    "signposted": "signposted to the universal offer",
    "declined": "declined",
    "escalated": "escalated",
}


class Notification(models.Model):
    """One reminder for one person: a row first (the in-app list), an email second.

    The unique key (recipient, kind, object, occasion) makes every reminder pass idempotent: a pass inserts
    with ON CONFLICT DO NOTHING, so a repeated or overlapping run adds nothing. `occasion` is what makes a
    reminder new again (the due date, the meeting date, the ISO week of a digest). Rows carry no pupil
    names or notes: the title is built from the kind and the date, and `path` links to the page, which
    checks access again when opened.
    """

    class Kind(models.TextChoices):
        ACTION_DUE_SOON = "action_due_soon", "An action you own is due soon"
        ACTION_OVERDUE = "action_overdue", "An action you own is overdue"
        OVERDUE_ACTIONS_DIGEST = "overdue_actions_digest", "Weekly summary of overdue actions"
        INTERVENTION_REVIEW = "intervention_review", "An intervention review is due"
        PLAN_REVIEW = "plan_review", "An action plan review is due"
        INFORMATION_OVERDUE = "information_overdue", "An information request is past its due date"
        SDQ_ENDLINE = "sdq_endline", "An exit SDQ is due"
        FOLLOW_UP_DUE = "follow_up_due", "A reintegration follow-up check is due"
        MEETING_AGENDA = "meeting_agenda", "Agenda for tomorrow's meeting"
        ESCALATION_DUE = "escalation_due", "An escalation you own is due"
        # Event alerts: sent when something happens, not on a date.
        SAFEGUARDING_CONCERN = "safeguarding_concern", "A safeguarding concern was logged"
        CONCERN_PATTERN = "concern_pattern", "A pupil reached the pattern of concerns"
        REFERRAL_ALLOCATED = "referral_allocated", "A referral was allocated to you"
        REFERRAL_TRIAGED = "referral_triaged", "Your referral was triaged"
        PREFERENCE_SENT = "preference_sent", "A family's school preference was sent to you"
        INFORMATION_ANSWERED = "information_answered", "Your information request was answered"
        ACTION_ASSIGNED = "action_assigned", "An action was given to you"
        ESCALATION_OWNED = "escalation_owned", "An escalation was given to you"

    # Alerts sent when something happens; every other kind is a dated reminder of the daily pass.
    EVENT_KINDS = frozenset(
        {
            Kind.SAFEGUARDING_CONCERN,
            Kind.CONCERN_PATTERN,
            Kind.REFERRAL_ALLOCATED,
            Kind.REFERRAL_TRIAGED,
            Kind.PREFERENCE_SENT,
            Kind.INFORMATION_ANSWERED,
            Kind.ACTION_ASSIGNED,
            Kind.ESCALATION_OWNED,
        }
    )

    recipient = models.ForeignKey(User, on_delete=models.PROTECT, related_name="notifications")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    object_id = models.BigIntegerField(help_text="The action, review, request or meeting it is about (0: none).")
    occasion = models.CharField(max_length=20)
    due_on = models.DateField(null=True, blank=True, help_text="The date the reminder is about.")
    count = models.PositiveIntegerField(null=True, blank=True, help_text="For summaries: how many.")
    path = models.CharField(max_length=200, help_text="Site-relative link to the page.")
    # An event alert names its pupil in the app only (never in an email), if the reader may still see them: the
    # pupil's id (not a foreign key: accounts sits below pupils) and words for the app, such as a decline's reason.
    pupil_ref = models.BigIntegerField(null=True, blank=True, help_text="The pupil an event alert is about.")
    detail = models.CharField(
        max_length=300, blank=True, db_default="", help_text="Shown in the app only, never emailed."
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # Email: claimed by a conditional UPDATE (claimed_at IS NULL) so that two workers never send it twice.
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "object_id", "occasion"], name="notification_once_per_occasion"
            ),
        ]
        indexes = [
            models.Index(
                fields=["recipient", "-created_at"], condition=Q(read_at__isnull=True), name="notification_unread_idx"
            ),
            models.Index(fields=["recipient"], condition=Q(emailed_at__isnull=True), name="notification_unemailed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.occasion})"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def title(self) -> str:
        """What the reminder says, without names: the kind, then the date or the number."""
        if self.kind == self.Kind.REFERRAL_TRIAGED and self.occasion in TRIAGE_WORDS:
            return f"Your referral was {TRIAGE_WORDS[self.occasion]}"
        if self.kind == self.Kind.OVERDUE_ACTIONS_DIGEST:
            return f"Open actions past their due date this week: {self.count or 0}"
        if self.due_on is None:
            return self.get_kind_display()
        when = f"{self.due_on:%-d %b %Y}"
        return {
            self.Kind.ACTION_DUE_SOON: f"An action you own is due on {when}",
            self.Kind.ACTION_OVERDUE: f"An action you own was due on {when}",
            self.Kind.INTERVENTION_REVIEW: f"An intervention review is due on {when}",
            self.Kind.PLAN_REVIEW: f"An action plan review is due on {when}",
            self.Kind.INFORMATION_OVERDUE: f"An information request was due back on {when}",
            self.Kind.SDQ_ENDLINE: f"An exit SDQ is due: the pupil leaves on {when}",
            self.Kind.FOLLOW_UP_DUE: f"A reintegration follow-up check is due on {when}",
            self.Kind.MEETING_AGENDA: f"The agenda for the meeting on {when}",
            self.Kind.ESCALATION_DUE: f"An escalation you own is due on {when}",
        }.get(self.kind, self.get_kind_display())


class UserSession(AbstractBaseSession):
    """A browser session (SESSION_ENGINE = "accounts.sessions"), kept with the columns a person's own list of
    sessions needs, so one person's sessions are found and ended without decoding everyone's. The columns are
    copied from the session data each time it is saved (accounts.sessions.SessionStore)."""

    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="sessions")
    user_agent = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    last_active_at = models.DateTimeField(null=True, blank=True)

    class Meta(AbstractBaseSession.Meta):
        db_table = "accounts_session"

    @classmethod
    def get_session_store_class(cls):
        # The store is the session engine named in settings (accounts.sessions), which imports this model.
        return import_module(settings.SESSION_ENGINE).SessionStore
