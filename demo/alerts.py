"""The alerts and reminders the demo's records would have produced, so the bell is not empty on the first visit.

The demo writes its records in bulk, past the services that tell people at once. Here the same alert functions
run for what happened in the last fortnight, and the daily reminder pass runs once. Both are idempotent, so running
this again tells nobody twice.
"""

import datetime

from django.utils import timezone

from accounts.models import Notification, User
from accounts.notifications import reminders_run
from concerns.models import Concern
from concerns.selectors import pupils_at_pattern
from concerns.services import pattern_alert, safeguarding_concern_alert
from families.models import ReintegrationPlan
from families.services import preference_sent_alert
from meetings.models import Action
from meetings.services import action_assigned_alert
from referrals.models import InformationRequest, Referral
from referrals.services import information_answered_alert, triage_alerts

RECENT_DAYS = 14


def seed(*, users: dict[str, User], today: datetime.date | None = None) -> int:
    """Tell people of the last fortnight's events and run today's reminders. Returns how many new notifications."""
    before = Notification.objects.count()
    today = today or timezone.localdate()
    since = timezone.now() - datetime.timedelta(days=RECENT_DAYS)
    for concern in Concern.objects.filter(category=Concern.Category.SAFEGUARDING, logged_at__gte=since):
        safeguarding_concern_alert(concern, by=concern.logged_by)
    for pupil_id in pupils_at_pattern().values_list("pupil_id", flat=True):
        pattern_alert(pupil_id, by=None)
    for referral in Referral.objects.filter(triaged_at__gte=since).select_related("allocated_to", "triaged_by"):
        triage_alerts(referral, by=referral.triaged_by)
    for request in InformationRequest.objects.filter(
        status=InformationRequest.Status.ANSWERED, answered_on__gte=today - datetime.timedelta(days=RECENT_DAYS)
    ).select_related("agency"):
        information_answered_alert(request, by=request.recorded_by)
    for action in Action.objects.filter(created_at__gte=since, owner_user__isnull=False).select_related(
        "plan", "agreed_at__meeting", "created_by"
    ):
        action_assigned_alert(action, by=action.created_by)
    sender = users.get("familyworker") or users["dsl"]
    for plan in ReintegrationPlan.objects.filter(
        preference_sent_on__gte=today - datetime.timedelta(days=RECENT_DAYS), preference_sent_to__isnull=False
    ).select_related("preference_sent_to"):
        preference_sent_alert(plan, sent_to=plan.preference_sent_to, sent_on=plan.preference_sent_on, by=sender)
    reminders_run(today=today)
    return Notification.objects.count() - before
