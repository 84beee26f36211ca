"""`/api/v1/subjects/`, `/api/v1/consents/`, `/api/v1/eligibility-assessments/`,
`/api/v1/screening-log/`. Eligibility assessments take the field names of RULES.md's
`EligibilityFacts` (answers as an object keyed by criterion code) and return the computed
`eligible`, `criteria` and `reasons` read-only."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from trial.api_base import (
    AuditedModelSerializer,
    AuditedModelViewSet,
    ScopedPrimaryKeyField,
    StudyAPIView,
    VoidActionMixin,
)
from trial.api_filters import IntegerFilter, StudyFilterSet
from trial.models import Site, User
from trial.selectors import site_list, site_staff

from . import rules, selectors, services
from .models import Consent, EligibilityAssessment, MedicalHistory, PriorTherapy, Subject

AUDIT_FIELDS = ["created_at", "version", "is_voided", "voided_at", "void_reason"]


class SubjectSerializer(AuditedModelSerializer):
    site = ScopedPrimaryKeyField(selector=site_list, model=Site)

    class Meta:
        model = Subject
        fields = [
            "id",
            "site",
            "screening_number",
            "date_of_birth",
            "sex",
            "status",
            "is_demo",
            "change_reason",
            *AUDIT_FIELDS,
        ]
        read_only_fields = ["screening_number", "status", "is_demo", *AUDIT_FIELDS]


class ConsentSerializer(AuditedModelSerializer):
    subject = ScopedPrimaryKeyField(selector=selectors.subject_list, model=Subject)
    obtained_by = ScopedPrimaryKeyField(selector=site_staff, model=User)

    class Meta:
        model = Consent
        fields = [
            "id",
            "subject",
            "form_version",
            "form_version_date",
            "consent_date",
            "signed_by",
            "representative_relationship",
            "assent_obtained",
            "obtained_by",
            "withdrawn_date",
            "withdrawal_reason",
            "change_reason",
            *AUDIT_FIELDS,
        ]
        read_only_fields = ["withdrawn_date", "withdrawal_reason", *AUDIT_FIELDS]


class WithdrawSerializer(serializers.Serializer):
    withdrawn_date = serializers.DateField()
    reason = serializers.CharField(max_length=1000)


ANSWERABLE = tuple(services.ANSWER_FIELDS)


class AnswersField(serializers.DictField):
    """`{"I2": true, "E1": false, "E7": null, ...}`: the investigator's answers by code."""

    child = serializers.BooleanField(allow_null=True)

    def to_internal_value(self, data):
        answers = super().to_internal_value(data)
        errors = {}
        for code in answers:
            if code in rules.COMPUTED_CODES:
                errors[code] = [f"{code} is computed by the system from the assessment's data."]
            elif code == "I14":
                errors[code] = ["I14 (written consent) comes from the subject's consent records."]
            elif code not in ANSWERABLE:
                errors[code] = [f"Unknown criterion code; the codes are {', '.join(ANSWERABLE)}."]
        if errors:
            raise serializers.ValidationError(errors)
        return answers

    def to_representation(self, value):
        return {code: value.get(code) for code in ANSWERABLE}


class CriteriaField(serializers.DictField):
    """The computed criteria in protocol order (PostgreSQL's jsonb does not keep key order)."""

    child = serializers.BooleanField(allow_null=True)

    def to_representation(self, value):
        return {code: value.get(code) for code in rules.CODES}


class EligibilityAssessmentSerializer(AuditedModelSerializer):
    subject = ScopedPrimaryKeyField(selector=selectors.subject_list, model=Subject)
    date_of_birth = serializers.DateField(source="subject.date_of_birth", read_only=True)
    answers = AnswersField(required=False, help_text="Answers by criterion code (true/false/null).")
    criteria = CriteriaField(
        read_only=True,
        help_text="Every code I1..I14, E1..E19 in protocol order: met (true), not met (false), unknown (null).",
    )
    reasons = serializers.ListField(child=serializers.CharField(), read_only=True)
    confirmed_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = EligibilityAssessment
        fields = [
            "id",
            "subject",
            "attempt",
            "assessment_date",
            "date_of_birth",
            *services.FACT_FIELDS,
            "answers",
            "nkg2d_ligand_positive_pct",
            "nkg2d_test_date",
            "eligible",
            "criteria",
            "reasons",
            "confirmed_by",
            "confirmed_at",
            "change_reason",
            *AUDIT_FIELDS,
        ]
        read_only_fields = ["attempt", "eligible", "confirmed_at", *AUDIT_FIELDS]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        for code, value in attrs.pop("answers", {}).items():
            attrs[services.ANSWER_FIELDS[code]] = value
        return attrs


class SubjectViewSet(VoidActionMixin, AuditedModelViewSet):
    serializer_class = SubjectSerializer
    queryset = Subject.objects.none()
    filterset_fields = ["site", "status", "sex", "is_voided", "screening_number"]
    ordering_fields = ["screening_number", "created_at"]
    create_service = services.subject_save
    update_service = services.subject_save
    void_service = services.subject_void

    def get_queryset(self):
        return selectors.subject_list(user=self.request.user)


