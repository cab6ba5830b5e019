"""The pupil page's panels and the pupil list's badges that other apps add.

The pupils app sits below referrals, families and meetings and imports none of them: each registers a panel module
here from its `AppConfig.ready()`. A panel module offers

- `TEMPLATE`: the template drawn on the pupil page, with the context `pupil_panel` gives;
- `pupil_related(user)`: what the pupil page fetches with the pupil for it (`select_related` names);
- `pupil_panel(request, pupil)`: that context (the pupil already access-checked);
- `annotate_pupil_list(queryset)` and `pupil_list_badges(pupil)`: set-based annotations for a page of the list,
  and the badges they give each row (`row_sql` writes such an annotation).
"""

from types import ModuleType

from django.db.models import Expression, F, Field

_registered: dict[str, tuple[int, ModuleType]] = {}


def register(panel: ModuleType, *, order: int) -> None:
    """Add `panel` to every pupil page and list, in `order` (lowest first). Registering it again changes nothing."""
    for name in ("pupil_panel", "TEMPLATE", "pupil_related", "annotate_pupil_list", "pupil_list_badges"):
        if not hasattr(panel, name):
            raise TypeError(f"{panel.__name__} has no {name}: it cannot be a pupil page panel.")
    _registered[panel.__name__] = (order, panel)


def panels() -> tuple[ModuleType, ...]:
    return tuple(panel for _order, panel in sorted(_registered.values(), key=lambda entry: entry[0]))


class RowSQL(Expression):
    """A correlated subquery written as SQL about the row's pupil: `{pupil_id}` in `sql` stands for the row's pupil
    id, which Django writes in (so it holds where Django renames the pupil table, as in a subquery), and `{name}` for
    the table of `tables[name]`."""

    def __init__(self, sql: str, params: tuple, tables: dict[str, type], output_field: Field):
        super().__init__(output_field=output_field)
        self.sql, self.params, self.tables, self.pupil = sql, tuple(params), tables, F("pk")

    def get_source_expressions(self) -> list:
        return [self.pupil]

    def set_source_expressions(self, expressions: list) -> None:
        (self.pupil,) = expressions

    def as_sql(self, compiler, connection):
        pupil_sql, pupil_params = compiler.compile(self.pupil)
        if pupil_params:
            raise ValueError("A pupil id column takes no parameters.")
        names = {name: connection.ops.quote_name(model._meta.db_table) for name, model in self.tables.items()}
        return f"({self.sql.format(pupil_id=pupil_sql, **names)})", self.params


def row_sql(sql: str, params: tuple, *, tables: dict[str, type], output_field: Field) -> RowSQL:
    """An annotation for `annotate_pupil_list`: a correlated subquery written as SQL, on a query of pupils (see
    `RowSQL` for what `sql` may name).

    The list asks each panel for a few figures per row of its page. Built from querysets, those subqueries took
    longer to compile on every request than the database took to answer them."""
    return RowSQL(sql, params, tables, output_field)
