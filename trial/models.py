"""Study configuration (study, sites, dose levels), users and their roles per site.

Every concrete model of the project inherits its audit history from `AuditedModel`.
"""

from decimal import Decimal
from hashlib import sha1

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history import register
from simple_history.models import HistoricalRecords


class HistoryAudit(models.Model):
    """Base of every history row: the subject it concerns (for the audit trail by subject) and a
    hash chained to the previous row of the same table (tamper evidence, `manage.py verify_audit`).
    """

    audit_subject_id = models.BigIntegerField(null=True, db_index=True, editable=False)
    # "<key id>$<HMAC-SHA256>" with AUDIT_HMAC_KEYS; a bare SHA-256 for rows written without a key
    row_hash = models.CharField(max_length=80, editable=False, default="")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._state.adding and not self.row_hash:
            from .audit import chain_new_row  # the audit helpers import the models

            chain_new_row(self)
        super().save(*args, **kwargs)


class AuditHistoricalRecords(HistoricalRecords):
    """simple-history's history tables, with the indexes the audit trail's filters read: a page
    of one subject's, one user's or one table's changes, newest first, is an index range scan
    of the rows shown, at a thousand or a million rows (`benchmarks/audit_listing.py`)."""

    def get_meta_options(self, model):
        meta = super().get_meta_options(model)
        table = f"{self.app or model._meta.app_label}_historical{model._meta.model_name}"
        stem = "h" + sha1(table.encode()).hexdigest()[:10]  # names stay unique and short
        meta["indexes"] = (
            *meta.get("indexes", ()),
            models.Index(
                fields=["audit_subject_id", "-history_date", "-history_id"], name=f"{stem}_subj"
            ),
            models.Index(
                fields=["history_user", "-history_date", "-history_id"], name=f"{stem}_user"
            ),
            models.Index(fields=["-history_date", "-history_id"], name=f"{stem}_time"),
        )
        return meta


class AuditedModel(models.Model):
    """Base of every clinical and configuration table: history rows with who and why.

    `version` counts saved versions; services raise it on every change.
    """

    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = AuditHistoricalRecords(inherit=True, bases=[HistoryAudit])
    # how a record reaches its subject, for the audit trail ("subject" is found by itself)
    audit_subject_path: str | None = None

    class Meta:
        abstract = True


class VoidableModel(AuditedModel):
    """A record that is never deleted: entered in error -> voided with a reason."""

    is_voided = models.BooleanField("voided", default=False, editable=False)
    voided_at = models.DateTimeField(null=True, blank=True, editable=False)
    void_reason = models.TextField(blank=True, editable=False)

    class Meta:
        abstract = True


class User(AbstractUser):
    """A person who logs in. What they may do, and where, comes from their `SiteRole`s."""

    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("The language of your pages. Empty: your browser's language."),
    )

    history = AuditHistoricalRecords(
        excluded_fields=["password", "last_login"], bases=[HistoryAudit]
    )


# Two-factor devices (django-otp's tables) keep their history here: set-up, every code checked
# (the device records the last time step and failed attempts) and a data manager's reset, with
# who and why. The TOTP secret stays out of the history; recovery codes (StaticToken) have none.
register(
    TOTPDevice,
    app="trial",
    records_class=AuditHistoricalRecords,
    bases=[HistoryAudit],
    excluded_fields=["key"],
)
register(StaticDevice, app="trial", records_class=AuditHistoricalRecords, bases=[HistoryAudit])


class ApiToken(AuditedModel):
    """An API token: made and hashed by django-rest-knox's crypto (64 random hex characters,
    SHA-512), shown once when created, stored as its digest, ending at `expiry` or when revoked.
    Revoked and ended tokens are kept, with who and why. (knox's own token table is not used:
    its migrations create it even when swapped out, and it blocks PostgreSQL's TRUNCATE.)"""

    digest = models.CharField(max_length=128, unique=True)
    token_key = models.CharField(max_length=25, db_index=True)  # the token's first characters
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens"
    )
    created = models.DateTimeField(auto_now_add=True)
    expiry = models.DateTimeField()  # every token ends
    name = models.CharField(max_length=100, help_text="What it is for, e.g. weekly SAS export.")
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    revoke_reason = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = "API token"
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.token_key}… {self.name} ({self.user})"


