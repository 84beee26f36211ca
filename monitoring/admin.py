import csv
from collections import defaultdict
from datetime import datetime, time, timedelta

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from screening.selectors import subject_list
from trial.admin_base import AuditedAdmin, AuditedAdminForm, VoidableAdmin, VoidForm, form_action
from trial.selectors import site_list

from . import selectors, services
from .models import Lock, MonitoringVisit, Query, QueryMessage, SdvMark, SdvPlan, Signature


def _moment(text: str | None, *, end: bool = False):
    """A date (the whole day) or a date and time typed in a filter, in the site's time zone."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        day = parse_date(text) if len(text) == 10 else None
        moment = datetime.combine(day, time.max if end else time.min) if day else None
        moment = moment or parse_datetime(text)
    except ValueError:  # well formed but no such day (2026-11-31) or time
        return None
    if moment is None:
        return None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _audit_csv(filters: dict) -> StreamingHttpResponse:
    """Every change the filters select, oldest page last, as CSV: one line per field changed,
    with labels and display values (what a monitor files with a visit report)."""

    def lines():
        writer = csv.writer(Echo())
        yield writer.writerow(
            [
                "time",
                "record type",
                "record id",
                "subject",
                "change",
                "user",
                "reason",
                "field",
                "old",
                "new",
            ]
        )
        cursor = None
        while True:
            rows, cursor = selectors.audit_trail(**filters, cursor=cursor, limit=500)
            for row in selectors.readable_audit(rows):
                base = [
                    row["timestamp"].isoformat(),
                    row["record_type"],
                    row["record_id"],
                    row["screening_number"] or "",
                    row["change_type"],
                    row["user_name"] or "system",
                    row["reason"] or "",
                ]
                for field in row["fields"] or [{"label": "", "old": "", "new": ""}]:
                    yield writer.writerow([*base, field["label"], field["old"], field["new"]])
            if cursor is None:
                return

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="changes.csv"'
    return response


class Echo:
    def write(self, value):
        return value


class WaitingForFilter(admin.SimpleListFilter):
    title = _("who acts next")
    parameter_name = "waiting_for"

    def lookups(self, request, model_admin):
        return (("site", _("The site (to answer)")), ("monitor", _("The monitor (to review)")))

    def queryset(self, request, queryset):
        status = {"site": Query.Status.OPEN, "monitor": Query.Status.ANSWERED}.get(self.value())
        return queryset.filter(status=status) if status else queryset


class OlderThanFilter(admin.SimpleListFilter):
    title = _("age")
    parameter_name = "age"

    def lookups(self, request, model_admin):
        days = settings.QUERY_OVERDUE_DAYS
        return (
            ("overdue", _("Open more than %(days)s days") % {"days": days}),
            ("week", _("Opened in the last 7 days")),
        )

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "overdue":
            limit = now - timedelta(days=settings.QUERY_OVERDUE_DAYS)
            return queryset.exclude(status=Query.Status.CLOSED).filter(created_at__lt=limit)
        if self.value() == "week":
            return queryset.filter(created_at__gte=now - timedelta(days=7))
        return queryset


class CloseQueryForm(forms.Form):
    reason = forms.CharField(
        label=_("Closing note (optional, shown to the site)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
    )


class ReopenQueryForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the query is re-opened (shown to the site)"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )


def _local_path(request, target: str | None, default: str) -> str:
    """`target` if it is a path on this site, else `default`."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    ):
        return target
    return default


def _sdv_context(request, obj) -> dict:
    """The record's SDV state for its form, and the monitor's "verify this form" button."""
    state = selectors.sdv_state(obj, study_id=services.study_id_of(obj))
    if state is None:
        return {}
    return {
        "record_sdv": {
            **state,
            "can_verify": not state["verified"] and services.may_verify(request.user, obj),
            "verify_url": reverse("admin:monitoring_sdvmark_verify"),
            "record": obj._meta.label_lower,
            "object_id": obj.pk,
            "next": request.get_full_path(),
        }
    }


