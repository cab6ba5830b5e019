"""Scoring the Strengths and Difficulties Questionnaire (SDQ), 4-17 forms, with no database and no Django.

The SDQ is copyright (Youthinmind). This module knows items only by number (1-25) and answers only
by the box ticked (0 = the first box, "not true"; 1 = the middle box; 2 = the last box, "certainly
true"). It holds no item wording, and nothing in the project should.

Sources checked (the rules below are a summary in our own words):
- Youthinmind, "Scoring the Strengths & Difficulties Questionnaire for age 4-17 or 18+" (the scoring
  instructions published at https://www.sdqinfo.org/, 2014 revision; a copy was read at
  https://pdfcoffee.com/download/scoring-the-strengths-amp-difficulties-questionnaire-for-age-4-17-pdf-free.html):
  item-to-scale keys, which items are reverse scored, pro-rating a scale from 3 or 4 answered items
  (their example: 4 points from 3 items becomes 7), the total difficulties score from the four
  difficulty scales, internalising and externalising, the impact supplement (only distress and
  impairment count: 0, 0, 1, 2), and the four-band categorisation.
- The teacher four-band table as reproduced from the sdqinfo.org scoring page
  (http://www.sdqinfo.org/py/sdqinfo/b3.py) in Table 1 of https://pmc.ncbi.nlm.nih.gov/articles/PMC4830858/.
- The parent and self-report bands are those in the project's DOMAIN.md, which were taken from the
  same Youthinmind instructions; the parent total difficulties cut points agree with public summaries
  of the three-band scheme (0-13 / 14-16 / 17-40).

Rules:
- Scales (items; r = reverse scored 2/1/0): emotional 3 8 13 16 24; conduct 5 7r 12 18 22;
  hyperactivity 2 10 15 21r 25r; peer 6 11r 14r 19 23; prosocial 1 4 9 17 20.
- A scale with all 5 items answered is their sum (0-10). With 3 or 4 answered it is pro-rated to 5
  items and rounded half up (4 from 3 items: 6.67 -> 7). With fewer it is missing.
- Total difficulties = emotional + conduct + hyperactivity + peer (0-40); internalising = emotional +
  peer; externalising = conduct + hyperactivity (0-20). A total is missing if any scale it needs is.
- Impact: the respondent first says whether the child has difficulties; if not, impact is 0. If so,
  distress and each area of impairment are ticked "not at all" / "only a little" / "quite a lot" /
  "a great deal" (boxes 0-3), scored 0 / 0 / 1 / 2. Parent and self: distress, home life,
  friendships, classroom learning, leisure (0-10). Teacher: distress, peer relationships, classroom
  learning (0-6). Chronicity and burden are recorded on the form but not scored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

INFORMANTS = ("parent", "teacher", "self")

SCALES: dict[str, tuple[int, ...]] = {
    "emotional": (3, 8, 13, 16, 24),
    "conduct": (5, 7, 12, 18, 22),
    "hyperactivity": (2, 10, 15, 21, 25),
    "peer": (6, 11, 14, 19, 23),
    "prosocial": (1, 4, 9, 17, 20),
}
DIFFICULTY_SCALES = ("emotional", "conduct", "hyperactivity", "peer")
REVERSED_ITEMS = frozenset({7, 11, 14, 21, 25})
ITEMS = tuple(range(1, 26))

SCALE_LABELS = {
    "total_difficulties": "Total difficulties",
    "emotional": "Emotional symptoms",
    "conduct": "Conduct problems",
    "hyperactivity": "Hyperactivity / inattention",
    "peer": "Peer relationship problems",
    "prosocial": "Prosocial behaviour",
    "internalising": "Internalising",
    "externalising": "Externalising",
    "impact": "Impact",
}

DIFFICULTY_BANDS = ("close to average", "slightly raised", "high", "very high")
PROSOCIAL_BANDS = ("close to average", "slightly lowered", "low", "very low")

# Four-band cut points. Difficulty scales and impact: the highest score in each of the first three
# bands (anything above the third is "very high"). Prosocial: the lowest score in each of the first
# three bands (anything below the third is "very low").
_CUTS: dict[str, dict[str, tuple[int, int, int]]] = {
    "parent": {
        "total_difficulties": (13, 16, 19),
        "emotional": (3, 4, 6),
        "conduct": (2, 3, 5),
        "hyperactivity": (5, 7, 8),
        "peer": (2, 3, 4),
        "prosocial": (8, 7, 6),
        "impact": (0, 1, 2),
    },
    "teacher": {
        "total_difficulties": (11, 15, 18),
        "emotional": (3, 4, 5),
        "conduct": (2, 3, 4),
        "hyperactivity": (5, 7, 8),
        "peer": (2, 4, 5),
        "prosocial": (6, 5, 4),
        "impact": (0, 1, 2),
    },
    "self": {
        "total_difficulties": (14, 17, 19),
        "emotional": (4, 5, 6),
        "conduct": (3, 4, 5),
        "hyperactivity": (5, 6, 7),
        "peer": (2, 3, 4),
        "prosocial": (7, 6, 5),
        "impact": (0, 1, 2),
    },
}

IMPACT_ITEMS: dict[str, tuple[str, ...]] = {
    "parent": ("distress", "home", "friendships", "classroom", "leisure"),
    "self": ("distress", "home", "friendships", "classroom", "leisure"),
    "teacher": ("distress", "peers", "classroom"),
}
IMPACT_MAX = {"parent": 10, "self": 10, "teacher": 6}
_IMPACT_POINTS = (0, 0, 1, 2)  # boxes: not at all, only a little, quite a lot, a great deal


class SDQInputError(ValueError):
    """The answers cannot be scored as given; the message says which answer is wrong."""


@dataclass(frozen=True)
class SDQScore:
    informant: str
    emotional: int | None
    conduct: int | None
    hyperactivity: int | None
    peer: int | None
    prosocial: int | None
    total_difficulties: int | None
    internalising: int | None
    externalising: int | None
    impact: int | None = None
    bands: dict[str, str | None] = field(default_factory=dict)

    def band(self, scale: str) -> str | None:
        return self.bands.get(scale)


def _check_informant(informant: str) -> None:
    if informant not in INFORMANTS:
        raise SDQInputError(f"Unknown informant {informant!r}: use one of {', '.join(INFORMANTS)}.")


def _check_box(value: object, *, what: str, top: int) -> int:
    # bool is an int in Python; a ticked box is never True/False.
    if isinstance(value, bool) or not isinstance(value, int):
        raise SDQInputError(f"{what}: the box ticked must be a whole number 0-{top}, not {value!r}.")
    if not 0 <= value <= top:
        raise SDQInputError(f"{what}: the box ticked must be 0-{top}, not {value}.")
    return value


def item_points(item: int, box: int) -> int:
    """Points for one answered item: the box number, or 2 - box for a reverse-scored item."""
    return 2 - box if item in REVERSED_ITEMS else box


def _prorate(points: list[int]) -> int | None:
    answered = len(points)
    if answered < 3:
        return None
    if answered == 5:
        return sum(points)
    # sum * 5 / answered, rounded half up, in whole numbers (no float error at .5).
    return (sum(points) * 10 + answered) // (2 * answered)


def band(scale: str, value: int | None, informant: str) -> str | None:
    """The four-band category of a scale score for this informant (None if the score is missing)."""
    _check_informant(informant)
    if value is None or scale not in _CUTS[informant]:
        return None
    first, second, third = _CUTS[informant][scale]
    if scale == "prosocial":
        index = 0 if value >= first else 1 if value >= second else 2 if value >= third else 3
        return PROSOCIAL_BANDS[index]
    index = 0 if value <= first else 1 if value <= second else 2 if value <= third else 3
    return DIFFICULTY_BANDS[index]


def impact_score(answers: Mapping[str, int] | None, informant: str, *, has_difficulties: bool | None) -> int | None:
    """The impact supplement: None if not completed, 0 if the respondent saw no difficulties."""
    _check_informant(informant)
    if has_difficulties is None:
        return None
    if not has_difficulties:
        return 0
    answers = answers or {}
    expected = IMPACT_ITEMS[informant]
    unknown = sorted(set(answers) - set(expected))
    if unknown:
        raise SDQInputError(
            f"Impact question(s) {', '.join(map(str, unknown))} are not on the {informant} form "
            f"(expected {', '.join(expected)})."
        )
    boxes = [
        _check_box(answers[name], what=f"Impact {name}", top=3) for name in expected if answers.get(name) is not None
    ]
    if len(boxes) < len(expected):
        return None
    return sum(_IMPACT_POINTS[box] for box in boxes)


def score(
    answers: Mapping[int, int],
    informant: str,
    *,
    impact: Mapping[str, int] | None = None,
    has_difficulties: bool | None = None,
) -> SDQScore:
    """Score one completed questionnaire.

    `answers` maps item number (1-25) to the box ticked (0, 1 or 2); unanswered items are left out
    (or given as None). Raises SDQInputError for an unknown informant, an item outside 1-25 or a
    box outside 0-2.
    """
    _check_informant(informant)
    clean: dict[int, int] = {}
    for item, box in answers.items():
        if isinstance(item, bool) or not isinstance(item, int) or not 1 <= item <= 25:
            raise SDQInputError(f"Item {item!r} is not on the questionnaire: items are numbered 1-25.")
        if box is None:
            continue
        clean[item] = _check_box(box, what=f"Item {item}", top=2)

    scales = {
        name: _prorate([item_points(item, clean[item]) for item in items if item in clean])
        for name, items in SCALES.items()
    }

    def total(*names: str) -> int | None:
        values = [scales[name] for name in names]
        return None if any(value is None for value in values) else sum(values)

    values = scales | {
        "total_difficulties": total(*DIFFICULTY_SCALES),
        "internalising": total("emotional", "peer"),
        "externalising": total("conduct", "hyperactivity"),
        "impact": impact_score(impact, informant, has_difficulties=has_difficulties),
    }
    bands = {name: band(name, values[name], informant) for name in _CUTS[informant]}
    return SDQScore(informant=informant, bands=bands, **values)
