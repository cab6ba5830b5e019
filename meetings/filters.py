import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from meetings.models import Action, Meeting


class MeetingFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Meeting.Kind.choices)
    status = django_filters.ChoiceFilter(choices=Meeting.Status.choices)
    held_after = django_filters.DateFilter(
        field_name="held_on", lookup_expr="gte", label="On or after", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = Meeting
        fields = ["kind", "status", "held_after"]


class ActionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Action.Status.choices, empty_label="Any status")
    owner_kind = django_filters.ChoiceFilter(choices=Action.Owner.choices, label="Who does it")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="Only overdue", widget=forms.CheckboxInput)
    mine = django_filters.BooleanFilter(method="filter_mine", label="Only mine", widget=forms.CheckboxInput)

    class Meta:
        model = Action
        fields = ["status", "owner_kind"]

    def filter_overdue(self, queryset: QuerySet[Action], name: str, value: bool) -> QuerySet[Action]:
        if not value:
            return queryset
        return queryset.filter(status=Action.Status.OPEN, due_on__lt=timezone.localdate())

    def filter_mine(self, queryset: QuerySet[Action], name: str, value: bool) -> QuerySet[Action]:
        if not value:
            return queryset
        user = self.request.user
        return queryset.filter(
            Q(owner_user_id=user.pk) | Q(owner_agency_id=user.agency_id, owner_kind=Action.Owner.AGENCY)
        )
