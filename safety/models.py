"""Adverse events (with grade episodes and SAE reporting), CRS and ICANS assessments, graded
labs, the study's DLT criteria and the DLT candidates flagged for adjudication."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dosing.models import DltEvaluation
from screening.models import Subject
from trial.models import AuditedModel, Study, VoidableModel

from . import rules

GRADE = [MinValueValidator(1), MaxValueValidator(5)]
NON_NEGATIVE = [MinValueValidator(Decimal("0"))]
POSITIVE = [MinValueValidator(Decimal("0.001"))]


class DltCriteriaConfig(AuditedModel):
    """The DLT clauses of RULES.md section 4 as study configuration (defaults as the protocol)."""

    study = models.OneToOneField(Study, on_delete=models.PROTECT, related_name="dlt_criteria")
    crs_grade_4 = models.BooleanField("grade 4 CRS", default=True)
    crs_grade_3_max_hours = models.PositiveSmallIntegerField(
        "grade 3 CRS: hours to get back to grade <= 2",
        null=True,
        blank=True,
        default=72,
        help_text="Empty: the clause is off.",
    )
    icans_min_grade = models.PositiveSmallIntegerField(
        "ICANS from grade", null=True, blank=True, default=3, validators=GRADE
    )
    gvhd_min_grade = models.PositiveSmallIntegerField(
        "GVHD from grade", null=True, blank=True, default=3, validators=GRADE
    )
    nonheme_min_grade = models.PositiveSmallIntegerField(
        "related non-hematologic AE from grade", null=True, blank=True, default=3, validators=GRADE
    )
    nonheme_min_days = models.PositiveSmallIntegerField("... lasting more than (days)", default=7)
    nonheme_grade_4 = models.BooleanField("related non-hematologic grade 4 AE", default=True)
    treatment_related_death = models.BooleanField(default=True)
    cytopenia_after_day = models.PositiveSmallIntegerField(
        "prolonged cytopenia beyond day", null=True, blank=True, default=42
    )
    anc_below = models.DecimalField(
        "ANC below (10^9/L)", max_digits=5, decimal_places=2, default=Decimal("0.5")
    )
    platelets_below = models.DecimalField(
        "platelets below (10^9/L)", max_digits=6, decimal_places=1, default=Decimal("20")
    )

    class Meta:
        verbose_name = "DLT criteria"
        verbose_name_plural = "DLT criteria"

    def __str__(self) -> str:
        return _("DLT criteria of %(study)s") % {"study": self.study}

    def as_rule(self) -> rules.DltCriteria:
        return rules.DltCriteria(
            crs_grade_4=self.crs_grade_4,
            crs_grade_3_max_hours=self.crs_grade_3_max_hours,
            icans_min_grade=self.icans_min_grade,
            gvhd_min_grade=self.gvhd_min_grade,
            nonheme_min_grade=self.nonheme_min_grade,
            nonheme_min_days=self.nonheme_min_days,
            nonheme_grade_4=self.nonheme_grade_4,
            treatment_related_death=self.treatment_related_death,
            cytopenia_after_day=self.cytopenia_after_day,
            anc_below=self.anc_below,
            platelets_below=self.platelets_below,
        )


class Relation(models.TextChoices):
    UNRELATED = "unrelated", "Unrelated"
    UNLIKELY = "unlikely", "Unlikely"
    POSSIBLE = "possible", "Possible"
    PROBABLE = "probable", "Probable"
    DEFINITE = "definite", "Definite"


class AdverseEvent(VoidableModel):
    class Action(models.TextChoices):
        NONE = "none", "None"
        TREATMENT_GIVEN = "treatment_given", "Treatment given"
        INFUSION_INTERRUPTED = "infusion_interrupted", "Infusion interrupted"
        INFUSION_STOPPED = "infusion_stopped", "Infusion stopped"
        OTHER = "other", "Other"

    class Outcome(models.TextChoices):
        RECOVERED = "recovered", "Recovered/resolved"
        RECOVERING = "recovering", "Recovering/resolving"
        NOT_RECOVERED = "not_recovered", "Not recovered/not resolved"
        SEQUELAE = "sequelae", "Recovered with sequelae"
        FATAL = "fatal", "Fatal"
        UNKNOWN = "unknown", "Unknown"

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="adverse_events")
    term = models.CharField(
        "CTCAE v5.0 term", max_length=80, choices=[(t, t) for t in rules.AE_TERMS]
    )
    other_term = models.CharField("other term, specify", max_length=120, blank=True)
    onset_date = models.DateField()
    resolution_date = models.DateField(null=True, blank=True)
    worst_grade = models.PositiveSmallIntegerField(
        editable=False, validators=GRADE, help_text="Derived from the grade episodes."
    )
    serious = models.BooleanField(default=False)
    sc_death = models.BooleanField("results in death", default=False)
    sc_life_threatening = models.BooleanField("life-threatening", default=False)
    sc_hospitalization = models.BooleanField("requires or prolongs hospitalization", default=False)
    sc_disability = models.BooleanField(
        "persistent or significant disability/incapacity", default=False
    )
    sc_congenital_anomaly = models.BooleanField("congenital anomaly/birth defect", default=False)
    sc_important_medical_event = models.BooleanField("important medical event", default=False)
    aware_at = models.DateTimeField("site aware of the SAE", null=True, blank=True)
    reported_at = models.DateTimeField("initial SAE report sent", null=True, blank=True)
    report_deadline = models.DateTimeField(
        "initial report due",
        null=True,
        editable=False,
        help_text="Derived: 24 hours after the site became aware of the SAE.",
    )
    relation_car_nk = models.CharField(
        "relation to NKG2D CAR-NK cells", max_length=10, choices=Relation.choices, blank=True
    )
    relation_lymphodepletion = models.CharField(
        "relation to lymphodepletion", max_length=10, choices=Relation.choices, blank=True
    )
    action_taken = models.CharField(max_length=25, choices=Action.choices, default=Action.NONE)
    outcome = models.CharField(
        max_length=15, choices=Outcome.choices, default=Outcome.NOT_RECOVERED
    )
    coded_term = models.CharField(
        "MedDRA term (coded)",
        max_length=200,
        blank=True,
        editable=False,
        help_text="Set by a data manager for terms the CTCAE v5.0 table does not code "
        "(Other, specify; ICANS; GVHD).",
    )
    coded_soc = models.CharField(
        "MedDRA system organ class (coded)", max_length=200, blank=True, editable=False
    )

    class Meta:
        ordering = ["subject", "onset_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolution_date__isnull=True)
                | Q(resolution_date__gte=models.F("onset_date")),
                name="ae_resolved_after_onset",
            ),
            models.CheckConstraint(
                condition=Q(worst_grade__gte=1) & Q(worst_grade__lte=5), name="ae_grade_1_5"
            ),
        ]

    def __str__(self) -> str:
        return _("%(subject)s %(term)s (grade %(grade)s)") % {
            "subject": self.subject,
            "term": self.display_term,
            "grade": self.worst_grade,
        }

    @property
    def display_term(self) -> str:
        return self.other_term if self.term == rules.OTHER_TERM else self.term

    display_term.fget.short_description = gettext_lazy("term")

    @property
    def seriousness_criteria(self) -> list[str]:
        return [
            f.name for f in self._meta.fields if f.name.startswith("sc_") and getattr(self, f.name)
        ]


class AeGrade(AuditedModel):
    """A grade episode: from this date the AE has this grade (until the next episode)."""

    audit_subject_path = "adverse_event__subject"

    adverse_event = models.ForeignKey(AdverseEvent, on_delete=models.PROTECT, related_name="grades")
    from_date = models.DateField()
    grade = models.PositiveSmallIntegerField(validators=GRADE)

    class Meta:
        verbose_name = "AE grade episode"
        verbose_name_plural = "AE grade episodes"
        ordering = ["adverse_event", "from_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["adverse_event", "from_date"], name="ae_grade_one_per_day"
            ),
            models.CheckConstraint(
                condition=Q(grade__gte=1) & Q(grade__lte=5), name="ae_grade_episode_1_5"
            ),
        ]

    def __str__(self) -> str:
        return _("grade %(grade)s from %(date)s") % {"grade": self.grade, "date": self.from_date}


class CrsAssessment(VoidableModel):
    class OxygenDevice(models.TextChoices):
        NONE = "none", "None (room air)"
        BLOW_BY = "blow_by", "Blow-by"
        NASAL_CANNULA = "nasal_cannula", "Nasal cannula"
        HIGH_FLOW = "high_flow_nasal_cannula", "High-flow nasal cannula"
        FACEMASK = "facemask", "Facemask"
        NON_REBREATHER = "non_rebreather", "Non-rebreather mask"
        VENTURI = "venturi", "Venturi mask"
        CPAP = "cpap", "CPAP"
        BIPAP = "bipap", "BiPAP"
        VENTILATION = "mechanical_ventilation", "Intubation and mechanical ventilation"

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="crs_assessments")
    assessed_at = models.DateTimeField()
    max_temp_c = models.DecimalField(
        "maximum temperature (C)",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("30")), MaxValueValidator(Decimal("45"))],
    )
    hypotension = models.BooleanField(default=False)
    vasopressors = models.PositiveSmallIntegerField(
        "vasopressors (count, vasopressin not counted)",
        default=0,
        validators=[MaxValueValidator(6)],
    )
    vasopressin = models.BooleanField(default=False)
    oxygen_device = models.CharField(
        max_length=25, choices=OxygenDevice.choices, default=OxygenDevice.NONE
    )
    oxygen_flow_l_min = models.DecimalField(
        "oxygen flow (L/min)",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )
    fever_masked = models.BooleanField(
        "tocilizumab or steroids given",
        default=False,
        help_text="Antipyretic or anti-cytokine therapy masks fever: hypotension and hypoxia grade alone.",
    )
    fatal = models.BooleanField("death due to CRS", default=False)
    grade = models.PositiveSmallIntegerField(
        editable=False,
        help_text="ASTCT 2019 consensus grade (Lee et al.), computed from the findings above: "
        "fever with the worst of hypotension (vasopressors) and hypoxia (oxygen device); never "
        "entered.",
    )
    adverse_event = models.ForeignKey(
        AdverseEvent,
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="crs_assessments",
    )

    class Meta:
        verbose_name = "CRS assessment"
        verbose_name_plural = "CRS assessments"
        ordering = ["subject", "assessed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "assessed_at"],
                condition=Q(is_voided=False),
                name="crs_one_per_subject_and_time",
            ),
        ]

    def __str__(self) -> str:
        return _("%(subject)s CRS %(at)s (grade %(grade)s)") % {
            "subject": self.subject,
            "at": f"{self.assessed_at:%Y-%m-%d %H:%M}",
            "grade": self.grade,
        }

    def grading_inputs(self) -> dict:
        return {
            "max_temp_c": self.max_temp_c,
            "hypotension": self.hypotension,
            "vasopressors": self.vasopressors,
            "vasopressin": self.vasopressin,
            "oxygen_device": self.oxygen_device,
            "oxygen_flow_l_min": self.oxygen_flow_l_min,
            "fever_masked": self.fever_masked,
            "fatal": self.fatal,
        }


class IcansAssessment(VoidableModel):
    class Consciousness(models.TextChoices):
        ALERT = "alert", "Alert"
        SPONTANEOUS = "awakens_spontaneously", "Awakens spontaneously"
        VOICE = "awakens_to_voice", "Awakens to voice"
        TOUCH = "awakens_to_touch", "Awakens only to tactile stimulus"
        UNAROUSABLE = "unarousable", "Unarousable"

    class Seizure(models.TextChoices):
        NONE = "none", "None"
        RAPIDLY_RESOLVING = (
            "rapidly_resolving",
            "Any seizure resolving rapidly (or non-convulsive, resolving)",
        )
        LIFE_THREATENING = (
            "life_threatening",
            "Life-threatening (> 5 min, or repetitive without recovery)",
        )

    class Edema(models.TextChoices):
        NONE = "none", "None"
        FOCAL = "focal", "Focal/local edema"
        DIFFUSE = "diffuse", "Diffuse edema, posturing, CN VI palsy, papilledema or Cushing's triad"

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="icans_assessments")
    assessed_at = models.DateTimeField()
    ice_score = models.PositiveSmallIntegerField(
        "ICE score (age >= 12)", null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    capd_score = models.PositiveSmallIntegerField(
        "CAPD score (age < 12)", null=True, blank=True, validators=[MaxValueValidator(32)]
    )
    unable_to_assess = models.BooleanField("unarousable, cannot perform ICE/CAPD", default=False)
    consciousness = models.CharField(
        max_length=25, choices=Consciousness.choices, default=Consciousness.ALERT
    )
    seizure = models.CharField(max_length=20, choices=Seizure.choices, default=Seizure.NONE)
    motor_weakness = models.BooleanField("deep focal motor weakness", default=False)
    cerebral_edema = models.CharField(max_length=10, choices=Edema.choices, default=Edema.NONE)
    fatal = models.BooleanField("death due to ICANS", default=False)
    grade = models.PositiveSmallIntegerField(
        editable=False,
        help_text="ASTCT 2019 consensus grade (Lee et al.), computed from the findings above: "
        "the worst of the ICE score, level of consciousness, seizure, motor findings and raised "
        "intracranial pressure or cerebral edema; never entered.",
    )
    adverse_event = models.ForeignKey(
        AdverseEvent,
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="icans_assessments",
    )

    class Meta:
        verbose_name = "ICANS assessment"
        verbose_name_plural = "ICANS assessments"
        ordering = ["subject", "assessed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "assessed_at"],
                condition=Q(is_voided=False),
                name="icans_one_per_subject_and_time",
            ),
        ]

    def __str__(self) -> str:
        return _("%(subject)s ICANS %(at)s (grade %(grade)s)") % {
            "subject": self.subject,
            "at": f"{self.assessed_at:%Y-%m-%d %H:%M}",
            "grade": self.grade,
        }

    def grading_inputs(self) -> dict:
        return {
            "ice_score": self.ice_score,
            "capd_score": self.capd_score,
            "unable_to_assess": self.unable_to_assess,
            "consciousness": self.consciousness,
            "seizure": self.seizure,
            "motor_weakness": self.motor_weakness,
            "cerebral_edema": self.cerebral_edema,
            "fatal": self.fatal,
        }


class LabResult(VoidableModel):
    class Test(models.TextChoices):
        ALT = "alt", "ALT"
        AST = "ast", "AST"
        BILIRUBIN = "bilirubin", "Total bilirubin"
        CREATININE = "creatinine", "Creatinine"
        NEUTROPHILS = "neutrophils", "Neutrophils (ANC)"
        PLATELETS = "platelets", "Platelets"
        HEMOGLOBIN = "hemoglobin", "Hemoglobin"

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="labs")
    collected_on = models.DateField()
    test = models.CharField(max_length=15, choices=Test.choices)
    value = models.DecimalField(max_digits=10, decimal_places=3, validators=NON_NEGATIVE)
    unit = models.CharField(
        max_length=10, help_text="The unit the value, ULN, LLN and baseline are in."
    )
    uln = models.DecimalField(
        "ULN", max_digits=10, decimal_places=3, null=True, blank=True, validators=POSITIVE
    )
    lln = models.DecimalField(
        "LLN", max_digits=10, decimal_places=3, null=True, blank=True, validators=POSITIVE
    )
    baseline = models.DecimalField(
        max_digits=10, decimal_places=3, null=True, blank=True, validators=POSITIVE
    )
    value_standard = models.DecimalField(
        "value in the grading unit",
        max_digits=12,
        decimal_places=4,
        editable=False,
        help_text="Derived: the value converted to the unit the grade is defined in.",
    )
    ctcae_grade = models.PositiveSmallIntegerField(
        "CTCAE grade",
        null=True,
        editable=False,
        help_text="CTCAE v5.0 grade computed from the value, the normal range and the baseline; "
        "never entered.",
    )
    grading_note = models.CharField(
        max_length=200, blank=True, editable=False, help_text="How the grade was computed."
    )

    class Meta:
        ordering = ["subject", "collected_on", "test"]

    def __str__(self) -> str:
        return f"{self.subject} {self.get_test_display()} {self.value} {self.unit} ({self.collected_on})"


class DltCandidate(AuditedModel):
    """An event the system flagged as meeting a DLT clause, for the investigator and the safety
    reviewer to adjudicate through the subject's DLT evaluation."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACCEPTED = "accepted", "Accepted as the DLT"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn (no longer meets the clause)"

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="dlt_candidates")
    dlt_evaluation = models.ForeignKey(
        DltEvaluation, on_delete=models.PROTECT, related_name="candidates"
    )
    adverse_event = models.ForeignKey(
        AdverseEvent, on_delete=models.PROTECT, related_name="dlt_candidates"
    )
    clause = models.CharField(
        max_length=30,
        choices=list(rules.CLAUSES.items()),
        help_text="Computed: the protocol's DLT definition the event meets (the study's DLT "
        "criteria, within the 28-day DLT window).",
    )
    detail = models.CharField(max_length=300)
    flagged_at = models.DateTimeField()
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.OPEN,
        editable=False,
        help_text="Computed: open when the system flags the event, withdrawn when a correction "
        "undoes the clause; accepted or rejected by the investigator's adjudication.",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, editable=False)
    decision_reason = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = "DLT candidate"
        verbose_name_plural = "DLT candidates"
        ordering = ["subject", "flagged_at"]

    def __str__(self) -> str:
        return _("%(subject)s DLT candidate: %(clause)s") % {
            "subject": self.subject,
            "clause": self.get_clause_display(),
        }


