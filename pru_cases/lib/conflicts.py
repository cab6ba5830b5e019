"""The one refusal every service gives when someone else saved a record after this edit began.

Services that check a version raise `EditConflict`; the view shows the form again with the user's input kept and a
409 (`pru_cases.lib.forms.show_refusal`), so nothing anyone typed is silently overwritten or lost.
"""

from django.core.exceptions import ValidationError


class EditConflict(ValidationError):
    """Someone else saved the record after this edit began: nothing was saved (409)."""
