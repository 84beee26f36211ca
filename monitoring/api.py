"""Monitoring endpoints: the audit trail, queries, source data verification, locks and
electronic signatures. A record is named by its type (`"record": "safety.adverseevent"`) and id."""

from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from screening.models import Subject
from screening.selectors import subject_list
from trial.api_base import (
    AuditedModelSerializer,
    AuditedModelViewSet,
    AuditedViewSetMixin,
    FieldChangeSerializer,
    ScopedPrimaryKeyField,
    StudyAPIView,
)
from trial.models import Site, Study
from trial.selectors import site_list, study_list

from . import selectors, services
from .models import Lock, MonitoringVisit, Query, SdvMark, SdvPlan, Signature

AUDIT = ["created_at", "version"]


# every audited record type, by label ("safety.adverseevent")
RECORD_TYPE_CHOICES = [(label, label) for label in sorted(selectors.audited_models())]


class RecordField(serializers.ChoiceField):
    """A record type by its label, e.g. "safety.adverseevent"."""

    def __init__(self, **kwargs):
        super().__init__(choices=RECORD_TYPE_CHOICES, **kwargs)

    def to_internal_value(self, data):
        return selectors.content_type_for(super().to_internal_value(data))

    def to_representation(self, value):
        return f"{value.app_label}.{value.model}" if value else None


class RecordRefSerializer(AuditedModelSerializer):
    record = RecordField(source="content_type")
    screening_number = serializers.CharField(
        source="subject.screening_number", read_only=True, default=None, allow_null=True
    )


class QueryMessageSerializer(serializers.Serializer):
    kind = serializers.CharField()
    text = serializers.CharField()
    author = serializers.CharField()
    at = serializers.DateTimeField()


class QuerySerializer(RecordRefSerializer):
    opened_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    status_name = serializers.CharField(read_only=True)
    messages = serializers.SerializerMethodField()
    answered_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    closed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Query
        fields = [
            "id",
            "record",
            "object_id",
            "subject",
            "screening_number",
            "field_name",
            "text",
            "status",
            "status_name",
            "opened_by",
            "answer",
            "answered_by",
            "answered_at",
            "closed_by",
            "closed_at",
            "messages",
            *AUDIT,
        ]
        read_only_fields = ["subject", "status", "answer", "answered_at", "closed_at", *AUDIT]

    def get_messages(self, query) -> list[dict]:
        """The conversation in order: raised, answers, re-openings, data corrections, closing."""
        return QueryMessageSerializer(selectors.query_thread(query), many=True).data


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=4000)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True)


