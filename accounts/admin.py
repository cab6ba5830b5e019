from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from accounts import services
from accounts.models import Agency, AgencyService, Notification, Site, User
from pru_cases.access import (
    Action,
    FieldGroup,
    account_powers,
    can,
    can_manage_account,
    can_read_field_group,
    can_reset_second_factor,
)
from pru_cases.admin import LeaderAdmin, PolicyInline, ReadOnlyLeaderAdmin

ACCOUNT_ROLES = frozenset({User.Role.SENIOR_LEADER, User.Role.ADMIN, User.Role.DSL})


class AgencyServiceInline(PolicyInline):
    model = AgencyService
    fields = ["name", "who_for", "how_to_access", "is_active"]
    read_only = False


@admin.register(Agency)
class AgencyAdmin(LeaderAdmin):
    list_display = ["name", "kind", "email", "phone"]
    list_filter = ["kind"]
    search_fields = ["name", "notes"]
    inlines = [AgencyServiceInline]
    admin_roles = ACCOUNT_ROLES

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        # An agency's kind decides whether its staff read health detail: once it exists, only someone who
        # reads health detail may change it (the DSL).
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and not can_read_field_group(request.user, FieldGroup.HEALTH):
            readonly.append("kind")
        return readonly


@admin.register(AgencyService)
class AgencyServiceAdmin(LeaderAdmin):
    list_display = ["name", "agency", "who_for", "is_active"]
    list_filter = ["is_active", "agency__kind"]
    search_fields = ["name", "description", "agency__name"]
    list_select_related = ["agency"]


@admin.register(Site)
class SiteAdmin(LeaderAdmin):
    list_display = ["name", "code", "phone", "email", "contact_name"]
    search_fields = ["name", "code"]


class AccountFormMixin:
    """Validation only: the role and agency chosen must be ones the person saving may give."""

    by: User

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role", getattr(self.instance, "role", None))
        agency = cleaned.get("agency", getattr(self.instance, "agency", None))
        site = cleaned.get("site", getattr(self.instance, "site", None))
        if role and not can_manage_account(self.by, role=role, agency=agency, site_id=site.pk if site else None):
            raise forms.ValidationError(
                "You may not give an account this role, agency or centre: DSL and health or CAMHS accounts are set "
                "up by the DSL, senior leader accounts and PRU staff at a centre (who see its pupils) by a senior "
                "leader or the DSL."
            )
        return cleaned