class ConsentViewSet(VoidActionMixin, AuditedModelViewSet):
    serializer_class = ConsentSerializer
    queryset = Consent.objects.none()
    filterset_fields = ["subject", "signed_by", "is_voided"]
    ordering_fields = ["consent_date", "created_at"]
    create_service = services.consent_save
    update_service = services.consent_save
    void_service = services.consent_void

    def get_queryset(self):
        return selectors.consent_list(user=self.request.user)

    @extend_schema(summary="Record the withdrawal of consent", request=WithdrawSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        consent = self.get_object()
        body = WithdrawSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        consent = services.consent_withdraw(
            user=request.user, consent=consent, **body.validated_data
        )
        return Response(self.get_serializer(consent).data)


class EligibilityAssessmentViewSet(VoidActionMixin, AuditedModelViewSet):
    serializer_class = EligibilityAssessmentSerializer
    queryset = EligibilityAssessment.objects.none()
    filterset_fields = ["subject", "eligible", "is_voided"]
    ordering_fields = ["assessment_date", "attempt", "created_at"]
    create_service = services.eligibility_assessment_save
    update_service = services.eligibility_assessment_save
    void_service = services.eligibility_assessment_void

    def get_queryset(self):
        return selectors.assessment_list(user=self.request.user)

    @extend_schema(summary="Confirm the computed eligibility (investigator)", request=None)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        assessment = services.eligibility_confirm(user=request.user, assessment=self.get_object())
        return Response(self.get_serializer(assessment).data)


class ScreeningBoxSerializer(serializers.Serializer):
    screened = serializers.IntegerField()
    in_screening = serializers.IntegerField()
    screen_failed = serializers.IntegerField()
    screen_failed_by_criterion = serializers.DictField(child=serializers.IntegerField())
    eligible_not_enrolled = serializers.IntegerField()
    enrolled = serializers.IntegerField()
    withdrawn = serializers.IntegerField()


class SiteScreeningBoxSerializer(ScreeningBoxSerializer):
    site = serializers.CharField()
    site_name = serializers.CharField()


class ScreeningLogSerializer(serializers.Serializer):
    overall = ScreeningBoxSerializer()
    sites = SiteScreeningBoxSerializer(many=True)


class ScreeningLogView(StudyAPIView):
    """Screened, screen failed (by failing criterion), eligible and enrolled subjects, per site
    and overall: the screening box of a CONSORT diagram."""

    query_parameters = ()

    queryset = Subject.objects.none()  # the permission check reads "view subject" from it

    @extend_schema(responses=ScreeningLogSerializer)
    def get(self, request):
        return Response(ScreeningLogSerializer(selectors.screening_log(user=request.user)).data)


def register(router) -> None:
    register_history(router)
    router.register("subjects", SubjectViewSet, basename="subject")
    router.register("consents", ConsentViewSet, basename="consent")
    router.register(
        "eligibility-assessments", EligibilityAssessmentViewSet, basename="eligibility-assessment"
    )


class PriorTherapySerializer(AuditedModelSerializer):
    medical_history = ScopedPrimaryKeyField(
        selector=selectors.medical_history_list, model=MedicalHistory
    )

    class Meta:
        model = PriorTherapy
        fields = [
            "id",
            "medical_history",
            "line",
            "regimen",
            "start_date",
            "end_date",
            "best_response",
            "change_reason",
            *AUDIT_FIELDS,
        ]
        read_only_fields = AUDIT_FIELDS


class MedicalHistorySerializer(AuditedModelSerializer):
    subject = ScopedPrimaryKeyField(selector=selectors.subject_list, model=Subject)
    therapies = PriorTherapySerializer(many=True, read_only=True)

    class Meta:
        model = MedicalHistory
        fields = [
            "id",
            "subject",
            "diagnosis_date",
            "classification_system",
            "classification",
            "eln_risk",
            "disease_status",
            "prior_allo_transplant",
            "transplant_date",
            "baseline_marrow_date",
            "baseline_marrow_blasts_pct",
            "baseline_extramedullary_disease",
            "therapies",
            "change_reason",
            *AUDIT_FIELDS,
        ]
        read_only_fields = AUDIT_FIELDS
        validators = []  # one history per subject: checked by the service


class MedicalHistoryFilter(StudyFilterSet):
    site = IntegerFilter(field_name="subject__site")

    class Meta:
        model = MedicalHistory
        fields = ["subject", "disease_status", "is_voided"]


class MedicalHistoryViewSet(VoidActionMixin, AuditedModelViewSet):
    serializer_class = MedicalHistorySerializer
    queryset = MedicalHistory.objects.none()
    filterset_class = MedicalHistoryFilter
    create_service = update_service = services.medical_history_save
    void_service = services.medical_history_void

    def get_queryset(self):
        return selectors.medical_history_list(user=self.request.user)


class PriorTherapyViewSet(VoidActionMixin, AuditedModelViewSet):
    serializer_class = PriorTherapySerializer
    queryset = PriorTherapy.objects.none()
    filterset_fields = ["medical_history", "medical_history__subject", "is_voided"]
    create_service = update_service = services.prior_therapy_save
    void_service = services.prior_therapy_void

    def get_queryset(self):
        return selectors.prior_therapy_list(user=self.request.user)


def register_history(router) -> None:
    router.register("medical-history", MedicalHistoryViewSet, basename="medical-history")
    router.register("prior-therapies", PriorTherapyViewSet, basename="prior-therapy")
