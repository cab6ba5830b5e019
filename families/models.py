"""Families: households and carers, consent and information sharing, family support, home visits,
Fresh Start interviews and reintegration plans (DOMAIN.md steps 1, 7, 8 and 9)."""

import datetime

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Agency

# Consent and sharing decisions name an outside agency by its kind; "any agency" covers them all. The PRU
# itself is not an outside agency: sharing among its own staff needs no consent record here.
ANY_AGENCY = "any"
OUTSIDE_AGENCY_CHOICES = [(value, label) for value, label in Agency.Kind.choices if value != Agency.Kind.PRU]
AGENCY_KIND_CHOICES = [(ANY_AGENCY, "Any agency working with the PRU"), *OUTSIDE_AGENCY_CHOICES]


@pghistory.track()
class Household(models.Model):
    """The family a pupil lives with. A pupil belongs to one household; a household may have several pupils."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ARCHIVED = "archived", "Archived"

    name = models.CharField(max_length=120, help_text="How the team refers to the family, e.g. 'Ward household'.")
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    home_language = models.CharField(max_length=60, blank=True, default="English")
    interpreter_needed = models.BooleanField(default=False)
    interpreter_language = models.CharField(max_length=60, blank=True)
    notes = models.TextField(blank=True, help_text="Practical notes for visits: access, pets, best times.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every edit, to detect concurrent edits.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(interpreter_needed=False) | ~Q(interpreter_language=""),
                name="household_interpreter_language",
                violation_error_message="Say which language the interpreter needs.",
            )
        ]

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class HouseholdPupil(models.Model):
    """Which household a pupil lives in (one each; moving house changes the row, and history keeps the old one)."""

    pupil = models.OneToOneField("pupils.Pupil", on_delete=models.PROTECT, related_name="household_link")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="pupil_links")
    since = models.DateField(default=timezone.localdate)

    class Meta:
        ordering = ["pupil__last_name", "pupil__first_name"]


@pghistory.track()
class Carer(models.Model):
    class Relationship(models.TextChoices):
        MOTHER = "mother", "Mother"
        FATHER = "father", "Father"
        STEP_PARENT = "step_parent", "Step-parent"
        GRANDPARENT = "grandparent", "Grandparent"
        AUNT_UNCLE = "aunt_uncle", "Aunt or uncle"
        SIBLING = "sibling", "Adult sibling"
        FOSTER_CARER = "foster_carer", "Foster carer"
        KINSHIP_CARER = "kinship_carer", "Kinship carer"
        SOCIAL_WORKER = "social_worker", "Social worker (corporate parent)"
        OTHER = "other", "Other"

    class Contact(models.TextChoices):
        PHONE = "phone", "Phone call"
        TEXT = "text", "Text message"
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"
        IN_PERSON = "in_person", "In person"

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="carers")
    name = models.CharField(max_length=120)
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    parental_responsibility = models.BooleanField(default=True, help_text="Holds parental responsibility.")
    lives_with_pupil = models.BooleanField(default=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True, help_text="Only if different from the household's address.")
    preferred_contact = models.CharField(max_length=10, choices=Contact.choices, default=Contact.PHONE)
    language = models.CharField(max_length=60, blank=True)
    interpreter_needed = models.BooleanField(default=False)
    notes = models.TextField(blank=True)
    is_active = models.BooleanField(default=True, help_text="Untick when this person is no longer involved.")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-is_active", "-parental_responsibility", "name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relationship_display().lower()})"


@pghistory.track()
class Sibling(models.Model):
    """A brother or sister who is not on the PRU's roll (siblings on roll are pupils of the same household)."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="siblings")
    name = models.CharField(max_length=120)
    date_of_birth = models.DateField(null=True, blank=True)
    school = models.ForeignKey("pupils.School", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    school_other = models.CharField(
        "Other setting", max_length=160, blank=True, help_text="Nursery, college, not in school…"
    )
    notes = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["date_of_birth", "name", "pk"]


@pghistory.track()
class Consent(models.Model):
    """A consent decision for sharing a pupil's information with an agency (or with every agency).

    Withdrawal is a state of the same row: the decision is kept, with when and why it was withdrawn.
    """

    class Status(models.TextChoices):
        GIVEN = "given", "Given"
        REFUSED = "refused", "Refused"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class How(models.TextChoices):
        WRITTEN = "written", "Signed form"
        VERBAL = "verbal", "Verbal (recorded by staff)"
        ELECTRONIC = "electronic", "Email or electronic form"

    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.PROTECT, related_name="consents")
    agency_kind = models.CharField("Agency", max_length=32, choices=AGENCY_KIND_CHOICES)
    purpose = models.CharField(max_length=300, help_text="What is shared, and why.")
    status = models.CharField(max_length=10, choices=Status.choices)
    given_by = models.CharField(
        max_length=120, help_text="Who decided: the parent or carer's name, or the young person."
    )
    given_by_carer = models.ForeignKey(Carer, on_delete=models.PROTECT, null=True, blank=True, related_name="consents")
    how = models.CharField(max_length=12, choices=How.choices, default=How.WRITTEN)
    decided_on = models.DateField(default=timezone.localdate)
    expires_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    withdrawn_on = models.DateField(null=True, blank=True)
    withdrawn_reason = models.CharField(max_length=300, blank=True)
    withdrawn_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-decided_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="withdrawn", withdrawn_on__isnull=False)
                | (~Q(status="withdrawn") & Q(withdrawn_on__isnull=True)),
                name="consent_withdrawn_has_date",
                violation_error_message="A withdrawn consent needs the date it was withdrawn.",
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("decided_on")),
                name="consent_expires_after_decision",
                violation_error_message="The expiry date comes after the decision.",
            ),
        ]
        indexes = [models.Index(fields=["pupil", "agency_kind"], name="consent_pupil_kind_idx")]

    def __str__(self) -> str:
        return f"{self.get_status_display()}: {self.get_agency_kind_display()}"

    @property
    def effective_on(self) -> datetime.date:
        """The day this row last changed the answer: a withdrawal counts from the day it was withdrawn."""
        return self.withdrawn_on or self.decided_on

    def is_expired_on(self, day: datetime.date) -> bool:
        return self.expires_on is not None and self.expires_on < day


