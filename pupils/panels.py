"""The pupil page's panels and the pupil list's badges that other apps add.

The pupils app sits below referrals, families and meetings and imports none of them: each registers a panel module
here from its `AppConfig.ready()`. A panel module offers

- `TEMPLATE`: the template drawn on the pupil page, with the context `pupil_panel` gives;
- `pupil_related(user)`: what the pupil page fetches with the pupil for it (`select_related` names);
- `pupil_panel(request, pupil)`: that context (the pupil already access-checked);
- `annotate_pupil_list(queryset)` and `pupil_list_badges(pupil)`: set-based annotations for a page of the list,
  and the badges they give each row.
"""

from types import ModuleType

_registered: dict[str, tuple[int, ModuleType]] = {}


def register(panel: ModuleType, *, order: int) -> None:
    """Add `panel` to every pupil page and list, in `order` (lowest first). Registering it again changes nothing."""
    for name in ("pupil_panel", "TEMPLATE", "pupil_related", "annotate_pupil_list", "pupil_list_badges"):
        if not hasattr(panel, name):
            raise TypeError(f"{panel.__name__} has no {name}: it cannot be a pupil page panel.")
    _registered[panel.__name__] = (order, panel)


def panels() -> tuple[ModuleType, ...]:
    return tuple(panel for _order, panel in sorted(_registered.values(), key=lambda entry: entry[0]))
