"""Fictional outcome measures for the demo data set: SDQ baselines (and endlines for leavers), weekly
attendance, NGRT, PASS, exclusions, destinations and family feedback. Called by demo.seed.seed after
the pupils exist. Bulk inserts only. Scores come from outcomes.sdq, so they are always consistent."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from accounts.models import User
from outcomes import sdq
from outcomes.models import (
    AttendanceWeek,
    DestinationFollowUp,
    Exclusion,
    FamilyFeedback,
    PassSurvey,
    ReadingTest,
    SDQResponse,
)
from outcomes.models.measures import FEEDBACK_QUESTIONS, PASS_FACTORS, Occasion
from pupils.models import Pupil

COMMENTS = (
    "Someone finally listened to what was going on at home.",
    "He gets up for school now and talks about his day.",
    "The family worker helped us sort the housing benefit and the arrears.",
    "She has a plan for college and is proud of it.",
    "Meetings felt less like being told off and more like being helped.",
    "",
    "",
)


def _answers(rng: random.Random, difficulty: float) -> dict[int, int]:
    """Boxes ticked: `difficulty` 0-1 tilts answers towards more difficulties; a few items left blank."""
    answers = {}
    for item in sdq.ITEMS:
        if rng.random() < 0.03:
            continue
        favourable = item in sdq.REVERSED_ITEMS or item in sdq.SCALES["prosocial"]
        lean = 1 - difficulty if favourable else difficulty
        answers[item] = rng.choices([0, 1, 2], weights=[1.2 - lean, 1, 0.2 + lean])[0]
    return answers


def _sdq(
    pupil: Pupil, by: User, rng: random.Random, occasion: str, day: datetime.date, difficulty: float
) -> SDQResponse:
    informant = SDQResponse.Informant.SELF if pupil.age_on(day) >= 11 else SDQResponse.Informant.PARENT
    answers = _answers(rng, difficulty)
    has_difficulties = difficulty > 0.35
    impact = {name: rng.choice([0, 1, 2, 3]) for name in sdq.IMPACT_ITEMS[informant]} if has_difficulties else {}
    result = sdq.score(answers, informant, impact=impact, has_difficulties=has_difficulties)
    return SDQResponse(
        pupil=pupil,
        informant=informant,
        occasion=occasion,
        completed_on=day,
        help_given=(helped := rng.random() < 0.2),
        help_detail="Questions read aloud by the key worker." if helped else "",
        answers={str(item): box for item, box in answers.items()},
        impact_answers=impact,
        has_difficulties=has_difficulties,
        total_band=result.band("total_difficulties") or "",
        recorded_by=by,
        **{name: getattr(result, name) for name in SDQResponse.SCORE_FIELDS},
    )


def seed(*, rng: random.Random, pupils: list[Pupil], users: dict[str, User]) -> None:
    today = timezone.localdate()
    recorder = users.get("teacher1") or users["dsl"]
    responses, weeks, reading, surveys, exclusions, follow_ups, feedback = [], [], [], [], [], [], []
    for pupil in pupils:
        end = pupil.exit_date or today
        difficulty = rng.uniform(0.3, 0.9)
        improvement = rng.uniform(-0.1, 0.4)  # most pupils improve a little; some get worse
        if rng.random() < 0.9:
            responses.append(
                _sdq(
                    pupil,
                    recorder,
                    rng,
                    Occasion.BASELINE,
                    pupil.entry_date + datetime.timedelta(days=rng.randrange(0, 10)),
                    difficulty,
                )
            )
        if pupil.exit_date:
            responses.append(
                _sdq(pupil, recorder, rng, Occasion.ENDLINE, pupil.exit_date, max(0.05, difficulty - improvement))
            )

        # Weekly attendance from entry to leaving (or today), improving over time for most pupils.
        monday = pupil.entry_date - datetime.timedelta(days=pupil.entry_date.weekday())
        start_rate = rng.uniform(0.35, 0.9)
        total_weeks = max(1, (end - monday).days // 7)
        for n in range(total_weeks):
            week = monday + datetime.timedelta(weeks=n)
            if week > end or week.month == 8:
                continue
            rate = min(1.0, start_rate + improvement * n / total_weeks)
            attended = sum(rng.random() < rate for _ in range(10))
            weeks.append(
                AttendanceWeek(
                    pupil=pupil,
                    week_starting=week,
                    sessions_possible=10,
                    sessions_attended=attended,
                    unauthorised=rng.randrange(0, 10 - attended + 1),
                )
            )

        age_months = (pupil.entry_date - pupil.date_of_birth).days * 12 // 365
        if rng.random() < 0.8:
            base_ra = max(60, age_months - rng.randrange(0, 48))
            reading.append(
                ReadingTest(
                    pupil=pupil,
                    occasion=Occasion.BASELINE,
                    tested_on=pupil.entry_date + datetime.timedelta(days=14),
                    reading_age_months=base_ra,
                    standard_age_score=rng.randrange(70, 110),
                    recorded_by=recorder,
                )
            )
            if (end - pupil.entry_date).days > 180:
                months_on = (end - pupil.entry_date).days * 12 // 365
                reading.append(
                    ReadingTest(
                        pupil=pupil,
                        occasion=Occasion.ENDLINE if pupil.exit_date else Occasion.REVIEW,
                        tested_on=end - datetime.timedelta(days=7),
                        reading_age_months=min(240, base_ra + months_on + rng.randrange(-4, 10)),
                        standard_age_score=rng.randrange(72, 115),
                        recorded_by=recorder,
                    )
                )
        if rng.random() < 0.7:
            base = {name: rng.randrange(10, 80) for name, _ in PASS_FACTORS}
            surveys.append(
                PassSurvey(
                    pupil=pupil,
                    occasion=Occasion.BASELINE,
                    completed_on=pupil.entry_date + datetime.timedelta(days=21),
                    recorded_by=recorder,
                    **base,
                )
            )
            if pupil.exit_date:
                surveys.append(
                    PassSurvey(
                        pupil=pupil,
                        occasion=Occasion.ENDLINE,
                        completed_on=pupil.exit_date,
                        recorded_by=recorder,
                        **{name: min(100, value + rng.randrange(-10, 25)) for name, value in base.items()},
                    )
                )
        if pupil.referring_school_id and rng.random() < 0.6:
            exclusions.append(
                Exclusion(
                    pupil=pupil,
                    kind=Exclusion.Kind.PERMANENT,
                    school_id=pupil.referring_school_id,
                    start_date=pupil.entry_date - datetime.timedelta(days=rng.randrange(5, 40)),
                    days=0,
                    reason="Persistent disruptive behaviour",
                    recorded_by=recorder,
                )
            )
        if rng.random() < 0.15:
            exclusions.append(
                Exclusion(
                    pupil=pupil,
                    kind=Exclusion.Kind.SUSPENSION,
                    start_date=pupil.entry_date + datetime.timedelta(days=rng.randrange(20, 120)),
                    days=rng.choice([1, 1, 2, 3]),
                    reason="Assault on a peer",
                    recorded_by=recorder,
                )
            )

        if pupil.exit_date:
            for checkpoint in DestinationFollowUp.MONTHS:
                due = DestinationFollowUp.due_on(pupil.exit_date, checkpoint)
                if due <= today and rng.random() < 0.85:
                    status = rng.choices(list(DestinationFollowUp.Status.values), weights=[5, 2, 1, 2, 1])[0]
                    follow_ups.append(
                        DestinationFollowUp(
                            pupil=pupil,
                            checkpoint=checkpoint,
                            status=status,
                            detail="",
                            checked_on=due,
                            recorded_by=recorder,
                        )
                    )
        if rng.random() < 0.35:
            given = min(today, pupil.entry_date + datetime.timedelta(days=rng.randrange(30, 200)))
            feedback.append(
                FamilyFeedback(
                    pupil=pupil,
                    moment=FamilyFeedback.Moment.AT_EXIT if pupil.exit_date else FamilyFeedback.Moment.AFTER_TAC,
                    respondent=rng.choice(list(FamilyFeedback.Respondent.values)),
                    given_on=given,
                    difference_made=rng.choice(COMMENTS),
                    recorded_by=users.get("familyworker") or recorder,
                    **{
                        name: rng.choices([1, 2, 3, 4, 5], weights=[1, 1, 2, 4, 4])[0] for name, _ in FEEDBACK_QUESTIONS
                    },
                )
            )
    SDQResponse.objects.bulk_create(responses, batch_size=2000)
    AttendanceWeek.objects.bulk_create(weeks, batch_size=5000)
    ReadingTest.objects.bulk_create(reading, batch_size=2000)
    PassSurvey.objects.bulk_create(surveys, batch_size=2000)
    Exclusion.objects.bulk_create(exclusions, batch_size=2000)
    DestinationFollowUp.objects.bulk_create(follow_ups, batch_size=2000)
    FamilyFeedback.objects.bulk_create(feedback, batch_size=2000)