@pghistory.track()
class SharingDecision(models.Model):
    """One information-sharing decision: what, with whom, why, on what lawful basis, and whether it was shared."""

    class LawfulBasis(models.TextChoices):
        CONSENT = "consent", "Consent"
        PUBLIC_TASK = "public_task", "Public task (UK GDPR 6(1)(e))"
        LEGAL_OBLIGATION = "legal_obligation", "Legal obligation (UK GDPR 6(1)(c))"
        VITAL_INTERESTS = "vital_interests", "Vital interests (UK GDPR 6(1)(d))"
        SAFEGUARDING = "safeguarding", "Safeguarding of children (DPA 2018 Sch. 1 para 18)"

    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.PROTECT, related_name="sharing_decisions")
    decided_on = models.DateField(default=timezone.localdate)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    what = models.CharField(max_length=300, help_text="The information, e.g. 'attendance since September'.")
    agency_kind = models.CharField("Agency", max_length=32, choices=OUTSIDE_AGENCY_CHOICES)
    recipient = models.CharField(max_length=160, help_text="The person or team it went to (or would have).")
    why = models.TextField(help_text="The reason for the decision.")
    lawful_basis = models.CharField(max_length=20, choices=LawfulBasis.choices)
    shared = models.BooleanField(help_text="Was the information shared?")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_on", "-pk"]


