"""Cohorts, enrollment, lymphodepletion, CAR-NK infusions, DLT evaluation and the safety review
committee's escalation decisions."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

from screening.models import Subject
from trial.models import AuditedModel, DoseLevel, Study, VoidableModel

from . import rules

CELLS = {"max_digits": 8, "decimal_places": 3, "validators": [MinValueValidator(Decimal("0"))]}


class LymphodepletionRegimen(AuditedModel):
    """Study configuration: the registry names no regimen, so the demo's is a placeholder."""

    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="regimens")
    name = models.CharField(max_length=80)
    agents = models.TextField(help_text="Agents and doses, e.g. fludarabine 30 mg/m2/day.")
    schedule = models.CharField(max_length=120, help_text="e.g. days -5 to -3.")
    is_placeholder = models.BooleanField("placeholder value", default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["study", "name"], name="regimen_name_unique_in_study")
        ]

    def __str__(self) -> str:
        return self.name


class Cohort(AuditedModel):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        FULL = "full", "Full (in DLT observation)"
        AWAITING_REVIEW = "awaiting_review", "Awaiting safety review"
        CLOSED = "closed", "Closed"

    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="cohorts")
    dose_level = models.ForeignKey(DoseLevel, on_delete=models.PROTECT, related_name="cohorts")
    sequence = models.PositiveSmallIntegerField(editable=False)
    size = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="DLT-evaluable patients the cohort needs; replaced patients add a slot.",
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.OPEN, editable=False
    )
    opened_by_decision = models.ForeignKey(
        "EscalationDecision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        ordering = ["study", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "sequence"], name="cohort_sequence_unique_in_study"
            ),
        ]

    def __str__(self) -> str:
        return _("Cohort %(sequence)s (DL%(dose)s)") % {
            "sequence": self.sequence,
            "dose": self.dose_level.number,
        }


class Enrollment(AuditedModel):
    subject = models.OneToOneField(Subject, on_delete=models.PROTECT, related_name="enrollment")
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="enrollments")
    enrollment_date = models.DateField()
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, editable=False, related_name="+"
    )

    class Meta:
        ordering = ["cohort", "enrollment_date", "pk"]

    def __str__(self) -> str:
        return _("%(subject)s in %(cohort)s") % {"subject": self.subject, "cohort": self.cohort}


class Lymphodepletion(VoidableModel):
    audit_subject_path = "enrollment__subject"
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.PROTECT, related_name="lymphodepletions"
    )
    regimen = models.ForeignKey(LymphodepletionRegimen, on_delete=models.PROTECT, related_name="+")
    agents_and_doses = models.TextField(help_text="As given, e.g. fludarabine 30 mg/m2/day x3.")
    start_date = models.DateField()
    end_date = models.DateField()
    completed = models.BooleanField(default=True, help_text="Given in full as planned.")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["enrollment", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="lymphodepletion_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return _("%(subject)s lymphodepletion %(date)s") % {
            "subject": self.enrollment.subject,
            "date": self.start_date,
        }


class Infusion(VoidableModel):
    audit_subject_path = "enrollment__subject"
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="infusions")
    number = models.PositiveSmallIntegerField(
        editable=False, help_text="Counted by the system (1 = first CAR-NK infusion)."
    )
    started_at = models.DateTimeField("infusion start")
    dose_level = models.ForeignKey(DoseLevel, on_delete=models.PROTECT, related_name="+")
    planned_cells_per_kg_million = models.DecimalField("planned dose (x10^6 cells/kg)", **CELLS)
    actual_cells_per_kg_million = models.DecimalField("actual dose (x10^6 cells/kg)", **CELLS)
    partial_dose = models.BooleanField(
        default=False,
        editable=False,
        help_text="Derived: the actual dose is below the planned dose by more than the tolerance.",
    )
    infusion_reaction = models.BooleanField(default=False)
    premedication = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["enrollment", "number"]

    def __str__(self) -> str:
        return _("%(subject)s infusion %(number)s") % {
            "subject": self.enrollment.subject,
            "number": self.number,
        }


