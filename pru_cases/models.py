import pghistory
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
        BREAK_GLASS = "break_glass", "Break-glass (outside usual scope)"
        SHARED = "shared", "Shared at a meeting (outside usual scope)"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_events")
    role = models.CharField(max_length=20)
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, null=True, related_name="+")
    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.PROTECT, null=True, related_name="access_events")
    pupil_ref = models.BigIntegerField(null=True, help_text="The id asked for, kept when no such pupil exists.")
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    field_groups = models.CharField(max_length=60, blank=True, help_text="Restricted field groups shown.")
    reason = models.CharField(
        max_length=160,
        blank=True,
        db_default="",
        help_text="Why a pupil outside the reader's usual scope was shown (the meeting).",
    )

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["pupil", "-at"], name="accessevent_pupil_at_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.outcome} {self.path}"


@pghistory.track()
@pgtrigger.register(pgtrigger.Protect(name="break_glass_no_delete", operation=pgtrigger.Delete))
class BreakGlass(models.Model):
    """A time-limited grant of one pupil's record to someone outside its usual scope (see pru_cases.security)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_grants")
    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.PROTECT, related_name="break_glass_grants")
    reason = models.TextField()
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    notified_at = models.DateTimeField(null=True, blank=True)
    notified_to = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-granted_at", "-pk"]
        indexes = [models.Index(fields=["user", "pupil", "expires_at"], name="breakglass_user_pupil_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("granted_at")), name="breakglass_expires_after"
            )
        ]
        verbose_name = "break-glass grant"

    def __str__(self) -> str:
        return f"{self.user_id} -> pupil {self.pupil_id} until {self.expires_at:%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.expires_at > timezone.now()
