"""`{% referral_rows page referrals_url %}`: the rows of a referral table (templates/referrals/_referral_table.html).

Written in Python: the table is on the triage queue and the referral list, 25 rows a page, and a template costs
about as much per row as the rest of the page.
"""

from django import template
from django.template.defaultfilters import date as format_date
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

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


def _cells(referral, referrals_url: str) -> tuple:
    days = referral.age_days
    return (
        referrals_url,
        referral.pk,
        format_date(timezone.localtime(referral.raised_at), "j M Y"),
        days,
        "" if days == 1 else "s",
        referral.pupil.full_name,
        referral.pupil.site,
        referral.get_specialism_display(),
        URGENT if referral.urgency == "urgent" else referral.get_urgency_display(),
        referral.get_consent_status_display(),
        referral.get_status_display(),
        referral.allocated_to or "–",
        referral.raised_by,
    )
