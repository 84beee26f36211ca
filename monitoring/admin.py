from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.dateparse import parse_datetime

from trial.admin_base import AuditedAdmin, AuditedAdminForm, VoidForm, form_action

from . import selectors, services
from .models import Lock, Query, SdvMark, SdvPlan, Signature


class AnswerForm(forms.Form):
    answer = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


answer_query = form_action(
    name="answer_query",
    description="Answer (site staff)",
    form_class=AnswerForm,
    perform=lambda ma, request, obj, data: services.query_answer(
        user=request.user, query=obj, answer=data["answer"]
    ),
    intro="The answer goes to the monitor, who closes or re-opens the query.",
    submit="Answer",
)
close_query = form_action(
    name="close_query",
    description="Close (monitor)",
    form_class=VoidForm,
    perform=lambda ma, request, obj, data: services.query_close(
        user=request.user, query=obj, reason=data["reason"]
    ),
    intro="Close these queries.",
    submit="Close",
)
reopen_query = form_action(
    name="reopen_query",
    description="Re-open (monitor)",
    form_class=VoidForm,
    perform=lambda ma, request, obj, data: services.query_reopen(
        user=request.user, query=obj, reason=data["reason"]
    ),
    intro="Re-open these queries; the reason is sent to the site.",
    submit="Re-open",
)
release_lock = form_action(
    name="release_lock",
    description="Unlock (data manager)",
    form_class=VoidForm,
    perform=lambda ma, request, obj, data: services.lock_release(
        user=request.user, lock=obj, reason=data["reason"]
    ),
    intro="Unlocking lets the data change again; the reason is kept in the audit trail.",
    submit="Unlock",
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
        "status",
        "opened_by",
        "created_at",
        "answered_at",
        "closed_at",
    )
    list_filter = ("status", "content_type", "subject__site")
    list_select_related = ("content_type", "subject", "opened_by")
    search_fields = ("subject__screening_number", "text", "answer")
    fields = ("content_type", "object_id", "field_name", "text")
    actions = [answer_query, close_query, reopen_query]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (
            *self.fields,
            "subject",
            "status",
            "opened_by",
            "answer",
            "answered_by",
            "answered_at",
            "closed_by",
            "closed_at",
        )

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
        return [audit, *super().get_urls()]

    def audit_view(self, request):
        """The study-wide audit trail ("recent changes"), or one subject's, with filters."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        params = request.GET
        subject = params.get("subject")
        rows, next_cursor = selectors.audit_trail(
            user=request.user,
            subject=int(subject) if subject and subject.isdigit() else None,
            model=params.get("model") or None,
            username=params.get("user") or None,
            since=parse_datetime(params.get("since") or "") if params.get("since") else None,
            until=parse_datetime(params.get("until") or "") if params.get("until") else None,
            cursor=params.get("cursor") or None,
            limit=50,
        )
        context = {
            **self.admin_site.each_context(request),
            "title": "Audit trail",
            "opts": self.model._meta,
            "rows": rows,
            "next_cursor": next_cursor,
            "models": sorted(selectors.audited_models()),
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
        widget=forms.PasswordInput, help_text="Enter your password again to sign."
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
