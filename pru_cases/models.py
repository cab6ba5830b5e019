import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone


@pgtrigger.register(
    pgtrigger.Protect(name="access_event_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
)
class AccessEvent(models.Model):
    """One row for each request to a pupil-scoped page: who looked, at whom, and whether they were let in."""

    class Outcome(models.TextChoices):
        ALLOWED = "allowed", "Allowed"
        DENIED = "denied", "Denied (out of scope)"
        FORBIDDEN = "forbidden", "Refused (role)"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_events")
    role = models.CharField(max_length=20)
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, null=True, related_name="+")
    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.PROTECT, null=True, related_name="access_events")
    pupil_ref = models.BigIntegerField(null=True, help_text="The id asked for, kept when no such pupil exists.")
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    field_groups = models.CharField(max_length=60, blank=True, help_text="Restricted field groups shown.")

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["pupil", "-at"], name="accessevent_pupil_at_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.outcome} {self.path}"