@pghistory.track()
class SupportAction(models.Model):
    """Practical help for the family (DOMAIN.md step 7), with its status and outcome."""

    class Kind(models.TextChoices):
        BENEFITS = "benefits", "Benefits"
        HOUSING = "housing", "Housing or landlord"
        FOODBANK = "foodbank", "Foodbank voucher"
        WELFARE_FUND = "welfare_fund", "Welfare fund or charity application"
        AGENCY_MEETING = "agency_meeting", "Meeting with an outside agency"
        MEETING_SUPPORT = "meeting_support", "Support at a meeting"
        EMOTIONAL = "emotional", "Emotional support"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        WAITING = "waiting", "Waiting on others"
        DONE = "done", "Done"
        NOT_PURSUED = "not_pursued", "Not pursued"

    CLOSED_STATUSES = frozenset({Status.DONE, Status.NOT_PURSUED})

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="support_actions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    detail = models.CharField(
        max_length=300, help_text="What is to be done, e.g. 'furniture application: beds for two'."
    )
    outside_agency = models.CharField(
        max_length=120, blank=True, help_text="Citizens Advice, Law Centre, Housing Benefit, a charity…"
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_on = models.DateField(default=timezone.localdate)
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    outcome = models.TextField(blank=True)
    closed_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["status", "due_on", "-opened_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["done", "not_pursued"], closed_on__isnull=False)
                | (Q(status__in=["open", "waiting"]) & Q(closed_on__isnull=True)),
                name="supportaction_closed_has_date",
                violation_error_message="A closed action has a closing date; an open one does not.",
            )
        ]
        indexes = [models.Index(fields=["household", "status"], name="supportaction_household_idx")]

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED_STATUSES

    @property
    def is_overdue(self) -> bool:
        return not self.is_closed and self.due_on is not None and self.due_on < timezone.localdate()


@pghistory.track()
class HomeVisit(models.Model):
    class Outcome(models.TextChoices):
        SEEN = "seen", "Family seen"
        NO_ANSWER = "no_answer", "No answer"
        CANCELLED = "cancelled", "Cancelled by the family"

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="home_visits")
    visited_on = models.DateField()
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    colleague = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    others_present = models.CharField(
        max_length=200, blank=True, help_text="Who else was there (family members, interpreter)."
    )
    purpose = models.CharField(max_length=200)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.SEEN)
    findings = models.TextField(blank=True, help_text="What was found: factual and evidenced.")
    follow_ups = models.TextField(blank=True, help_text="What happens next, and who does it.")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-visited_on", "-pk"]


@pghistory.track()
class FreshStartInterview(models.Model):
    """The interview at home when a pupil joins: one school staff member and one multi-agency member."""

    pupil = models.OneToOneField("pupils.Pupil", on_delete=models.PROTECT, related_name="fresh_start")
    held_on = models.DateField()
    location = models.CharField(max_length=120, default="At home")
    school_staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency_member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="Multi-agency member"
    )
    others_present = models.CharField(max_length=200, blank=True)
    positives = models.TextField("School experience: what went well")
    negatives = models.TextField("School experience: what went badly")
    goals = models.TextField("Goals")
    needs = models.TextField("What they need to reach them")
    help_offered = models.TextField(blank=True, help_text="Help explained or agreed at the interview.")
    # The MDT agenda picks up interviews not yet discussed (discussed_at_mdt_on is empty).
    discussed_at_mdt_on = models.DateField("Discussed at the MDT on", null=True, blank=True)
    mdt_note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(school_staff=models.F("agency_member")),
                name="freshstart_two_people",
                violation_error_message="The interview is held by two different people.",
            )
        ]
        indexes = [
            models.Index(
                fields=["held_on"], condition=Q(discussed_at_mdt_on__isnull=True), name="freshstart_undiscussed_idx"
            )
        ]

    @property
    def awaiting_mdt(self) -> bool:
        return self.discussed_at_mdt_on is None


