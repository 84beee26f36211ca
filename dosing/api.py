"""Dosing endpoints: cohorts, enrollments, lymphodepletion, infusions, DLT evaluations,
escalation decisions, the live escalation state and design simulations."""

from django.conf import settings
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from screening.models import Subject
from screening.selectors import subject_list
from trial.api_base import (
    AuditedModelSerializer,
    AuditedModelViewSet,
    AuditedViewSetMixin,
    ConditionalUpdateMixin,
    ScopedPrimaryKeyField,
    StudyAPIView,
    SvgRenderer,
    VoidActionMixin,
    study_from_query,
)
from trial.api_filters import IntegerFilter, StudyFilterSet
from trial.models import DoseLevel, SiteRole, Study
from trial.selectors import dose_level_list, study_list

from . import rules, selectors, services
from .models import (
    Cohort,
    DltEvaluation,
    Enrollment,
    EscalationDecision,
    Infusion,
    Lymphodepletion,
    LymphodepletionRegimen,
)
from .plot import escalation_svg

AUDIT = ["created_at", "version"]
VOID = ["is_voided", "voided_at", "void_reason"]


def _regimens(*, user):
    return LymphodepletionRegimen.objects.filter(study__in=study_list(user=user))


class RegimenSerializer(AuditedModelSerializer):
    class Meta:
        model = LymphodepletionRegimen
        fields = [
            "id",
            "study",
            "name",
            "agents",
            "schedule",
            "is_placeholder",
            "change_reason",
            *AUDIT,
        ]
        read_only_fields = AUDIT


class CohortSerializer(AuditedModelSerializer):
    dose = serializers.IntegerField(source="dose_level.number", read_only=True)
    n_enrolled = serializers.IntegerField(read_only=True)
    n_evaluable = serializers.IntegerField(read_only=True)
    n_dlt = serializers.IntegerField(read_only=True)
    n_replaced = serializers.IntegerField(read_only=True)

    class Meta:
        model = Cohort
        fields = [
            "id",
            "study",
            "dose_level",
            "dose",
            "sequence",
            "size",
            "status",
            "opened_by_decision",
            "n_enrolled",
            "n_evaluable",
            "n_dlt",
            "n_replaced",
            "change_reason",
            *AUDIT,
        ]
        read_only_fields = ["sequence", "status", "opened_by_decision", *AUDIT]


class EnrollmentSerializer(AuditedModelSerializer):
    subject = ScopedPrimaryKeyField(selector=subject_list, model=Subject)
    cohort = ScopedPrimaryKeyField(selector=selectors.cohort_list, model=Cohort)
    screening_number = serializers.CharField(source="subject.screening_number", read_only=True)
    dose = serializers.IntegerField(source="cohort.dose_level.number", read_only=True)
    enrollment_date = serializers.DateField(required=False, help_text="Default: today.")
    enrolled_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    dlt_evaluation = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text="The DLT evaluation opened with the enrollment."
    )

    class Meta:
        model = Enrollment
        fields = [
            "id",
            "subject",
            "screening_number",
            "cohort",
            "dose",
            "enrollment_date",
            "enrolled_by",
            "dlt_evaluation",
            "change_reason",
            *AUDIT,
        ]
        read_only_fields = AUDIT


class LymphodepletionSerializer(AuditedModelSerializer):
    enrollment = ScopedPrimaryKeyField(selector=selectors.enrollment_list, model=Enrollment)
    regimen = ScopedPrimaryKeyField(selector=_regimens, model=LymphodepletionRegimen)
    agents_and_doses = serializers.CharField(
        required=False, allow_blank=True, help_text="Default: the regimen's agents."
    )

    class Meta:
        model = Lymphodepletion
        fields = [
            "id",
            "enrollment",
            "regimen",
            "agents_and_doses",
            "start_date",
            "end_date",
            "completed",
            "notes",
            "change_reason",
            *AUDIT,
            *VOID,
        ]
        read_only_fields = [*AUDIT, *VOID]


