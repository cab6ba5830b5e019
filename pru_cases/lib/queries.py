"""Small query expressions shared by pages."""

from django.db.models import IntegerField, Subquery


class CountOf(Subquery):
    """The number of rows of a queryset, as a value in another query: a page that lists some rows and shows how many
    there are in all asks once. PostgreSQL computes it once (an InitPlan), not for each row."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted)"
    output_field = IntegerField()
