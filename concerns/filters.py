import django_filters
from django import forms

from concerns.models import Concern
from pupils.filters import PupilFilter
from pupils.models import Pupil


class ConcernFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search_pupil", label="Pupil name or UPN")
    category = django_filters.ChoiceFilter(choices=Concern.Category.choices)
    status = django_filters.ChoiceFilter(choices=Concern.Status.choices)
    since = django_filters.DateFilter(
        field_name="occurred_at", lookup_expr="date__gte", label="Since", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = Concern
        fields = ["q", "category", "status", "since"]

    def search_pupil(self, queryset, name: str, value: str):
        pupils = PupilFilter.search(None, Pupil.objects.all(), name, value)
        return queryset.filter(pupil__in=pupils)
