"""Small builders for outcome records in tests (plain functions, so they work beside any conftest)."""

from __future__ import annotations

import datetime

from outcomes import sdq
from outcomes.models import AttendanceWeek, DestinationFollowUp, FamilyFeedback, SDQResponse
from outcomes.models.measures import FEEDBACK_QUESTIONS, Occasion
from pupils.models import Pupil


def answers_for(
    *, emotional: int = 0, conduct: int = 0, hyperactivity: int = 0, peer: int = 0, prosocial: int = 0
) -> dict[int, int]:
    """Boxes ticked giving exactly these scale scores (each 0-10), so expected figures are easy to read."""
    answers: dict[int, int] = {}
    for scale, wanted in (
        ("emotional", emotional),
        ("conduct", conduct),
        ("hyperactivity", hyperactivity),
        ("peer", peer),
        ("prosocial", prosocial),
    ):
        remaining = wanted
        for item in sdq.SCALES[scale]:
            points = min(2, remaining)
            remaining -= points
            answers[item] = 2 - points if item in sdq.REVERSED_ITEMS else points
    return answers


def make_sdq(
    pupil: Pupil, by, *, occasion: str, day: datetime.date, informant: str = "self", **scales: int
) -> SDQResponse:
    result = sdq.score(answers_for(**scales), informant)
    return SDQResponse.objects.create(
        pupil=pupil,
        informant=informant,
        occasion=occasion,
        completed_on=day,
        answers={str(k): v for k, v in answers_for(**scales).items()},
        total_band=result.band("total_difficulties") or "",
        recorded_by=by,
        **{name: getattr(result, name) for name in SDQResponse.SCORE_FIELDS},
    )


def monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def make_weeks(pupil: Pupil, first: datetime.date, attended: list[int], possible: int = 10) -> list[AttendanceWeek]:
    start = monday(first)
    return AttendanceWeek.objects.bulk_create(
        [
            AttendanceWeek(
                pupil=pupil,
                week_starting=start + datetime.timedelta(weeks=n),
                sessions_possible=possible,
                sessions_attended=a,
            )
            for n, a in enumerate(attended)
        ]
    )


def make_follow_up(pupil: Pupil, by, checkpoint: str, status: str) -> DestinationFollowUp:
    return DestinationFollowUp.objects.create(
        pupil=pupil,
        checkpoint=checkpoint,
        status=status,
        checked_on=DestinationFollowUp.due_on(pupil.exit_date, checkpoint),
        recorded_by=by,
    )


def make_feedback(pupil: Pupil, by, *, day: datetime.date, rating: int, comment: str = "") -> FamilyFeedback:
    return FamilyFeedback.objects.create(
        pupil=pupil,
        moment=FamilyFeedback.Moment.AFTER_TAC,
        respondent=FamilyFeedback.Respondent.PARENT,
        given_on=day,
        difference_made=comment,
        recorded_by=by,
        **{name: rating for name, _ in FEEDBACK_QUESTIONS},
    )


__all__ = ["Occasion", "answers_for", "make_feedback", "make_follow_up", "make_sdq", "make_weeks", "monday"]
