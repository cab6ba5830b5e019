"""Outcome measures: SDQ, attendance, reading (NGRT), attitudes (PASS), exclusions, post-16 destinations
and family feedback. These answer the oversight board's questions, so every row keeps who recorded it
and when, and nothing here is deleted (a mistaken entry is marked withdrawn with a reason)."""

import datetime

import pghistory
import pgtrigger
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from pupils.models.core import Pupil, School

# These models began in the pupils app: db_table (and the history tables' db_table) keep the tables they had
# there, so every row and every history event stays where it is.


def _never_deleted() -> pgtrigger.Protect:
    return pgtrigger.Protect(name="outcome_never_deleted", operation=pgtrigger.Delete)


class Occasion(models.TextChoices):
    BASELINE = "baseline", "Baseline (entry)"
    REVIEW = "review", "Review"
    ENDLINE = "endline", "Endline (exit)"


class WithdrawableMixin(models.Model):
    """A mistaken entry is withdrawn, never deleted; withdrawn rows are left out of every figure."""

    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        abstract = True


def _score_field(label: str, top: int) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(label, null=True, blank=True, validators=[MaxValueValidator(top)])


@pghistory.track(meta={"db_table": "pupils_sdqresponseevent"})
@pgtrigger.register(_never_deleted())
class SDQResponse(WithdrawableMixin):
    """One completed SDQ, entered by item number and box ticked (never the item wording).

    `answers` maps item number (as a string, JSON keys) to the box ticked 0-2. The scores are computed
    by outcomes.sdq when the response is recorded and stored, so the dashboard aggregates them in SQL.
    """

    class Informant(models.TextChoices):
        SELF = "self", "Pupil (self-report, 11-17)"
        PARENT = "parent", "Parent or carer"
        TEACHER = "teacher", "Teacher"

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="sdq_responses")
    informant = models.CharField(max_length=8, choices=Informant.choices)
    occasion = models.CharField(max_length=8, choices=Occasion.choices)
    completed_on = models.DateField()
    help_given = models.BooleanField(default=False, help_text="Someone read the questions aloud or helped answer.")
    help_detail = models.CharField(max_length=200, blank=True)
    answers = models.JSONField(default=dict)
    impact_answers = models.JSONField(default=dict, blank=True)
    has_difficulties = models.BooleanField(null=True, blank=True)
    emotional = _score_field("Emotional", 10)
    conduct = _score_field("Conduct", 10)
    hyperactivity = _score_field("Hyperactivity", 10)
    peer = _score_field("Peer problems", 10)
    prosocial = _score_field("Prosocial", 10)
    total_difficulties = _score_field("Total difficulties", 40)
    internalising = _score_field("Internalising", 20)
    externalising = _score_field("Externalising", 20)
    impact = _score_field("Impact", 10)
    total_band = models.CharField(max_length=20, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    SCORE_FIELDS = (
        "emotional",
        "conduct",
        "hyperactivity",
        "peer",
        "prosocial",
        "total_difficulties",
        "internalising",
        "externalising",
        "impact",
    )

    class Meta:
        db_table = "pupils_sdqresponse"
        ordering = ["-completed_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(total_difficulties__lte=40), name="sdq_total_0_40"),
            models.CheckConstraint(condition=Q(informant__in=["self", "parent", "teacher"]), name="sdq_informant"),
        ]
        indexes = [models.Index(fields=["pupil", "informant", "occasion"], name="sdq_pupil_occasion_idx")]

    def __str__(self) -> str:
        return f"SDQ {self.get_informant_display()} {self.get_occasion_display()} {self.completed_on}"


@pghistory.track(meta={"db_table": "pupils_attendancecodeevent"})
class AttendanceCode(models.Model):
    """A register code, kept as data: the DfE revises the list (most recently from 19 August 2024).

    `counts_as_possible` and `counts_as_attended` follow DfE guidance on which marks are possible
    sessions and which count as attendance; codes that are no longer used stay, inactive, so old
    imports still make sense.
    """

    class Category(models.TextChoices):
        PRESENT = "present", "Present"
        APPROVED_EDUCATION = "approved_education", "Attending a place other than the school"
        LEAVE = "leave", "Authorised: leave of absence"
        AUTHORISED = "authorised", "Authorised: other"
        UNABLE = "unable", "Unable to attend (exceptional circumstances)"
        UNAUTHORISED = "unauthorised", "Unauthorised"
        ADMINISTRATIVE = "administrative", "Administrative"
        WITHDRAWN = "withdrawn", "No longer in use"

    code = models.CharField(max_length=4, unique=True)
    meaning = models.CharField(max_length=160)
    category = models.CharField(max_length=20, choices=Category.choices)
    counts_as_possible = models.BooleanField()
    counts_as_attended = models.BooleanField()
    is_active = models.BooleanField(default=True)

    class Meta:
        db_table = "pupils_attendancecode"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(counts_as_attended=False) | Q(counts_as_possible=True),
                name="attendancecode_attended_possible",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.meaning}"


