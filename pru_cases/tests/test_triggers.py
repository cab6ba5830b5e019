"""The database holds exactly the triggers the models declare (history, never-deleted), also for the models that moved
out of the pupils app into concerns and outcomes with their tables, and the moved models' history still records."""

import pgtrigger
import pytest
from django.db import DatabaseError, connection, transaction

from concerns.models import Concern
from outcomes.models import ReadingTest

pytestmark = pytest.mark.django_db


def _installed() -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND t.tgname LIKE 'pgtrigger_%%'"
        )
        return set(cursor.fetchall())


def test_every_declared_trigger_is_installed_and_no_other():
    declared = {(model._meta.db_table, trigger.get_pgid(model)) for model, trigger in pgtrigger.registered()}
    assert {table for table, _ in declared} >= {"pupils_concern", "pupils_sdqresponse", "pupils_pupil"}
    assert _installed() == declared


def test_the_moved_models_keep_their_tables_and_history_tables():
    assert (Concern._meta.db_table, Concern.pgh_event_model._meta.db_table) == ("pupils_concern", "pupils_concernevent")
    assert ReadingTest.pgh_event_model._meta.label == "outcomes.ReadingTestEvent"
    assert ReadingTest.pgh_event_model._meta.db_table == "pupils_readingtestevent"


def test_a_change_to_a_moved_model_is_recorded_and_it_cannot_be_deleted(pupil, staff):
    concern = Concern.objects.create(pupil=pupil, category=Concern.Category.OTHER, seen="Seen", logged_by=staff)
    Concern.objects.filter(pk=concern.pk).update(review_note="Checked")  # a bulk write: triggers catch it too
    assert list(concern.events.order_by("pgh_id").values_list("pgh_label", "review_note")) == [
        ("insert", ""),
        ("update", "Checked"),
    ]
    with pytest.raises(DatabaseError, match="Cannot delete rows from pupils_concern"), transaction.atomic():
        Concern.objects.filter(pk=concern.pk).delete()