class ConMed(VoidableModel):
    """A concomitant medication; categories make tocilizumab, steroids, vasopressors,
    anti-infectives and transfusions easy to find."""

    class Category(models.TextChoices):
        TOCILIZUMAB = "tocilizumab", "Tocilizumab (anti-IL-6)"
        CORTICOSTEROID = "corticosteroid", "Corticosteroid"
        VASOPRESSOR = "vasopressor", "Vasopressor"
        ANTI_INFECTIVE = "anti_infective", "Anti-infective"
        TRANSFUSION = "transfusion", "Transfusion"
        ANTIPYRETIC = "antipyretic", "Antipyretic"
        OTHER = "other", "Other"

    class Route(models.TextChoices):
        ORAL = "oral", "Oral"
        IV = "iv", "Intravenous"
        SC = "sc", "Subcutaneous"
        IM = "im", "Intramuscular"
        INHALED = "inhaled", "Inhaled"
        TOPICAL = "topical", "Topical"
        OTHER = "other", "Other"

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="conmeds")
    name = models.CharField(max_length=120)
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.OTHER)
    indication = models.CharField(max_length=200)
    adverse_event = models.ForeignKey(
        AdverseEvent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="conmeds",
        help_text="The AE it treats, if any.",
    )
    dose = models.DecimalField(
        max_digits=10, decimal_places=3, null=True, blank=True, validators=NON_NEGATIVE
    )
    dose_unit = models.CharField(max_length=20, blank=True)
    route = models.CharField(max_length=10, choices=Route.choices)
    frequency = models.CharField(max_length=40, blank=True, help_text="e.g. once, q8h, daily.")
    start_date = models.DateField()
    stop_date = models.DateField(null=True, blank=True)
    ongoing = models.BooleanField(default=False)

    class Meta:
        ordering = ["subject", "start_date"]
        verbose_name = "concomitant medication"
        constraints = [
            models.CheckConstraint(
                condition=Q(stop_date__isnull=True) | Q(stop_date__gte=models.F("start_date")),
                name="conmed_stops_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.name}"