class QueryViewSet(
    AuditedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Opened by a monitor or data manager; answered by the site; closed or re-opened by the monitor."""

    serializer_class = QuerySerializer
    queryset = Query.objects.none()
    filterset_fields = ["status", "subject", "subject__site", "content_type", "object_id"]
    create_service = services.query_open

    def get_queryset(self):
        return selectors.query_list(user=self.request.user)

    @extend_schema(request=AnswerSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        body = AnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        query = services.query_answer(
            user=request.user, query=self.get_object(), answer=body.validated_data["answer"]
        )
        return Response(self.get_serializer(self.reload(query)).data)

    @extend_schema(request=ReasonSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        query = services.query_close(
            user=request.user, query=self.get_object(), reason=body.validated_data.get("reason")
        )
        return Response(self.get_serializer(self.reload(query)).data)

    @extend_schema(request=ReasonSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        query = services.query_reopen(
            user=request.user, query=self.get_object(), reason=body.validated_data.get("reason", "")
        )
        return Response(self.get_serializer(self.reload(query)).data)


class CountSerializer(serializers.Serializer):
    site = serializers.CharField()
    open = serializers.IntegerField()


class SubjectCountSerializer(serializers.Serializer):
    subject = serializers.IntegerField()
    screening_number = serializers.CharField()
    open = serializers.IntegerField()


class QueryCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    sites = CountSerializer(many=True)
    subjects = SubjectCountSerializer(many=True)


class QueryCountsView(StudyAPIView):
    """Open queries per site and per subject."""

    query_parameters = ()

    queryset = Query.objects.none()

    @extend_schema(responses=QueryCountsSerializer)
    def get(self, request):
        return Response(QueryCountsSerializer(selectors.query_counts(user=request.user)).data)


class SdvPlanSerializer(AuditedModelSerializer):
    study = ScopedPrimaryKeyField(selector=study_list, model=Study)
    crf = RecordField()

    class Meta:
        model = SdvPlan
        fields = ["id", "study", "crf", "level", "key_fields", "change_reason", *AUDIT]
        read_only_fields = AUDIT


class SdvPlanViewSet(AuditedModelViewSet):
    serializer_class = SdvPlanSerializer
    queryset = SdvPlan.objects.none()
    create_service = update_service = services.sdv_plan_save

    def get_queryset(self):
        return selectors.sdv_plan_list(user=self.request.user)


class SdvMarkSerializer(RecordRefSerializer):
    verified_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = SdvMark
        fields = [
            "id",
            "record",
            "object_id",
            "subject",
            "screening_number",
            "fields",
            "verified_by",
            "verified_at",
            "verified_version",
            "is_current",
            "cleared_at",
            *AUDIT,
        ]
        read_only_fields = [
            "subject",
            "verified_at",
            "verified_version",
            "is_current",
            "cleared_at",
            *AUDIT,
        ]


class SdvMarkViewSet(
    AuditedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """POST marks a record verified as it is now; a later change clears the mark."""

    serializer_class = SdvMarkSerializer
    queryset = SdvMark.objects.none()
    filterset_fields = ["is_current", "subject", "content_type", "object_id"]
    create_service = services.sdv_verify

    def get_queryset(self):
        return selectors.sdv_mark_list(user=self.request.user)


class SdvProgressSerializer(serializers.Serializer):
    site = serializers.CharField()
    screening_number = serializers.CharField()
    records = serializers.IntegerField()
    verified = serializers.IntegerField()


class SdvProgressView(StudyAPIView):
    query_parameters = ()
    queryset = SdvMark.objects.none()

    @extend_schema(responses=SdvProgressSerializer(many=True))
    def get(self, request):
        return Response(
            SdvProgressSerializer(selectors.sdv_progress(user=request.user), many=True).data
        )


class LockSerializer(AuditedModelSerializer):
    study = ScopedPrimaryKeyField(selector=study_list, model=Study)
    subject = ScopedPrimaryKeyField(
        selector=subject_list, model=Subject, required=False, allow_null=True
    )
    record = RecordField(source="content_type", required=False, allow_null=True)
    locked_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    unlocked_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Lock
        fields = [
            "id",
            "scope",
            "study",
            "subject",
            "record",
            "object_id",
            "reason",
            "locked_by",
            "is_active",
            "unlocked_by",
            "unlocked_at",
            "unlock_reason",
            *AUDIT,
        ]
        read_only_fields = ["is_active", "unlocked_at", "unlock_reason", *AUDIT]
        validators = []


class LockViewSet(
    AuditedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """A data manager locks a CRF, a casebook or the study; unlocking needs a reason."""

    serializer_class = LockSerializer
    queryset = Lock.objects.none()
    filterset_fields = ["scope", "is_active", "subject"]
    create_service = services.lock_create

    def get_queryset(self):
        return selectors.lock_list(user=self.request.user)

    @extend_schema(request=ReasonSerializer)
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        lock = services.lock_release(
            user=request.user, lock=self.get_object(), reason=body.validated_data.get("reason", "")
        )
        return Response(self.get_serializer(self.reload(lock)).data)


class SignatureSerializer(RecordRefSerializer):
    password = serializers.CharField(
        write_only=True,
        style={"input_type": "password"},
        help_text="The signer's password, entered again.",
    )
    signer = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Signature
        fields = [
            "id",
            "record",
            "object_id",
            "subject",
            "screening_number",
            "meaning",
            "password",
            "signer",
            "signed_at",
            "is_valid",
            "invalidated_at",
            "invalidation_reason",
            *AUDIT,
        ]
        read_only_fields = [
            "subject",
            "signed_at",
            "is_valid",
            "invalidated_at",
            "invalidation_reason",
            *AUDIT,
        ]


class MonitoringVisitSerializer(AuditedModelSerializer):
    site = ScopedPrimaryKeyField(selector=site_list, model=Site)
    monitor = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = MonitoringVisit
        fields = [
            "id",
            "site",
            "visit_date",
            "kind",
            "reviewed",
            "findings",
            "follow_up_actions",
            "follow_up_due",
            "monitor",
            "change_reason",
            "is_voided",
            "voided_at",
            "void_reason",
            *AUDIT,
        ]
        read_only_fields = ["is_voided", "voided_at", "void_reason", *AUDIT]


class MonitoringVisitViewSet(AuditedModelViewSet):
    """A site's monitoring visits: recorded by its monitors, read by everyone at the site."""

    serializer_class = MonitoringVisitSerializer
    queryset = MonitoringVisit.objects.none()
    filterset_fields = ["site", "kind", "is_voided"]
    create_service = update_service = services.monitoring_visit_save
    void_service = services.monitoring_visit_void

    def get_queryset(self):
        return selectors.monitoring_visit_list(user=self.request.user)


class SignatureViewSet(
    AuditedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Sign a casebook (`screening.subject`) or an escalation decision by entering the password."""

    serializer_class = SignatureSerializer
    queryset = Signature.objects.none()
    filterset_fields = ["is_valid", "subject", "content_type", "object_id"]
    create_service = services.signature_sign

    def get_queryset(self):
        return selectors.signature_list(user=self.request.user)


class AuditEntrySerializer(serializers.Serializer):
    timestamp = serializers.DateTimeField()
    model = serializers.CharField()
    record_id = serializers.IntegerField()
    history_id = serializers.IntegerField()
    subject = serializers.IntegerField(allow_null=True)
    change_type = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    user = serializers.CharField(allow_null=True)
    reason = serializers.CharField(allow_null=True)
    changes = FieldChangeSerializer(many=True)


class AuditPageSerializer(serializers.Serializer):
    next = serializers.CharField(allow_null=True, help_text="Cursor of the next (older) page.")
    results = AuditEntrySerializer(many=True)


class AuditView(StudyAPIView):
    """Every change to every record, newest first, with field-level old -> new values;
    keyset-paginated (`cursor`), filterable by subject, record type, user and date."""

    query_parameters = ("subject", "model", "user", "since", "until", "cursor", "page_size")

    queryset = Query.objects.none()  # reading it needs the monitoring "view" permission

    @extend_schema(
        parameters=[
            OpenApiParameter("subject", int),
            OpenApiParameter("model", str, description="e.g. safety.adverseevent"),
            OpenApiParameter("user", str),
            OpenApiParameter("since", str),
            OpenApiParameter("until", str),
            OpenApiParameter("cursor", str),
            OpenApiParameter("page_size", int),
        ],
        responses=AuditPageSerializer,
    )
    def get(self, request):
        params = request.query_params
        errors = {}
        filters = {}
        for name in ("since", "until"):
            if params.get(name):
                value = parse_datetime(params[name])
                if value is None:
                    errors[name] = ["Use an ISO 8601 date-time."]
                filters[name] = value
        subject = params.get("subject")
        if subject:
            if not subject.isdigit():
                errors["subject"] = ["A subject id is a number."]
            else:
                filters["subject"] = int(subject)
        model = params.get("model")
        if model and model not in selectors.audited_models():
            errors["model"] = ["Unknown record type."]
        cursor = params.get("cursor")
        if cursor:
            try:
                selectors.decode_cursor(cursor)
            except (ValueError, TypeError, UnicodeDecodeError):
                errors["cursor"] = ["Invalid cursor."]
        size = params.get("page_size", "50")
        if not size.isdigit() or not 1 <= int(size) <= 200:
            errors["page_size"] = ["Between 1 and 200."]
        if errors:
            raise ValidationError(errors)
        rows, next_cursor = selectors.audit_trail(
            user=request.user,
            model=model,
            username=params.get("user") or None,
            cursor=cursor,
            limit=int(size),
            **filters,
        )
        return Response(AuditPageSerializer({"next": next_cursor, "results": rows}).data)


def register(router) -> None:
    router.register("queries", QueryViewSet, basename="query")
    router.register("sdv-plans", SdvPlanViewSet, basename="sdv-plan")
    router.register("sdv-marks", SdvMarkViewSet, basename="sdv-mark")
    router.register("locks", LockViewSet, basename="lock")
    router.register("signatures", SignatureViewSet, basename="signature")
    router.register("monitoring-visits", MonitoringVisitViewSet, basename="monitoring-visit")