class InfusionSerializer(AuditedModelSerializer):
    enrollment = ScopedPrimaryKeyField(selector=selectors.enrollment_list, model=Enrollment)
    dose_level = ScopedPrimaryKeyField(
        selector=dose_level_list,
        model=DoseLevel,
        required=False,
        help_text="Default: the dose of the subject's cohort.",
    )
    planned_cells_per_kg_million = serializers.DecimalField(
        max_digits=8,
        decimal_places=3,
        min_value=0,
        required=False,
        help_text="Default: the dose level's dose.",
    )
    deviation_description = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        help_text="Required when the dose level differs from the cohort's: the protocol "
        "deviation is logged with this description.",
    )

    class Meta:
        model = Infusion
        fields = [
            "id",
            "enrollment",
            "number",
            "started_at",
            "dose_level",
            "planned_cells_per_kg_million",
            "actual_cells_per_kg_million",
            "partial_dose",
            "infusion_reaction",
            "premedication",
            "deviation_description",
            "change_reason",
            *AUDIT,
            *VOID,
        ]
        read_only_fields = ["number", "partial_dose", *AUDIT, *VOID]


class CandidateSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    clause = serializers.CharField()
    detail = serializers.CharField()
    status = serializers.CharField()


class DltEvaluationSerializer(AuditedModelSerializer):
    screening_number = serializers.CharField(
        source="enrollment.subject.screening_number", read_only=True
    )
    cohort = serializers.IntegerField(source="enrollment.cohort_id", read_only=True)
    dose = serializers.IntegerField(source="enrollment.cohort.dose_level.number", read_only=True)
    investigator_confirmed_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    reviewer_confirmed_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    candidates = serializers.SerializerMethodField(
        help_text="DLT candidates flagged for this subject"
    )

    class Meta:
        model = DltEvaluation
        fields = [
            "id",
            "enrollment",
            "screening_number",
            "cohort",
            "dose",
            "dlt_description",
            "dlt_onset_date",
            "dlt_grade",
            "off_study_date",
            "off_study_reason",
            "day0",
            "window_end",
            "status",
            "replace",
            "status_reason",
            "investigator_confirmed_by",
            "investigator_confirmed_at",
            "reviewer_confirmed_by",
            "reviewer_confirmed_at",
            "candidates",
            "change_reason",
            *AUDIT,
        ]
        read_only_fields = [
            "enrollment",
            "day0",
            "window_end",
            "status",
            "replace",
            "status_reason",
            "investigator_confirmed_at",
            "reviewer_confirmed_at",
            *AUDIT,
        ]

    @extend_schema_field(CandidateSummarySerializer(many=True))
    def get_candidates(self, evaluation):
        """The subject's DLT candidates (flagged by the safety app), for adjudication."""
        return [
            {"id": c.pk, "clause": c.clause, "detail": c.detail, "status": c.status}
            for c in evaluation.candidates.all()
        ]


class ConfirmDltSerializer(serializers.Serializer):
    as_role = serializers.ChoiceField(
        choices=[SiteRole.Role.INVESTIGATOR, SiteRole.Role.SAFETY_REVIEWER]
    )


class EscalationDecisionSerializer(AuditedModelSerializer):
    cohort = ScopedPrimaryKeyField(selector=selectors.cohort_list, model=Cohort)
    next_dose_level = ScopedPrimaryKeyField(
        selector=dose_level_list, model=DoseLevel, required=False, allow_null=True
    )
    mtd_dose_level = ScopedPrimaryKeyField(
        selector=dose_level_list, model=DoseLevel, required=False, allow_null=True
    )
    signed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = EscalationDecision
        fields = [
            "id",
            "cohort",
            "recommended_action",
            "recommended_next_dose",
            "recommended_mtd",
            "recommendation_reason",
            "data_snapshot",
            "action",
            "next_dose_level",
            "mtd_dose_level",
            "agrees",
            "rationale",
            "signed_by",
            "signed_at",
            *AUDIT,
        ]
        read_only_fields = [
            "recommended_action",
            "recommended_next_dose",
            "recommended_mtd",
            "recommendation_reason",
            "data_snapshot",
            "agrees",
            "signed_at",
            *AUDIT,
        ]


