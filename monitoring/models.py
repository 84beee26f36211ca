"""Data queries, source data verification, locks and electronic signatures. Each points at the
record it concerns (any audited record) through a content type and id."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

from screening.models import Subject
from trial.models import AuditedModel, Site, Study, VoidableModel


class RecordRef(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )

    class Meta:
        abstract = True


class Query(RecordRef, AuditedModel):
    """A data clarification: opened by a monitor or data manager, answered by the site."""

    # the stored values stay (API, exports); the names are OpenClinica's
    class Status(models.TextChoices):
        OPEN = "open", "New"
        ANSWERED = "answered", "Resolution proposed"
        CLOSED = "closed", "Closed"

    field_name = models.CharField(max_length=60, blank=True)
    text = models.TextField()
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN, editable=False
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, editable=False, related_name="+"
    )
    answer = models.TextField(blank=True, editable=False)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
    )
    answered_at = models.DateTimeField(null=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
    )
    closed_at = models.DateTimeField(null=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "queries"
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        model = self.content_type.model_class()
        if model is None:
            return f"Query on {self.content_type.model} #{self.object_id}"
        what = f"{model._meta.verbose_name} #{self.object_id}"
        if self.field_name:
            try:
                what += f", {model._meta.get_field(self.field_name).verbose_name}"
            except FieldDoesNotExist:  # a field since renamed: its stored name
                what += f", {self.field_name}"
        return f"Query on {what}"

    @property
    def status_name(self) -> str:
        """OpenClinica's names: New, Updated (re-opened, or its field corrected while open),
        Resolution proposed (the site answered), Closed."""
        if self.status == self.Status.OPEN and any(
            m.kind in ("reopened", "data_changed") for m in self.messages.all()
        ):
            return "Updated"
        return self.get_status_display()


class QueryMessage(AuditedModel):
    """One step of a query's conversation, in order: raised, answered, re-opened, closed, or
    the queried field corrected (with its old and new value and the reason for change). Written
    by the query services only; never changed."""

    audit_subject_path = "query__subject"

    class Kind(models.TextChoices):
        RAISED = "raised", "Raised"
        ANSWERED = "answered", "Answered"
        REOPENED = "reopened", "Re-opened"
        CLOSED = "closed", "Closed"
        DATA_CHANGED = "data_changed", "Data corrected"

    query = models.ForeignKey(Query, on_delete=models.PROTECT, related_name="messages")
    kind = models.CharField(max_length=15, choices=Kind.choices, editable=False)
    text = models.TextField(editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, editable=False, related_name="+"
    )
    at = models.DateTimeField("time", editable=False)

    class Meta:
        ordering = ["query", "at", "pk"]
        verbose_name = "query message"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.author} at {self.at:%Y-%m-%d %H:%M}"


class SdvPlan(AuditedModel):
    """How much of a CRF type the monitor verifies against source."""

    class Level(models.TextChoices):
        NONE = "none", "None"
        KEY = "key", "Key fields"
        FULL = "full", "100%"

    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="sdv_plans")
    crf = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name="CRF type"
    )
    level = models.CharField(max_length=5, choices=Level.choices, default=Level.FULL)
    key_fields = models.JSONField(
        default=list, blank=True, help_text="For key-field SDV: the field names."
    )

    class Meta:
        verbose_name = "SDV plan"
        constraints = [
            models.UniqueConstraint(fields=["study", "crf"], name="one_sdv_plan_per_crf")
        ]

    def __str__(self) -> str:
        return f"SDV {self.get_level_display()} for {self.crf.model}"


class SdvMark(RecordRef, AuditedModel):
    """A monitor verified this record (as of its version) against source; a later change to the
    record clears the mark."""

    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, editable=False, related_name="+"
    )
    verified_at = models.DateTimeField(editable=False)
    verified_version = models.PositiveIntegerField(editable=False)
    fields = models.JSONField(default=list, blank=True, help_text="Empty: the whole CRF.")
    is_current = models.BooleanField(default=True, editable=False)
    cleared_at = models.DateTimeField(null=True, editable=False)

    class Meta:
        verbose_name = "SDV mark"
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"SDV of {self.content_type.model} #{self.object_id} v{self.verified_version}"


class Lock(AuditedModel):
    class Scope(models.TextChoices):
        RECORD = "record", "One CRF"
        SUBJECT = "subject", "A subject's casebook"
        STUDY = "study", "The whole study (database lock)"

    scope = models.CharField(max_length=10, choices=Scope.choices)
    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="locks")
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    reason = models.TextField()
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, editable=False, related_name="+"
    )
    is_active = models.BooleanField(default=True, editable=False)
    unlocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
    )
    unlocked_at = models.DateTimeField(null=True, editable=False)
    unlock_reason = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(scope="study") & Q(subject__isnull=True) & Q(object_id__isnull=True))
                | (Q(scope="subject") & Q(subject__isnull=False) & Q(object_id__isnull=True))
                | (Q(scope="record") & Q(content_type__isnull=False) & Q(object_id__isnull=False)),
                name="lock_scope_matches_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} lock ({'active' if self.is_active else 'released'})"


class Signature(RecordRef, AuditedModel):
    """An electronic signature (21 CFR 11.50): who, when and what it means; invalidated, visibly,
    when the signed data change."""

    class Meaning(models.TextChoices):
        REVIEWED_APPROVED = "reviewed_approved", "Reviewed and approved"
        DECISION = "decision", "Committee decision confirmed"

    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, editable=False, related_name="+"
    )
    meaning = models.CharField(max_length=20, choices=Meaning.choices)
    signed_at = models.DateTimeField(editable=False)
    is_valid = models.BooleanField(default=True, editable=False)
    invalidated_at = models.DateTimeField(null=True, editable=False)
    invalidation_reason = models.CharField(max_length=200, blank=True, editable=False)

    class Meta:
        ordering = ["-signed_at"]

    def __str__(self) -> str:
        return _("%(signer)s signed %(model)s #%(id)s (%(meaning)s)") % {
            "signer": self.signer,
            "model": self.content_type.model,
            "id": self.object_id,
            "meaning": self.get_meaning_display(),
        }


class MonitoringVisit(VoidableModel):
    """A monitoring visit to a site: when, on site or remote, what was reviewed, what was
    found and what the site must do next. Recorded by the monitor; voided, never deleted."""

    class Kind(models.TextChoices):
        ON_SITE = "on_site", "On site"
        REMOTE = "remote", "Remote"

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="monitoring_visits")
    visit_date = models.DateField("date of the visit")
    kind = models.CharField("type", max_length=10, choices=Kind.choices)
    reviewed = models.TextField(
        "what was reviewed", help_text="e.g. consents of 01-S-005 to 01-S-011, SAE reports."
    )
    findings = models.TextField(blank=True)
    follow_up_actions = models.TextField("follow-up actions for the site", blank=True)
    follow_up_due = models.DateField("follow-up due by", null=True, blank=True)
    monitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, editable=False, related_name="+"
    )

    class Meta:
        ordering = ["site", "-visit_date", "-pk"]
        verbose_name = "monitoring visit"

    def __str__(self) -> str:
        return _("%(kind)s monitoring visit, site %(site)s, %(date)s") % {
            "kind": self.get_kind_display(),
            "site": self.site.code,
            "date": self.visit_date,
        }
