"""Subjects, their consents and eligibility assessments (one per screening attempt)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

from trial.models import Site, VoidableModel

from .rules import ANSWERED_CODES, CRITERIA


class Subject(VoidableModel):
    """A screened patient, known by a screening number only (no direct identifiers)."""

    class Sex(models.TextChoices):
        FEMALE = "F", "Female"
        MALE = "M", "Male"

    class Status(models.TextChoices):
        SCREENING = "screening", "Screening"
        SCREEN_FAILED = "screen_failed", "Screen failed"
        ELIGIBLE = "eligible", "Eligible"
        ENROLLED = "enrolled", "Enrolled"
        WITHDRAWN = "withdrawn", "Withdrawn"

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="subjects")
    sequence = models.PositiveIntegerField(editable=False)
    screening_number = models.CharField(
        max_length=20,
        db_index=True,
        editable=False,
        help_text="Assigned by the system: site code and a running number, never reused.",
    )
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices)
    status = models.CharField(
        max_length=20,
        choices=Status.choices,
        default=Status.SCREENING,
        editable=False,
        help_text="Derived from consent, eligibility, enrollment and withdrawal; not entered.",
    )
    is_demo = models.BooleanField("demo data", default=False, editable=False)

    class Meta:
        ordering = ["site", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "sequence"], name="subject_sequence_unique_in_site"
            ),
            # per study site: another study's site may also be coded "01"
            models.UniqueConstraint(
                fields=["site", "screening_number"], name="subject_screening_number_unique_in_site"
            ),
        ]

    def __str__(self) -> str:
        return self.screening_number


class Consent(VoidableModel):
    class Signer(models.TextChoices):
        PATIENT = "patient", "The patient"
        REPRESENTATIVE = "representative", "Legally authorized representative"

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="consents")
    form_version = models.CharField("consent form version", max_length=40)
    form_version_date = models.DateField("consent form version date")
    consent_date = models.DateField("date signed")
    signed_by = models.CharField(max_length=20, choices=Signer.choices)
    representative_relationship = models.CharField(
        max_length=80,
        blank=True,
        help_text="Required when a legally authorized representative signs (e.g. parent).",
    )
    assent_obtained = models.BooleanField(
        "assent of the minor obtained",
        null=True,
        blank=True,
        help_text="Required for minors (aged 3-17 at consent); leave empty for adults.",
    )
    obtained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The person who obtained consent.",
    )
    withdrawn_date = models.DateField(
        "date consent withdrawn", null=True, blank=True, editable=False
    )
    withdrawal_reason = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["subject", "consent_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_date__isnull=True)
                | Q(withdrawn_date__gte=models.F("consent_date")),
                name="consent_withdrawn_after_signed",
            ),
            models.CheckConstraint(
                condition=Q(form_version_date__lte=models.F("consent_date")),
                name="consent_form_version_before_signature",
            ),
        ]

    def __str__(self) -> str:
        version = self.form_version.removeprefix("v").removeprefix("V")
        return _("%(subject)s consent v%(version)s (%(date)s)") % {
            "subject": self.subject,
            "version": version,
            "date": self.consent_date,
        }


def _answer(code: str):
    return models.BooleanField(code, null=True, blank=True, help_text=CRITERIA[code])


LAB = {"max_digits": 10, "decimal_places": 3, "null": True, "blank": True}
NON_NEGATIVE = [MinValueValidator(Decimal("0"))]
POSITIVE = [MinValueValidator(Decimal("0.001"))]


class EligibilityAssessment(VoidableModel):
    """One screening attempt: the inputs of RULES.md's EligibilityFacts and the computed result."""

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="assessments")
    attempt = models.PositiveSmallIntegerField(
        editable=False, help_text="Screening attempt, counted by the system (1 = first)."
    )
    assessment_date = models.DateField(help_text="The day the investigator assesses eligibility.")

    ecog = models.PositiveSmallIntegerField(
        "ECOG performance status",
        null=True,
        blank=True,
        validators=[MaxValueValidator(5)],
        help_text=f"Decides I5. {CRITERIA['I5']}",
    )
    cardiac_function_grade = models.PositiveSmallIntegerField(
        "cardiac function grade (NYHA class)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text="Decides I7 with the labs below: NYHA class 1-2 passes.",
    )
    tbil = models.DecimalField(
        "total bilirubin",
        validators=NON_NEGATIVE,
        help_text="I7: at most 3 x ULN (the same unit as the ULN).",
        **LAB,
    )
    tbil_uln = models.DecimalField("total bilirubin ULN", validators=POSITIVE, **LAB)
    ast = models.DecimalField(
        "AST", validators=NON_NEGATIVE, help_text="I7: at most 2.5 x ULN.", **LAB
    )
    ast_uln = models.DecimalField("AST ULN", validators=POSITIVE, **LAB)
    alt = models.DecimalField(
        "ALT", validators=NON_NEGATIVE, help_text="I7: at most 2.5 x ULN.", **LAB
    )
    alt_uln = models.DecimalField("ALT ULN", validators=POSITIVE, **LAB)
    creatinine = models.DecimalField(
        "creatinine", validators=NON_NEGATIVE, help_text="I7: at most 1.25 x ULN.", **LAB
    )
    creatinine_uln = models.DecimalField("creatinine ULN", validators=POSITIVE, **LAB)
    childbearing_potential = models.BooleanField(
        null=True, blank=True, help_text=f"Decides I12 with the test below. {CRITERIA['I12']}"
    )
    pregnancy_test_date = models.DateField(
        null=True, blank=True, help_text="I12: a negative test within 7 days before assessment."
    )
    pregnancy_test_negative = models.BooleanField(null=True, blank=True)

    nkg2d_ligand_positive_pct = models.DecimalField(
        "NKG2D ligand positive (% of blasts)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="For reference only: never decides eligibility.",
    )
    nkg2d_test_date = models.DateField("NKG2D ligand test date", null=True, blank=True)

    # the investigator's answers for the criteria that are not computed (None = unknown)
    i2 = _answer("I2")
    i3 = _answer("I3")
    i4 = _answer("I4")
    i6 = _answer("I6")
    i8 = _answer("I8")
    i9 = _answer("I9")
    i10 = _answer("I10")
    i11 = _answer("I11")
    i13 = _answer("I13")
    e1 = _answer("E1")
    e2 = _answer("E2")
    e3 = _answer("E3")
    e4 = _answer("E4")
    e5 = _answer("E5")
    e6 = _answer("E6")
    e7 = _answer("E7")
    e8 = _answer("E8")
    e9 = _answer("E9")
    e10 = _answer("E10")
    e11 = _answer("E11")
    e12 = _answer("E12")
    e13 = _answer("E13")
    e14 = _answer("E14")
    e15 = _answer("E15")
    e16 = _answer("E16")
    e17 = _answer("E17")
    e18 = _answer("E18")
    e19 = _answer("E19")

    # computed by screening.rules.assess_eligibility in the service, never typed in
    eligible = models.BooleanField(
        null=True,
        editable=False,
        help_text="Computed from the answers by the protocol's 33 criteria (all 14 inclusion "
        "criteria met, I2 or I3 at least one, no exclusion criterion true); empty while an "
        "answer is missing. Never entered.",
    )
    criteria = models.JSONField(
        default=dict, editable=False, help_text="Each criterion's computed result."
    )
    reasons = models.JSONField(
        default=list, editable=False, help_text="Computed: the criteria not met or not answered."
    )

    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["subject", "attempt"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "attempt"], name="assessment_attempt_unique"
            ),
            models.CheckConstraint(condition=Q(ecog__lte=5), name="assessment_ecog_0_5"),
            models.CheckConstraint(
                condition=Q(cardiac_function_grade__gte=1) & Q(cardiac_function_grade__lte=4),
                name="assessment_nyha_1_4",
            ),
        ]

    def __str__(self) -> str:
        return _("%(subject)s eligibility #%(attempt)s") % {
            "subject": self.subject,
            "attempt": self.attempt,
        }

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def answers(self) -> dict[str, bool | None]:
        """The investigator's answers by criterion code."""
        return {code: getattr(self, code.lower()) for code in ANSWERED_CODES if code != "I14"}


