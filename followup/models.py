"""The visit schedule, visits, ELN 2022 response assessments and disposition."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from screening.models import Subject
from trial.models import AuditedModel, Study, VoidableModel

from . import rules

PCT = {
    "max_digits": 5,
    "decimal_places": 2,
    "null": True,
    "blank": True,
    "validators": [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
}
COUNT = {
    "max_digits": 8,
    "decimal_places": 3,
    "null": True,
    "blank": True,
    "validators": [MinValueValidator(Decimal("0"))],
}

CRF_TYPES = {
    "visit": _("Visit record"),
    "labs": _("Laboratory results"),
    "crs": _("CRS assessment"),
    "icans": _("ICANS assessment"),
    "response": _("Response assessment"),
}

CRF_CHOICES = list(CRF_TYPES.items())
RESPONSE_CHOICES = [(r, r) for r in rules.RESPONSES]


class VisitDefinition(AuditedModel):
    """A visit of the schedule: target day relative to day 0 (the first CAR-NK infusion)."""

    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="visit_definitions")
    code = models.CharField(max_length=20)
    label = models.CharField(max_length=80)
    target_day = models.SmallIntegerField(help_text="Relative to day 0, the first CAR-NK infusion.")
    window_before = models.PositiveSmallIntegerField("window: days before", default=0)
    window_after = models.PositiveSmallIntegerField("window: days after", default=0)
    expected_crfs = models.JSONField(default=list, help_text=f"Any of: {', '.join(CRF_TYPES)}.")
    order = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["study", "order"]
        constraints = [
            models.UniqueConstraint(fields=["study", "code"], name="visit_code_unique_in_study"),
        ]

    def __str__(self) -> str:
        return _("%(label)s (day %(day)s)") % {"label": self.label, "day": self.target_day}


class Visit(VoidableModel):
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="visits")
    definition = models.ForeignKey(VisitDefinition, on_delete=models.PROTECT, related_name="visits")
    planned_date = models.DateField(editable=False, help_text="Derived: day 0 + the target day.")
    actual_date = models.DateField(null=True, blank=True)
    missed = models.BooleanField(default=False)
    missed_reason = models.CharField(max_length=200, blank=True)
    out_of_window = models.BooleanField(
        default=False,
        editable=False,
        help_text="Derived: the visit date falls outside the visit's window.",
    )

    class Meta:
        ordering = ["subject", "planned_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "definition"],
                condition=Q(is_voided=False),
                name="one_visit_per_definition",
            ),
            models.CheckConstraint(
                condition=Q(missed=False) | Q(actual_date__isnull=True),
                name="missed_visit_has_no_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.definition.label}"


class ResponseAssessment(VoidableModel):
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="response_assessments"
    )
    visit = models.ForeignKey(
        Visit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assessment_date = models.DateField()
    marrow_assessment_date = models.DateField(null=True, blank=True)
    marrow_blasts_pct = models.DecimalField("marrow blasts (%)", **PCT)
    baseline_marrow_blasts_pct = models.DecimalField(
        "baseline marrow blasts (%)", **PCT, help_text="Prefilled from the screening marrow."
    )
    circulating_blasts = models.BooleanField("blasts in peripheral blood", null=True, blank=True)
    auer_rods = models.BooleanField(null=True, blank=True)
    extramedullary_disease = models.BooleanField(null=True, blank=True)
    baseline_extramedullary_disease = models.BooleanField(null=True, blank=True)
    anc = models.DecimalField("ANC (10^9/L)", **COUNT)
    platelets = models.DecimalField("platelets (10^9/L)", **COUNT)
    mrd_pct = models.DecimalField("flow MRD (%)", **PCT)
    # derived by followup.rules.aml_response in the service
    in_remission = models.BooleanField(default=False, editable=False)
    response = models.CharField(
        max_length=10,
        choices=RESPONSE_CHOICES,
        editable=False,
        help_text="Computed by the ELN 2022 response criteria from the marrow blasts, blood "
        "counts, Auer rods and extramedullary disease; never entered.",
    )
    mrd_negative = models.BooleanField(null=True, editable=False)
    response_reason = models.CharField(
        max_length=200, editable=False, help_text="Why the rule gave this response."
    )
    # the investigator's own assessment
    investigator_response = models.CharField(max_length=10, choices=RESPONSE_CHOICES)
    disagreement = models.BooleanField(default=False, editable=False)
    disagreement_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["subject", "assessment_date", "pk"]

    def __str__(self) -> str:
        return _("%(subject)s response %(date)s: %(response)s") % {
            "subject": self.subject,
            "date": self.assessment_date,
            "response": self.response,
        }

    def facts(self) -> rules.ResponseFacts:
        return rules.ResponseFacts(
            marrow_blasts_pct=self.marrow_blasts_pct,
            baseline_marrow_blasts_pct=self.baseline_marrow_blasts_pct,
            circulating_blasts=self.circulating_blasts,
            auer_rods=self.auer_rods,
            extramedullary_disease=self.extramedullary_disease,
            baseline_extramedullary_disease=self.baseline_extramedullary_disease,
            anc=self.anc,
            platelets=self.platelets,
            mrd_pct=self.mrd_pct,
            in_remission=self.in_remission,
        )


class Disposition(VoidableModel):
    class EndReason(models.TextChoices):
        COMPLETED = "completed", "Completed"
        WITHDREW_CONSENT = "withdrew_consent", "Withdrew consent"
        LOST = "lost_to_follow_up", "Lost to follow-up"
        DEATH = "death", "Death"
        INVESTIGATOR = "investigator_decision", "Investigator decision"
        SPONSOR = "sponsor_decision", "Sponsor decision"

    class DeathRelation(models.TextChoices):
        UNRELATED = "unrelated", "Unrelated"
        UNLIKELY = "unlikely", "Unlikely"
        POSSIBLE = "possible", "Possible"
        PROBABLE = "probable", "Probable"
        DEFINITE = "definite", "Definite"

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="dispositions")
    end_of_dlt_period_date = models.DateField("end of DLT period", null=True, blank=True)
    end_of_treatment_date = models.DateField("end of treatment", null=True, blank=True)
    end_of_study_date = models.DateField("end of study")
    end_of_study_reason = models.CharField(max_length=25, choices=EndReason.choices)
    reason_detail = models.TextField(blank=True)
    death_date = models.DateField(null=True, blank=True)
    death_cause = models.CharField(max_length=200, blank=True)
    death_related = models.CharField(
        "death related to study treatment", max_length=10, choices=DeathRelation.choices, blank=True
    )
    last_known_alive_date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subject"],
                condition=Q(is_voided=False),
                name="one_end_of_study_per_subject",
            ),
        ]

    def __str__(self) -> str:
        return _("%(subject)s end of study %(date)s (%(reason)s)") % {
            "subject": self.subject,
            "date": self.end_of_study_date,
            "reason": self.get_end_of_study_reason_display(),
        }


class ProtocolDeviation(VoidableModel):
    """A departure from the protocol: entered by the site, or raised by the system when the data
    reveal one (`rule` names the check, e.g. an infusion at another dose than the cohort's)."""

    class Category(models.TextChoices):
        ELIGIBILITY = "eligibility", "Eligibility"
        CONSENT = "consent", "Informed consent"
        DOSING = "dosing", "Dosing"
        VISIT_WINDOW = "visit_window", "Visit window"
        PROCEDURE = "procedure", "Procedure"
        SAFETY_REPORTING = "safety_reporting", "Safety reporting"
        OTHER = "other", "Other"

    class Severity(models.TextChoices):
        MAJOR = "major", "Major"
        MINOR = "minor", "Minor"

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="deviations")
    category = models.CharField(max_length=20, choices=Category.choices)
    deviation_date = models.DateField("date of the deviation")
    description = models.TextField()
    severity = models.CharField(max_length=5, choices=Severity.choices)
    corrective_action = models.TextField("corrective and preventive action", blank=True)
    sponsor_reported_on = models.DateField("reported to the sponsor on", null=True, blank=True)
    ethics_reported_on = models.DateField(
        "reported to the ethics committee on", null=True, blank=True
    )
    rule = models.CharField(
        "raised by rule",
        max_length=40,
        blank=True,
        editable=False,
        help_text="Set when the system found the deviation in the data (e.g. off_cohort_dose).",
    )
    source = models.CharField(
        "found in",
        max_length=80,
        blank=True,
        editable=False,
        help_text="The record that revealed it, e.g. dosing.infusion #12.",
    )

    class Meta:
        ordering = ["subject", "deviation_date", "pk"]

    def __str__(self) -> str:
        return _("%(subject)s %(category)s deviation %(date)s") % {
            "subject": self.subject,
            "category": self.get_category_display(),
            "date": self.deviation_date,
        }
