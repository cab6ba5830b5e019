"""Operations for moving models out of the pupils app with their tables, rows and history (used by the first
migrations of the concerns and outcomes apps). Django skips modules starting with "_" when it looks for migrations."""

from django.db import migrations
from django.db.migrations.operations.base import Operation


class DropPupilsTriggers(Operation):
    """Drop the triggers a moved model had under the pupils label.

    pgtrigger names a trigger after the app and model it belongs to, so the moved model's migration installs the same
    triggers (history, never-deleted) again under the new label, in the same transaction as this drop: no write goes
    unrecorded and none is recorded twice. Backwards, the pupils triggers come back.
    """

    reversible = True

    def __init__(self, model_names: list[str]) -> None:
        self.model_names = model_names

    def state_forwards(self, app_label, state) -> None:
        pass  # the pupils models leave the state in pupils' own migration

    def _triggers(self, state):
        for name in self.model_names:
            yield from state.models["pupils", name].options.get("triggers", [])

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        for trigger in self._triggers(from_state):
            schema_editor.execute(trigger.uninstall_sql, params=None)

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        for trigger in self._triggers(to_state):
            schema_editor.execute(trigger.install_sql, params=None)

    def describe(self) -> str:
        return f"Drop the pupils-labelled triggers of {', '.join(self.model_names)}"

    def deconstruct(self):
        return self.__class__.__name__, [], {"model_names": self.model_names}


def relabel_content_types(app_label: str, model_names: list[str]) -> migrations.RunPython:
    """Move the models' content types from pupils to `app_label`, keeping their ids, so permissions granted to groups
    and users, admin log entries and any generic reference still point at them."""

    def move(apps, from_label: str, to_label: str) -> None:
        content_type = apps.get_model("contenttypes", "ContentType")
        for name in model_names:
            if not content_type.objects.filter(app_label=to_label, model=name).exists():
                content_type.objects.filter(app_label=from_label, model=name).update(app_label=to_label)

    return migrations.RunPython(
        lambda apps, schema_editor: move(apps, "pupils", app_label),
        lambda apps, schema_editor: move(apps, app_label, "pupils"),
    )