@pghistory.track(meta={"db_table": "pupils_attendanceimportevent"})
class AttendanceImport(models.Model):
    """One accepted CSV file. Rejected files leave no row: nothing is half-imported."""

    filename = models.CharField(max_length=200)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(default=timezone.now)
    rows = models.PositiveIntegerField(default=0)
    pupils = models.PositiveIntegerField(default=0)
    weeks = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "pupils_attendanceimport"
        ordering = ["-imported_at", "-pk"]


@pghistory.track(meta={"db_table": "pupils_attendancemarkevent"})
class AttendanceMark(models.Model):
    """One register mark (AM or PM) as exported by the school's MIS. Re-importing a session replaces its mark."""

    class Session(models.TextChoices):
        AM = "AM", "Morning"
        PM = "PM", "Afternoon"

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="attendance_marks")
    date = models.DateField()
    session = models.CharField(max_length=2, choices=Session.choices)
    code = models.ForeignKey(AttendanceCode, on_delete=models.PROTECT, related_name="marks")
    source = models.ForeignKey(AttendanceImport, on_delete=models.PROTECT, related_name="marks")

    class Meta:
        db_table = "pupils_attendancemark"
        ordering = ["date", "session"]
        constraints = [
            models.UniqueConstraint(fields=["pupil", "date", "session"], name="attendancemark_one_per_session")
        ]


@pghistory.track(meta={"db_table": "pupils_attendanceweekevent"})
class AttendanceWeek(models.Model):
    """Sessions possible and attended for a pupil in a week (Monday to Sunday), from the marks."""

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="attendance_weeks")
    week_starting = models.DateField(help_text="The Monday of the week.")
    sessions_possible = models.PositiveSmallIntegerField()
    sessions_attended = models.PositiveSmallIntegerField()
    unauthorised = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    PERSISTENT_ABSENCE_BELOW = 90  # percent: the DfE's persistent absence threshold

    class Meta:
        db_table = "pupils_attendanceweek"
        ordering = ["week_starting"]
        constraints = [
            models.UniqueConstraint(fields=["pupil", "week_starting"], name="attendanceweek_one_per_week"),
            models.CheckConstraint(
                condition=Q(sessions_attended__lte=models.F("sessions_possible")),
                name="attendanceweek_attended_le_possible",
            ),
            models.CheckConstraint(condition=Q(week_starting__week_day=2), name="attendanceweek_starts_monday"),
        ]

    @property
    def percentage(self) -> float | None:
        if not self.sessions_possible:
            return None
        return round(100 * self.sessions_attended / self.sessions_possible, 1)


@pghistory.track(meta={"db_table": "pupils_readingtestevent"})
@pgtrigger.register(_never_deleted())
class ReadingTest(WithdrawableMixin):
    """A New Group Reading Test (NGRT) result. Reading age is kept in months, as years:months on the report."""

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="reading_tests")
    occasion = models.CharField(max_length=8, choices=Occasion.choices)
    tested_on = models.DateField()
    reading_age_months = models.PositiveSmallIntegerField(validators=[MinValueValidator(48), MaxValueValidator(240)])
    standard_age_score = models.PositiveSmallIntegerField(
        "SAS", null=True, blank=True, validators=[MinValueValidator(60), MaxValueValidator(145)]
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "pupils_readingtest"
        ordering = ["-tested_on", "-pk"]

    @property
    def reading_age_display(self) -> str:
        years, months = divmod(self.reading_age_months, 12)
        return f"{years}:{months:02d}"

    @property
    def gap_months(self) -> int:
        """Reading age minus chronological age at the test, in months (negative: behind)."""
        dob = self.pupil.date_of_birth
        age = (self.tested_on.year - dob.year) * 12 + self.tested_on.month - dob.month - (self.tested_on.day < dob.day)
        return self.reading_age_months - age


PASS_FACTORS = (
    ("feelings_about_school", "Feelings about school"),
    ("perceived_learning_capability", "Perceived learning capability"),
    ("self_regard", "Self-regard as a learner"),
    ("preparedness_for_learning", "Preparedness for learning"),
    ("attitudes_to_teachers", "Attitudes to teachers"),
    ("general_work_ethic", "General work ethic"),
    ("learner_confidence", "Confidence in learning"),
    ("attitudes_to_attendance", "Attitudes to attendance"),
    ("response_to_curriculum", "Response to curriculum demands"),
)


def _percentile(label: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(label, null=True, blank=True, validators=[MaxValueValidator(100)])


@pghistory.track(meta={"db_table": "pupils_passsurveyevent"})
@pgtrigger.register(_never_deleted())
class PassSurvey(WithdrawableMixin):
    """Pupil Attitudes to Self and School (PASS): a percentile 0-100 per factor, as on the provider's report."""

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="pass_surveys")
    occasion = models.CharField(max_length=8, choices=Occasion.choices)
    completed_on = models.DateField()
    feelings_about_school = _percentile("Feelings about school")
    perceived_learning_capability = _percentile("Perceived learning capability")
    self_regard = _percentile("Self-regard as a learner")
    preparedness_for_learning = _percentile("Preparedness for learning")
    attitudes_to_teachers = _percentile("Attitudes to teachers")
    general_work_ethic = _percentile("General work ethic")
    learner_confidence = _percentile("Confidence in learning")
    attitudes_to_attendance = _percentile("Attitudes to attendance")
    response_to_curriculum = _percentile("Response to curriculum demands")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    # Percentiles below this are a concern on the provider's reports.
    CONCERN_BELOW = 40

    class Meta:
        db_table = "pupils_passsurvey"
        ordering = ["-completed_on", "-pk"]
        verbose_name = "PASS survey"


@pghistory.track(meta={"db_table": "pupils_exclusionevent"})
@pgtrigger.register(_never_deleted())
class Exclusion(WithdrawableMixin):
    """A suspension or permanent exclusion, at the PRU or (before entry) at the referring school."""

    class Kind(models.TextChoices):
        SUSPENSION = "suspension", "Suspension"
        PERMANENT = "permanent", "Permanent exclusion"

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="exclusions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exclusions",
        help_text="Leave empty for an exclusion from the PRU itself.",
    )
    start_date = models.DateField()
    days = models.DecimalField(max_digits=4, decimal_places=1, validators=[MinValueValidator(0)])
    reason = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "pupils_exclusion"
        ordering = ["-start_date", "-pk"]


