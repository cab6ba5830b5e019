"""The home page's sections: what needs this person now, from the apps that own the work.

The pupils app draws the home page (the pupils one works with) and sits below concerns, referrals, meetings and
outcomes: each of them registers its sections here from its `AppConfig.ready()`. A section is a template and a
function of the request that returns the section's data, or None when it has nothing for this person (their role
does not do that work). The data may name pupils in `pupil_ids`: the home page writes one access-log insert for all
of them. Each section asks a fixed number of questions, whatever the size of the data.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class HomeSection:
    name: str
    template: str  # drawn with `data`, what `build` returned
    build: Callable[[HttpRequest], dict | None]
    order: int = 50


_registered: dict[str, HomeSection] = {}


def register(section: HomeSection) -> None:
    """Add `section` to the home page; registering the same name again replaces it."""
    _registered[section.name] = section


def home_sections() -> tuple[HomeSection, ...]:
    return tuple(sorted(_registered.values(), key=lambda section: (section.order, section.name)))


def sections_for(request: HttpRequest) -> list[tuple[HomeSection, dict]]:
    built = ((section, section.build(request)) for section in home_sections())
    return [(section, data) for section, data in built if data is not None]
