import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet

from families.models import Carer, Household, ReintegrationPlan, SupportAction


class HouseholdFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Household, carer or postcode")
    status = django_filters.ChoiceFilter(choices=Household.Status.choices, empty_label="Active and archived")
    open_actions = django_filters.BooleanFilter(
        method="filter_open_actions", label="Only with open support actions", widget=forms.CheckboxInput
    )

    mine = django_filters.BooleanFilter(
        method="filter_mine", label="Only with support actions I own", widget=forms.CheckboxInput
    )

    class Meta:
        model = Household
        fields = ["q", "status"]

    def search(self, queryset: QuerySet[Household], name: str, value: str) -> QuerySet[Household]:
        value = value.strip()[:80]
        if not value:
            return queryset
        carer = Carer.objects.filter(household_id=OuterRef("pk"), name__icontains=value)
        return queryset.filter(Q(name__icontains=value) | Q(postcode__istartswith=value) | Q(Exists(carer)))

    def filter_mine(self, queryset: QuerySet[Household], name: str, value: bool) -> QuerySet[Household]:
        if not value:
            return queryset
        mine = SupportAction.objects.filter(
            household_id=OuterRef("pk"),
            owner_id=self.request.user.pk,
            status__in=[SupportAction.Status.OPEN, SupportAction.Status.WAITING],
        )
        return queryset.filter(Exists(mine))

    def filter_open_actions(self, queryset: QuerySet[Household], name: str, value: bool) -> QuerySet[Household]:
        return queryset.filter(open_actions__gt=0) if value else queryset


class PlanFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ReintegrationPlan.Status.choices)
    open = django_filters.BooleanFilter(method="filter_open", label="Open plans only", widget=forms.CheckboxInput)

    class Meta:
        model = ReintegrationPlan
        fields = ["status"]

    def filter_open(self, queryset: QuerySet[ReintegrationPlan], name: str, value: bool) -> QuerySet[ReintegrationPlan]:
        return queryset.filter(status__in=ReintegrationPlan.OPEN_STATUSES) if value else queryset
