"""`{% pupil_rows page %}`: the rows of the pupil list (templates/pupils/list.html).

Written in Python, as the referral tables are: the list is the page staff open most after the pupil page, 25 rows
of ten cells, and drawn by the template language those rows cost more than the rest of the page together.
"""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from pru_cases.lib.rows import ChoiceLabels
from pupils.models import Pupil

register = template.Library()

ROW = (
    '<tr><td><a href="{}">{}, {}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>'
    '<td><span class="badge text-bg-{}">{}</span></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>'
)
NONE = "–"
LABELS = ChoiceLabels(Pupil, "send_status", "social_care_status", "status")


@register.simple_tag
def pupil_rows(pupils) -> SafeString:
    """Each pupil of the page: `detail_url` and `list_badges` were set by the view (pupils.views._page_of_pupils)."""
    return format_html_join("", ROW, (_cells(pupil) for pupil in pupils))


def _level_colour(level: int) -> str:
    return "danger" if level >= 4 else "warning" if level == 3 else "secondary"


def _badges(badges: list[dict]) -> SafeString:
    return format_html_join(
        "",
        '<span class="badge text-bg-{}"{}>{}</span> ',
        (
            (badge["colour"], format_html(' title="{}"', badge["title"]) if badge.get("title") else "", badge["text"])
            for badge in badges
        ),
    )


def _unless_none(pupil: Pupil, name: str) -> str:
    """The field's label, or a dash for "none" (no SEND need identified, no social care involvement)."""
    return NONE if getattr(pupil, name) == "none" else LABELS(pupil, name)


def _cells(pupil: Pupil) -> tuple:
    return (
        pupil.detail_url,
        pupil.last_name,
        pupil.preferred_name or pupil.first_name,
        pupil.upn or NONE,
        pupil.year_group,
        pupil.site,
        pupil.key_worker or NONE,
        _level_colour(pupil.level_of_need),
        pupil.level_of_need,
        _unless_none(pupil, "send_status"),
        _unless_none(pupil, "social_care_status"),
        _badges(pupil.list_badges),
        LABELS(pupil, "status"),
    )
