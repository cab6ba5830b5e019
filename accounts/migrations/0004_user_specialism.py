"""A specialist's specialism becomes a field of their account, set by whoever manages accounts.

Until now it was worked out on every request: from the kind of the specialist's agency, or, for the PRU's own
specialists, from words in their job title. The data step below writes down, once, what that rule gave each
specialist today, so nobody's referrals change; from now on a job title is only a job title. Where the old rule
gave two specialisms (a CAMHS worker titled "counsellor"), the agency's wins.
"""

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models

# Today's rule, frozen here: the agency kind that does each specialism's work, then job-title words.
AGENCY_KIND_SPECIALISMS = {
    "health": "salt",
    "camhs": "camhs",
    "youth_justice": "youth_justice",
    "early_help": "early_help",
    "complex_safeguarding": "complex_safeguarding",
    "restorative_justice": "restorative_justice",
    "educational_psychology": "educational_psychology",
    "careers": "careers",
}
JOB_TITLE_WORDS = (
    ("sports mentor", "sports_mentor"),
    ("engagement", "engagement_worker"),
    ("counsellor", "counsellor"),
)


def specialism_from_agency_and_title(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    for user in User.objects.filter(role="specialist", specialism="").select_related("agency"):
        specialism = AGENCY_KIND_SPECIALISMS.get(user.agency.kind) if user.agency_id else None
        title = user.job_title.lower()
        specialism = specialism or next((value for words, value in JOB_TITLE_WORDS if words in title), None)
        if specialism:
            User.objects.filter(pk=user.pk).update(specialism=specialism)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_user_sessions_with_owner_and_browser"),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name="user",
            name="insert_insert",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="user",
            name="update_update",
        ),
        migrations.AddField(
            model_name="user",
            name="specialism",
            field=models.CharField(
                blank=True,
                choices=[
                    ("salt", "Speech and language therapy (SaLT)"),
                    ("camhs", "CAMHS"),
                    ("youth_justice", "Youth justice"),
                    ("early_help", "Early help"),
                    ("complex_safeguarding", "Complex safeguarding"),
                    ("restorative_justice", "Restorative justice"),
                    ("educational_psychology", "Educational psychology"),
                    ("careers", "Careers"),
                    ("family_worker", "Family worker"),
                    ("sports_mentor", "Sports mentor"),
                    ("engagement_worker", "Engagement worker"),
                    ("counsellor", "Counsellor"),
                ],
                help_text="Specialists only: the referrals and interventions of this specialism they see and may be allocated. Family workers take family work by their role.",
                max_length=32,
            ),
        ),
        migrations.AddField(
            model_name="userevent",
            name="specialism",
            field=models.CharField(
                blank=True,
                choices=[
                    ("salt", "Speech and language therapy (SaLT)"),
                    ("camhs", "CAMHS"),
                    ("youth_justice", "Youth justice"),
                    ("early_help", "Early help"),
                    ("complex_safeguarding", "Complex safeguarding"),
                    ("restorative_justice", "Restorative justice"),
                    ("educational_psychology", "Educational psychology"),
                    ("careers", "Careers"),
                    ("family_worker", "Family worker"),
                    ("sports_mentor", "Sports mentor"),
                    ("engagement_worker", "Engagement worker"),
                    ("counsellor", "Counsellor"),
                ],
                help_text="Specialists only: the referrals and interventions of this specialism they see and may be allocated. Family workers take family work by their role.",
                max_length=32,
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="user",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "accounts_userevent" ("agency_id", "date_joined", "email", "email_preference", "first_name", "id", "is_active", "is_staff", "is_superuser", "job_title", "last_name", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "phone", "role", "site_id", "specialism", "username") VALUES (NEW."agency_id", NEW."date_joined", NEW."email", NEW."email_preference", NEW."first_name", NEW."id", NEW."is_active", NEW."is_staff", NEW."is_superuser", NEW."job_title", NEW."last_name", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."phone", NEW."role", NEW."site_id", NEW."specialism", NEW."username"); RETURN NULL;',
                    hash="aa6ff4ba4e132b258c178b24775b1bf8105105c5",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_3867c",
                    table="accounts_user",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="user",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition='WHEN (OLD."agency_id" IS DISTINCT FROM (NEW."agency_id") OR OLD."date_joined" IS DISTINCT FROM (NEW."date_joined") OR OLD."email" IS DISTINCT FROM (NEW."email") OR OLD."email_preference" IS DISTINCT FROM (NEW."email_preference") OR OLD."first_name" IS DISTINCT FROM (NEW."first_name") OR OLD."id" IS DISTINCT FROM (NEW."id") OR OLD."is_active" IS DISTINCT FROM (NEW."is_active") OR OLD."is_staff" IS DISTINCT FROM (NEW."is_staff") OR OLD."is_superuser" IS DISTINCT FROM (NEW."is_superuser") OR OLD."job_title" IS DISTINCT FROM (NEW."job_title") OR OLD."last_name" IS DISTINCT FROM (NEW."last_name") OR OLD."phone" IS DISTINCT FROM (NEW."phone") OR OLD."role" IS DISTINCT FROM (NEW."role") OR OLD."site_id" IS DISTINCT FROM (NEW."site_id") OR OLD."specialism" IS DISTINCT FROM (NEW."specialism") OR OLD."username" IS DISTINCT FROM (NEW."username"))',
                    func='INSERT INTO "accounts_userevent" ("agency_id", "date_joined", "email", "email_preference", "first_name", "id", "is_active", "is_staff", "is_superuser", "job_title", "last_name", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "phone", "role", "site_id", "specialism", "username") VALUES (NEW."agency_id", NEW."date_joined", NEW."email", NEW."email_preference", NEW."first_name", NEW."id", NEW."is_active", NEW."is_staff", NEW."is_superuser", NEW."job_title", NEW."last_name", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."phone", NEW."role", NEW."site_id", NEW."specialism", NEW."username"); RETURN NULL;',
                    hash="4454a8f4a4975c2d862d4f59921be073e800dac0",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_0e890",
                    table="accounts_user",
                    when="AFTER",
                ),
            ),
        ),
        migrations.RunPython(specialism_from_agency_and_title, migrations.RunPython.noop),
    ]
