"""The concern log (the staff log book): short, factual notes about what a member of staff saw."""

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

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
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} concern"

    @property
    def is_safeguarding(self) -> bool:
        return self.category == self.Category.SAFEGUARDING
