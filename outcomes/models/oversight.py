"""The oversight dashboard's summary tables, and the refresh requests that keep them true.

The dashboard is read a few times a term but its figures span every pupil, so they are not counted from the case
records on each view. Each summary table holds one narrow row per pupil-level fact the figures need (a referral, an
endline SDQ with its baseline, a leaver's follow-ups, six weeks of attendance...), already joined, picked and tagged
with the pupil's site and cohort. Any period can then be answered exactly by one filtered aggregate over one table.

Rows are derived, never edited: `outcomes.oversight_summary` rebuilds them for a set of pupils (after a write) or for
everyone (nightly), from the same definitions the from-scratch figures in `outcomes.oversight` use, and a test compares
the two after random writes. They are not case records, so they carry no history of their own.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from pupils.models.core import Pupil

# These models began in the pupils app: db_table (and the history tables' db_table) keep the tables they had
# there, so every row and every history event stays where it is.


class OversightRefresh(models.Model):
    """A request to bring the summaries up to date: a row first (same transaction as the write), then a Celery task
    with its id. `pupil` empty means every pupil (the nightly refresh, or "refresh now")."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        db_table = "pupils_oversightrefresh"
        ordering = ["-requested_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "requested_at"], name="oversightrefresh_status_idx"),
            models.Index(fields=["status", "started_at"], name="oversightrefresh_started_idx"),
        ]

    def __str__(self) -> str:
        return f"Oversight refresh #{self.pk} ({'every pupil' if self.pupil_id is None else 'one pupil'})"


