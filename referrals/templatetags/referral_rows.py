"""`{% referral_rows page referrals_url %}`: the rows of a referral table (templates/referrals/_referral_table.html).

Written in Python: the table is on the triage queue and the referral list, 25 rows a page, and a template costs
about as much per row as the rest of the page.
"""

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

from pru_cases.lib.rows import ChoiceLabels, day_month_year
from referrals.models import Referral

register = template.Library()

ROW = (
    '<tr><td><a href="{}{}/">{}</a> <small class="text-muted">({} day{})</small></td>'
    '<td>{} <small class="text-muted">{}</small></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>'
    "<td>{}</td></tr>"
)
URGENT = mark_safe('<span class="badge text-bg-danger">Urgent</span>')


@register.simple_tag
def referral_rows(referrals, referrals_url: str) -> SafeString:
    return format_html_join("", ROW, (_cells(referral, referrals_url) for referral in referrals))


LABELS = ChoiceLabels(Referral, "specialism", "urgency", "consent_status", "status")


def _cells(referral: Referral, referrals_url: str) -> tuple:
    days = referral.age_days
    return (
        referrals_url,
        referral.pk,
        day_month_year(referral.raised_at),
        days,
        "" if days == 1 else "s",
        referral.pupil.full_name,
        referral.pupil.site,
        LABELS(referral, "specialism"),
        URGENT if referral.urgency == "urgent" else LABELS(referral, "urgency"),
        LABELS(referral, "consent_status"),
        LABELS(referral, "status"),
        referral.allocated_to or "–",
        referral.raised_by,
    )