class RegimenViewSet(AuditedModelViewSet):
    serializer_class = RegimenSerializer
    queryset = LymphodepletionRegimen.objects.none()
    filterset_fields = ["study"]
    create_service = update_service = services.regimen_save

    def get_queryset(self):
        return _regimens(user=self.request.user).select_related("study")


class CohortViewSet(AuditedModelViewSet):
    """POST opens the study's first cohort; later cohorts open with the committee's decisions."""

    serializer_class = CohortSerializer
    queryset = Cohort.objects.none()
    filterset_fields = ["study", "status", "dose_level"]
    ordering_fields = ["sequence"]
    create_service = update_service = services.cohort_open_first

    def get_queryset(self):
        return selectors.cohort_list(user=self.request.user).order_by("study", "sequence")


class EnrollmentViewSet(AuditedModelViewSet):
    """POST `{"subject": id, "cohort": id}` enrolls: 201, or 409 when the cohort is full or
    closed, the subject already enrolled or the study at its maximum."""

    serializer_class = EnrollmentSerializer
    queryset = Enrollment.objects.none()
    filterset_fields = ["cohort", "subject"]
    ordering_fields = ["enrollment_date", "created_at"]
    create_service = update_service = services.enrollment_create

    def get_queryset(self):
        return selectors.enrollment_list(user=self.request.user)


class LymphodepletionViewSet(VoidActionMixin, AuditedModelViewSet):
    serializer_class = LymphodepletionSerializer
    queryset = Lymphodepletion.objects.none()
    filterset_fields = ["enrollment", "is_voided"]
    create_service = update_service = services.lymphodepletion_save
    void_service = services.lymphodepletion_void

    def get_queryset(self):
        return selectors.lymphodepletion_list(user=self.request.user)


class InfusionViewSet(VoidActionMixin, AuditedModelViewSet):
    serializer_class = InfusionSerializer
    queryset = Infusion.objects.none()
    filterset_fields = ["enrollment", "partial_dose", "is_voided"]
    ordering_fields = ["started_at"]
    create_service = update_service = services.infusion_save
    void_service = services.infusion_void

    def get_queryset(self):
        return selectors.infusion_list(user=self.request.user)


class DltEvaluationFilter(StudyFilterSet):
    subject = IntegerFilter(field_name="enrollment__subject", help_text="Subject id")
    enrollment = IntegerFilter(field_name="enrollment", help_text="Enrollment id")
    enrollment__cohort = IntegerFilter(field_name="enrollment__cohort", help_text="Cohort id")

    class Meta:
        model = DltEvaluation
        fields = ["status", "replace"]