class _PupilFact(models.Model):
    pupil = models.ForeignKey(Pupil, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    site_id = models.BigIntegerField()
    cohort = models.IntegerField(help_text="The academic year (starting September) in which the pupil joined.")

    class Meta:
        abstract = True


class OversightReferral(_PupilFact):
    """One row per referral."""

    referral_id = models.BigIntegerField(unique=True)
    specialism = models.CharField(max_length=32)
    raised_on = models.DateField(help_text="Local date the referral was raised.")
    month = models.DateField(help_text="First day of the local month it was raised.")
    to_triage = models.DurationField(null=True)
    to_intervention = models.DurationField(null=True)
    signposted = models.BooleanField()

    class Meta:
        db_table = "pupils_oversightreferral"
        indexes = [models.Index(fields=["raised_on"], name="oversightreferral_raised_idx")]


class _ReferralTotals(models.Model):
    site_id = models.BigIntegerField()
    cohort = models.IntegerField()
    specialism = models.CharField(max_length=32)
    raised = models.IntegerField()
    triaged = models.IntegerField()
    to_triage_total = models.DurationField(null=True)
    intervened = models.IntegerField()
    to_intervention_total = models.DurationField(null=True)
    signposted = models.IntegerField()

    class Meta:
        abstract = True


class OversightReferralDay(_ReferralTotals):
    """Referral totals per day, site, cohort and specialism (from OversightReferral): the ends of a period that
    does not start or end on a month boundary."""

    day = models.DateField()

    class Meta:
        db_table = "pupils_oversightreferralday"
        constraints = [
            models.UniqueConstraint(fields=["day", "specialism", "site_id", "cohort"], name="oversightreferralday_one")
        ]


class OversightReferralMonth(_ReferralTotals):
    """Referral totals per month, site, cohort and specialism: the whole months of a period."""

    month = models.DateField()

    class Meta:
        db_table = "pupils_oversightreferralmonth"
        constraints = [
            models.UniqueConstraint(
                fields=["month", "specialism", "site_id", "cohort"], name="oversightreferralmonth_one"
            )
        ]


class OversightSDQ(_PupilFact):
    """One row per endline (not withdrawn) of a pupil who has a baseline from the same informant, with that
    baseline's scores. `next_completed_on` is the date of the informant's next endline for the pupil, so the
    latest endline in a period is the row in the period whose next one is not."""

    informant = models.CharField(max_length=8)
    completed_on = models.DateField()
    next_completed_on = models.DateField(null=True)
    b_total_difficulties = models.SmallIntegerField(null=True)
    b_emotional = models.SmallIntegerField(null=True)
    b_conduct = models.SmallIntegerField(null=True)
    b_hyperactivity = models.SmallIntegerField(null=True)
    b_peer = models.SmallIntegerField(null=True)
    b_prosocial = models.SmallIntegerField(null=True)
    e_total_difficulties = models.SmallIntegerField(null=True)
    e_emotional = models.SmallIntegerField(null=True)
    e_conduct = models.SmallIntegerField(null=True)
    e_hyperactivity = models.SmallIntegerField(null=True)
    e_peer = models.SmallIntegerField(null=True)
    e_prosocial = models.SmallIntegerField(null=True)

    class Meta:
        db_table = "pupils_oversightsdq"
        indexes = [models.Index(fields=["informant", "completed_on"], name="oversightsdq_completed_idx")]


class OversightAttendance(_PupilFact):
    """One row per pupil with attendance in their first six weeks: the percentage attended then, and in the six
    weeks before leaving for a leaver."""

    entry_date = models.DateField()
    exit_date = models.DateField(null=True)
    first_pct = models.FloatField()
    exit_pct = models.FloatField(null=True)

    class Meta:
        db_table = "pupils_oversightattendance"
        constraints = [models.UniqueConstraint(fields=["pupil"], name="oversightattendance_one_per_pupil")]
        indexes = [models.Index(fields=["exit_date"], name="oversightattendance_exit_idx")]


class OversightAttendanceWindow(_PupilFact):
    """For a pupil still at the PRU in the week starting `week` (a Monday): the percentage attended in their first
    six weeks and in the six weeks up to that week, the "latest six weeks" of any period ending in it."""

    week = models.DateField()
    entry_date = models.DateField()
    exit_date = models.DateField(null=True)
    first_pct = models.FloatField()
    latest_pct = models.FloatField(null=True)
    whole_week = models.BooleanField(
        help_text="At the PRU from the week's Monday to its Sunday, so counted in OversightAttendanceTotal."
    )

    class Meta:
        db_table = "pupils_oversightattendancewindow"
        constraints = [models.UniqueConstraint(fields=["week", "pupil"], name="oversightattendancewindow_one")]
        indexes = [
            models.Index(fields=["week"], condition=models.Q(whole_week=False), name="oversightattendancewindow_part")
        ]


class OversightAttendanceTotal(models.Model):
    """Per week, site and cohort, the attendance figures of the pupils at the PRU that whole week: whatever day of
    it a period ends on, they are counted alike (the few who joined or left during the week are added row by row)."""

    week = models.DateField()
    site_id = models.BigIntegerField()
    cohort = models.IntegerField()
    pupils = models.IntegerField()
    first_total = models.FloatField(help_text="Sum of the pupils' first-six-weeks percentages.")
    latest_total = models.FloatField(help_text="Sum of their latest-six-weeks percentages.")
    improved = models.IntegerField()
    absent_first = models.IntegerField(help_text="Persistently absent in the first six weeks.")
    absent_latest = models.IntegerField(help_text="Persistently absent in the latest six weeks.")

    class Meta:
        db_table = "pupils_oversightattendancetotal"
        constraints = [
            models.UniqueConstraint(fields=["week", "site_id", "cohort"], name="oversightattendancetotal_one")
        ]


class OversightReading(_PupilFact):
    """One row per reading test after a pupil's first, with the first test's reading age."""

    tested_on = models.DateField()
    next_tested_on = models.DateField(null=True)
    first_age_months = models.IntegerField()
    age_months = models.IntegerField()
    months_between = models.IntegerField(help_text="Whole calendar months since the first test.")

    class Meta:
        db_table = "pupils_oversightreading"
        indexes = [models.Index(fields=["tested_on"], name="oversightreading_tested_idx")]


class OversightExclusion(_PupilFact):
    """One row per exclusion (not withdrawn). `previous_on` is the date of the pupil's previous exclusion by a school
    of the same name, so the pupils excluded in a period are counted without DISTINCT: those whose first exclusion
    in the period this is."""

    exclusion_id = models.BigIntegerField(unique=True)
    school_name = models.CharField(max_length=160, null=True, help_text="Empty: the PRU itself.")
    kind = models.CharField(max_length=16)
    start_date = models.DateField()
    previous_on = models.DateField(null=True)
    days = models.DecimalField(max_digits=5, decimal_places=1)

    class Meta:
        db_table = "pupils_oversightexclusion"
        indexes = [models.Index(fields=["start_date"], name="oversightexclusion_start_idx")]


class OversightDestination(_PupilFact):
    """One row per leaver and follow-up checkpoint: how many follow-ups, and with which destination."""

    exit_date = models.DateField()
    checkpoint = models.CharField(max_length=3)
    done = models.IntegerField()
    eet = models.IntegerField()
    neet = models.IntegerField()
    unknown = models.IntegerField()

    class Meta:
        db_table = "pupils_oversightdestination"
        indexes = [models.Index(fields=["exit_date"], name="oversightdestination_exit_idx")]


class OversightFeedback(_PupilFact):
    """One row per family feedback form (not withdrawn): its ratings; comments are read from the form itself."""

    feedback_id = models.BigIntegerField(unique=True)
    given_on = models.DateField()
    has_comment = models.BooleanField()
    listened_to = models.SmallIntegerField(null=True)
    help_was_right = models.SmallIntegerField(null=True)
    things_better_at_home = models.SmallIntegerField(null=True)
    child_happier = models.SmallIntegerField(null=True)
    would_recommend = models.SmallIntegerField(null=True)

    class Meta:
        db_table = "pupils_oversightfeedback"
        indexes = [models.Index(fields=["given_on"], name="oversightfeedback_given_idx")]
