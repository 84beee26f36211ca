"""What every app's API shares: permissions, pagination, the error format, the audited
viewset (writes through a service, reason for change, history of a record, void).

Error format: 400 answers carry `{field: [messages]}` (DRF's own shape; `non_field_errors`
for the record as a whole); other errors carry `{"detail": message}`.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, serializers, status, views, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .api_defaults import BoundedPageNumberPagination, StudyRolePermission
from .api_filters import refuse_unknown_parameters
from .audit import field_changes
from .selectors import study_list
from .services import Conflict as DomainConflict

REASON_HELP = "Why the record is changed. Required on every update (PUT/PATCH)."


def _django_error_detail(exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in exc.message_dict.items()
        }
    return {"non_field_errors": exc.messages}


def exception_handler(exc, context):
    """DRF's handler, plus: Django validation errors from services -> 400 with field-level
    messages; a lost race on a database constraint -> 409."""
    if isinstance(exc, DomainConflict):
        exc = Conflict(" ".join(exc.messages))
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_django_error_detail(exc))
    elif isinstance(exc, IntegrityError):
        exc = Conflict()
    return drf_exception_handler(exc, context)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The record changed or conflicts with another record; reload and try again."
    default_code = "conflict"


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = (
        "Send the ETag you read in If-Match: updates without it could overwrite a colleague's "
        "change."
    )
    default_code = "precondition_required"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = (
        "The record was changed since you read it (its ETag differs): reload it, check the "
        "change and try again."
    )
    default_code = "precondition_failed"


class FileRenderer(BaseRenderer):
    """For views that answer with a file (an SVG plot...): a client may ask for the file's media
    type in Accept (not a 406); the view returns the file itself, so only errors reach this
    renderer, and they are sent as the JSON they are."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return JSONRenderer().render(data, accepted_media_type, renderer_context)


class SvgRenderer(FileRenderer):
    media_type = "image/svg+xml"
    format = "svg"


class CsvRenderer(FileRenderer):
    media_type = "text/csv"
    format = "csv"


class XmlRenderer(FileRenderer):
    media_type = "application/xml"
    format = "xml"


class ZipRenderer(FileRenderer):
    media_type = "application/zip"
    format = "zip"


class OctetStreamRenderer(FileRenderer):
    media_type = "application/octet-stream"
    format = "xpt"


def version_etag(instance) -> str:
    """The record's version (`AuditedModel.version`, raised by every audited save) as a strong
    ETag."""
    return f'"{instance.version}"'


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="The ETag of the record as last read (GET). A stale one gets 412, none 428.",
)


class AuditedModelSerializer(serializers.ModelSerializer):
    """ModelSerializer for audited records: takes a `change_reason`, required on update."""

    change_reason = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=1000, help_text=REASON_HELP
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if self.instance is not None and not (attrs.get("change_reason") or "").strip():
            raise serializers.ValidationError(
                {
                    "change_reason": [
                        "A reason for change is required when a saved record is changed."
                    ]
                }
            )
        return attrs


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A foreign key whose choices are the records the requesting user may see:
    `selector(user=...)` gives them; another site's id is "does not exist", never leaked."""

    def __init__(self, *, selector, model, **kwargs):
        self.selector = selector
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:  # schema generation
            return self.model._default_manager.none()
        return self.selector(user=request.user)


class VoidSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, help_text="Why the record is voided.")


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class VersionSerializer(serializers.Serializer):
    history_id = serializers.IntegerField()
    timestamp = serializers.DateTimeField()
    change_type = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    user = serializers.CharField(allow_null=True)
    reason = serializers.CharField(allow_null=True)
    changes = FieldChangeSerializer(many=True)


CHANGE_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


def history_versions(instance) -> list[dict]:
    """Every version of `instance`, newest first, each with the field-level diff to the one
    before (for the first version: every field, from null). Foreign keys show as ids."""
    records = instance.history.select_related("history_user").order_by("history_date", "history_id")
    versions, previous = [], None
    for record in records:
        versions.append(
            {
                "history_id": record.history_id,
                "timestamp": record.history_date,
                "change_type": CHANGE_TYPES[record.history_type],
                "user": record.history_user.get_username() if record.history_user else None,
                "reason": record.history_change_reason,
                "changes": field_changes(previous, record),
            }
        )
        previous = record
    versions.reverse()
    return versions


def study_from_query(request):
    """The study named by `?study=<registry id>` among the user's studies. Without it, the
    user's only study; with several, a 400 listing them (the alphabetically first was picked
    silently)."""
    studies = study_list(user=request.user).order_by("registry_id")
    registry_id = request.query_params.get("study")
    if registry_id:
        study = studies.filter(registry_id=registry_id).first()
        if study is None:
            raise Http404("No such study.")
        return study
    found = list(studies[:50])
    if not found:
        raise Http404("No such study.")
    if len(found) > 1:
        raise exceptions.ValidationError(
            {
                "study": [
                    "You work in several studies: name one, e.g. ?study="
                    f"{found[0].registry_id}. Yours: {', '.join(s.registry_id for s in found)}."
                ]
            }
        )
    return found[0]


