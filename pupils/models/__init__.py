"""The pupil record. Topical modules: core (the pupil, need levels, health, allocations)."""

from pupils.models.core import (
    UPN_VALIDATOR,
    Allocation,
    HealthRecord,
    NeedLevelChange,
    Pupil,
    School,
)

__all__ = [
    "UPN_VALIDATOR",
    "Allocation",
    "HealthRecord",
    "NeedLevelChange",
    "Pupil",
    "School",
]
