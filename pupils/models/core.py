import datetime

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone

# A unique pupil number: a check letter, 11 digits, then a digit or a letter (temporary UPNs end in a letter).
UPN_VALIDATOR = RegexValidator(
    r"^[A-Z][0-9]{11}[0-9A-Z]$", "A UPN is 13 characters: a capital letter, 11 digits, then a digit or capital letter."
)


@pghistory.track()
class School(models.Model):
    """A school outside the PRU: where a pupil came from, or one they may return to."""

    class Phase(models.TextChoices):
        PRIMARY = "primary", "Primary"
        SECONDARY = "secondary", "Secondary"
        ALL_THROUGH = "all_through", "All-through"
        SPECIAL = "special", "Special"
        ALTERNATIVE = "alternative", "Alternative provision"
        FE = "fe", "Further education"

    name = models.CharField(max_length=160)
    urn = models.CharField("URN", max_length=10, blank=True)
    local_authority = models.CharField(max_length=80, blank=True)
    phase = models.CharField(max_length=20, choices=Phase.choices, default=Phase.SECONDARY)
    address = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["urn"], condition=~Q(urn=""), name="school_unique_urn")]

    def __str__(self) -> str:
        return self.name


@pghistory.track()
@pgtrigger.register(pgtrigger.Protect(name="pupil_never_deleted", operation=pgtrigger.Delete))
class Pupil(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "On roll"
        ARCHIVED = "archived", "Archived"

    class EntryRoute(models.TextChoices):
        PERMANENT_EXCLUSION = "permanent_exclusion", "Permanent exclusion"
        IYFA = "iyfa", "In-year fair access panel"
        MEDICAL = "medical", "Medical"
        OTHER = "other", "Other"

    class Destination(models.TextChoices):
        MAINSTREAM = "mainstream", "Mainstream school"
        SPECIAL = "special", "Special school"
        OTHER_AP = "other_ap", "Other alternative provision"
        FE = "fe", "College / further education"
        APPRENTICESHIP = "apprenticeship", "Apprenticeship or training"
        EMPLOYMENT = "employment", "Employment"
        NEET = "neet", "Not in education, employment or training"
        MOVED_AWAY = "moved_away", "Moved out of the area"
        OTHER = "other", "Other"

    class Send(models.TextChoices):
        NONE = "none", "None identified"
        SEN_SUPPORT = "sen_support", "SEN support"
        EHCP = "ehcp", "EHC plan"

    class SocialCare(models.TextChoices):
        NONE = "none", "None"
        CIN = "cin", "Child in need"
        CP = "cp", "Child protection plan"
        LAC = "lac", "Looked-after child"

    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    preferred_name = models.CharField(max_length=80, blank=True)
    date_of_birth = models.DateField()
    upn = models.CharField("UPN", max_length=13, blank=True, validators=[UPN_VALIDATOR])
    year_group = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(13)])
    site = models.ForeignKey("accounts.Site", on_delete=models.PROTECT, related_name="pupils")
    key_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="key_pupils"
    )
    home_local_authority = models.CharField(max_length=80, help_text="Leads casework.")
    school_local_authority = models.CharField(max_length=80, help_text="Enforces attendance.")
    referring_school = models.ForeignKey(
        School, on_delete=models.PROTECT, null=True, blank=True, related_name="referred_pupils"
    )
    entry_date = models.DateField()
    entry_route = models.CharField(max_length=24, choices=EntryRoute.choices)
    exit_date = models.DateField(null=True, blank=True)
    exit_destination = models.CharField(max_length=20, choices=Destination.choices, blank=True)
    exit_destination_detail = models.CharField(max_length=200, blank=True)
    send_status = models.CharField("SEND", max_length=12, choices=Send.choices, default=Send.NONE)
    semh = models.BooleanField("SEMH need", default=False)
    social_care_status = models.CharField(
        "CP / CIN / LAC", max_length=4, choices=SocialCare.choices, default=SocialCare.NONE
    )
    level_of_need = models.PositiveSmallIntegerField(default=2, validators=[MinValueValidator(1), MaxValueValidator(4)])
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    archived_at = models.DateTimeField(null=True, blank=True)
    archive_reason = models.CharField(max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every edit, to detect concurrent edits.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["upn"], condition=~Q(upn=""), name="pupil_unique_upn"),
            models.CheckConstraint(condition=Q(level_of_need__gte=1, level_of_need__lte=4), name="pupil_level_1_4"),
            models.CheckConstraint(condition=Q(year_group__gte=1, year_group__lte=13), name="pupil_year_1_13"),
            models.CheckConstraint(
                condition=Q(exit_date__isnull=True) | Q(exit_date__gte=models.F("entry_date")),
                name="pupil_exit_after_entry",
            ),
        ]
        indexes = [
            models.Index(fields=["last_name", "first_name"], name="pupil_name_idx"),
            # The pupil list's pages in roll order: a deep page walks this index alone instead of sorting the roll.
            models.Index(
                fields=["last_name", "first_name", "id"], condition=Q(status="active"), name="pupil_roll_order_idx"
            ),
            models.Index(fields=["site", "status"], name="pupil_site_status_idx"),
            # Counting the pupils on roll that someone key-works or is allocated to, from the index alone.
            models.Index(
                fields=["key_worker", "site", "id"], condition=Q(status="active"), name="pupil_active_scope_idx"
            ),
            # A specialist's or family worker's pupils counted by id (`pupils_counted_for`): one index-only probe each.
            models.Index(fields=["id"], condition=Q(status="active"), name="pupil_active_id_idx"),
            # The pupil search matches the start of any name, case-blind (UPPER(name) LIKE 'JO%'), and a whole UPN.
            GinIndex(OpClass(Upper("first_name"), name="gin_trgm_ops"), name="pupil_first_name_trgm_idx"),
            GinIndex(OpClass(Upper("last_name"), name="gin_trgm_ops"), name="pupil_last_name_trgm_idx"),
            GinIndex(OpClass(Upper("preferred_name"), name="gin_trgm_ops"), name="pupil_preferred_name_trgm_idx"),
            models.Index(Upper("upn"), name="pupil_upn_upper_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        first = self.preferred_name or self.first_name
        return f"{first} {self.last_name}"

    @property
    def is_archived(self) -> bool:
        return self.status == self.Status.ARCHIVED

    def age_on(self, day: datetime.date) -> int:
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))

    @property
    def age(self) -> int:
        return self.age_on(timezone.localdate())

    @property
    def level_of_need_label(self) -> str:
        return settings.LEVEL_OF_NEED_LABELS.get(self.level_of_need, str(self.level_of_need))


