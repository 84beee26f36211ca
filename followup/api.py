"""Follow-up endpoints: schedule, visits, response (fields named as `ResponseFacts`), the
response summary, disposition and overdue CRFs."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from screening.models import Subject
from screening.selectors import subject_list
from trial.api_base import (
    AuditedModelSerializer,
    AuditedModelViewSet,
    ScopedPrimaryKeyField,
    StudyAPIView,
    VoidActionMixin,
    study_from_query,
)
from trial.api_filters import IntegerFilter, StudyFilterSet
from trial.models import Study
from trial.selectors import study_list

from . import selectors, services
from .models import (
    CRF_CHOICES,
    RESPONSE_CHOICES,
    Disposition,
    ProtocolDeviation,
    ResponseAssessment,
    Visit,
    VisitDefinition,
)

AUDIT = ["created_at", "version"]
VOID = ["is_voided", "voided_at", "void_reason"]


class SubjectField(ScopedPrimaryKeyField):
    def __init__(self, **kwargs):
        super().__init__(selector=subject_list, model=Subject, **kwargs)


class VisitDefinitionSerializer(AuditedModelSerializer):
    study = ScopedPrimaryKeyField(selector=study_list, model=Study)
    expected_crfs = serializers.ListField(child=serializers.ChoiceField(choices=CRF_CHOICES))

    class Meta:
        model = VisitDefinition
        fields = [
            "id",
            "study",
            "code",
            "label",
            "target_day",
            "window_before",
            "window_after",
            "expected_crfs",
            "order",
            "change_reason",
            *AUDIT,
        ]
        read_only_fields = AUDIT


class VisitSerializer(AuditedModelSerializer):
    subject = SubjectField()
    definition = ScopedPrimaryKeyField(
        selector=selectors.visit_definition_list, model=VisitDefinition
    )

    class Meta:
        model = Visit
        fields = [
            "id",
            "subject",
            "definition",
            "planned_date",
            "actual_date",
            "missed",
            "missed_reason",
            "out_of_window",
            "change_reason",
            *AUDIT,
            *VOID,
        ]
        read_only_fields = ["planned_date", "out_of_window", *AUDIT, *VOID]
        validators = []  # uniqueness is checked by the service, with a clearer message


class ResponseAssessmentSerializer(AuditedModelSerializer):
    subject = SubjectField()
    visit = ScopedPrimaryKeyField(
        selector=selectors.visit_list, model=Visit, required=False, allow_null=True
    )

    class Meta:
        model = ResponseAssessment
        fields = [
            "id",
            "subject",
            "visit",
            "assessment_date",
            "marrow_assessment_date",
            "marrow_blasts_pct",
            "baseline_marrow_blasts_pct",
            "circulating_blasts",
            "auer_rods",
            "extramedullary_disease",
            "baseline_extramedullary_disease",
            "anc",
            "platelets",
            "mrd_pct",
            "in_remission",
            "response",
            "mrd_negative",
            "response_reason",
            "investigator_response",
            "disagreement",
            "disagreement_comment",
            "change_reason",
            *AUDIT,
            *VOID,
        ]
        read_only_fields = [
            "in_remission",
            "response",
            "mrd_negative",
            "response_reason",
            "disagreement",
            *AUDIT,
            *VOID,
        ]


class DispositionSerializer(AuditedModelSerializer):
    subject = SubjectField()

    class Meta:
        model = Disposition
        fields = [
            "id",
            "subject",
            "end_of_dlt_period_date",
            "end_of_treatment_date",
            "end_of_study_date",
            "end_of_study_reason",
            "reason_detail",
            "death_date",
            "death_cause",
            "death_related",
            "last_known_alive_date",
            "change_reason",
            *AUDIT,
            *VOID,
        ]
        read_only_fields = [*AUDIT, *VOID]
        validators = []  # uniqueness is checked by the service, with a clearer message


class ProtocolDeviationSerializer(AuditedModelSerializer):
    subject = SubjectField()

    class Meta:
        model = ProtocolDeviation
        fields = [
            "id",
            "subject",
            "category",
            "deviation_date",
            "description",
            "severity",
            "corrective_action",
            "sponsor_reported_on",
            "ethics_reported_on",
            "rule",
            "source",
            "change_reason",
            *AUDIT,
            *VOID,
        ]
        read_only_fields = ["rule", "source", *AUDIT, *VOID]


class SubjectFilter(StudyFilterSet):
    site = IntegerFilter(field_name="subject__site")


def _filter(model_class, *fields):
    return type(
        f"{model_class.__name__}Filter",
        (SubjectFilter,),
        {
            "Meta": type("Meta", (), {"model": model_class, "fields": ["subject", *fields]}),
        },
    )


class VisitDefinitionViewSet(AuditedModelViewSet):
    serializer_class = VisitDefinitionSerializer
    queryset = VisitDefinition.objects.none()
    filterset_fields = ["study"]
    create_service = update_service = services.visit_definition_save

    def get_queryset(self):
        return selectors.visit_definition_list(user=self.request.user)


class VisitViewSet(VoidActionMixin, AuditedModelViewSet):
    serializer_class = VisitSerializer
    queryset = Visit.objects.none()
    filterset_class = _filter(Visit, "definition", "missed", "out_of_window", "is_voided")
    ordering_fields = ["planned_date", "actual_date"]
    create_service = update_service = services.visit_record
    void_service = services.visit_void

    def get_queryset(self):
        return selectors.visit_list(user=self.request.user)


class ResponseAssessmentViewSet(VoidActionMixin, AuditedModelViewSet):
    serializer_class = ResponseAssessmentSerializer
    queryset = ResponseAssessment.objects.none()
    filterset_class = _filter(ResponseAssessment, "response", "disagreement", "is_voided")
    ordering_fields = ["assessment_date"]
    create_service = update_service = services.response_assessment_record
    void_service = services.response_assessment_void

    def get_queryset(self):
        return selectors.response_list(user=self.request.user)


class DispositionViewSet(VoidActionMixin, AuditedModelViewSet):
    serializer_class = DispositionSerializer
    queryset = Disposition.objects.none()
    filterset_class = _filter(Disposition, "end_of_study_reason", "is_voided")
    create_service = update_service = services.disposition_record
    void_service = services.disposition_void

    def get_queryset(self):
        return selectors.disposition_list(user=self.request.user)


class ProtocolDeviationViewSet(VoidActionMixin, AuditedModelViewSet):
    """Protocol deviations: entered by the site, or raised by the services when the data reveal
    one (`rule` and `source` say which check found it, in which record)."""

    serializer_class = ProtocolDeviationSerializer
    queryset = ProtocolDeviation.objects.none()
    filterset_class = _filter(ProtocolDeviation, "category", "severity", "is_voided")
    ordering_fields = ["deviation_date", "created_at"]
    create_service = update_service = services.deviation_record
    void_service = services.deviation_void

    def get_queryset(self):
        return selectors.deviation_list(user=self.request.user)


class OverdueFormSerializer(serializers.Serializer):
    site = serializers.CharField()
    subject = serializers.IntegerField()
    screening_number = serializers.CharField()
    visit = serializers.CharField()
    visit_label = serializers.CharField()
    crf = serializers.ChoiceField(choices=CRF_CHOICES)
    planned_date = serializers.DateField()
    window_end = serializers.DateField()
    days_overdue = serializers.IntegerField()


class OverdueFormsQuerySerializer(serializers.Serializer):
    subject = serializers.IntegerField(required=False, help_text="Subject id")
    site = serializers.CharField(required=False, help_text="Site code")


class OverdueFormsView(StudyAPIView):
    """The expected CRFs of past visits that are missing, per site and subject, oldest first."""

    query_parameters = ("subject", "site")

    queryset = Visit.objects.none()

    @extend_schema(
        parameters=[OverdueFormsQuerySerializer], responses=OverdueFormSerializer(many=True)
    )
    def get(self, request):
        query = OverdueFormsQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        rows = selectors.overdue_forms(user=request.user)
        subject, site = query.validated_data.get("subject"), query.validated_data.get("site")
        if subject is not None:
            rows = [r for r in rows if r["subject"] == subject]
        if site is not None:
            rows = [r for r in rows if r["site"] == site]
        return Response(OverdueFormSerializer(rows, many=True).data)


class IntervalSerializer(serializers.Serializer):
    n = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
    ci_low = serializers.FloatField(
        allow_null=True, help_text="exact (Clopper-Pearson) 95% interval"
    )
    ci_high = serializers.FloatField(allow_null=True)


class ResponseBlockSerializer(serializers.Serializer):
    evaluable = serializers.IntegerField()
    best_response = serializers.DictField(child=serializers.IntegerField())
    crc = IntervalSerializer(help_text="CR + CRh + CRi")
    orr = IntervalSerializer(help_text="CRc + MLFS + PR")
    mrd_negative_crc = serializers.IntegerField()


class DoseResponseSerializer(ResponseBlockSerializer):
    dose = serializers.IntegerField()


class DurationSerializer(serializers.Serializer):
    days = serializers.IntegerField()
    censored = serializers.BooleanField()


class SubjectResponseSerializer(serializers.Serializer):
    subject = serializers.IntegerField()
    screening_number = serializers.CharField()
    dose = serializers.IntegerField()
    best_response = serializers.ChoiceField(choices=RESPONSE_CHOICES)
    mrd_negative_crc = serializers.BooleanField()
    days_to_first_response = serializers.IntegerField(allow_null=True)
    remission_duration = DurationSerializer(allow_null=True)


class ResponseSummarySerializer(serializers.Serializer):
    study = serializers.CharField()
    overall = ResponseBlockSerializer()
    doses = DoseResponseSerializer(many=True)
    subjects = SubjectResponseSerializer(many=True)


class ResponseSummaryView(StudyAPIView):
    """Efficacy per dose level and overall (ELN 2022 best overall response)."""

    query_parameters = ("study",)

    queryset = ResponseAssessment.objects.none()

    @extend_schema(parameters=[OpenApiParameter("study", str)], responses=ResponseSummarySerializer)
    def get(self, request):
        study = study_from_query(request)
        return Response(
            ResponseSummarySerializer(
                selectors.response_summary(user=request.user, study=study)
            ).data
        )


def register(router) -> None:
    router.register("visit-definitions", VisitDefinitionViewSet, basename="visit-definition")
    router.register("visits", VisitViewSet, basename="visit")
    router.register(
        "response-assessments", ResponseAssessmentViewSet, basename="response-assessment"
    )
    router.register("disposition", DispositionViewSet, basename="disposition")
    router.register("deviations", ProtocolDeviationViewSet, basename="deviation")
