"""The pupil record. Topical modules: core (the pupil, need levels, health, allocations)."""

from pupils.models.core import (
    UPN_VALIDATOR,
    Allocation,
    HealthRecord,
    NeedLevelChange,
    Pupil,
    School,
)
from pupils.models.concerns import Concern
from pupils.models.outcomes import (
    AttendanceCode,
    AttendanceImport,
    AttendanceMark,
    AttendanceWeek,
    DestinationFollowUp,
    Exclusion,
    FamilyFeedback,
    PassSurvey,
    ReadingTest,
    SDQResponse,
)

__all__ = [
    "UPN_VALIDATOR",
    "Allocation",
    "AttendanceCode",
    "AttendanceImport",
    "AttendanceMark",
    "AttendanceWeek",
    "Concern",
    "DestinationFollowUp",
    "Exclusion",
    "FamilyFeedback",
    "HealthRecord",
    "NeedLevelChange",
    "PassSurvey",
    "Pupil",
    "ReadingTest",
    "SDQResponse",
    "School",
]