@pghistory.track()
class NeedLevelChange(models.Model):
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="need_level_changes")
    level = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(4)])
    previous_level = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["-changed_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(level__gte=1, level__lte=4), name="needlevel_1_4")]


@pghistory.track()
class HealthRecord(models.Model):
    """The health field group: read and written only by health/CAMHS staff and the DSL."""

    pupil = models.OneToOneField(Pupil, on_delete=models.PROTECT, related_name="health")
    conditions = models.TextField(blank=True, help_text="Diagnoses and conditions.")
    medication = models.TextField(blank=True)
    allergies = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")


@pghistory.track()
class Allocation(models.Model):
    """A professional working with a pupil. Specialists and family workers see the pupils allocated to them."""

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="allocations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="allocations")
    reason = models.CharField(max_length=200, blank=True)
    started_on = models.DateField(default=timezone.localdate)
    ended_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "user"], condition=Q(ended_on__isnull=True), name="allocation_one_open_per_user"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "ended_on"], name="allocation_user_open_idx"),
            # A person's open allocations as pupil ids, from the index alone.
            models.Index(
                fields=["user", "pupil"], condition=Q(ended_on__isnull=True), name="allocation_open_pupils_idx"
            ),
        ]

    @property
    def is_open(self) -> bool:
        return self.ended_on is None
