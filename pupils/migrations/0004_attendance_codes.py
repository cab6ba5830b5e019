"""Seed the register codes in use in England from 19 August 2024 (DfE, "Working together to improve school
attendance" and the school attendance regulations). They are data: a site updates them in the admin when
the DfE revises the list. Possible sessions and attendance follow DfE guidance: present and approved
educational activity count as attended; leave, other authorised and unauthorised absence are possible
sessions not attended; dual registration elsewhere, unable to attend (Q, Y1-Y7), X (not of compulsory
school age) and administrative codes are not possible sessions."""

from django.db import migrations

# code, meaning, category, counts as possible, counts as attended, still in use
CODES = [
    ("/", "Present (morning)", "present", True, True, True),
    ("\\", "Present (afternoon)", "present", True, True, True),
    ("L", "Late, arrived before the register closed", "present", True, True, True),
    ("K", "Attending education provision arranged by the local authority", "approved_education", True, True, True),
    ("V", "Attending an educational visit or trip", "approved_education", True, True, True),
    ("P", "Participating in a supervised sporting activity", "approved_education", True, True, True),
    ("W", "Attending work experience", "approved_education", True, True, True),
    ("B", "Attending any other approved educational activity", "approved_education", True, True, True),
    ("D", "Dual registered: attending another school", "approved_education", False, False, True),
    ("C1", "Leave: regulated performance or employment abroad", "leave", True, False, True),
    ("M", "Leave: medical or dental appointment", "leave", True, False, True),
    ("J1", "Leave: interview", "leave", True, False, True),
    ("S", "Leave: study leave", "leave", True, False, True),
    ("X", "Not required to attend: not of compulsory school age", "leave", False, False, True),
    ("C2", "Leave: part-time timetable", "leave", True, False, True),
    ("C", "Leave: exceptional circumstances", "leave", True, False, True),
    ("T", "Parent travelling for occupational purposes", "authorised", True, False, True),
    ("R", "Religious observance", "authorised", True, False, True),
    ("I", "Illness (not medical or dental appointment)", "authorised", True, False, True),
    ("E", "Suspended or permanently excluded, no alternative provision made", "authorised", True, False, True),
    ("Q", "Unable to attend: lack of access arrangements", "unable", False, False, True),
    ("Y1", "Unable to attend: transport normally provided not available", "unable", False, False, True),
    ("Y2", "Unable to attend: widespread disruption to travel", "unable", False, False, True),
    ("Y3", "Unable to attend: part of the school premises closed", "unable", False, False, True),
    ("Y4", "Unable to attend: whole school site unexpectedly closed", "unable", False, False, True),
    ("Y5", "Unable to attend: in criminal justice detention", "unable", False, False, True),
    ("Y6", "Unable to attend: public health guidance or law", "unable", False, False, True),
    ("Y7", "Unable to attend: any other unavoidable cause", "unable", False, False, True),
    ("G", "Holiday not granted by the school", "unauthorised", True, False, True),
    ("N", "Reason for absence not yet established", "unauthorised", True, False, True),
    ("O", "Absent in other or unknown circumstances", "unauthorised", True, False, True),
    ("U", "Arrived after the register closed", "unauthorised", True, False, True),
    ("Z", "Prospective pupil not on the admission register", "administrative", False, False, True),
    ("#", "Planned whole-school closure", "administrative", False, False, True),
    ("H", "Holiday authorised by the school (withdrawn August 2024)", "withdrawn", True, False, False),
    ("J", "Interview (withdrawn August 2024; now J1)", "withdrawn", True, False, False),
    (
        "Y",
        "Unable to attend due to exceptional circumstances (withdrawn August 2024; now Y1-Y7)",
        "withdrawn",
        False,
        False,
        False,
    ),
    ("F", "Extended family holiday (withdrawn)", "withdrawn", True, False, False),
]


def seed_codes(apps, schema_editor):
    AttendanceCode = apps.get_model("pupils", "AttendanceCode")
    for code, meaning, category, possible, attended, active in CODES:
        AttendanceCode.objects.update_or_create(
            code=code,
            defaults={
                "meaning": meaning,
                "category": category,
                "counts_as_possible": possible,
                "counts_as_attended": attended,
                "is_active": active,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("pupils", "0003_outcomes")]

    operations = [migrations.RunPython(seed_codes, migrations.RunPython.noop)]
