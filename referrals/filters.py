import django_filters
from django import forms
from django.utils import timezone

from accounts.models import Agency
from pupils.filters import PupilFilter
from pupils.models import Pupil
from referrals.models import InformationRequest, Intervention, Referral, Specialism


def _search_pupils(queryset, value: str):
    return queryset.filter(pupil__in=PupilFilter.search(None, Pupil.objects.all(), "q", value))


class ReferralFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Pupil name or UPN")
    status = django_filters.ChoiceFilter(choices=Referral.Status.choices, empty_label="Any status")
    specialism = django_filters.ChoiceFilter(choices=Specialism.choices)
    urgency = django_filters.ChoiceFilter(choices=Referral.Urgency.choices)

    class Meta:
        model = Referral
        fields = ["q", "status", "specialism", "urgency"]

    def search(self, queryset, name, value):
        return _search_pupils(queryset, value)


class InterventionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Pupil name or UPN")
    status = django_filters.ChoiceFilter(choices=Intervention.Status.choices, empty_label="Any status")
    specialism = django_filters.ChoiceFilter(choices=Specialism.choices)

    class Meta:
        model = Intervention
        fields = ["q", "status", "specialism"]

    def search(self, queryset, name, value):
        return _search_pupils(queryset, value)


class InformationRequestFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Pupil name or UPN")
    status = django_filters.ChoiceFilter(choices=InformationRequest.Status.choices, empty_label="Any status")
    agency = django_filters.ModelChoiceFilter(queryset=Agency.objects.all())
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="Only overdue", widget=forms.CheckboxInput)

    class Meta:
        model = InformationRequest
        fields = ["q", "status", "agency"]

    def search(self, queryset, name, value):
        return _search_pupils(queryset, value)

    def filter_overdue(self, queryset, name, value):

        if not value:
            return queryset
        return queryset.filter(status=InformationRequest.Status.OPEN, due_by__lt=timezone.localdate())
