from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from screening.admin import SubjectChoicesMixin
from screening.selectors import subject_list
from trial.admin_base import AuditedAdmin, VoidableAdmin
from trial.selectors import study_list

from . import selectors, services
from .models import Disposition, ProtocolDeviation, ResponseAssessment, Visit, VisitDefinition


class FollowUpChoicesMixin(SubjectChoicesMixin):
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "definition":
            kwargs["queryset"] = selectors.visit_definition_list(user=request.user)
        if db_field.name == "visit":
            kwargs["queryset"] = selectors.visit_list(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(VisitDefinition)
class VisitDefinitionAdmin(AuditedAdmin):
    list_filter = ("study",)
    list_display = (
        "order",
        "code",
        "label",
        "target_day",
        "window_before",
        "window_after",
        "expected_crfs",
    )
    list_select_related = ("study",)
    search_fields = ("code", "label")

    def get_queryset(self, request):
        return selectors.visit_definition_list(user=request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "study":
            kwargs["queryset"] = study_list(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def call_service(self, request, *, instance, data, reason):
        return services.visit_definition_save(
            user=request.user, instance=instance, data=data, reason=reason
        )


@admin.register(Visit)
class VisitAdmin(FollowUpChoicesMixin, VoidableAdmin):
    list_display = (
        "subject",
        "definition",
        "planned_date",
        "actual_date",
        "missed",
        "out_of_window",
        "is_voided",
    )
    list_filter = ("missed", "out_of_window", "subject__site", "definition", "is_voided")
    list_select_related = ("subject", "definition")
    search_fields = ("subject__screening_number",)
    void_service = services.visit_void

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "planned_date", "out_of_window")

    def get_queryset(self, request):
        return selectors.visit_list(user=request.user)

    def call_service(self, request, *, instance, data, reason):
        return services.visit_record(user=request.user, instance=instance, data=data, reason=reason)

    def get_urls(self):
        calendar = path(
            "calendar/<int:subject_id>/",
            self.admin_site.admin_view(self.calendar_view),
            name="followup_visit_calendar",
        )
        return [calendar, *super().get_urls()]

    def calendar_view(self, request, subject_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        subject = get_object_or_404(subject_list(user=request.user), pk=subject_id)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Visit calendar: %(subject)s") % {"subject": subject},
            "opts": self.model._meta,
            "subject": subject,
            "rows": selectors.visit_calendar(subject),
            "day0": selectors.day0(subject),
            "end": selectors.end_of_study(subject),
        }
        return TemplateResponse(request, "admin/followup/visit_calendar.html", context)


@admin.register(ResponseAssessment)
class ResponseAssessmentAdmin(FollowUpChoicesMixin, VoidableAdmin):
    list_display = (
        "subject",
        "assessment_date",
        "response",
        "investigator_response",
        "disagreement",
        "mrd_negative",
        "is_voided",
    )
    list_filter = ("response", "disagreement", "subject__site", "is_voided")
    list_select_related = ("subject",)
    search_fields = ("subject__screening_number",)
    void_service = services.response_assessment_void
    fieldsets = [
        (None, {"fields": ["subject", "visit", "assessment_date", "marrow_assessment_date"]}),
        (
            _("Marrow and blood (ELN 2022)"),
            {
                "fields": [
                    ("marrow_blasts_pct", "baseline_marrow_blasts_pct"),
                    "circulating_blasts",
                    "auer_rods",
                    ("extramedullary_disease", "baseline_extramedullary_disease"),
                    ("anc", "platelets"),
                    "mrd_pct",
                ]
            },
        ),
        (
            _("Response: computed beside the investigator's"),
            {
                "fields": [
                    ("response", "investigator_response"),
                    "response_reason",
                    "mrd_negative",
                    "in_remission",
                    "disagreement",
                    "disagreement_comment",
                ]
            },
        ),
        (
            _("Record"),
            {"fields": ["created_at", "version", "is_voided", "voided_at", "void_reason"]},
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        return (
            *super().get_readonly_fields(request, obj),
            "response",
            "response_reason",
            "mrd_negative",
            "in_remission",
            "disagreement",
        )

    def get_queryset(self, request):
        return selectors.response_list(user=request.user)

    def call_service(self, request, *, instance, data, reason):
        return services.response_assessment_record(
            user=request.user, instance=instance, data=data, reason=reason
        )


@admin.register(Disposition)
class DispositionAdmin(FollowUpChoicesMixin, VoidableAdmin):
    list_display = (
        "subject",
        "end_of_study_date",
        "end_of_study_reason",
        "death_date",
        "last_known_alive_date",
        "is_voided",
    )
    list_filter = ("end_of_study_reason", "subject__site", "is_voided")
    list_select_related = ("subject",)
    search_fields = ("subject__screening_number",)
    void_service = services.disposition_void

    def get_queryset(self, request):
        return selectors.disposition_list(user=request.user)

    def call_service(self, request, *, instance, data, reason):
        return services.disposition_record(
            user=request.user, instance=instance, data=data, reason=reason
        )


@admin.register(ProtocolDeviation)
class ProtocolDeviationAdmin(FollowUpChoicesMixin, VoidableAdmin):
    list_display = (
        "subject",
        "deviation_date",
        "category",
        "severity",
        "what_happened",
        "rule",
        "reported",
    )
    list_filter = ("category", "severity", "subject__site", "is_voided")
    list_select_related = ("subject",)
    search_fields = ("subject__screening_number", "description")
    void_service = services.deviation_void

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "rule", "source")

    @admin.display(description=_("reported to sponsor / ethics"))
    def reported(self, obj):
        def day(value):
            return value.isoformat() if value else _("not yet")

        return f"{day(obj.sponsor_reported_on)} / {day(obj.ethics_reported_on)}"

    @admin.display(description=_("what happened"), ordering="description")
    def what_happened(self, obj):
        return Truncator(obj.description).chars(90)

    def get_queryset(self, request):
        return selectors.deviation_list(user=request.user)

    def call_service(self, request, *, instance, data, reason):
        return services.deviation_record(
            user=request.user, instance=instance, data=data, reason=reason
        )