class StudyAPIView(views.APIView):
    """An API view that is not a list of records. It names the query parameters it takes (as its
    schema documents them, checked by a test); any other is a 400 naming it."""

    query_parameters: tuple[str, ...] = ()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        refuse_unknown_parameters(request, self.query_parameters)


class AuditedViewSetMixin:
    """A viewset whose writes go through the app's services.

    Subclasses set `create_service` (a callable taking `user=, data=, reason=`); with
    `ConditionalUpdateMixin` also `update_service` (`user=, data=, instance=, reason=`).
    """

    create_service = None
    update_service = None
    void_service = None
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    # ids are bigints: anything else (`1.5`, 30 digits) matches no route -> 404, never a 500
    lookup_value_regex = "[0-9]{1,18}"

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        reason = data.pop("change_reason", None)
        saved = type(self).create_service(user=self.request.user, data=data, reason=reason)
        serializer.instance = self.reload(saved)

    def get_object(self):
        """A detail action that changes the record (void, confirm, answer...) honours If-Match
        when the client sends it: a stale one is 412 and nothing happens. (Unlike PUT/PATCH it is
        not required: these actions set a state, they do not overwrite fields.)"""
        instance = super().get_object()
        condition = self.request.headers.get("If-Match", "").strip()
        tags = {tag.strip() for tag in condition.split(",")}
        if (
            condition
            and self.request.method == "POST"
            and self.detail
            and version_etag(instance) not in tags
        ):
            raise PreconditionFailed()
        return instance

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        response = Response(self.get_serializer(instance).data)
        response["ETag"] = version_etag(instance)
        return response

    def reload(self, obj):
        """The saved record as the list shows it (annotations, related rows)."""
        return self.get_queryset().filter(pk=obj.pk).first() or obj

    @extend_schema(
        summary="Change history of the record",
        responses=VersionSerializer(many=True),
    )
    @action(detail=True, methods=["get"], pagination_class=BoundedPageNumberPagination)
    def history(self, request, pk=None):
        instance = self.get_object()
        versions = history_versions(instance)
        page = self.paginate_queryset(versions)
        if page is not None:
            return self.get_paginated_response(VersionSerializer(page, many=True).data)
        return Response(VersionSerializer(versions, many=True).data)


class ConditionalUpdateMixin(mixins.UpdateModelMixin):
    """PUT/PATCH through `update_service`, applied only to the version the client read
    (If-Match: none gets 428, a stale one 412). Only viewsets that update have PUT/PATCH."""

    @extend_schema(parameters=[IF_MATCH])
    def update(self, request, *args, **kwargs):
        """Optimistic concurrency: the update applies only to the version the client read."""
        condition = request.headers.get("If-Match", "").strip()
        with transaction.atomic():
            instance = self.get_object()  # first: another site's record is a 404, as for a GET
            if not condition:
                raise PreconditionRequired()
            # hold the row and compare the version it has now, not the one read before the
            # lock: of two requests sent with one ETag, the second sees the first's version
            held = type(instance)._base_manager.select_for_update().get(pk=instance.pk)
            tags = {tag.strip() for tag in condition.split(",")}
            if version_etag(held) not in tags:  # no "*": a client cannot opt out
                raise PreconditionFailed()
            model_update = super().update  # DRF's UpdateModelMixin: validate, then perform_update
            response = model_update(request, *args, **kwargs)
        response["ETag"] = version_etag(self._saved)
        return response

    @extend_schema(parameters=[IF_MATCH])
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        reason = data.pop("change_reason", None)
        saved = type(self).update_service(
            user=self.request.user, data=data, instance=serializer.instance, reason=reason
        )
        self._saved = saved
        serializer.instance = self.reload(saved)


class AuditedModelViewSet(AuditedViewSetMixin, ConditionalUpdateMixin, viewsets.ModelViewSet):
    """List, retrieve, create and conditional update through the app's services; no delete."""


class VoidActionMixin:
    """`POST .../{id}/void/` with a reason: the record is voided, never deleted."""

    @extend_schema(
        summary="Void the record (entered in error)",
        request=VoidSerializer,
    )
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        instance = self.get_object()
        if not request.user.has_perm(
            f"{instance._meta.app_label}.change_{instance._meta.model_name}"
        ):
            raise exceptions.PermissionDenied()
        body = VoidSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        instance = type(self).void_service(
            user=request.user, instance=instance, reason=body.validated_data["reason"]
        )
        return Response(self.get_serializer(self.reload(instance)).data)


__all__ = [
    "AuditedModelSerializer",
    "AuditedModelViewSet",
    "AuditedViewSetMixin",
    "BoundedPageNumberPagination",
    "ConditionalUpdateMixin",
    "ScopedPrimaryKeyField",
    "StudyRolePermission",
    "VoidActionMixin",
    "exception_handler",
]