class DltEvaluationViewSet(
    AuditedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ConditionalUpdateMixin,
    viewsets.GenericViewSet,
):
    """Opened at enrollment; site staff record a DLT or an early end of study, an investigator
    and a safety reviewer confirm the DLT. Status, window and replacement are derived."""

    serializer_class = DltEvaluationSerializer
    queryset = DltEvaluation.objects.none()
    filterset_class = DltEvaluationFilter
    update_service = services.dlt_evaluation_save

    def get_queryset(self):
        return selectors.dlt_evaluation_list(user=self.request.user)

    @extend_schema(
        summary="Confirm the recorded DLT (investigator or safety reviewer)",
        request=ConfirmDltSerializer,
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        body = ConfirmDltSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        evaluation = services.dlt_confirm(
            user=request.user, evaluation=self.get_object(), **body.validated_data
        )
        return Response(self.get_serializer(self.reload(evaluation)).data)


class EscalationDecisionViewSet(
    AuditedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """A safety reviewer signs the committee's decision on a cohort awaiting review."""

    serializer_class = EscalationDecisionSerializer
    queryset = EscalationDecision.objects.none()
    filterset_fields = ["cohort", "action", "agrees"]
    create_service = services.escalation_decision_record

    def get_queryset(self):
        return selectors.decision_list(user=self.request.user)


# --- escalation state and simulation --------------------------------------------------------


class RecommendationSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=[rules.ESCALATE, rules.STAY, rules.DEESCALATE, rules.STOP]
    )
    next_dose = serializers.IntegerField(allow_null=True)
    mtd = serializers.IntegerField(allow_null=True)
    eliminated_from = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField()


class DoseStateSerializer(serializers.Serializer):
    dose = serializers.IntegerField()
    label = serializers.CharField()
    cells_per_kg_million = serializers.DecimalField(max_digits=8, decimal_places=3)
    treated = serializers.IntegerField()
    pending = serializers.IntegerField()
    n = serializers.IntegerField(help_text="DLT-evaluable patients")
    y = serializers.IntegerField(help_text="patients with an adjudicated DLT")


class BoundariesSerializer(serializers.Serializer):
    lambda_e = serializers.FloatField()
    lambda_d = serializers.FloatField()


class EscalationStateSerializer(serializers.Serializer):
    study = serializers.CharField()
    design = serializers.CharField()
    deescalation = serializers.BooleanField()
    as_of = serializers.DateField()
    current_dose = serializers.IntegerField(allow_null=True)
    current_cohort = serializers.IntegerField(
        source="current_cohort.sequence", allow_null=True, default=None
    )
    ready_for_decision = serializers.BooleanField()
    waiting_for = serializers.IntegerField(help_text="patients of the current cohort still pending")
    open_slots = serializers.IntegerField(help_text="slots of the current cohort not yet filled")
    note = serializers.CharField(allow_blank=True)
    recommendation = RecommendationSerializer(allow_null=True)
    doses = DoseStateSerializer(many=True)
    boin_boundaries = BoundariesSerializer(allow_null=True)
    decisions = EscalationDecisionSerializer(many=True)
    escalation_complete = serializers.BooleanField()
    mtd = serializers.IntegerField(allow_null=True)


class EscalationView(StudyAPIView):
    """The study's live dose-escalation state (`?study=NCT...` when there are several)."""

    query_parameters = ("study",)

    queryset = Cohort.objects.none()  # reading it needs "view cohort"

    @extend_schema(
        parameters=[OpenApiParameter("study", str, description="Registry id, e.g. NCT05734898")],
        responses=EscalationStateSerializer,
    )
    def get(self, request):
        state = selectors.escalation_state(study=study_from_query(request))
        return Response(EscalationStateSerializer(state, context={"request": request}).data)


LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


class EscalationPlotView(StudyAPIView):
    """The escalation plot as SVG: dose level by patient in order of enrollment, DLTs marked,
    the decision after each cohort annotated, the MTD once declared. Its words are in `lang`
    when given (the pages pass the language of the user, who may have chosen one other than the
    browser's), else in the request's Accept-Language like the rest of the API."""

    query_parameters = ("study", "lang")

    queryset = Cohort.objects.none()  # reading it needs "view cohort"
    renderer_classes = [JSONRenderer, SvgRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter("study", str, description="Registry id, e.g. NCT05734898"),
            OpenApiParameter(
                "lang", str, enum=LANGUAGE_CODES, description="Language of the plot's words"
            ),
        ],
        responses={(200, "image/svg+xml"): OpenApiTypes.STR},
    )
    def get(self, request):
        study = study_from_query(request)
        language = request.query_params.get("lang")
        if language is not None and language not in LANGUAGE_CODES:
            raise serializers.ValidationError(
                {"lang": [_("Use one of: %(codes)s.") % {"codes": ", ".join(LANGUAGE_CODES)}]}
            )
        state = selectors.escalation_state(study=study)
        with translation.override(language or translation.get_language()):
            svg = escalation_svg(
                study=study.registry_id,
                doses=state["doses"],
                patients=selectors.escalation_patients(study=study),
                decisions=state["decisions"],
                mtd=state["mtd"],
            )
        return HttpResponse(svg, content_type="image/svg+xml")


