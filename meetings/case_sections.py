"""What the meeting screen shows of each case from apps above meetings, registered from their `AppConfig.ready()`.

Meetings sits below outcomes and imports nothing of it; outcomes adds the pupil's recent attendance here. A section
is a template and a function that fetches its data for one pupil in one query; the screen draws the sections in order
for every case it shows (a case held back from the room shows none).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CaseSection:
    name: str
    template: str  # drawn with `data`, what `build` returned
    build: Callable[[int], Any]  # (pupil id) -> the section's data
    order: int = 50


_registered: dict[str, CaseSection] = {}


def register(section: CaseSection) -> None:
    """Add `section` to every case on the meeting screen; registering the same name again replaces it."""
    _registered[section.name] = section


def case_sections() -> tuple[CaseSection, ...]:
    return tuple(sorted(_registered.values(), key=lambda section: (section.order, section.name)))


def sections_for(pupil_id: int) -> list[tuple[CaseSection, Any]]:
    return [(section, section.build(pupil_id)) for section in case_sections()]
