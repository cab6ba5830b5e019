"""Writes to the concern log."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification, User
from accounts.notifications import notify, safeguarding_leads
from concerns.models import Concern
from concerns.selectors import recent_concerns
from pru_cases.access import Action, require_write
from pupils.models import Pupil

# A little slack for clocks that run fast on a classroom laptop.
FUTURE_SLACK = datetime.timedelta(minutes=5)


@transaction.atomic
def concern_log(
    *, pupil: Pupil, by: User, category: str, seen: str, occurred_at: datetime.datetime | None = None
) -> Concern:
    """Log what was seen. Safeguarding concerns land in the DSL's queue (they stay open until the DSL reviews them)."""
    require_write(by, pupil, Action.LOG_CONCERN)
    now = timezone.now()
    occurred_at = occurred_at or now
    if occurred_at > now + FUTURE_SLACK:
        raise ValidationError({"occurred_at": "A concern cannot be logged for a time in the future."})
    if pupil.is_archived:
        raise ValidationError("This pupil's record is archived: restore it before logging a concern.")
    concern = Concern(
        pupil=pupil, logged_by=by, category=category, seen=seen.strip(), occurred_at=occurred_at, logged_at=now
    )
    concern.full_clean()
    concern.save()
    if concern.category == Concern.Category.SAFEGUARDING:
        safeguarding_concern_alert(concern, by=by)
    if recent_concerns(concern.pupil_id).count() == settings.CONCERN_PATTERN_COUNT:
        pattern_alert(concern.pupil_id, by=by)
    return concern


def safeguarding_concern_alert(concern: Concern, *, by: User | None) -> int:
    """Every DSL hears at once of a safeguarding concern (but not the one who logged it). Idempotent."""
    return notify(
        kind=Notification.Kind.SAFEGUARDING_CONCERN,
        recipients=safeguarding_leads(),
        object_id=concern.pk,
        occasion="logged",
        path=reverse("concerns:review", args=[concern.pk]),
        pupil_id=concern.pupil_id,
        exclude=by,
    )


def pattern_alert(pupil_id: int, *, by: User | None) -> int:
    """Every DSL hears that a pupil has reached the pattern of concerns: once a day at most."""
    return notify(
        kind=Notification.Kind.CONCERN_PATTERN,
        recipients=safeguarding_leads(),
        object_id=pupil_id,
        occasion=f"{timezone.localdate():%Y-%m-%d}",
        path=reverse("pupils:detail", args=[pupil_id]),
        pupil_id=pupil_id,
        detail=f"{settings.CONCERN_PATTERN_COUNT} concerns in {settings.CONCERN_PATTERN_DAYS} days",
        exclude=by,
    )


@transaction.atomic
def concern_review(*, concern: Concern, by: User, note: str) -> Concern:
    """The DSL records what was done about a concern; the row is claimed with a conditional update."""
    if not note.strip():
        raise ValidationError({"note": "Say what was done, for example: spoke to the pupil, referred to social care."})
    updated = Concern.objects.filter(pk=concern.pk, status=Concern.Status.OPEN).update(
        status=Concern.Status.REVIEWED, reviewed_by=by, reviewed_at=timezone.now(), review_note=note.strip()[:500]
    )
    if not updated:
        raise ValidationError("This concern has already been reviewed.")
    concern.refresh_from_db()
    return concern
