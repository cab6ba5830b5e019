"""A page of a list and how many rows the list has, in one query."""

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from pru_cases.lib.queries import CountOf

# No list here has this many pages; a larger number (typed into the address) is past the end, found by counting,
# and never becomes an OFFSET beyond what PostgreSQL accepts.
LAST_PAGE_ASKED = 10**6


def counted_page(rows: QuerySet, number, per_page: int, *, counted: QuerySet | None = None) -> Page:
    """The page `number` of `rows`, as `Paginator(rows, per_page).get_page(number)` gives it, with its rows fetched.

    The number of rows in all (of `counted`, the same rows in a shape faster to count, when given) comes with the
    page's rows, worked out once by the database, instead of a query of its own before them. Only a page that is
    not there (past the end, or below the first) costs that query, to find the page `get_page` falls back to."""
    try:
        wanted = int(number) if number is not None else 1
    except (TypeError, ValueError):
        wanted = 1  # as get_page: not a whole number, the first page
    paginator = Paginator(rows, per_page)
    if 1 <= wanted <= LAST_PAGE_ASKED:
        total = CountOf((rows if counted is None else counted).order_by().values("pk"))
        bottom = (wanted - 1) * per_page
        fetched = list(rows.annotate(rows_in_all=total)[bottom : bottom + per_page])
        if fetched or wanted == 1:
            paginator.count = fetched[0].rows_in_all if fetched else 0  # the cached property, known already
            page = paginator.page(wanted)
            page.object_list = fetched
            return page
    if counted is not None:
        paginator.count = counted.count()
    page = paginator.get_page(wanted)
    page.object_list = list(page.object_list)
    return page
