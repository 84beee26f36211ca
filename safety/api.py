"""Safety endpoints. CRS and ICANS assessments take the keyword names of `crs_grade` /
`icans_grade` and return the computed `grade`; labs return their computed `ctcae_grade`."""

import django_filters
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from screening.models import Subject
from screening.selectors import subject_list
from trial.api_base import (
    AuditedModelSerializer,
    AuditedModelViewSet,
    AuditedViewSetMixin,
    ScopedPrimaryKeyField,
    VoidActionMixin,
)
from trial.api_filters import BooleanFilter, DateTimeFilter, IntegerFilter, StudyFilterSet
from trial.models import Study
from trial.selectors import study_list

from . import coding, selectors, services
from .models import (
    AdverseEvent,
    ConMed,
    CrsAssessment,
    DltCandidate,
    DltCriteriaConfig,
    IcansAssessment,
    LabResult,
)

AUDIT = ["created_at", "version"]
VOID = ["is_voided", "voided_at", "void_reason"]


class SubjectField(ScopedPrimaryKeyField):
    def __init__(self, **kwargs):
        super().__init__(selector=subject_list, model=Subject, **kwargs)


class AeGradeSerializer(serializers.Serializer):
    from_date = serializers.DateField()
    grade = serializers.IntegerField(min_value=1, max_value=5)


class GradeChangeSerializer(AeGradeSerializer):
    outcome = serializers.ChoiceField(choices=AdverseEvent.Outcome.choices, required=False)
    change_reason = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class AdverseEventSerializer(AuditedModelSerializer):
    subject = SubjectField()
    grade = serializers.IntegerField(
        min_value=1,
        max_value=5,
        write_only=True,
        required=False,
        help_text="On creation: the grade at onset.",
    )
    grades = AeGradeSerializer(many=True, read_only=True)
    report_overdue = serializers.SerializerMethodField()
    report_on_time = serializers.SerializerMethodField()
    coding = serializers.SerializerMethodField()

    class Meta:
        model = AdverseEvent
        fields = [
            "id",
            "subject",
            "term",
            "other_term",
            "onset_date",
            "resolution_date",
            "grade",
            "worst_grade",
            "grades",
            "serious",
            "sc_death",
            "sc_life_threatening",
            "sc_hospitalization",
            "sc_disability",
            "sc_congenital_anomaly",
            "sc_important_medical_event",
            "aware_at",
            "reported_at",
            "report_deadline",
            "report_on_time",
            "report_overdue",
            "relation_car_nk",
            "relation_lymphodepletion",
            "action_taken",
            "outcome",
            "coding",
            "change_reason",
            *AUDIT,
            *VOID,
        ]
        read_only_fields = ["worst_grade", "report_deadline", *AUDIT, *VOID]

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {
                "term": {"type": "string"},
                "soc": {"type": "string"},
                "llt_code": {"type": "string"},
                "by": {"type": "string"},
            },
        }
    )
    def get_coding(self, ae) -> dict | None:
        """MedDRA term and SOC (AEDECOD/AEBODSYS); null until a data manager codes the term."""
        found = coding.coding(ae)
        return None if found is None else vars(found)

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_report_on_time(self, ae) -> bool | None:
        if ae.report_deadline is None or ae.reported_at is None:
            return None
        return ae.reported_at <= ae.report_deadline

    @extend_schema_field(serializers.BooleanField())
    def get_report_overdue(self, ae) -> bool:
        return bool(
            ae.report_deadline and ae.reported_at is None and timezone.now() > ae.report_deadline
        )


class CrsAssessmentSerializer(AuditedModelSerializer):
    subject = SubjectField()
    tocilizumab_or_steroids_before = serializers.SerializerMethodField(
        help_text="Conmeds of category tocilizumab or corticosteroid started on or before this day."
    )

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_tocilizumab_or_steroids_before(self, assessment) -> list[str]:
        return [f"{c.name} ({c.start_date})" for c in services.crs_treatments_before(assessment)]

    class Meta:
        model = CrsAssessment
        fields = [
            "id",
            "subject",
            "assessed_at",
            "max_temp_c",
            "hypotension",
            "vasopressors",
            "vasopressin",
            "oxygen_device",
            "oxygen_flow_l_min",
            "fever_masked",
            "tocilizumab_or_steroids_before",
            "fatal",
            "grade",
            "adverse_event",
            "change_reason",
            *AUDIT,
            *VOID,
        ]
        read_only_fields = ["grade", "adverse_event", *AUDIT, *VOID]


class IcansAssessmentSerializer(AuditedModelSerializer):
    subject = SubjectField()

    class Meta:
        model = IcansAssessment
        fields = [
            "id",
            "subject",
            "assessed_at",
            "ice_score",
            "capd_score",
            "unable_to_assess",
            "consciousness",
            "seizure",
            "motor_weakness",
            "cerebral_edema",
            "fatal",
            "grade",
            "adverse_event",
            "change_reason",
            *AUDIT,
            *VOID,
        ]
        read_only_fields = ["grade", "adverse_event", *AUDIT, *VOID]


