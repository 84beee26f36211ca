import csv
import io

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from . import selectors, services
from .admin_base import AuditedAdmin, ReadOnlyInline, ScopedHistoryMixin, VoidableAdmin
from .models import ApiToken, DoseLevel, JobRun, Site, SiteRole, Study, User


@admin.register(Study)
class StudyAdmin(AuditedAdmin):
    list_filter = ("escalation_design", "phase")
    list_display = ("registry_id", "short_title", "phase", "target_enrollment", "escalation_design")
    search_fields = ("registry_id", "title", "short_title")
    fieldsets = [
        (None, {"fields": ["registry_id", "title", "short_title", "sponsor", "phase"]}),
        (
            _("Population"),
            {"fields": ["target_enrollment", "min_age_years", "max_age_years"]},
        ),
        (
            _("Dose escalation"),
            {
                "fields": [
                    "dlt_window_days",
                    "cohort_size",
                    "escalation_design",
                    "deescalation",
                    "boin_target",
                    "boin_cutoff_eli",
                    "boin_n_earlystop",
                ]
            },
        ),
        (_("Record"), {"fields": ["created_at", "version"]}),
    ]

    def get_queryset(self, request):
        return selectors.study_list(user=request.user)

    def call_service(self, request, *, instance, data, reason):
        return services.study_save(user=request.user, instance=instance, data=data, reason=reason)


@admin.register(Site)
class SiteAdmin(AuditedAdmin):
    list_display = ("code", "name", "city", "country", "study", "is_active")
    list_filter = ("is_active", "country")
    list_select_related = ("study",)
    search_fields = ("code", "name", "city")

    def get_queryset(self, request):
        return selectors.site_list(user=request.user)

    def call_service(self, request, *, instance, data, reason):
        return services.site_save(user=request.user, instance=instance, data=data, reason=reason)


@admin.register(SiteRole)
class SiteRoleAdmin(AuditedAdmin):
    list_display = ("user", "role", "site", "is_active")
    list_filter = ("role", "is_active", "site")
    list_select_related = ("user", "site")
    search_fields = ("user__username", "user__first_name", "user__last_name")
    autocomplete_fields = ("user",)

    def get_queryset(self, request):
        return selectors.site_role_list(user=request.user)

    def get_urls(self):
        report = path(
            "access-report/",
            self.admin_site.admin_view(self.access_report_view),
            name="trial_siterole_access_report",
        )
        return [report, *super().get_urls()]

    def access_report_view(self, request):
        """Who held which role at which site and when, from the role history (data managers:
        their sites; administrators: all), on the page or as CSV (`?format=csv`)."""
        if not (request.user.is_superuser or selectors.managed_site_list(user=request.user)):
            raise PermissionDenied
        periods = selectors.role_periods(user=request.user)
        columns = ["username", "name", "site", "role", "from", "granted_by", "until", "ended_by",
                   "end_reason", "account"]  # fmt: skip
        if request.GET.get("format") == "csv":
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerow(columns)
            for p in periods:
                writer.writerow(
                    [
                        p[c].isoformat()
                        if hasattr(p[c], "isoformat")
                        else ("" if p[c] is None else p[c])
                        for c in columns
                    ]
                )
            response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="access-report.csv"'
            return response
        context = {
            **self.admin_site.each_context(request),
            "title": _("Access report: who held which role, where and when"),
            "opts": self.model._meta,
            "periods": periods,
        }
        return TemplateResponse(request, "admin/trial/access_report.html", context)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "site":  # roles are granted where one is a data manager
            kwargs["queryset"] = selectors.managed_site_list(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def call_service(self, request, *, instance, data, reason):
        return services.site_role_save(
            user=request.user, instance=instance, data=data, reason=reason
        )


@admin.register(DoseLevel)
class DoseLevelAdmin(VoidableAdmin):
    list_display = (
        "number",
        "label",
        "cells_per_kg_million",
        "is_placeholder",
        "study",
        "is_voided",
    )
    list_filter = ("is_placeholder", "is_voided")
    list_select_related = ("study",)
    search_fields = ("label",)
    void_service = services.dose_level_void

    def get_queryset(self, request):
        return selectors.dose_level_list(user=request.user)

    def call_service(self, request, *, instance, data, reason):
        return services.dose_level_save(
            user=request.user, instance=instance, data=data, reason=reason
        )


@admin.register(JobRun)
class JobRunAdmin(AuditedAdmin):
    """Runs of the scheduled jobs (deploy/yacron.yaml), written by the jobs themselves: read
    only, for data managers; the dashboard shows the last of each."""

    list_display = ("job", "finished_at", "ok", "summary")
    list_filter = ("job", "ok")
    search_fields = ("summary",)
    readonly_fields = ("job", "started_at", "finished_at", "ok", "summary", "created_at", "version")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def call_service(self, request, *, instance, data, reason):
        raise PermissionError("Job runs are written by the jobs.")


# django-otp's own device pages would show the TOTP secrets: devices are set up by their
# owner (the "Sign-in and API tokens" page) and reset by a data manager ("Accounts")
for device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(device_model):
        admin.site.unregister(device_model)


@admin.register(ApiToken)
class ApiTokenAdmin(ScopedHistoryMixin, SimpleHistoryAdmin):
    """API tokens, read only here (with their history): each user sees their own, a data manager
    also those of the accounts they look after. Created and revoked on the "API tokens" page."""

    list_display = ("token_key", "name", "user", "created", "expiry", "revoked_at")
    list_select_related = ("user",)
    list_filter = ("revoked_at",)
    search_fields = ("name", "token_key", "user__username")
    fields = readonly_fields = (
        "token_key",
        "name",
        "user",
        "created",
        "expiry",
        "revoked_at",
        "revoked_by",
        "revoke_reason",
        "version",
    )

    def get_queryset(self, request):
        return selectors.api_token_list(user=request.user)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SiteRoleInline(ReadOnlyInline):
    model = SiteRole
    fk_name = "user"
    fields = ("site", "role", "is_active")


@admin.register(User)
class UserAdmin(ScopedHistoryMixin, DjangoUserAdmin, SimpleHistoryAdmin):
    """Accounts are managed by administrators; roles are granted on the site roles page."""

    inlines = [SiteRoleInline]

    def has_delete_permission(self, request, obj=None):
        return False
