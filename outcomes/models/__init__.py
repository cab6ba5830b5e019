"""Outcomes. Topical modules: measures (SDQ, attendance, reading, PASS, exclusions, destinations, family feedback)
and oversight (the dashboard's summary tables and their refresh requests)."""

from outcomes.models.measures import (
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
from outcomes.models.oversight import (
    OversightAttendance,
    OversightAttendanceTotal,
    OversightAttendanceWindow,
    OversightDestination,
    OversightExclusion,
    OversightFeedback,
    OversightReading,
    OversightReferral,
    OversightReferralDay,
    OversightReferralMonth,
    OversightRefresh,
    OversightSDQ,
)

__all__ = [
    "AttendanceCode",
    "AttendanceImport",
    "AttendanceMark",
    "AttendanceWeek",
    "DestinationFollowUp",
    "Exclusion",
    "FamilyFeedback",
    "OversightAttendance",
    "OversightAttendanceTotal",
    "OversightAttendanceWindow",
    "OversightDestination",
    "OversightExclusion",
    "OversightFeedback",
    "OversightReading",
    "OversightReferral",
    "OversightReferralDay",
    "OversightReferralMonth",
    "OversightRefresh",
    "OversightSDQ",
    "PassSurvey",
    "ReadingTest",
    "SDQResponse",
]