def signatures_context(request, obj) -> dict:
    """A signed record's form shows its signatures: name, date and time, meaning (11.50)."""
    if obj._meta.label not in ("screening.Subject", "dosing.EscalationDecision"):
        return {}
    return {"record_signatures": selectors.signature_manifest(obj)}


def field_queries_context(request, obj) -> dict:
    """What a record's form page shows of its queries: per field the queries not yet closed
    (for every role that sees the record) and, for its monitors and data managers, the control
    that raises a query on a field with only its text (`monitoring/field_queries.js`)."""
    if obj._meta.app_label == "monitoring" or not hasattr(obj, "history"):
        return {}
    ct = ContentType.objects.get_for_model(obj)
    live = (
        selectors.query_list(user=request.user)
        .filter(content_type=ct, object_id=obj.pk)
        .exclude(status=Query.Status.CLOSED)
        .order_by("created_at", "pk")
    )
    by_field = defaultdict(list)
    for query in live:
        by_field[query.field_name].append(
            {
                "id": query.pk,
                "status": query.status_name,
                "text": query.text[:200],
                "url": reverse("admin:monitoring_query_change", args=[query.pk]),
            }
        )
    can_raise = services.may_raise_query(request.user, obj)
    extra = _sdv_context(request, obj)
    if not by_field and not can_raise:
        return extra
    record_fields = ("id", "version", "created_at", "is_voided", "voided_at", "void_reason")
    fields = {
        f.name: str(f.verbose_name)
        for f in obj._meta.concrete_fields
        if f.name not in record_fields
    }
    return {
        **extra,
        "field_queries": {
            "record": obj._meta.label_lower,
            "object_id": obj.pk,
            "fields": fields,
            "queries": dict(by_field),
            "raise": {
                "url": reverse("admin:monitoring_query_raise"),
                "next": request.get_full_path(),
            }
            if can_raise
            else None,
        },
    }


class AnswerForm(forms.Form):
    answer = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


answer_query = form_action(
    name="answer_query",
    description=_("Answer query (site staff)"),
    form_class=AnswerForm,
    perform=lambda ma, request, obj, data: services.query_answer(
        user=request.user, query=obj, answer=data["answer"]
    ),
    intro=_("The answer goes to the monitor, who closes or re-opens the query."),
    submit=_("Send answer"),
)
close_query = form_action(
    name="close_query",
    description=_("Close query (monitor)"),
    form_class=CloseQueryForm,
    perform=lambda ma, request, obj, data: services.query_close(
        user=request.user, query=obj, reason=data["reason"]
    ),
    intro=_("Close these queries: read each answer first (on the query's page)."),
    submit=_("Close query"),
)
reopen_query = form_action(
    name="reopen_query",
    description=_("Re-open query (monitor)"),
    form_class=ReopenQueryForm,
    perform=lambda ma, request, obj, data: services.query_reopen(
        user=request.user, query=obj, reason=data["reason"]
    ),
    intro=_("Re-open these queries; the reason is shown to the site in each query's conversation."),
    submit=_("Re-open query"),
)
release_lock = form_action(
    name="release_lock",
    description=_("Unlock (data manager)"),
    form_class=VoidForm,
    perform=lambda ma, request, obj, data: services.lock_release(
        user=request.user, lock=obj, reason=data["reason"]
    ),
    intro=_("Unlocking lets the data change again; the reason is kept in the audit trail."),
    submit=_("Unlock"),
)


class RecordRefForm(AuditedAdminForm):
    def service_data(self):
        return {
            name: self.cleaned_data.get(name)
            for name in self._meta.fields
            if name in self.cleaned_data
        }


