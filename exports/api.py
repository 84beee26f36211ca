"""`/api/v1/exports/<dataset>.csv`, `/api/v1/exports/dictionary.csv|json` and
`/api/v1/exports/datacut.zip`: for data managers and monitors, site-scoped, streamed."""

import csv
from datetime import UTC

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from monitoring.selectors import audited_models
from screening.selectors import subject_list
from trial.api_base import (
    CsvRenderer,
    OctetStreamRenderer,
    StudyAPIView,
    XmlRenderer,
    ZipRenderer,
    study_from_query,
)
from trial.models import SiteRole
from trial.selectors import site_ids_for

from . import sdtm
from .audit import audit_lines
from .datacut import datacut_chunks, parse_cut
from .datasets import DATASETS, csv_chunks
from .define import define_xml, widths_of
from .dictionary import dictionary_lines, entries
from .odm import odm_chunks

EXPORT_ROLES = (SiteRole.Role.DATA_MANAGER, SiteRole.Role.MONITOR)


class CanExport(permissions.BasePermission):
    message = "Exports are for data managers and monitors."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return bool(site_ids_for(user, roles=EXPORT_ROLES)) or user.is_superuser


class _Echo:
    def write(self, value):
        return value


def stream_csv(lines, filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo(), lineterminator="\n")
    response = StreamingHttpResponse(
        (writer.writerow(line) for line in lines), content_type="text/csv"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _cut(request):
    raw = request.query_params.get("cut")
    if raw is None:
        return None
    try:
        return parse_cut(raw, now=timezone.now())
    except ValueError as error:
        raise ValidationError({"cut": [str(error)]}) from None


class DatasetExportView(StudyAPIView):
    """One dataset as CSV, streamed; `?cut=` reads it as it was at that time."""

    query_parameters = ("cut",)

    renderer_classes = [JSONRenderer, CsvRenderer]

    permission_classes = [CanExport]

    @extend_schema(
        parameters=[OpenApiParameter("cut", OpenApiTypes.DATETIME)],
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request, dataset: str):
        if dataset not in DATASETS:
            raise Http404(_("No such dataset."))
        chunks = csv_chunks(DATASETS[dataset], user=request.user, as_of=_cut(request))
        response = StreamingHttpResponse(chunks, content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{dataset}.csv"'
        return response


class DictionaryView(StudyAPIView):
    """The data dictionary of every dataset (`.csv` or `.json`)."""

    query_parameters = ()

    renderer_classes = [JSONRenderer, CsvRenderer]

    permission_classes = [CanExport]

    @extend_schema(
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/json"): OpenApiTypes.OBJECT,
        }
    )
    def get(self, request, fmt: str):
        dictionary = entries()
        if fmt == "json":
            return Response(dictionary)
        if fmt != "csv":
            raise Http404(_("Use dictionary.csv or dictionary.json."))
        return stream_csv(dictionary_lines(), "data_dictionary.csv")


CUT = OpenApiParameter(
    "cut", OpenApiTypes.DATETIME, description="The data as they were then (ISO 8601 with offset)."
)


class SdtmView(StudyAPIView):
    """An SDTM domain (`exports.sdtm_spec.DOMAINS`: trial design, DM, SE, SV, IE, MH, CM, EX, AE,
    DS, DV, LB, FA, RS, RELREC, SUPP--) as CSV or SAS transport v5; `?cut=` as of then."""

    query_parameters = ("format", "study", "cut")

    renderer_classes = [JSONRenderer, CsvRenderer, OctetStreamRenderer]

    permission_classes = [CanExport]

    @extend_schema(
        parameters=[
            OpenApiParameter("format", str, enum=["csv", "xpt"]),
            OpenApiParameter("study", str),
            CUT,
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
        },
    )
    def get(self, request, domain: str):
        domain = domain.upper()
        if domain not in sdtm.DOMAINS:
            raise Http404(_("No such SDTM domain."))
        fmt = request.query_params.get("format", "csv")
        if fmt not in ("csv", "xpt"):
            raise ValidationError({"format": [_("Use csv or xpt.")]})
        cut = _cut(request)
        records = sdtm.domain_rows(
            domain, user=request.user, study=study_from_query(request), cut=cut
        )
        if fmt == "xpt":
            response = StreamingHttpResponse(
                sdtm.xpt_stream(domain, records, created=cut or timezone.now()),
                content_type="application/octet-stream",
            )
            response["Content-Disposition"] = f'attachment; filename="{domain.lower()}.xpt"'
            return response
        return stream_csv(sdtm.header_and_lines(records, domain), f"{domain.lower()}.csv")


class OdmView(StudyAPIView):
    """The study as CDISC ODM 1.3.2 XML (metadata and the data of every form); `?audit=true`
    gives every version of every record with its AuditRecord (a transactional file: old values
    recoverable); `?cut=` as of then."""

    query_parameters = ("audit", "study", "cut")

    renderer_classes = [JSONRenderer, XmlRenderer]

    permission_classes = [CanExport]

    @extend_schema(
        parameters=[OpenApiParameter("audit", bool), OpenApiParameter("study", str), CUT],
        responses={(200, "application/xml"): OpenApiTypes.STR},
    )
    def get(self, request):
        audit = request.query_params.get("audit", "false")
        if audit not in ("true", "false"):
            raise ValidationError({"audit": [_("Use true or false.")]})
        chunks = odm_chunks(
            user=request.user,
            study=study_from_query(request),
            audit=audit == "true",
            cut=_cut(request),
        )
        response = StreamingHttpResponse(chunks, content_type="application/xml")
        response["Content-Disposition"] = 'attachment; filename="odm.xml"'
        return response


class DefineView(StudyAPIView):
    """define.xml (Define-XML 2.1) of the SDTM datasets as they are now, or at `?cut=`."""

    query_parameters = ("study", "cut")

    renderer_classes = [JSONRenderer, XmlRenderer]

    permission_classes = [CanExport]

    @extend_schema(
        parameters=[OpenApiParameter("study", str), CUT],
        responses={(200, "application/xml"): OpenApiTypes.STR},
    )
    def get(self, request):
        cut = _cut(request)
        study = study_from_query(request)
        widths = widths_of(sdtm.DOMAINS, user=request.user, study=study, cut=cut)
        body = define_xml(study=study, widths=widths, created=cut or timezone.now())
        response = HttpResponse(body, content_type="application/xml")
        response["Content-Disposition"] = 'attachment; filename="define.xml"'
        return response


class AuditTrailExportView(StudyAPIView):
    """Every change to every record the user may see (record type, record id, subject, change,
    user, time, reason, field, old and new value) as CSV, streamed; newest first."""

    query_parameters = ("since", "until", "user", "subject", "model")

    renderer_classes = [JSONRenderer, CsvRenderer]

    permission_classes = [CanExport]

    @extend_schema(
        parameters=[
            OpenApiParameter("since", OpenApiTypes.DATETIME),
            OpenApiParameter("until", OpenApiTypes.DATETIME),
            OpenApiParameter("user", str, description="Username of who made the change."),
            OpenApiParameter("subject", str, description="Screening number, e.g. 01-S-005."),
            OpenApiParameter("model", str, description="Record type, e.g. safety.adverseevent."),
        ],
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request):
        params, errors, filters = request.query_params, {}, {}
        for name in ("since", "until"):
            raw = params.get(name)
            if raw is None:
                continue
            try:
                moment = parse_datetime(raw)
            except ValueError:
                moment = None
            if moment is None or timezone.is_naive(moment):
                errors[name] = ["Use an ISO 8601 date-time with its offset."]
            else:
                try:  # PostgreSQL takes offsets up to 15:59 only
                    filters[name] = moment.astimezone(UTC)
                except OverflowError:
                    errors[name] = ["Out of range."]
        if params.get("subject"):
            subject = subject_list(user=request.user).filter(screening_number=params["subject"])
            found = subject.values_list("id", flat=True).first()
            if found is None:
                errors["subject"] = ["No such subject among yours."]
            filters["subject"] = found
        model = params.get("model") or None
        if model and model not in audited_models():
            errors["model"] = ["Unknown record type."]
        if errors:
            raise ValidationError(errors)
        lines = audit_lines(
            user=request.user, username=params.get("user") or None, model=model, **filters
        )
        return stream_csv(lines, "audit_trail.csv")


class DatacutView(StudyAPIView):
    """Every dataset, the dictionary, the audit trail, the SDTM package (CSV, XPT, define.xml)
    and the ODM file as of `cut` (default: now) in one ZIP with a manifest."""

    query_parameters = ("cut", "study")

    renderer_classes = [JSONRenderer, ZipRenderer]

    permission_classes = [CanExport]

    @extend_schema(
        parameters=[
            OpenApiParameter("cut", OpenApiTypes.DATETIME),
            OpenApiParameter("study", str, description="Registry id, e.g. NCT05734898"),
        ],
        responses={(200, "application/zip"): OpenApiTypes.BINARY},
    )
    def get(self, request):
        cut = _cut(request) or timezone.now().replace(microsecond=0)
        response = StreamingHttpResponse(
            datacut_chunks(user=request.user, cut=cut, study=study_from_query(request)),
            content_type="application/zip",
        )
        response["Content-Disposition"] = f'attachment; filename="datacut-{cut:%Y%m%dT%H%M%SZ}.zip"'
        return response
