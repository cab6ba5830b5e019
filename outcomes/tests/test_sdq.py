"""SDQ scoring against worked examples built by hand from the published scoring rules (no item wording)."""

import pytest

from outcomes import sdq
from outcomes.sdq import SDQInputError, band, impact_score, score

ALL_ZERO = {item: 0 for item in range(1, 26)}


def test_it_scores_every_first_box_as_reverse_items_only():
    # Box 0 everywhere: only the five reverse-scored items earn points (2 each).
    result = score(ALL_ZERO, "parent")
    assert (result.emotional, result.conduct, result.hyperactivity, result.peer, result.prosocial) == (0, 2, 4, 4, 0)
    assert result.total_difficulties == 10
    assert result.internalising == 4
    assert result.externalising == 6


def test_it_scores_every_last_box():
    result = score({item: 2 for item in range(1, 26)}, "parent")
    # Reverse items now score 0: conduct 4 items x 2, hyperactivity 3 x 2, peer 3 x 2.
    assert (result.emotional, result.conduct, result.hyperactivity, result.peer, result.prosocial) == (10, 8, 6, 6, 10)
    assert result.total_difficulties == 30


def test_it_scores_a_worked_example_for_a_pupil():
    answers = {
        1: 1,
        4: 2,
        9: 1,
        17: 0,
        20: 1,  # prosocial 5
        3: 2,
        8: 1,
        13: 2,
        16: 1,
        24: 0,  # emotional 6
        5: 2,
        7: 0,
        12: 1,
        18: 2,
        22: 0,  # conduct 2+2+1+2+0 = 7 (item 7 box 0 scores 2)
        2: 2,
        10: 2,
        15: 1,
        21: 1,
        25: 0,  # hyperactivity 2+2+1+1+2 = 8
        6: 1,
        11: 2,
        14: 1,
        19: 0,
        23: 1,  # peer 1+0+1+0+1 = 3
    }
    result = score(answers, "self")
    assert (result.emotional, result.conduct, result.hyperactivity, result.peer, result.prosocial) == (6, 7, 8, 3, 5)
    assert result.total_difficulties == 24
    assert result.internalising == 9
    assert result.externalising == 15
    assert result.bands == {
        "total_difficulties": "very high",
        "emotional": "high",
        "conduct": "very high",
        "hyperactivity": "very high",
        "peer": "slightly raised",
        "prosocial": "low",
        "impact": None,
    }


@pytest.mark.parametrize("item", sorted(sdq.REVERSED_ITEMS))
@pytest.mark.parametrize("box,points", [(0, 2), (1, 1), (2, 0)])
def test_it_reverses_items_7_11_14_21_25(item, box, points):
    assert sdq.item_points(item, box) == points


@pytest.mark.parametrize("item", [1, 3, 5, 12, 24])
@pytest.mark.parametrize("box", [0, 1, 2])
def test_it_scores_other_items_as_the_box_ticked(item, box):
    assert sdq.item_points(item, box) == box


def test_it_prorates_a_scale_from_three_answers_as_in_the_published_example():
    # 4 points from 3 answered items: 4 x 5 / 3 = 6.67, rounded to 7.
    answers = dict(ALL_ZERO)
    for item in (16, 24):
        del answers[item]
    answers.update({3: 2, 8: 1, 13: 1})
    assert score(answers, "parent").emotional == 7


def test_it_prorates_a_scale_from_four_answers_rounding_half_up():
    answers = dict(ALL_ZERO)
    del answers[24]
    answers.update({3: 1, 8: 1})  # 2 points from 4 items: 2.5 -> 3
    assert score(answers, "parent").emotional == 3
    answers.update({3: 2, 8: 1})  # 3 from 4: 3.75 -> 4
    assert score(answers, "parent").emotional == 4
    answers.update({3: 1, 8: 0})  # 1 from 4: 1.25 -> 1
    assert score(answers, "parent").emotional == 1


def test_it_prorates_with_reverse_items_among_the_answers():
    answers = dict(ALL_ZERO)
    for item in (2, 10):
        del answers[item]
    # hyperactivity from 15, 21r, 25r: 0 + 2 + 2 = 4 from 3 items -> 7
    assert score(answers, "parent").hyperactivity == 7


def test_it_treats_none_as_unanswered():
    answers = dict(ALL_ZERO) | {16: None, 24: None, 3: 2, 8: 1, 13: 1}
    assert score(answers, "parent").emotional == 7


def test_it_leaves_a_scale_with_two_answers_missing_and_every_total_that_needs_it():
    answers = dict(ALL_ZERO)
    for item in (6, 11, 14):  # peer: only 19 and 23 answered
        del answers[item]
    result = score(answers, "teacher")
    assert result.peer is None
    assert result.total_difficulties is None
    assert result.internalising is None
    assert result.externalising == 6  # conduct and hyperactivity are complete
    assert result.band("peer") is None
    assert result.band("total_difficulties") is None
    assert result.band("conduct") == "close to average"


def test_it_leaves_everything_missing_for_an_empty_form():
    result = score({}, "self")
    assert result.total_difficulties is None
    assert result.prosocial is None
    assert all(value is None for value in result.bands.values())


def test_it_keeps_prosocial_out_of_the_total():
    with_prosocial = score(ALL_ZERO | {1: 2, 4: 2, 9: 2, 17: 2, 20: 2}, "parent")
    assert with_prosocial.prosocial == 10
    assert with_prosocial.total_difficulties == score(ALL_ZERO, "parent").total_difficulties


