"""What the families app adds to the pupil pages: a panel on the pupil page and badges on the pupil list."""

from django.db.models import QuerySet
from django.http import HttpRequest

from pupils.models import Pupil


def pupil_panel(request: HttpRequest, pupil: Pupil) -> dict:
    """Context for templates/families/_pupil_panel.html on the pupil page (pupil already access-checked)."""
    return {}


def annotate_pupil_list(pupils: QuerySet[Pupil]) -> QuerySet[Pupil]:
    """Annotations the list badges in templates/families/_pupil_list_badges.html read (set-based, no per-row queries)."""
    return pupils