@admin.register(User)
class UserAdmin(LeaderAdmin, BaseUserAdmin):
    """Accounts, with separation of duties (pru_cases.access.can_manage_account): each save goes through
    accounts.services, which checks it again. Nobody changes their own role, agency, centre or password here."""

    admin_roles = ACCOUNT_ROLES
    list_display = ["username", "first_name", "last_name", "role", "agency", "site", "is_active", "last_login"]
    list_filter = ["role", "specialism", "is_active", "agency__kind", "site"]
    search_fields = ["username", "first_name", "last_name", "email", "job_title"]
    list_select_related = ["agency", "site"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Person", {"fields": ["first_name", "last_name", "email", "phone", "job_title"]}),
        ("Role and team", {"fields": ["role", "agency", "site", "specialism", "is_active"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "password1", "password2"]}),
        ("Role and team", {"fields": ["first_name", "last_name", "email", "role", "agency", "site", "specialism"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]
    actions = ["deactivate"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and can(request.user, Action.MANAGE_ACCOUNTS)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or can_manage_account(request.user, role=obj.role, agency=obj.agency, site_id=obj.site_id)

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk:
            readonly += [name for name in (*services.ACCESS_FIELDS, "is_active") if name not in readonly]
        return readonly

    def get_form(self, request: HttpRequest, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (AccountFormMixin, form), {"by": request.user})

    def formfield_for_choice_field(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "role":
            mine = account_powers(role=request.user.role, agency=request.user.agency)
            kwargs["choices"] = [
                (value, label) for value, label in User.Role.choices if account_powers(role=value, agency=None) <= mine
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "agency" and not can_read_field_group(request.user, FieldGroup.HEALTH):
            kwargs["queryset"] = Agency.objects.exclude(kind__in=Agency.HEALTH_KINDS)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: User, form, change: bool) -> None:
        data = {name: form.cleaned_data[name] for name in services.USER_EDITABLE_FIELDS if name in form.cleaned_data}
        if change:
            changed = {name: value for name, value in data.items() if name in form.changed_data}
            services.user_update(user=obj, by=request.user, data=changed)
        else:
            usable = form.cleaned_data.get("set_usable_password", True)
            password = form.cleaned_data.get("password1") if usable else None
            created = services.user_create(by=request.user, data=data, password=password)
            obj.pk = created.pk
            obj.refresh_from_db()

    def user_change_password(self, request: HttpRequest, id, form_url=""):
        user = self.get_object(request, unquote(id))
        if user is not None and user.pk == request.user.pk:
            raise PermissionDenied  # one's own password changes at /account/password/, with the current one
        if request.method == "POST" and user is not None and self.has_change_permission(request, user):
            form = self.change_password_form(user, request.POST)
            if form.is_valid() and (form.cleaned_data["set_usable_password"] or "unset-password" in request.POST):
                usable = form.cleaned_data["set_usable_password"]
                services.user_set_password(
                    user=user, by=request.user, password=form.cleaned_data["password1"] if usable else None
                )
                self.log_change(request, user, self.construct_change_message(request, form, None))
                messages.success(request, "Password changed." if usable else "Password sign-in switched off.")
                return HttpResponseRedirect(reverse("admin:accounts_user_change", args=[user.pk]))
        return super().user_change_password(request, id, form_url)

    @admin.action(description="Disable the selected accounts and end their sessions")
    def deactivate(self, request: HttpRequest, queryset) -> None:
        refused = 0
        for user in queryset.filter(is_active=True).select_related("agency"):
            try:
                services.user_deactivate(user=user, by=request.user)  # it decides who may disable whom
            except (PermissionDenied, ValidationError):
                refused += 1
        messages.success(request, "The selected accounts are disabled and signed out.")
        if refused:
            messages.warning(request, f"{refused} account(s) left as they were: you may not change them.")


# Sign-in security records: authenticators and lockouts. Groups are not used (roles decide access), and
# e-mail addresses change on the account form, through the service.
for model in (Authenticator, AccessAttempt, AccessLog, AccessFailureLog, Group, EmailAddress):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(Authenticator)
class AuthenticatorAdmin(LeaderAdmin):
    """Removing someone's authenticators is how a lost phone is dealt with: they set up a new one at their
    next sign-in. The secrets themselves are never shown. Only senior leaders and the DSL remove them, never
    their own and never for an account they could not manage (accounts.services.authenticator_remove)."""

    admin_roles = ACCOUNT_ROLES

    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    search_fields = ["user__username", "user__last_name"]
    list_select_related = ["user"]
    fields = ["user", "type", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        if not (self.may_open(request) and can(request.user, Action.RESET_SECOND_FACTOR)):
            return False
        return obj is None or can_reset_second_factor(request.user, obj.user)

    def delete_model(self, request: HttpRequest, obj: Authenticator) -> None:
        services.authenticator_remove(authenticator=obj, by=request.user)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(LeaderAdmin):
    """Failed sign-ins per username and address. Deleting a row lifts that lockout early."""

    list_display = ["attempt_time", "username", "ip_address", "failures_since_start"]
    search_fields = ["username", "ip_address"]
    fields = ["attempt_time", "username", "ip_address", "user_agent", "path_info", "failures_since_start"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.may_open(request)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyLeaderAdmin):
    """To answer "did I get the reminder?": who, what kind, when it was read and emailed (no pupil detail)."""

    list_display = ["created_at", "recipient", "kind", "due_on", "read_at", "emailed_at"]
    # What an alert says, whom it is about and where it leads are for its recipient, in the app, only.
    exclude = ["detail", "pupil_ref", "path"]
    list_filter = ["kind", "created_at", "emailed_at"]
    search_fields = ["recipient__username", "recipient__last_name"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
