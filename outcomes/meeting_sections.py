"""What outcomes adds to each case on the meeting screen (registered in `OutcomesConfig.ready()`)."""

from meetings.case_sections import CaseSection
from outcomes.models import AttendanceWeek

# How many recent weeks of attendance the meeting screen shows for a case.
ATTENDANCE_WEEKS = 6


def recent_attendance(pupil_id: int) -> list[AttendanceWeek]:
    """The last ATTENDANCE_WEEKS weeks, oldest first."""
    weeks = AttendanceWeek.objects.filter(pupil_id=pupil_id).order_by("-week_starting")[:ATTENDANCE_WEEKS]
    return list(reversed(weeks))


ATTENDANCE = CaseSection(
    name="attendance", template="outcomes/_meeting_attendance.html", build=recent_attendance, order=10
)
