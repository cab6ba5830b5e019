import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.db.models.functions import Upper

from accounts.models import Site
from pupils.models import Pupil
from pupils.selectors import works_with


class PupilFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Name or UPN")
    site = django_filters.ModelChoiceFilter(queryset=Site.objects.all())
    year_group = django_filters.NumberFilter()
    level_of_need = django_filters.ChoiceFilter(choices=[(n, str(n)) for n in range(1, 5)], label="Level of need")
    send_status = django_filters.ChoiceFilter(choices=Pupil.Send.choices, label="SEND")
    social_care_status = django_filters.ChoiceFilter(choices=Pupil.SocialCare.choices, label="CP / CIN / LAC")
    status = django_filters.ChoiceFilter(choices=Pupil.Status.choices, empty_label="On roll and archived")
    mine = django_filters.BooleanFilter(method="filter_mine", label="Only my pupils", widget=forms.CheckboxInput)

    class Meta:
        model = Pupil
        fields = ["q", "site", "year_group", "level_of_need", "send_status", "social_care_status", "status"]

    def search(self, queryset: QuerySet[Pupil], name: str, value: str) -> QuerySet[Pupil]:
        """A UPN, or words that each begin one of the pupil's names ("jo smi" finds Jo Smith)."""
        value = value.strip()[:80]
        if not value:
            return queryset
        every_word = Q()
        for word in value.split()[:4]:
            every_word &= (
                Q(first_name__istartswith=word) | Q(last_name__istartswith=word) | Q(preferred_name__istartswith=word)
            )
        # Each condition is one the pg_trgm indexes on UPPER(name) and the UPPER(upn) index answer. Ordering by the
        # same expressions keeps the planner on those indexes: walking the name index in order until 25 rows match
        # reads most of the table for a name late in the alphabet.
        matches = queryset.filter(Q(upn__iexact=value) | every_word)
        return matches.order_by(Upper("last_name"), Upper("first_name"), "pk")

    def filter_mine(self, queryset: QuerySet[Pupil], name: str, value: bool) -> QuerySet[Pupil]:
        if not value:
            return queryset
        return queryset.filter(works_with(self.request.user))
