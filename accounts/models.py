import pghistory
from django.contrib.auth.models import AbstractUser
from django.db import models


@pghistory.track()
class Site(models.Model):
    """A learning centre: a PRU usually runs several."""

    name = models.CharField(max_length=120, unique=True)
    code = models.SlugField(max_length=20, unique=True)
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class Agency(models.Model):
    """An organisation whose staff work with the PRU, the PRU itself included."""

    class Kind(models.TextChoices):
        PRU = "pru", "Pupil referral unit"
        HEALTH = "health", "Health (speech and language)"
        CAMHS = "camhs", "CAMHS"
        YOUTH_JUSTICE = "youth_justice", "Youth justice"
        EARLY_HELP = "early_help", "Early help"
        COMPLEX_SAFEGUARDING = "complex_safeguarding", "Complex safeguarding"
        RESTORATIVE_JUSTICE = "restorative_justice", "Restorative justice"
        EDUCATIONAL_PSYCHOLOGY = "educational_psychology", "Educational psychology"
        CAREERS = "careers", "Careers"
        SOCIAL_CARE = "social_care", "Social care"
        POLICE = "police", "Police"
        OTHER = "other", "Other"

    # Agencies whose staff may read the health field group (DOMAIN.md: health keeps health detail confidential).
    HEALTH_KINDS = frozenset({Kind.HEALTH, Kind.CAMHS})

    name = models.CharField(max_length=160, unique=True)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    website = models.URLField(blank=True)
    notes = models.TextField(blank=True, help_text="Protocols, thresholds, how to reach the duty worker.")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name

    @property
    def is_health(self) -> bool:
        return self.kind in self.HEALTH_KINDS


@pghistory.track()
class AgencyService(models.Model):
    """One entry in the directory of what each local professional can offer."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=160)
    description = models.TextField(blank=True)
    who_for = models.CharField(max_length=240, blank=True, help_text="Eligibility: ages, thresholds, areas.")
    how_to_access = models.TextField(blank=True, help_text="Referral route, consent needed, typical wait.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="agencyservice_unique_name")]

    def __str__(self) -> str:
        return f"{self.agency}: {self.name}"


@pghistory.track(exclude=["password", "last_login"])
class User(AbstractUser):
    class Role(models.TextChoices):
        SENIOR_LEADER = "senior_leader", "Senior leader"
        DSL = "dsl", "Designated safeguarding lead"
        STAFF = "staff", "PRU staff"
        SPECIALIST = "specialist", "Specialist"
        FAMILY_WORKER = "family_worker", "Family worker"
        ADMIN = "admin", "Administrator"

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.STAFF)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="staff")
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="staff", help_text="Base learning centre."
    )
    job_title = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def sees_all_pupils(self) -> bool:
        return self.role in (self.Role.DSL, self.Role.SENIOR_LEADER)

    @property
    def is_leader(self) -> bool:
        """Runs the admin site and the oversight pages."""
        return self.role in (self.Role.SENIOR_LEADER, self.Role.ADMIN)