class DltEvaluation(AuditedModel):
    """One per enrolled subject: where they stand in the DLT window (derived) and the DLT, if any."""

    audit_subject_path = "enrollment__subject"

    class Status(models.TextChoices):
        PENDING = rules.PENDING, "Pending"
        EVALUABLE_NO_DLT = rules.EVALUABLE_NO_DLT, "Evaluable, no DLT"
        DLT = rules.DLT, "DLT"
        NOT_EVALUABLE = rules.NOT_EVALUABLE, "Not evaluable"

    class OffStudy(models.TextChoices):
        WITHDRAWN = "withdrawn", "Withdrawn"
        DIED_UNRELATED = "died_unrelated", "Died of causes unrelated to treatment"

    enrollment = models.OneToOneField(
        Enrollment, on_delete=models.PROTECT, related_name="dlt_evaluation"
    )
    # a DLT entered by hand (until the safety app's AE records feed it)
    dlt_description = models.TextField("DLT description", blank=True)
    dlt_onset_date = models.DateField("DLT onset", null=True, blank=True)
    dlt_grade = models.PositiveSmallIntegerField(
        "DLT grade", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    off_study_date = models.DateField(
        null=True,
        blank=True,
        help_text="Withdrawn, or died of unrelated causes, during the window.",
    )
    off_study_reason = models.CharField(max_length=20, choices=OffStudy.choices, blank=True)

    # derived by dosing.rules.dlt_status in the service
    day0 = models.DateField(
        "day 0 (first infusion)",
        null=True,
        editable=False,
        help_text="Derived: the date of the first CAR-NK infusion.",
    )
    window_end = models.DateField(
        "end of DLT window",
        null=True,
        editable=False,
        help_text="Derived: day 0 (the first CAR-NK infusion) + the study's DLT window (28 days).",
    )
    status = models.CharField(
        max_length=20,
        choices=Status.choices,
        default=Status.PENDING,
        editable=False,
        help_text="Computed from the infusions, the adjudicated DLTs and the follow-up: "
        "evaluable once infused with the assigned dose and the window (day 0 to 28) has closed "
        "or a DLT was adjudicated in it; not evaluable after a partial dose, another dose level, "
        "withdrawal or an unrelated death before day 28 without DLT. Never entered.",
    )
    replace = models.BooleanField(
        "must be replaced",
        default=False,
        editable=False,
        help_text="Computed: a patient not evaluable for DLT is replaced in the cohort.",
    )
    status_reason = models.CharField(
        max_length=200, blank=True, editable=False, help_text="Why the rule gave this status."
    )

    investigator_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
    )
    investigator_confirmed_at = models.DateTimeField(null=True, editable=False)
    reviewer_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
    )
    reviewer_confirmed_at = models.DateTimeField(null=True, editable=False)

    class Meta:
        verbose_name = "DLT evaluation"
        verbose_name_plural = "DLT evaluations"
        ordering = ["enrollment"]
        constraints = [
            models.CheckConstraint(
                condition=Q(dlt_onset_date__isnull=True)
                | (Q(dlt_grade__isnull=False) & ~Q(dlt_description="")),
                name="dlt_has_grade_and_description",
            ),
            models.CheckConstraint(
                condition=Q(off_study_date__isnull=True) | ~Q(off_study_reason=""),
                name="dlt_off_study_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return _("%(subject)s DLT evaluation") % {"subject": self.enrollment.subject}

    @property
    def dlt_adjudicated(self) -> bool:
        return self.investigator_confirmed_at is not None and self.reviewer_confirmed_at is not None


class EscalationDecision(AuditedModel):
    """The safety review committee's decision after a cohort, beside the recommendation it saw."""

    class Action(models.TextChoices):
        ESCALATE = rules.ESCALATE, "Escalate"
        STAY = rules.STAY, "Stay at the same dose"
        DEESCALATE = rules.DEESCALATE, "De-escalate"
        STOP = rules.STOP, "Stop escalation"

    cohort = models.OneToOneField(Cohort, on_delete=models.PROTECT, related_name="decision")
    # the recommendation shown to the committee (computed by the service, never typed in)
    recommended_action = models.CharField(
        max_length=20,
        choices=Action.choices,
        editable=False,
        help_text="Computed by the study's escalation design (3+3 or BOIN) from the adjudicated "
        "DLTs when the decision was recorded.",
    )
    recommended_next_dose = models.PositiveSmallIntegerField(null=True, editable=False)
    recommended_mtd = models.PositiveSmallIntegerField(null=True, editable=False)
    recommendation_reason = models.TextField(editable=False)
    data_snapshot = models.JSONField(default=dict, editable=False, help_text="n and y per dose.")
    # the decision
    action = models.CharField(max_length=20, choices=Action.choices)
    next_dose_level = models.ForeignKey(
        DoseLevel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Dose for the next cohort (not when stopping).",
    )
    mtd_dose_level = models.ForeignKey(
        DoseLevel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="When stopping: the MTD (empty = no tolerable dose).",
    )
    agrees = models.BooleanField(
        editable=False, help_text="Computed: the decision follows the recommendation."
    )
    rationale = models.TextField(
        blank=True, help_text="Required when the decision departs from the recommendation."
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, editable=False, related_name="+"
    )
    signed_at = models.DateTimeField(editable=False)

    class Meta:
        ordering = ["cohort"]

    def __str__(self) -> str:
        return _("Decision after %(cohort)s: %(action)s") % {
            "cohort": self.cohort,
            "action": self.get_action_display(),
        }