class Study(AuditedModel):
    class Phase(models.TextChoices):
        PHASE_1 = "1", "Phase 1"
        PHASE_1_2 = "1/2", "Phase 1/2"
        PHASE_2 = "2", "Phase 2"

    class Design(models.TextChoices):
        THREE_PLUS_THREE = "three_plus_three", "3+3"
        BOIN = "boin", "BOIN (Bayesian optimal interval)"

    registry_id = models.CharField(
        "registry id",
        max_length=11,
        unique=True,
        validators=[
            RegexValidator(r"^NCT\d{8}$", "Enter a ClinicalTrials.gov id like NCT05734898.")
        ],
    )
    title = models.CharField(max_length=300)
    short_title = models.CharField(max_length=80, blank=True)
    sponsor = models.CharField(max_length=200, blank=True)
    phase = models.CharField(max_length=3, choices=Phase.choices, default=Phase.PHASE_1)
    target_enrollment = models.PositiveIntegerField(
        default=30, validators=[MinValueValidator(1)], help_text="Maximum number of patients."
    )
    min_age_years = models.PositiveSmallIntegerField("minimum age (years)", default=3)
    max_age_years = models.PositiveSmallIntegerField("maximum age (years)", default=75)
    dlt_window_days = models.PositiveSmallIntegerField(
        "DLT window (days)",
        default=28,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="Day 0 is the first CAR-NK infusion; the window runs from day 0 through this day.",
    )
    cohort_size = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    infusion_dose_tolerance_pct = models.DecimalField(
        "infusion dose tolerance (%)",
        max_digits=4,
        decimal_places=1,
        default=Decimal("10.0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("50"))],
        help_text="An actual dose may exceed the planned dose by at most this much; an actual "
        "dose this much below the planned dose is a partial dose.",
    )
    escalation_design = models.CharField(
        max_length=20, choices=Design.choices, default=Design.THREE_PLUS_THREE
    )
    deescalation = models.BooleanField(
        "3+3 with de-escalation",
        default=True,
        help_text="3+3 only: a dose found too toxic sends the next cohort to the dose below "
        "(Korn 1994) instead of stopping (Storer 1989).",
    )
    boin_target = models.DecimalField(
        "BOIN target toxicity rate",
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.300"),
        validators=[MinValueValidator(Decimal("0.050")), MaxValueValidator(Decimal("0.500"))],
    )
    boin_cutoff_eli = models.DecimalField(
        "BOIN elimination cutoff",
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.950"),
        validators=[MinValueValidator(Decimal("0.500")), MaxValueValidator(Decimal("0.999"))],
    )
    boin_n_earlystop = models.PositiveSmallIntegerField(
        "BOIN early-stop count",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Stop when this many patients were treated at the current dose and the "
        "decision is to stay. Empty: no early stop.",
    )

    class Meta:
        verbose_name_plural = "studies"
        constraints = [
            models.CheckConstraint(
                condition=Q(min_age_years__lte=models.F("max_age_years")),
                name="study_age_limits_ordered",
            ),
            models.CheckConstraint(
                condition=Q(boin_target__gt=0) & Q(boin_target__lt=1),
                name="study_boin_target_is_a_rate",
            ),
            models.CheckConstraint(
                condition=Q(boin_cutoff_eli__gt=0) & Q(boin_cutoff_eli__lt=1),
                name="study_boin_cutoff_is_a_probability",
            ),
            models.CheckConstraint(
                condition=Q(dlt_window_days__gte=1), name="study_dlt_window_positive"
            ),
            models.CheckConstraint(
                condition=Q(cohort_size__gte=1), name="study_cohort_size_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.registry_id


class Site(AuditedModel):
    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="sites")
    code = models.CharField(
        max_length=2,
        validators=[RegexValidator(r"^\d{2}$", "Enter a two-digit site code like 01.")],
        help_text="Two digits; the prefix of this site's screening numbers (01-S-007).",
    )
    name = models.CharField(max_length=200)
    city = models.CharField(max_length=100, blank=True)
    country = models.CharField(
        max_length=2,
        blank=True,
        validators=[RegexValidator(r"^[A-Z]{2}$", "Enter an ISO 3166 alpha-2 code like CN.")],
    )
    is_active = models.BooleanField(
        "open for screening", default=True, help_text="A closed site keeps its data."
    )

    class Meta:
        ordering = ["study", "code"]
        constraints = [
            models.UniqueConstraint(fields=["study", "code"], name="site_code_unique_in_study"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class SiteRole(AuditedModel):
    """One role of one user at one site. Revoked roles are kept inactive, never deleted."""

    class Role(models.TextChoices):
        INVESTIGATOR = "investigator", "Investigator"
        COORDINATOR = "coordinator", "Coordinator (research nurse)"
        MONITOR = "monitor", "Monitor"
        DATA_MANAGER = "data_manager", "Data manager"
        SAFETY_REVIEWER = "safety_reviewer", "Safety reviewer"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="site_roles"
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="roles")
    role = models.CharField(max_length=20, choices=Role.choices)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["site", "user", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "site", "role"], name="site_role_unique"),
        ]

    def __str__(self) -> str:
        return _("%(user)s - %(role)s at %(site)s") % {
            "user": self.user,
            "role": self.get_role_display(),
            "site": self.site.code,
        }


class DoseLevel(VoidableModel):
    """A dose of the escalation, numbered 1..K as the escalation rules number them."""

    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="dose_levels")
    number = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1)], help_text="1..K, lowest dose first."
    )
    label = models.CharField(max_length=80)
    cells_per_kg_million = models.DecimalField(
        "dose (x10^6 CAR-NK cells/kg)",
        max_digits=8,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001"))],
    )
    schedule = models.CharField(
        max_length=200, blank=True, help_text="e.g. single infusion on day 0."
    )
    is_placeholder = models.BooleanField(
        "placeholder value",
        default=False,
        help_text="The registry gives no dose levels: a placeholder must be confirmed against "
        "the protocol before the first enrollment.",
    )

    class Meta:
        ordering = ["study", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "number"],
                condition=Q(is_voided=False),
                name="dose_level_number_unique_in_study",
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="dose_level_number_from_one"),
            models.CheckConstraint(
                condition=Q(cells_per_kg_million__gt=0), name="dose_level_dose_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"DL{self.number}: {self.label}"


class JobRun(AuditedModel):
    """One run of a scheduled job (deploy/yacron.yaml): when, whether it succeeded, what it
    did. The dashboard shows the last run of each job to data managers."""

    job = models.CharField(max_length=40, db_index=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    ok = models.BooleanField("succeeded")
    summary = models.TextField(blank=True)

    class Meta:
        verbose_name = "scheduled job run"
        verbose_name_plural = "scheduled job runs"
        ordering = ["-finished_at"]
        indexes = [models.Index(fields=["job", "-finished_at"], name="jobrun_job_latest")]

    def __str__(self) -> str:
        return f"{self.job} {self.finished_at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'FAILED'}"