class LabResultSerializer(AuditedModelSerializer):
    subject = SubjectField()
    unit = serializers.CharField(
        max_length=10,
        help_text="ALT/AST: U/L; bilirubin, creatinine: umol/L or mg/dL; "
        "neutrophils, platelets: 10^9/L or /uL; hemoglobin: g/L, g/dL or mmol/L.",
    )

    class Meta:
        model = LabResult
        fields = [
            "id",
            "subject",
            "collected_on",
            "test",
            "value",
            "unit",
            "uln",
            "lln",
            "baseline",
            "value_standard",
            "ctcae_grade",
            "grading_note",
            "change_reason",
            *AUDIT,
            *VOID,
        ]
        read_only_fields = ["value_standard", "ctcae_grade", "grading_note", *AUDIT, *VOID]


class DltCandidateSerializer(serializers.ModelSerializer):
    screening_number = serializers.CharField(source="subject.screening_number", read_only=True)
    term = serializers.CharField(source="adverse_event.display_term", read_only=True)
    decided_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = DltCandidate
        fields = [
            "id",
            "subject",
            "screening_number",
            "dlt_evaluation",
            "adverse_event",
            "term",
            "clause",
            "detail",
            "flagged_at",
            "status",
            "decided_by",
            "decided_at",
            "decision_reason",
        ]
        read_only_fields = fields


class CodeSerializer(serializers.Serializer):
    term = serializers.CharField(max_length=200, help_text="The MedDRA term (AEDECOD).")
    soc = serializers.CharField(max_length=200, help_text="Its system organ class (AEBODSYS).")
    reason = serializers.CharField(max_length=1000)


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class DltCriteriaSerializer(AuditedModelSerializer):
    study = ScopedPrimaryKeyField(selector=study_list, model=Study)

    class Meta:
        model = DltCriteriaConfig
        fields = [
            "id",
            "study",
            "crs_grade_4",
            "crs_grade_3_max_hours",
            "icans_min_grade",
            "gvhd_min_grade",
            "nonheme_min_grade",
            "nonheme_min_days",
            "nonheme_grade_4",
            "treatment_related_death",
            "cytopenia_after_day",
            "anc_below",
            "platelets_below",
            "change_reason",
            *AUDIT,
        ]
        read_only_fields = AUDIT


class SubjectDataFilter(StudyFilterSet):
    site = IntegerFilter(field_name="subject__site")


class AdverseEventFilter(SubjectDataFilter):
    onset_from = django_filters.DateFilter(field_name="onset_date", lookup_expr="gte")
    onset_to = django_filters.DateFilter(field_name="onset_date", lookup_expr="lte")
    grade_min = IntegerFilter(field_name="worst_grade", lookup_expr="gte")
    in_dlt_window = BooleanFilter(method="filter_in_window")

    class Meta:
        model = AdverseEvent
        fields = ["subject", "term", "worst_grade", "serious", "relation_car_nk", "is_voided"]

    def filter_in_window(self, queryset, name, value):
        return (
            queryset.filter(selectors.IN_DLT_WINDOW)
            if value
            else queryset.exclude(selectors.IN_DLT_WINDOW)
        )


def _assessment_filter(model_class):
    class AssessmentFilter(SubjectDataFilter):
        assessed_from = DateTimeFilter(field_name="assessed_at", lookup_expr="gte")
        assessed_to = DateTimeFilter(field_name="assessed_at", lookup_expr="lte")
        grade_min = IntegerFilter(field_name="grade", lookup_expr="gte")

        class Meta:
            model = model_class
            fields = ["subject", "grade", "is_voided"]

    return AssessmentFilter


class LabFilter(SubjectDataFilter):
    collected_from = django_filters.DateFilter(field_name="collected_on", lookup_expr="gte")
    collected_to = django_filters.DateFilter(field_name="collected_on", lookup_expr="lte")
    grade_min = IntegerFilter(field_name="ctcae_grade", lookup_expr="gte")

    class Meta:
        model = LabResult
        fields = ["subject", "test", "ctcae_grade", "is_voided"]


class AdverseEventViewSet(VoidActionMixin, AuditedModelViewSet):
    serializer_class = AdverseEventSerializer
    queryset = AdverseEvent.objects.none()
    filterset_class = AdverseEventFilter
    ordering_fields = ["onset_date", "worst_grade", "created_at"]
    create_service = update_service = services.ae_save
    void_service = services.ae_void

    def get_queryset(self):
        return selectors.adverse_event_list(user=self.request.user)

    @extend_schema(
        summary="Code the term in MedDRA (data manager; terms the CTCAE table does not code)",
        request=CodeSerializer,
    )
    @action(detail=True, methods=["post"])
    def code(self, request, pk=None):
        body = CodeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ae = services.ae_code(user=request.user, instance=self.get_object(), **body.validated_data)
        return Response(self.get_serializer(self.reload(ae)).data)

    @extend_schema(
        summary="Record a grade change (a new grade episode)", request=GradeChangeSerializer
    )
    @action(detail=True, methods=["post"])
    def grades(self, request, pk=None):
        body = GradeChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        ae = services.ae_grade_record(
            user=request.user,
            adverse_event=self.get_object(),
            from_date=data["from_date"],
            grade=data["grade"],
            outcome=data.get("outcome"),
            reason=data.get("change_reason"),
        )
        return Response(self.get_serializer(self.reload(ae)).data)


