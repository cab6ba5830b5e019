"""The admin site and the base every admin class on it shares, so the admin keeps the access policy by construction.

- Only the roles an admin class names (`admin_roles`) open it; the pages of case records (a model linked to a
  pupil or a household) are for roles that see every pupil, never for the administrator. An admin class the
  project did not write (a third-party app's) is registered closed: nobody opens it until it is given a class here.
- Fields the user may not read (`unreadable_fields`) are left out of lists, forms, search and ordering, and a
  model hidden as a whole cannot be opened at all.
- A changelist accepts as lookups only the filters it lists (and its date hierarchy, and the raw-id pop-up's
  own limits): anything else is a 400, so no field can be read a character at a time through `?x__startswith=`.
- The search box is POSTed and the term kept in the session, so a child's name never reaches a URL or a log;
  a `q` typed into a query string is dropped.
- Foreign-key choices and raw-id labels come from the target's scoped queryset: an out-of-scope id shows no name.
- Nothing is deleted through the admin unless a class says so and does it through a service.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.options import ActionLocation
from django.contrib.admin.views.main import SEARCH_VAR, ChangeList, ChangeListSearchForm
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.core.exceptions import BadRequest, FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils.text import Truncator

from pru_cases.access import Action, can, hidden_row_fields, pupil_scope, unreadable_fields
from pru_cases.lib.ids import parse_id
from pru_cases.roles import Role

SEARCH_SESSION_KEY = "admin_search"
MAX_SEARCH = 80
# Records about a child: a model that is one of these or reaches one through its foreign keys.
CASE_ROOTS = ("pupils.Pupil", "families.Household")
# Lookups a list filter may send, besides the bare field: equality, emptiness and (for dates) ranges.
FILTER_LOOKUPS = frozenset({"exact", "isnull", "isempty", "in"})
DATE_LOOKUPS = frozenset({"gte", "gt", "lte", "lt", "year", "month", "day"})


def is_case_model(model: type[models.Model], *, depth: int = 3) -> bool:
    """Whether rows of `model` are about a child (its own fields, or a foreign key leading to a pupil or household)."""
    if model._meta.label in CASE_ROOTS:
        return True
    if depth == 0:
        return False
    for field in model._meta.concrete_fields:
        if field.many_to_one or field.one_to_one:
            target = field.related_model
            if target is not model and target._meta.label != "accounts.User" and is_case_model(target, depth=depth - 1):
                return True
    return False


def hidden_fields(request: HttpRequest, model: type[models.Model]) -> frozenset[str] | None:
    """The fields of `model` this user may not read; None if the whole model is hidden."""
    return unreadable_fields(request.user, model._meta.label)


def _touches(lookup: str, hidden: frozenset[str]) -> bool:
    return bool(set(lookup.split(LOOKUP_SEP)) & hidden)


class ScopedRawIdWidget(ForeignKeyRawIdWidget):
    """A raw-id box whose label names only a record the user may see."""

    def __init__(self, rel, admin_site, *, queryset, **kwargs):
        super().__init__(rel, admin_site, **kwargs)
        self.scoped = queryset

    def label_and_url_for_value(self, value):
        key = self.rel.get_related_field().name
        try:
            obj = self.scoped.get(**{key: value})
        except (ValueError, TypeError, OverflowError, ValidationError, self.rel.model.DoesNotExist):
            return "", ""
        try:
            opts = obj._meta
            url = reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change", args=(obj.pk,))
        except NoReverseMatch:
            url = ""
        return Truncator(obj).words(14), url


def _private_search_form(term: str) -> type[ChangeListSearchForm]:
    class PrivateSearchForm(ChangeListSearchForm):
        def __init__(self, data=None, *args, **kwargs):
            super().__init__({SEARCH_VAR: term}, *args, **kwargs)

    return PrivateSearchForm


class PolicyChangeList(ChangeList):
    """Ordering never uses a field the user may not read (`?o=` picks columns, and the columns are already
    filtered; this also covers an `admin_order_field` that names a hidden field)."""

    hidden: frozenset[str] = frozenset()

    def get_ordering_field(self, field_name):
        order_field = super().get_ordering_field(field_name)
        if isinstance(order_field, str) and _touches(order_field.lstrip("-"), self.hidden):
            return None
        return order_field


class PolicyAdmin(admin.ModelAdmin):
    """The base of every admin class on the site (the site mixes it into classes it did not get from us)."""

    admin_roles: frozenset[str] = frozenset({Role.SENIOR_LEADER, Role.ADMIN})
    read_only = False
    view_on_site = False  # the site's shortcut to any object by content type is not served (CaseAdminSite)

    # Who may open it
    def hidden_fields(self, request: HttpRequest, obj=None) -> frozenset[str] | None:
        """Hidden on every row of the model, or, for one record's page, on that record (ROW_FIELD_GROUPS)."""
        if obj is not None:
            return hidden_row_fields(request.user, obj)
        return hidden_fields(request, self.model)

    def may_open(self, request: HttpRequest) -> bool:
        user = request.user
        if not (user.is_authenticated and user.is_active and can(user, Action.USE_ADMIN)):
            return False
        if user.role not in self.admin_roles or self.hidden_fields(request) is None:
            return False
        # The administrator manages accounts: no page of case records is open to them.
        return not is_case_model(self.model) or user.sees_all_pupils

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.may_open(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.may_open(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not self.read_only and self.may_open(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return not self.read_only and self.may_open(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def response_action(self, request: HttpRequest, queryset, **kwargs):
        # Ids typed into the form by hand: refused with a 400 rather than a failed query.
        if any(parse_id(value) is None for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)):
            raise BadRequest("The selected records are not valid ids.")
        return super().response_action(request, queryset, **kwargs)

    def get_actions(self, request: HttpRequest, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location)
        actions.pop("delete_selected", None)
        return actions

    # Hidden fields: out of lists, forms, search and ordering
    def _visible(self, request: HttpRequest, names, obj=None) -> list:
        hidden = self.hidden_fields(request, obj) or frozenset()
        kept = []
        for name in names:
            field = name[0] if isinstance(name, (list, tuple)) else name
            if isinstance(field, str) and _touches(field.lstrip("^=@"), hidden):
                continue
            kept.append(name)
        return kept

    def get_list_display(self, request: HttpRequest):
        return self._visible(request, super().get_list_display(request))

    def get_list_filter(self, request: HttpRequest):
        return self._visible(request, super().get_list_filter(request))

    def get_search_fields(self, request: HttpRequest):
        return self._visible(request, super().get_search_fields(request))

    def get_sortable_by(self, request: HttpRequest):
        return self._visible(request, super().get_sortable_by(request))

    def get_fields(self, request: HttpRequest, obj=None):
        return self._visible(request, super().get_fields(request, obj), obj)

    def get_exclude(self, request: HttpRequest, obj=None):
        return [*(super().get_exclude(request, obj) or ()), *sorted(self.hidden_fields(request, obj) or ())]

    def get_fieldsets(self, request: HttpRequest, obj=None):
        hidden = self.hidden_fields(request, obj) or frozenset()

        def line(fields):  # a fieldset line is a field name or a tuple of names shown side by side
            if isinstance(fields, (list, tuple)):
                return tuple(name for name in fields if name not in hidden)
            return fields if fields not in hidden else None

        fieldsets = []
        for title, options in super().get_fieldsets(request, obj):
            lines = [kept for kept in (line(fields) for fields in options.get("fields", ())) if kept]
            fieldsets.append((title, {**options, "fields": lines}))
        return fieldsets

    # Lookups: only the listed filters
    def _filter_paths(self, request: HttpRequest) -> tuple[set[str], set[str]]:
        """(field paths of the list filters, parameter names of custom filters)."""
        paths, names = set(), set()
        for item in self.get_list_filter(request):
            if isinstance(item, type) and issubclass(item, admin.SimpleListFilter):
                names.add(item.parameter_name)
            elif isinstance(item, (list, tuple)):
                paths.add(item[0])
            elif isinstance(item, str):
                paths.add(item)
        return paths, names

    def _is_date(self, path: str) -> bool:
        model = self.model
        field = None
        for part in path.split(LOOKUP_SEP):
            try:
                field = model._meta.get_field(part)
            except FieldDoesNotExist:
                return False
            if field.is_relation and field.related_model is not None:
                model = field.related_model
        return isinstance(field, (models.DateField, models.DateTimeField))

    def lookup_allowed(self, lookup: str, value, request: HttpRequest) -> bool:
        if _touches(lookup, self.hidden_fields(request) or frozenset()):
            return False
        paths, names = self._filter_paths(request)
        if lookup in names:
            return True
        if self.date_hierarchy and lookup in {f"{self.date_hierarchy}__{part}" for part in ("year", "month", "day")}:
            return True
        for path in paths:
            if lookup == path:
                return True
            if lookup.startswith(path + LOOKUP_SEP):
                rest = lookup[len(path) + len(LOOKUP_SEP) :].split(LOOKUP_SEP)
                field = self._last_field(path)
                target = (
                    field.target_field.name if field is not None and field.is_relation and field.many_to_one else None
                )
                if target and rest[0] in (target, "pk"):
                    rest = rest[1:]
                allowed = FILTER_LOOKUPS | (DATE_LOOKUPS if self._is_date(path) else frozenset())
                if len(rest) <= 1 and all(part in allowed for part in rest):
                    return True
        # The raw-id pop-up passes the foreign key's `limit_choices_to` as lookups: Django's own check allows
        # exactly those pairs (and, for a lookup that is none of them, says yes to any local field: ignored).
        return self._is_raw_id_limit(lookup, value)

    def _last_field(self, path: str):
        model, field = self.model, None
        for part in path.split(LOOKUP_SEP):
            try:
                field = model._meta.get_field(part)
            except FieldDoesNotExist:
                return None
            if field.is_relation and field.related_model is not None:
                model = field.related_model
        return field

    def _is_raw_id_limit(self, lookup: str, value) -> bool:
        from django.contrib.admin.widgets import url_params_from_lookup_dict

        for fk_lookup in self.model._meta.related_fkey_lookups:
            if callable(fk_lookup):
                fk_lookup = fk_lookup()
            if (lookup, value) in url_params_from_lookup_dict(fk_lookup).items():
                return True
        return False

    # Search: POSTed, kept in the session
    def _search_key(self) -> str:
        return self.model._meta.label_lower

    def changelist_view(self, request: HttpRequest, extra_context=None):
        if request.method == "POST" and "_private_search" in request.POST:
            saved = dict(request.session.get(SEARCH_SESSION_KEY, {}))
            term = request.POST.get(SEARCH_VAR, "").strip()[:MAX_SEARCH]
            if term and "_clear_search" not in request.POST:
                saved[self._search_key()] = term
            else:
                saved.pop(self._search_key(), None)
            request.session[SEARCH_SESSION_KEY] = saved
            query = request.GET.copy()
            for name in (SEARCH_VAR, "p"):
                query.pop(name, None)
            return HttpResponseRedirect(request.path + (f"?{query.urlencode()}" if query else ""), status=303)
        if SEARCH_VAR in request.GET:
            # A term typed into the address bar is ignored, and not echoed into the page's links.
            request.GET = request.GET.copy()
            request.GET.pop(SEARCH_VAR)
        return super().changelist_view(request, extra_context)

    def get_changelist(self, request: HttpRequest, **kwargs):
        term = ""
        if self.get_search_fields(request):
            term = request.session.get(SEARCH_SESSION_KEY, {}).get(self._search_key(), "")
        attrs = {"search_form_class": _private_search_form(term), "hidden": self.hidden_fields(request) or frozenset()}
        return type("PolicyChangeList", (PolicyChangeList,), attrs)

    # Choices and raw-id labels: scoped
    def scoped_queryset(self, request: HttpRequest, model: type[models.Model]):
        """The rows of `model` this user may pick or see named in a form."""
        if model._meta.label == "pupils.Pupil":
            return pupil_scope().visible(request.user)
        related_admin = self.admin_site._registry.get(model)
        if related_admin is not None and related_admin.has_view_permission(request):
            return related_admin.get_queryset(request)
        if is_case_model(model):
            return model._default_manager.none()
        return model._default_manager.all()

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        scoped = self.scoped_queryset(request, db_field.remote_field.model)
        kwargs.setdefault("queryset", scoped)
        if db_field.name in self.raw_id_fields:
            kwargs["widget"] = ScopedRawIdWidget(
                db_field.remote_field, self.admin_site, queryset=scoped, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request: HttpRequest, **kwargs):
        kwargs.setdefault("queryset", self.scoped_queryset(request, db_field.remote_field.model))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ReadOnlyPolicyAdmin(PolicyAdmin):
    """Shown, never changed here: the record changes through its pages and services."""

    read_only = True


class PolicyInline(admin.TabularInline):
    """Inlines show no field the user may not read, and add, change or delete nothing by default."""

    extra = 0
    read_only = True

    def get_fields(self, request: HttpRequest, obj=None):
        hidden = hidden_fields(request, self.model) or frozenset()
        return [name for name in super().get_fields(request, obj) if not (isinstance(name, str) and name in hidden)]

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        # Whoever may open the parent page sees the inline (roles, not Django's per-model permissions).
        parent = self.admin_site._registry.get(self.parent_model)
        if parent is None or not parent.may_open(request):
            return False
        return hidden_fields(request, self.model) is not None

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return not self.read_only and self.has_view_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return not self.read_only and self.has_view_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class CaseAdminSite(admin.AdminSite):
    site_header = "pru_cases administration"
    site_title = "pru_cases admin"
    index_title = "Records"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_authenticated and can(user, Action.USE_ADMIN))

    def get_urls(self):
        # "r/<content type>/<id>/" redirects to any record of any model without asking the policy, and fails on
        # models without a table: not served.
        return [url for url in super().get_urls() if getattr(url, "name", None) != "view_on_site"]

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, PolicyAdmin):
            # A class we did not write: closed to everyone until the project gives it a policy class.
            admin_class = type(admin_class.__name__, (PolicyAdmin, admin_class), {"admin_roles": frozenset()})
        return super().register(model_or_iterable, admin_class, **options)

    def autocomplete_view(self, request: HttpRequest):
        # Autocomplete searches by GET (`?term=`), which would put a child's name in the URL: not offered.
        from django.http import Http404

        raise Http404("No autocomplete here.")