@pghistory.track()
class ReintegrationPlan(models.Model):
    """A pupil's return to mainstream school (DOMAIN.md step 9)."""

    class Status(models.TextChoices):
        CONSIDERING = "considering", "Readiness under review"
        NOT_READY = "not_ready", "Not ready yet"
        PREFERENCES = "preferences", "Gathering preferences"
        SHORTLIST = "shortlist", "Shortlist and visits"
        PREFERENCE_SENT = "preference_sent", "Preference with senior staff"
        ALLOCATED = "allocated", "School allocated"
        COMPLETED = "completed", "Completed"
        CLOSED = "closed", "Closed"

    OPEN_STATUSES = (
        Status.CONSIDERING,
        Status.NOT_READY,
        Status.PREFERENCES,
        Status.SHORTLIST,
        Status.PREFERENCE_SENT,
        Status.ALLOCATED,
    )
    FOLLOW_UP_WEEKS = (2, 6, 12)

    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.PROTECT, related_name="reintegration_plans")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CONSIDERING)
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField(default=timezone.localdate)
    readiness_decided_on = models.DateField(null=True, blank=True)
    readiness_reason = models.TextField(blank=True)
    pupil_preferences = models.TextField("The pupil's preferences", blank=True)
    pupil_priorities = models.TextField("The pupil's priorities", blank=True)
    parent_preferences = models.TextField("The parents' preferences", blank=True)
    parent_priorities = models.TextField("The parents' priorities", blank=True)
    preference_sent_on = models.DateField(null=True, blank=True)
    preference_sent_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    preference_note = models.TextField(blank=True)
    allocated_school = models.ForeignKey(
        "pupils.School", on_delete=models.PROTECT, null=True, blank=True, related_name="reintegrations"
    )
    allocated_on = models.DateField(null=True, blank=True)
    start_date = models.DateField(null=True, blank=True)
    phased_timetable = models.TextField(blank=True, help_text="Week by week: days and sessions at the new school.")
    closed_on = models.DateField(null=True, blank=True)
    close_reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["pupil"],
                condition=Q(
                    status__in=["considering", "not_ready", "preferences", "shortlist", "preference_sent", "allocated"]
                ),
                name="reintegration_one_open_plan",
                violation_error_message="This pupil already has an open reintegration plan.",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["allocated", "completed"])
                | Q(allocated_school__isnull=False, start_date__isnull=False),
                name="reintegration_allocated_has_school",
                violation_error_message="An allocated plan needs the school and the start date.",
            ),
        ]
        indexes = [models.Index(fields=["pupil", "-started_on"], name="reintegration_pupil_idx")]

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


@pghistory.track()
class ShortlistedSchool(models.Model):
    plan = models.ForeignKey(ReintegrationPlan, on_delete=models.PROTECT, related_name="shortlist")
    school = models.ForeignKey("pupils.School", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=300, blank=True, help_text="Why it is on the list.")
    family_rank = models.PositiveSmallIntegerField(null=True, blank=True, help_text="1 = the family's first choice.")
    withdrawn = models.BooleanField(default=False, help_text="Taken off the list (kept for the record).")

    class Meta:
        ordering = ["family_rank", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "school"],
                name="shortlist_unique_school",
                violation_error_message="That school is already on the shortlist.",
            )
        ]


@pghistory.track()
class SchoolVisit(models.Model):
    class Status(models.TextChoices):
        ARRANGED = "arranged", "Arranged"
        ATTENDED = "attended", "Attended"
        MISSED = "missed", "Missed"
        CANCELLED = "cancelled", "Cancelled"

    shortlisted = models.ForeignKey(ShortlistedSchool, on_delete=models.PROTECT, related_name="visits")
    visit_on = models.DateField()
    accompanied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ARRANGED)
    pupil_feedback = models.TextField(blank=True)
    parent_feedback = models.TextField(blank=True)
    staff_notes = models.TextField(blank=True)

    class Meta:
        ordering = ["visit_on", "pk"]


@pghistory.track()
class FollowUpCheck(models.Model):
    """Checks after the return to school: 2, 6 and 12 weeks after the start date."""

    class Outcome(models.TextChoices):
        ON_TRACK = "on_track", "On track"
        CONCERNS = "concerns", "Some concerns"
        AT_RISK = "at_risk", "Placement at risk"
        BROKEN_DOWN = "broken_down", "Placement broken down"

    plan = models.ForeignKey(ReintegrationPlan, on_delete=models.PROTECT, related_name="follow_ups")
    weeks = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "weeks"], name="followup_unique_weeks")]

    @property
    def is_overdue(self) -> bool:
        return self.done_on is None and self.due_on < timezone.localdate()