class MedicalHistory(VoidableModel):
    """AML history: what the investigator uses to answer I2 (relapsed) and I3 (refractory)."""

    class Classification(models.TextChoices):
        WHO_2022 = "who_2022", "WHO 2022"
        ICC_2022 = "icc_2022", "ICC 2022"

    class ElnRisk(models.TextChoices):
        FAVORABLE = "favorable", "Favorable"
        INTERMEDIATE = "intermediate", "Intermediate"
        ADVERSE = "adverse", "Adverse"

    class DiseaseStatus(models.TextChoices):
        RELAPSED = "relapsed", "Relapsed"
        REFRACTORY = "refractory", "Refractory"
        BOTH = "relapsed_refractory", "Relapsed and refractory"

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="medical_histories")
    diagnosis_date = models.DateField("AML diagnosis date")
    classification_system = models.CharField(max_length=10, choices=Classification.choices)
    classification = models.CharField(max_length=200, help_text="e.g. AML with NPM1 mutation.")
    eln_risk = models.CharField("ELN 2022 genetic risk", max_length=15, choices=ElnRisk.choices)
    disease_status = models.CharField(max_length=20, choices=DiseaseStatus.choices)
    prior_allo_transplant = models.BooleanField("prior allogeneic transplant", default=False)
    transplant_date = models.DateField(null=True, blank=True)
    baseline_marrow_date = models.DateField("screening marrow date", null=True, blank=True)
    baseline_marrow_blasts_pct = models.DecimalField(
        "screening marrow blasts (%)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    baseline_extramedullary_disease = models.BooleanField(
        "extramedullary disease at screening", null=True, blank=True
    )

    class Meta:
        verbose_name_plural = "medical histories"
        constraints = [
            models.UniqueConstraint(
                fields=["subject"],
                condition=Q(is_voided=False),
                name="one_medical_history_per_subject",
            ),
        ]

    def __str__(self) -> str:
        return _("%(subject)s AML history") % {"subject": self.subject}


class PriorTherapy(VoidableModel):
    audit_subject_path = "medical_history__subject"

    class BestResponse(models.TextChoices):
        CR = "CR", "CR"
        CRI = "CRi", "CRi"
        PR = "PR", "PR"
        SD = "SD", "SD"
        PD = "PD", "PD"
        UNKNOWN = "unknown", "Unknown"

    medical_history = models.ForeignKey(
        MedicalHistory, on_delete=models.PROTECT, related_name="therapies"
    )
    line = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    regimen = models.CharField(max_length=200)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    best_response = models.CharField(max_length=10, choices=BestResponse.choices)

    class Meta:
        ordering = ["medical_history", "line"]
        verbose_name_plural = "prior therapies"
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="prior_therapy_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return _("line %(line)s: %(regimen)s") % {"line": self.line, "regimen": self.regimen}