@admin.register(Query)
class QueryAdmin(AuditedAdmin):
    form = RecordRefForm
    list_display = (
        "__str__",
        "subject",
        "status_column",
        "waiting_for",
        "days_open",
        "opened_by",
        "created_at",
    )
    list_filter = (
        "status",
        WaitingForFilter,
        OlderThanFilter,
        ("content_type", admin.RelatedOnlyFieldListFilter),
        "subject__site",
    )
    list_select_related = ("content_type", "subject", "opened_by")
    search_fields = ("subject__screening_number", "text", "answer")
    fields = ("content_type", "object_id", "field_name", "text")
    actions = [answer_query, close_query, reopen_query]

    @admin.display(description=_("status"), ordering="status")
    def status_column(self, obj):
        return obj.status_name

    @admin.display(description=_("waiting for"))
    def waiting_for(self, obj):
        return {
            Query.Status.OPEN: _("the site's answer"),
            Query.Status.ANSWERED: _("the monitor's review"),
        }.get(obj.status, "-")

    @admin.display(description=_("days open"), ordering="created_at")
    def days_open(self, obj):
        end = obj.closed_at or timezone.now()
        days = (end - obj.created_at).days
        if obj.status != Query.Status.CLOSED and days > settings.QUERY_OVERDUE_DAYS:
            return format_html(
                _('<strong class="overdue">{} (over {})</strong>'),
                days,
                settings.QUERY_OVERDUE_DAYS,
            )
        return days

    # a saved query's page shows what it is about in words (its conversation is above them)
    SHOWN = (
        "record_shown",
        "field_shown",
        "subject",
        "status_column",
        "opened_by_name",
        "created_at",
    )

    def get_fields(self, request, obj=None):
        return self.SHOWN if obj is not None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return self.SHOWN if obj is not None else ()

    @admin.display(description=_("opened by"))
    def opened_by_name(self, obj):
        return obj.opened_by.get_full_name() or obj.opened_by.get_username()

    @admin.display(description=_("record"))
    def record_shown(self, obj):
        record = obj.record
        return f"{record._meta.verbose_name}: {record}" if record is not None else "-"

    @admin.display(description=_("field"))
    def field_shown(self, obj):
        model = obj.content_type.model_class()
        if not obj.field_name or model is None:
            return _("the whole record")
        return model._meta.get_field(obj.field_name).verbose_name

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def get_queryset(self, request):
        return selectors.query_list(user=request.user)

    def call_service(self, request, *, instance, data, reason):
        return services.query_open(user=request.user, data=data, reason=reason)

    def get_urls(self):
        audit = path(
            "audit-trail/",
            self.admin_site.admin_view(self.audit_view),
            name="monitoring_audit_trail",
        )
        raise_ = path(
            "raise/",
            self.admin_site.admin_view(require_POST(self.raise_view)),
            name="monitoring_query_raise",
        )
        step = path(
            "<int:query_id>/step/",
            self.admin_site.admin_view(require_POST(self.step_view)),
            name="monitoring_query_step",
        )
        return [audit, raise_, step, *super().get_urls()]

    def raise_view(self, request):
        """A query raised from a record's form: the record, the field and the text; back to the
        form, which now shows the query on the field."""
        back = _local_path(request, request.POST.get("next"), reverse("admin:index"))
        try:
            model = apps.get_model(request.POST.get("record", ""))
            object_id = int(request.POST.get("object_id", ""))
        except (LookupError, ValueError):
            messages.error(request, _("The query was not raised: the record was not found."))
            return HttpResponseRedirect(back)
        field = request.POST.get("field_name", "")
        try:
            services.query_open(
                user=request.user,
                data={
                    "content_type": ContentType.objects.get_for_model(model),
                    "object_id": object_id,
                    "field_name": field,
                    "text": request.POST.get("text", "").strip(),
                },
            )
        except (ValidationError, PermissionDenied) as error:
            detail = " ".join(getattr(error, "messages", [str(error)]))
            messages.error(request, _("The query was not raised: %(detail)s") % {"detail": detail})
            return HttpResponseRedirect(back)
        label = model._meta.get_field(field).verbose_name if field else _("the record")
        messages.success(
            request,
            _("Query raised on %(label)s: the site sees it on this form.") % {"label": label},
        )
        return HttpResponseRedirect(back)

    def step_view(self, request, query_id: int):
        """Answer, close or re-open a query from its page."""
        query = get_object_or_404(self.get_queryset(request), pk=query_id)
        action, text = request.POST.get("action"), request.POST.get("text", "")
        perform = {
            "answer": lambda: services.query_answer(user=request.user, query=query, answer=text),
            "close": lambda: services.query_close(user=request.user, query=query, reason=text),
            "reopen": lambda: services.query_reopen(user=request.user, query=query, reason=text),
        }.get(action)
        done = {
            "answer": _("Answer sent."),
            "close": _("Query closed."),
            "reopen": _("Query re-opened."),
        }
        if perform is None:
            messages.error(request, _("Unknown step."))
        else:
            try:
                perform()
                messages.success(request, done[action])
            except (ValidationError, PermissionDenied) as error:
                detail = " ".join(getattr(error, "messages", [str(error)]))
                messages.error(request, detail)
            except services.Conflict as error:
                messages.error(request, str(error))
        return HttpResponseRedirect(reverse("admin:monitoring_query_change", args=[query.pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        query = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if query is not None:
            record = query.record
            monitor = record is not None and services.may_raise_query(request.user, record)
            field = (
                record._meta.get_field(query.field_name).verbose_name
                if record is not None and query.field_name
                else ""
            )
            extra.update(
                thread=selectors.query_thread(query),
                query=query,
                field_label=field,
                record_label=str(record) if record is not None else "",
                record_url=reverse(
                    f"admin:{record._meta.app_label}_{record._meta.model_name}_change",
                    args=[record.pk],
                )
                if record is not None
                else "",
                can_answer=services.may_answer_query(request.user, query),
                can_close=monitor and query.status != Query.Status.CLOSED,
                can_reopen=monitor and query.status != Query.Status.OPEN,
                step_url=reverse("admin:monitoring_query_step", args=[query.pk]),
            )
        return super().change_view(request, object_id, form_url, extra)

    def audit_view(self, request):
        """The study-wide audit trail ("recent changes"), or one subject's, with filters."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        params = request.GET
        subject = (params.get("subject") or "").strip()
        if subject and not subject.isdigit():  # a screening number
            found = (
                subject_list(user=request.user)
                .filter(screening_number=subject)
                .values_list("pk", flat=True)
                .first()
            )
            subject = str(found) if found else "0"
        site = (params.get("site") or "").strip()
        since, last_visit = params.get("since"), None
        if since == "last-visit":  # the monitor's own last visit (to this site, if one is chosen)
            visits = selectors.monitoring_visit_list(user=request.user).filter(
                monitor=request.user, is_voided=False
            )
            if site.isdigit():
                visits = visits.filter(site_id=int(site))
            last_visit = visits.order_by("-visit_date", "-pk").first()
            since = last_visit.visit_date.isoformat() if last_visit else None
        filters = {
            "user": request.user,
            "subject": int(subject) if subject else None,
            "site": int(site) if site.isdigit() else None,
            "model": params.get("model") or None,
            "username": params.get("user") or None,
            "since": _moment(since),
            "until": _moment(params.get("until"), end=True),
        }
        for name in ("since", "until"):
            typed = (params.get(name) or "").strip()
            if typed and typed != "last-visit" and filters[name] is None:
                messages.error(
                    request,
                    _(
                        "%(value0)s '%(typed)s' is not a date: enter it as YYYY-MM-DD (or YYYY-MM-DD HH:MM). The changes below are not limited by it."
                    )
                    % {"value0": name.capitalize(), "typed": typed},
                )
        if params.get("format") == "csv":
            return _audit_csv(filters)
        rows, next_cursor = selectors.audit_trail(
            **filters, cursor=params.get("cursor") or None, limit=50
        )
        rows = selectors.readable_audit(rows)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Audit trail"),
            "opts": self.model._meta,
            "rows": rows,
            "next_cursor": next_cursor,
            "models": sorted(
                (
                    (label, str(history.instance_type._meta.verbose_name))
                    for label, history in selectors.audited_models().items()
                ),
                key=lambda item: item[1],
            ),
            "sites": site_list(user=request.user).order_by("code"),
            "last_visit": last_visit,
            "since_last_visit": params.get("since") == "last-visit",
            "params": params,
        }
        return TemplateResponse(request, "admin/monitoring/audit_trail.html", context)


@admin.register(SdvPlan)
class SdvPlanAdmin(AuditedAdmin):
    list_filter = ("level",)
    search_fields = ("crf__model",)
    list_display = ("crf", "level", "key_fields", "study")
    list_select_related = ("crf", "study")

    def get_queryset(self, request):
        return selectors.sdv_plan_list(user=request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "crf":  # the study's CRF types, not every table of the system
            kwargs["queryset"] = ContentType.objects.filter(
                app_label__in=("screening", "dosing", "safety", "followup")
            ).exclude(model__startswith="historical")
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "crf":
            field.label_from_instance = lambda ct: str(
                ct.model_class()._meta.verbose_name
            ).capitalize()
        return field

    def call_service(self, request, *, instance, data, reason):
        return services.sdv_plan_save(
            user=request.user, instance=instance, data=data, reason=reason
        )


@admin.register(SdvMark)
class SdvMarkAdmin(AuditedAdmin):
    search_fields = ("subject__screening_number",)
    form = RecordRefForm
    list_display = ("__str__", "subject", "verified_by", "verified_at", "is_current", "cleared_at")
    list_filter = ("is_current", "content_type", "subject__site")
    list_select_related = ("content_type", "subject", "verified_by")
    fields = ("content_type", "object_id", "fields")

    def get_readonly_fields(self, request, obj=None):
        return (
            ()
            if obj is None
            else (
                *self.fields,
                "verified_by",
                "verified_at",
                "verified_version",
                "is_current",
                "cleared_at",
            )
        )

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def get_queryset(self, request):
        return selectors.sdv_mark_list(user=request.user)

    def call_service(self, request, *, instance, data, reason):
        return services.sdv_verify(user=request.user, data=data, reason=reason)

    def get_urls(self):
        return [
            path(
                "verify/",
                self.admin_site.admin_view(require_POST(self.verify_view)),
                name="monitoring_sdvmark_verify",
            ),
            path(
                "to-verify/",
                self.admin_site.admin_view(self.to_verify_view),
                name="monitoring_sdvmark_to_verify",
            ),
            *super().get_urls(),
        ]

    def verify_view(self, request):
        """The monitor verified the whole form (or its key fields, as the plan says) against
        source, from the form's page: one action, back to the form."""
        back = _local_path(request, request.POST.get("next"), reverse("admin:index"))
        try:
            model = apps.get_model(request.POST.get("record", ""))
            object_id = int(request.POST.get("object_id", ""))
        except (LookupError, ValueError):
            messages.error(request, _("Not verified: the record was not found."))
            return HttpResponseRedirect(back)
        try:
            mark = services.sdv_verify(
                user=request.user,
                data={
                    "content_type": ContentType.objects.get_for_model(model),
                    "object_id": object_id,
                },
            )
        except (ValidationError, PermissionDenied, services.Conflict) as error:
            detail = " ".join(getattr(error, "messages", [str(error)]))
            messages.error(request, _("Not verified: %(detail)s") % {"detail": detail})
            return HttpResponseRedirect(back)
        messages.success(
            request,
            _("Source data verified: %(verbose_name)s version %(verified_version)s.")
            % {"verbose_name": model._meta.verbose_name, "verified_version": mark.verified_version},
        )
        return HttpResponseRedirect(back)

    def to_verify_view(self, request):
        """Per site: what the SDV plan requires and is not verified as it is now, with the
        fields changed since an earlier verification, and the progress per subject."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        site = request.GET.get("site")
        site_id = int(site) if site and site.isdigit() else None
        rows = selectors.sdv_to_verify(user=request.user, site=site_id)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Source data to verify"),
            "opts": self.model._meta,
            "rows": rows,
            "has_plan": selectors.sdv_plan_list(user=request.user)
            .exclude(level=SdvPlan.Level.NONE)
            .exists(),
            "progress": selectors.sdv_progress(user=request.user),
            "sites": site_list(user=request.user).order_by("code"),
            "site": site_id,
        }
        return TemplateResponse(request, "admin/monitoring/sdv_to_verify.html", context)


@admin.register(Lock)
class LockAdmin(AuditedAdmin):
    search_fields = ("subject__screening_number", "reason")
    list_display = (
        "__str__",
        "scope",
        "subject",
        "content_type",
        "object_id",
        "locked_by",
        "created_at",
        "is_active",
        "unlocked_at",
    )
    list_filter = ("scope", "is_active")
    list_select_related = ("subject", "content_type", "locked_by")
    fields = ("scope", "study", "subject", "content_type", "object_id", "reason")
    actions = [release_lock]

    def get_readonly_fields(self, request, obj=None):
        return (
            ()
            if obj is None
            else (
                *self.fields,
                "locked_by",
                "is_active",
                "unlocked_by",
                "unlocked_at",
                "unlock_reason",
            )
        )

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def get_queryset(self, request):
        return selectors.lock_list(user=request.user)

    def call_service(self, request, *, instance, data, reason):
        return services.lock_create(user=request.user, data=data, reason=reason)


class SignatureForm(RecordRefForm):
    password = forms.CharField(
        widget=forms.PasswordInput, help_text=_("Enter your password again to sign.")
    )

    def service_data(self):
        return {**super().service_data(), "password": self.cleaned_data.get("password")}


@admin.register(Signature)
class SignatureAdmin(AuditedAdmin):
    search_fields = ("subject__screening_number", "signer__username")
    form = SignatureForm
    list_display = (
        "__str__",
        "subject",
        "signer",
        "meaning",
        "signed_at",
        "is_valid",
        "invalidated_at",
    )
    list_filter = ("is_valid", "meaning", "content_type")
    list_select_related = ("content_type", "subject", "signer")
    fields = ("content_type", "object_id", "meaning", "password")

    def get_fields(self, request, obj=None):
        return self.fields if obj is None else ("content_type", "object_id", "meaning")

    def get_readonly_fields(self, request, obj=None):
        return (
            ()
            if obj is None
            else (
                "content_type",
                "object_id",
                "meaning",
                "signer",
                "signed_at",
                "is_valid",
                "invalidated_at",
                "invalidation_reason",
            )
        )

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def get_queryset(self, request):
        return selectors.signature_list(user=request.user)

    def call_service(self, request, *, instance, data, reason):
        return services.signature_sign(user=request.user, data=data, reason=reason)


@admin.register(MonitoringVisit)
class MonitoringVisitAdmin(VoidableAdmin):
    list_display = ("site", "visit_date", "kind", "monitor", "follow_up_due", "is_voided")
    list_filter = ("site", "kind", "is_voided")
    list_select_related = ("site", "monitor")
    search_fields = ("reviewed", "findings", "follow_up_actions")
    fields = (
        "site",
        "visit_date",
        "kind",
        "reviewed",
        "findings",
        "follow_up_actions",
        "follow_up_due",
    )
    void_service = services.monitoring_visit_void

    def get_readonly_fields(self, request, obj=None):
        fixed = ("site",) if obj is not None else ()
        return (*super().get_readonly_fields(request, obj), *fixed, "monitor")

    def get_queryset(self, request):
        return selectors.monitoring_visit_list(user=request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "site":
            kwargs["queryset"] = site_list(user=request.user).filter(is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def call_service(self, request, *, instance, data, reason):
        return services.monitoring_visit_save(
            user=request.user, instance=instance, data=data, reason=reason
        )


@admin.register(QueryMessage)
class QueryMessageAdmin(AuditedAdmin):
    """Every step of every query, read-only: written by the query services only (each query's
    page shows its own conversation)."""

    list_display = ("query", "kind", "author", "at")
    list_filter = ("kind",)
    list_select_related = ("query__content_type", "author")
    search_fields = ("text", "query__subject__screening_number")
    fields = ("query", "kind", "text", "author", "at")
    readonly_fields = fields

    def get_queryset(self, request):
        return selectors.query_message_list(user=request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