@pghistory.track(meta={"db_table": "pupils_destinationfollowupevent"})
@pgtrigger.register(_never_deleted())
class DestinationFollowUp(models.Model):
    """Where a leaver is 3 and 12 months after leaving: in education, employment or training, or NEET."""

    class Checkpoint(models.TextChoices):
        MONTHS_3 = "3m", "3 months after leaving"
        MONTHS_12 = "12m", "12 months after leaving"

    class Status(models.TextChoices):
        EDUCATION = "education", "Education (school, sixth form, college)"
        APPRENTICESHIP = "apprenticeship", "Apprenticeship or traineeship"
        EMPLOYMENT = "employment", "Employment with training"
        NEET = "neet", "NEET: not in education, employment or training"
        UNKNOWN = "unknown", "Not known (could not be contacted)"

    EET = (Status.EDUCATION, Status.APPRENTICESHIP, Status.EMPLOYMENT)
    MONTHS = {Checkpoint.MONTHS_3: 3, Checkpoint.MONTHS_12: 12}

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="destination_follow_ups")
    checkpoint = models.CharField(max_length=3, choices=Checkpoint.choices)
    status = models.CharField(max_length=16, choices=Status.choices)
    detail = models.CharField(max_length=200, blank=True, help_text="Provider, course or employer.")
    checked_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        db_table = "pupils_destinationfollowup"
        ordering = ["pupil", "checkpoint"]
        constraints = [models.UniqueConstraint(fields=["pupil", "checkpoint"], name="destination_one_per_checkpoint")]

    @staticmethod
    def due_on(exit_date: datetime.date, checkpoint: str) -> datetime.date:
        months = DestinationFollowUp.MONTHS[checkpoint]
        month = exit_date.month - 1 + months
        year, month = exit_date.year + month // 12, month % 12 + 1
        return datetime.date(year, month, min(exit_date.day, 28))


FEEDBACK_QUESTIONS = (
    ("listened_to", "We felt listened to."),
    ("help_was_right", "The help was the right help for us."),
    ("things_better_at_home", "Things are better at home."),
    ("child_happier", "Our child is happier and more settled in education."),
    ("would_recommend", "We would recommend the team to another family."),
)


def _rating(label: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        label,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="1 strongly disagree to 5 strongly agree.",
    )


@pghistory.track(meta={"db_table": "pupils_familyfeedbackevent"})
@pgtrigger.register(_never_deleted())
class FamilyFeedback(WithdrawableMixin):
    """A short structured feedback form from a family after a TAC meeting or when the pupil leaves."""

    class Moment(models.TextChoices):
        AFTER_TAC = "after_tac", "After a TAC meeting"
        AT_EXIT = "at_exit", "When the pupil left"
        OTHER = "other", "Other"

    class Respondent(models.TextChoices):
        PARENT = "parent", "Parent or carer"
        PUPIL = "pupil", "Pupil"
        TOGETHER = "together", "Parent and pupil together"

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="family_feedback")
    moment = models.CharField(max_length=10, choices=Moment.choices)
    respondent = models.CharField(max_length=10, choices=Respondent.choices)
    given_on = models.DateField()
    listened_to = _rating("We felt listened to")
    help_was_right = _rating("The help was the right help for us")
    things_better_at_home = _rating("Things are better at home")
    child_happier = _rating("Our child is happier and more settled in education")
    would_recommend = _rating("We would recommend the team to another family")
    difference_made = models.TextField("What difference has it made?", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "pupils_familyfeedback"
        ordering = ["-given_on", "-pk"]
        verbose_name_plural = "family feedback"
