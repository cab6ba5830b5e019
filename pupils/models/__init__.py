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
from pupils.models.oversight import (
    OversightAttendance,
    OversightAttendanceWindow,
    OversightDestination,
    OversightExclusion,
    OversightFeedback,
    OversightReading,
    OversightReferral,
    OversightRefresh,
    OversightSDQ,
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
    "OversightAttendance",
    "OversightAttendanceWindow",
    "OversightDestination",
    "OversightExclusion",
    "OversightFeedback",
    "OversightReading",
    "OversightReferral",
    "OversightRefresh",
    "OversightSDQ",
    "PassSurvey",
    "Pupil",
    "ReadingTest",
    "SDQResponse",
    "School",
]
