# Break-glass grants, and the AccessEvent outcome that records their use.

import django.db.models.deletion
import django.utils.timezone
import pgtrigger.compiler
import pgtrigger.migrations
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("pghistory", "0007_auto_20250421_0444"),
        ("pru_cases", "0002_initial"),
        ("pupils", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="accessevent",
            name="outcome",
            field=models.CharField(
                choices=[
                    ("allowed", "Allowed"),
                    ("denied", "Denied (out of scope)"),
                    ("forbidden", "Refused (role)"),
                    ("break_glass", "Break-glass (outside usual scope)"),
                ],
                max_length=16,
            ),
        ),
        migrations.CreateModel(
            name="BreakGlass",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("reason", models.TextField()),
                ("granted_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("expires_at", models.DateTimeField()),
                ("notified_at", models.DateTimeField(blank=True, null=True)),
                ("notified_to", models.CharField(blank=True, max_length=500)),
                (
                    "pupil",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="break_glass_grants",
                        to="pupils.pupil",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="break_glass_grants",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "break-glass grant",
                "ordering": ["-granted_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="BreakGlassEvent",
            fields=[
                ("pgh_id", models.AutoField(primary_key=True, serialize=False)),
                ("pgh_created_at", models.DateTimeField(auto_now_add=True)),
                ("pgh_label", models.TextField(help_text="The event label.")),
                ("id", models.BigIntegerField()),
                ("reason", models.TextField()),
                ("granted_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("expires_at", models.DateTimeField()),
                ("notified_at", models.DateTimeField(blank=True, null=True)),
                ("notified_to", models.CharField(blank=True, max_length=500)),
                (
                    "pgh_context",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="pghistory.context",
                    ),
                ),
                (
                    "pgh_obj",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="events",
                        to="pru_cases.breakglass",
                    ),
                ),
                (
                    "pupil",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to="pupils.pupil",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "abstract": False,
            },
        ),
        migrations.AddIndex(
            model_name="breakglass",
            index=models.Index(fields=["user", "pupil", "expires_at"], name="breakglass_user_pupil_idx"),
        ),
        migrations.AddConstraint(
            model_name="breakglass",
            constraint=models.CheckConstraint(
                condition=models.Q(("expires_at__gt", models.F("granted_at"))), name="breakglass_expires_after"
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="breakglass",
            trigger=pgtrigger.compiler.Trigger(
                name="break_glass_no_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="RAISE EXCEPTION 'pgtrigger: Cannot delete rows from % table', TG_TABLE_NAME;",
                    hash="909752228affcc26f9596a662ebb26c8e81327ae",
                    operation="DELETE",
                    pgid="pgtrigger_break_glass_no_delete_b0ed1",
                    table="pru_cases_breakglass",
                    when="BEFORE",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="breakglass",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "pru_cases_breakglassevent" ("expires_at", "granted_at", "id", "notified_at", "notified_to", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "pupil_id", "reason", "user_id") VALUES (NEW."expires_at", NEW."granted_at", NEW."id", NEW."notified_at", NEW."notified_to", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."pupil_id", NEW."reason", NEW."user_id"); RETURN NULL;',
                    hash="75f872dbb47c5122c4c27ab5cb12a278780946bb",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_0af89",
                    table="pru_cases_breakglass",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="breakglass",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (OLD.* IS DISTINCT FROM NEW.*)",
                    func='INSERT INTO "pru_cases_breakglassevent" ("expires_at", "granted_at", "id", "notified_at", "notified_to", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "pupil_id", "reason", "user_id") VALUES (NEW."expires_at", NEW."granted_at", NEW."id", NEW."notified_at", NEW."notified_to", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."pupil_id", NEW."reason", NEW."user_id"); RETURN NULL;',
                    hash="1a95b1b405f0f4caa5cef13712bf97a964a83226",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_e7ed9",
                    table="pru_cases_breakglass",
                    when="AFTER",
                ),
            ),
        ),
    ]