# Every boundary of every band, for every informant: (scale, last score in band 1, 2, 3) for difficulty
# scales, (scale, first score in band 1, 2, 3) for prosocial. Checked on both sides of each cut point.
BOUNDARIES = {
    "parent": {
        "total_difficulties": (13, 16, 19, 40),
        "emotional": (3, 4, 6, 10),
        "conduct": (2, 3, 5, 10),
        "hyperactivity": (5, 7, 8, 10),
        "peer": (2, 3, 4, 10),
        "impact": (0, 1, 2, 10),
    },
    "teacher": {
        "total_difficulties": (11, 15, 18, 40),
        "emotional": (3, 4, 5, 10),
        "conduct": (2, 3, 4, 10),
        "hyperactivity": (5, 7, 8, 10),
        "peer": (2, 4, 5, 10),
        "impact": (0, 1, 2, 6),
    },
    "self": {
        "total_difficulties": (14, 17, 19, 40),
        "emotional": (4, 5, 6, 10),
        "conduct": (3, 4, 5, 10),
        "hyperactivity": (5, 6, 7, 10),
        "peer": (2, 3, 4, 10),
        "impact": (0, 1, 2, 10),
    },
}
PROSOCIAL_BOUNDARIES = {"parent": (8, 7, 6), "teacher": (6, 5, 4), "self": (7, 6, 5)}


def _difficulty_cases():
    for informant, scales in BOUNDARIES.items():
        for scale, (a, b, c, top) in scales.items():
            starts = (0, a + 1, b + 1, c + 1)
            ends = (a, b, c, top)
            for index, (start, end) in enumerate(zip(starts, ends, strict=True)):
                for value in {start, end}:
                    yield informant, scale, value, sdq.DIFFICULTY_BANDS[index]


def _prosocial_cases():
    for informant, (a, b, c) in PROSOCIAL_BOUNDARIES.items():
        starts = (10, a - 1, b - 1, c - 1)
        ends = (a, b, c, 0)
        for index, (high, low) in enumerate(zip(starts, ends, strict=True)):
            for value in {high, low}:
                yield informant, "prosocial", value, sdq.PROSOCIAL_BANDS[index]


@pytest.mark.parametrize("informant,scale,value,expected", list(_difficulty_cases()) + list(_prosocial_cases()))
def test_it_bands_every_boundary(informant, scale, value, expected):
    assert band(scale, value, informant) == expected


def test_it_bands_the_published_teacher_table_exactly():
    # Teacher total difficulties: 0-11 / 12-15 / 16-18 / 19-40.
    bands = [band("total_difficulties", value, "teacher") for value in range(41)]
    assert bands.count("close to average") == 12
    assert bands.count("slightly raised") == 4
    assert bands.count("high") == 3
    assert bands.count("very high") == 22


def test_it_bands_the_totals_it_computes():
    # Parent: all last boxes gives 30, very high; all first boxes gives 10, close to average.
    assert score({item: 2 for item in range(1, 26)}, "parent").band("total_difficulties") == "very high"
    assert score(ALL_ZERO, "parent").band("total_difficulties") == "close to average"
    assert score(ALL_ZERO, "parent").band("prosocial") == "very low"


def test_it_scores_the_impact_supplement_for_parents():
    answers = {"distress": 3, "home": 2, "friendships": 1, "classroom": 3, "leisure": 0}
    # a great deal 2, quite a lot 1, only a little 0, a great deal 2, not at all 0
    assert impact_score(answers, "parent", has_difficulties=True) == 5
    result = score(ALL_ZERO, "parent", impact=answers, has_difficulties=True)
    assert result.impact == 5
    assert result.band("impact") == "very high"


def test_it_scores_the_teacher_impact_supplement_out_of_6():
    answers = {"distress": 3, "peers": 3, "classroom": 3}
    assert impact_score(answers, "teacher", has_difficulties=True) == 6
    assert impact_score({"distress": 2, "peers": 0, "classroom": 0}, "teacher", has_difficulties=True) == 1


def test_it_scores_impact_as_zero_when_no_difficulties_are_seen():
    assert impact_score(None, "self", has_difficulties=False) == 0
    assert score(ALL_ZERO, "self", has_difficulties=False).band("impact") == "close to average"


def test_it_leaves_impact_missing_when_not_completed_or_partly_answered():
    assert impact_score(None, "parent", has_difficulties=None) is None
    assert impact_score({"distress": 2}, "parent", has_difficulties=True) is None


def test_it_rejects_impact_questions_from_another_form():
    with pytest.raises(SDQInputError, match="home"):
        impact_score({"home": 1}, "teacher", has_difficulties=True)


def test_it_rejects_an_impact_box_outside_0_to_3():
    with pytest.raises(SDQInputError, match="0-3"):
        impact_score({"distress": 4, "peers": 0, "classroom": 0}, "teacher", has_difficulties=True)


@pytest.mark.parametrize("item", [0, 26, -1, "3", 3.0, True])
def test_it_rejects_items_outside_1_to_25(item):
    with pytest.raises(SDQInputError, match="1-25"):
        score({item: 1}, "parent")


@pytest.mark.parametrize("box", [3, -1, "1", 1.5, True])
def test_it_rejects_boxes_outside_0_to_2(box):
    with pytest.raises(SDQInputError, match="Item 4"):
        score({4: box}, "parent")


@pytest.mark.parametrize("informant", ["mother", "", "Parent", None])
def test_it_rejects_an_unknown_informant(informant):
    with pytest.raises(SDQInputError, match="informant"):
        score(ALL_ZERO, informant)


def test_it_is_a_value_error_so_callers_can_catch_it_plainly():
    assert issubclass(SDQInputError, ValueError)


def test_it_keeps_every_item_in_exactly_one_scale():
    items = sorted(item for items in sdq.SCALES.values() for item in items)
    assert items == list(range(1, 26))
