"""The consent rule on sharing a pupil's information with an agency.

Referrals and any page that sends information to an agency ask `consent_problem` first. The latest decision
that covers the agency wins: a consent given for every agency and later refused for CAMHS blocks CAMHS only; a
withdrawal counts from the day it was withdrawn. With no decision on record nothing is blocked (sharing then
needs another lawful basis, which the sharing decision log records).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from accounts.models import AGENCY_KIND_OF, Agency
from families.models import AGENCY_KIND_CHOICES, ANY_AGENCY, Consent

if TYPE_CHECKING:
    from pupils.models import Pupil

_LABELS = dict(AGENCY_KIND_CHOICES)


def agency_kind_for(agency_kind_or_specialism: str | Agency) -> str:
    """The agency kind a referral target stands for: an Agency, an agency kind or a specialism (the agency kind
    that does its work; the PRU's own specialisms are the PRU's, and sharing with them is not sharing outside)."""
    if isinstance(agency_kind_or_specialism, Agency):
        return agency_kind_or_specialism.kind
    value = str(agency_kind_or_specialism)
    return AGENCY_KIND_OF.get(value, value)


def decide(rows: list[Consent], *, kind: str, today: datetime.date) -> Consent | None:
    """The decision in force for agency `kind` among a pupil's consent rows (no queries)."""
    if kind == Agency.Kind.PRU:
        return None
    rows = [
        row
        for row in rows
        if row.agency_kind in (kind, ANY_AGENCY)
        and row.decided_on <= today
        and not (row.status == Consent.Status.GIVEN and row.is_expired_on(today))
    ]
    if not rows:
        return None
    # Latest effective date wins; on the same day an agency-specific decision beats "any agency",
    # and a refusal or withdrawal beats a consent (the cautious reading).
    return max(
        rows,
        key=lambda row: (row.effective_on, row.agency_kind != ANY_AGENCY, row.status != Consent.Status.GIVEN, row.pk),
    )


def deciding_consent(*, pupil: Pupil, agency_kind_or_specialism: str | Agency) -> Consent | None:
    """The consent decision in force for this agency, or None if nothing on record covers it."""
    kind = agency_kind_for(agency_kind_or_specialism)
    rows = list(Consent.objects.filter(pupil=pupil, agency_kind__in=[kind, ANY_AGENCY]))
    return decide(rows, kind=kind, today=timezone.localdate())


def consent_problem(*, pupil: Pupil, agency_kind_or_specialism: str | Agency) -> str | None:
    """None when sharing with this agency is allowed; otherwise a message saying why not."""
    row = deciding_consent(pupil=pupil, agency_kind_or_specialism=agency_kind_or_specialism)
    return problem_message(row, agency_kind_or_specialism)


def problem_message(row: Consent | None, agency_kind_or_specialism: str | Agency) -> str | None:
    """The message for the decision in force (`row`), or None when it does not stop sharing."""
    if row is None or row.status == Consent.Status.GIVEN:
        return None
    kind = agency_kind_for(agency_kind_or_specialism)
    agency = _LABELS.get(kind, kind.replace("_", " "))
    covers = "every agency" if row.agency_kind == ANY_AGENCY else agency
    if row.status == Consent.Status.WITHDRAWN:
        return (
            f"Consent to share information with {covers} was withdrawn by {row.given_by} on "
            f"{row.withdrawn_on:%-d %B %Y}, so nothing can be sent to {agency} on the basis of consent. "
            "Speak to the DSL if there is a safeguarding reason to share."
        )
    return (
        f"Consent to share information with {covers} was refused by {row.given_by} on "
        f"{row.decided_on:%-d %B %Y}, so nothing can be sent to {agency} on the basis of consent. "
        "Speak to the DSL if there is a safeguarding reason to share."
    )
