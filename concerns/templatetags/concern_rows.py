"""`{% waiting_safeguarding_rows concerns %}`: the safeguarding concerns waiting for the DSL on the triage queue, each
with its "Reviewed" form (templates/referrals/triage.html). Written in Python, as the queue's referral table is."""

from django import template
from django.template.defaultfilters import date as format_date
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from concerns.models import Concern

register = template.Library()

ROW = (
    '<li class="list-group-item"><div class="d-flex justify-content-between gap-2">'
    '<div><strong><a href="{}{}/">{}</a></strong> · {} · logged by {}<br>{}</div>'
    '<form method="post" action="{}" class="d-flex gap-1 align-items-start">'
    '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
    '<label class="visually-hidden" for="note-{}">What was done</label>'
    '<input class="form-control form-control-sm" id="note-{}" name="note" maxlength="500" required'
    ' placeholder="What was done">'
    '<button class="btn btn-sm btn-outline-primary" type="submit">Reviewed</button></form></div></li>'
)
SEEN_SHOWN = 300  # characters of what was seen; the concern's page has it all


@register.simple_tag(takes_context=True)
def waiting_safeguarding_rows(context, concerns: list[Concern]) -> SafeString:
    pupil_url = reverse("pupils:detail", args=[0]).removesuffix("0/")
    token = str(context.get("csrf_token", ""))
    return format_html_join(
        "",
        ROW,
        (
            (
                pupil_url,
                concern.pupil_id,
                concern.pupil.full_name,
                format_date(timezone.localtime(concern.occurred_at), "j M Y H:i"),
                concern.logged_by,
                Truncator(concern.seen).chars(SEEN_SHOWN),
                reverse("concerns:review", args=[concern.pk]),
                token,
                concern.pk,
                concern.pk,
            )
            for concern in concerns
        ),
    )