class CrsAssessmentViewSet(VoidActionMixin, AuditedModelViewSet):
    serializer_class = CrsAssessmentSerializer
    queryset = CrsAssessment.objects.none()
    filterset_class = _assessment_filter(CrsAssessment)
    ordering_fields = ["assessed_at", "grade"]
    create_service = update_service = services.crs_assessment_record
    void_service = services.crs_assessment_void

    def get_queryset(self):
        return selectors.crs_assessment_list(user=self.request.user)


class IcansAssessmentViewSet(VoidActionMixin, AuditedModelViewSet):
    serializer_class = IcansAssessmentSerializer
    queryset = IcansAssessment.objects.none()
    filterset_class = _assessment_filter(IcansAssessment)
    ordering_fields = ["assessed_at", "grade"]
    create_service = update_service = services.icans_assessment_record
    void_service = services.icans_assessment_void

    def get_queryset(self):
        return selectors.icans_assessment_list(user=self.request.user)


class LabResultViewSet(VoidActionMixin, AuditedModelViewSet):
    serializer_class = LabResultSerializer
    queryset = LabResult.objects.none()
    filterset_class = LabFilter
    ordering_fields = ["collected_on", "ctcae_grade"]
    create_service = update_service = services.lab_result_record
    void_service = services.lab_result_void

    def get_queryset(self):
        return selectors.lab_list(user=self.request.user)


class DltCandidateViewSet(
    AuditedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Flagged by the system; an investigator accepts one as the DLT (then confirmed on the DLT
    evaluation), an investigator or safety reviewer rejects it with a reason."""

    serializer_class = DltCandidateSerializer
    queryset = DltCandidate.objects.none()
    filterset_fields = ["subject", "status", "clause", "subject__site"]

    def get_queryset(self):
        return selectors.dlt_candidate_list(user=self.request.user)

    @extend_schema(summary="Accept as the subject's DLT (investigator)", request=None)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        candidate = services.dlt_candidate_accept(user=request.user, candidate=self.get_object())
        return Response(self.get_serializer(self.reload(candidate)).data)

    @extend_schema(
        summary="Reject with a reason (investigator or safety reviewer)", request=RejectSerializer
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        body = RejectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        candidate = services.dlt_candidate_reject(
            user=request.user, candidate=self.get_object(), reason=body.validated_data["reason"]
        )
        return Response(self.get_serializer(self.reload(candidate)).data)


class DltCriteriaViewSet(AuditedModelViewSet):
    serializer_class = DltCriteriaSerializer
    queryset = DltCriteriaConfig.objects.none()
    create_service = update_service = services.dlt_criteria_save

    def get_queryset(self):
        return selectors.dlt_criteria_list(user=self.request.user)


class ConMedSerializer(AuditedModelSerializer):
    subject = SubjectField()
    adverse_event = ScopedPrimaryKeyField(
        selector=selectors.adverse_event_list, model=AdverseEvent, required=False, allow_null=True
    )

    class Meta:
        model = ConMed
        fields = [
            "id",
            "subject",
            "name",
            "category",
            "indication",
            "adverse_event",
            "dose",
            "dose_unit",
            "route",
            "frequency",
            "start_date",
            "stop_date",
            "ongoing",
            "change_reason",
            *AUDIT,
            *VOID,
        ]
        read_only_fields = [*AUDIT, *VOID]


class ConMedFilter(SubjectDataFilter):
    started_from = django_filters.DateFilter(field_name="start_date", lookup_expr="gte")
    started_to = django_filters.DateFilter(field_name="start_date", lookup_expr="lte")

    class Meta:
        model = ConMed
        fields = ["subject", "category", "adverse_event", "ongoing", "is_voided"]


class ConMedViewSet(VoidActionMixin, AuditedModelViewSet):
    serializer_class = ConMedSerializer
    queryset = ConMed.objects.none()
    filterset_class = ConMedFilter
    ordering_fields = ["start_date"]
    create_service = update_service = services.conmed_save
    void_service = services.conmed_void

    def get_queryset(self):
        return selectors.conmed_list(user=self.request.user)


def register(router) -> None:
    router.register("conmeds", ConMedViewSet, basename="conmed")
    router.register("adverse-events", AdverseEventViewSet, basename="adverse-event")
    router.register("crs-assessments", CrsAssessmentViewSet, basename="crs-assessment")
    router.register("icans-assessments", IcansAssessmentViewSet, basename="icans-assessment")
    router.register("labs", LabResultViewSet, basename="lab")
    router.register("dlt-candidates", DltCandidateViewSet, basename="dlt-candidate")
    router.register("dlt-criteria", DltCriteriaViewSet, basename="dlt-criteria")
