"""Who people are, as the access policy knows them: the roles, and which agencies' staff are health professionals.

They live here, at the bottom of the house, so that the policy (`pru_cases.access`) can name them without importing
an app; `accounts.models.User.Role` and `Agency.HEALTH_KINDS` are these same values.
"""

from django.db import models


class Role(models.TextChoices):
    SENIOR_LEADER = "senior_leader", "Senior leader"
    DSL = "dsl", "Designated safeguarding lead"
    STAFF = "staff", "PRU staff"
    SPECIALIST = "specialist", "Specialist"
    FAMILY_WORKER = "family_worker", "Family worker"
    ADMIN = "admin", "Administrator"


# Roles that see every pupil's record (their scope is the whole roll).
SEES_ALL_PUPILS = frozenset({Role.DSL, Role.SENIOR_LEADER})

# Agency kinds whose staff may read the health field group (DOMAIN.md: health keeps health detail confidential).
HEALTH_AGENCY_KINDS = frozenset({"health", "camhs"})