class SimulationQuerySerializer(serializers.Serializer):
    true_tox = serializers.CharField(
        help_text="True DLT probabilities per dose, comma-separated: 0.05,0.1,0.2"
    )
    design = serializers.ChoiceField(
        choices=Study.Design.choices, default=Study.Design.THREE_PLUS_THREE
    )
    deescalation = serializers.BooleanField(default=True)
    target = serializers.FloatField(min_value=0.05, max_value=0.5, default=0.3)
    cutoff_eli = serializers.FloatField(min_value=0.5, max_value=0.999, default=0.95)
    n_earlystop = serializers.IntegerField(min_value=1, max_value=100, required=False)
    n_cohorts = serializers.IntegerField(min_value=1, max_value=40, default=10)
    cohort_size = serializers.IntegerField(min_value=1, max_value=12, default=3)
    trials = serializers.IntegerField(min_value=1, max_value=20000, default=1000)
    seed = serializers.IntegerField(min_value=0, max_value=2**31 - 1, default=1)

    def validate_true_tox(self, value):
        try:
            probabilities = [float(p) for p in value.split(",")]
        except ValueError:
            raise serializers.ValidationError(
                "Give probabilities as numbers separated by commas."
            ) from None
        if not 1 <= len(probabilities) <= 10 or any(not 0 <= p <= 1 for p in probabilities):
            raise serializers.ValidationError(_("Give 1 to 10 probabilities between 0 and 1."))
        return probabilities


class SimulationSerializer(serializers.Serializer):
    design = serializers.CharField()
    method = serializers.ChoiceField(choices=["exact", "simulation"])
    true_tox = serializers.ListField(child=serializers.FloatField())
    p_mtd = serializers.ListField(
        child=serializers.FloatField(), help_text="P(MTD = dose k), k = 0 (none)..K"
    )
    expected_n = serializers.FloatField()
    expected_dlt = serializers.FloatField()
    trials = serializers.IntegerField(allow_null=True)
    seed = serializers.IntegerField(allow_null=True)


class SimulationView(StudyAPIView):
    """Operating characteristics: exact for 3+3 (every path enumerated), a seeded simulation
    for BOIN."""

    query_parameters = (
        "true_tox",
        "design",
        "deescalation",
        "target",
        "cutoff_eli",
        "n_earlystop",
        "n_cohorts",
        "cohort_size",
        "trials",
        "seed",
    )

    queryset = Cohort.objects.none()

    @extend_schema(parameters=[SimulationQuerySerializer], responses=SimulationSerializer)
    def get(self, request):
        query = SimulationQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        if q["design"] == Study.Design.THREE_PLUS_THREE:
            oc = rules.three_plus_three_oc(q["true_tox"], deescalation=q["deescalation"])
            body = {
                "method": "exact",
                "p_mtd": list(oc.p_mtd),
                "expected_n": oc.expected_n,
                "expected_dlt": oc.expected_dlt,
                "trials": None,
                "seed": None,
            }
        else:
            sim = rules.boin_simulate(
                q["true_tox"],
                target=q["target"],
                n_cohorts=q["n_cohorts"],
                cohort_size=q["cohort_size"],
                trials=q["trials"],
                seed=q["seed"],
                cutoff_eli=q["cutoff_eli"],
                n_earlystop=q.get("n_earlystop"),
            )
            body = {
                "method": "simulation",
                "p_mtd": list(sim.p_mtd),
                "expected_n": sim.expected_n,
                "expected_dlt": sim.expected_dlt,
                "trials": sim.trials,
                "seed": sim.seed,
            }
        return Response(
            SimulationSerializer({"design": q["design"], "true_tox": q["true_tox"], **body}).data
        )


def register(router) -> None:
    router.register("lymphodepletion-regimens", RegimenViewSet, basename="lymphodepletion-regimen")
    router.register("cohorts", CohortViewSet, basename="cohort")
    router.register("enrollments", EnrollmentViewSet, basename="enrollment")
    router.register("lymphodepletions", LymphodepletionViewSet, basename="lymphodepletion")
    router.register("infusions", InfusionViewSet, basename="infusion")
    router.register("dlt-evaluations", DltEvaluationViewSet, basename="dlt-evaluation")
    router.register(
        "escalation-decisions", EscalationDecisionViewSet, basename="escalation-decision"
    )
