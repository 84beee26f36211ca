from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from screening.models import Subject
from screening.selectors import subject_list
from trial.admin_base import AuditedAdmin, AuditedAdminForm, VoidableAdmin
from trial.models import SiteRole
from trial.selectors import dose_level_list, study_list

from . import selectors, services
from .models import (
    Cohort,
    DltEvaluation,
    Enrollment,
    EscalationDecision,
    Infusion,
    Lymphodepletion,
    LymphodepletionRegimen,
)


@admin.register(LymphodepletionRegimen)
class RegimenAdmin(AuditedAdmin):
    list_filter = ("is_placeholder",)
    list_display = ("name", "schedule", "is_placeholder", "study")
    list_select_related = ("study",)
    search_fields = ("name",)

    def get_queryset(self, request):
        return LymphodepletionRegimen.objects.filter(study__in=study_list(user=request.user))

    def call_service(self, request, *, instance, data, reason):
        return services.regimen_save(user=request.user, instance=instance, data=data, reason=reason)


@admin.register(Cohort)
class CohortAdmin(AuditedAdmin):
    search_fields = ("study__registry_id", "dose_level__label")
    list_display = (
        "sequence",
        "dose_level",
        "size",
        "status",
        "filled_slots",
        "n_evaluable",
        "n_dlt",
        "study",
    )
    list_filter = ("status", "dose_level")
    list_select_related = ("study", "dose_level")
    change_list_template = "admin/dosing/cohort/change_list.html"

    def get_readonly_fields(self, request, obj=None):
        fixed = ("study", "dose_level") if obj is not None else ()
        return (
            *super().get_readonly_fields(request, obj),
            *fixed,
            "sequence",
            "status",
            "opened_by_decision",
        )

    def get_queryset(self, request):
        return selectors.cohort_list(user=request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "dose_level":
            kwargs["queryset"] = dose_level_list(user=request.user).filter(is_voided=False)
        if db_field.name == "study":
            kwargs["queryset"] = study_list(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def call_service(self, request, *, instance, data, reason):
        return services.cohort_open_first(
            user=request.user, instance=instance, data=data, reason=reason
        )

    @admin.display(description=_("filled slots"))
    def filled_slots(self, obj):
        return f"{obj.n_enrolled} / {obj.size + obj.n_replaced}"

    @admin.display(description=_("evaluable"))
    def n_evaluable(self, obj):
        return obj.n_evaluable

    @admin.display(description=_("DLTs"))
    def n_dlt(self, obj):
        return obj.n_dlt

    def changelist_view(self, request, extra_context=None):
        states = [
            {
                **selectors.escalation_state(study=study),
                "decision_table": selectors.decision_table(study),
            }
            for study in study_list(user=request.user)
        ]
        return super().changelist_view(
            request, {**(extra_context or {}), "escalation_states": states}
        )


@admin.register(Enrollment)
class EnrollmentAdmin(AuditedAdmin):
    list_display = ("subject", "cohort", "enrollment_date", "enrolled_by")
    list_filter = ("cohort",)
    list_select_related = ("subject", "cohort__dose_level", "enrolled_by")
    search_fields = ("subject__screening_number",)

    def get_readonly_fields(self, request, obj=None):
        fixed = ("subject", "cohort") if obj is not None else ()
        return (*super().get_readonly_fields(request, obj), *fixed, "enrolled_by")

    def get_queryset(self, request):
        return selectors.enrollment_list(user=request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "subject":
            kwargs["queryset"] = subject_list(user=request.user).filter(
                status=Subject.Status.ELIGIBLE
            )
        if db_field.name == "cohort":
            kwargs["queryset"] = selectors.cohort_list(user=request.user).filter(
                status=Cohort.Status.OPEN
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def call_service(self, request, *, instance, data, reason):
        return services.enrollment_create(
            user=request.user, instance=instance, data=data, reason=reason
        )

    def add_view(self, request, form_url="", extra_context=None):
        """Opened for a subject that cannot be enrolled yet (from the matrix or the casebook,
        say): the form says why, instead of an empty subject field."""
        wanted = request.GET.get("subject", "")
        if request.method == "GET" and wanted.isdigit():
            subject = subject_list(user=request.user).filter(pk=int(wanted)).first()
            if subject is not None and subject.status != Subject.Status.ELIGIBLE:
                messages.warning(
                    request,
                    _(
                        "%(screening_number)s is %(value2)s: only a subject whose eligibility the investigator has confirmed is enrolled. Confirm the eligibility assessment first."
                    )
                    % {
                        "screening_number": subject.screening_number,
                        "value2": subject.get_status_display().lower(),
                    },
                )
        return super().add_view(request, form_url, extra_context)


@admin.register(Lymphodepletion)
class LymphodepletionAdmin(VoidableAdmin):
    list_display = ("enrollment", "regimen", "start_date", "end_date", "completed", "is_voided")
    list_select_related = ("enrollment__subject", "enrollment__cohort__dose_level", "regimen")
    search_fields = ("enrollment__subject__screening_number",)
    void_service = services.lymphodepletion_void

    def get_queryset(self, request):
        return selectors.lymphodepletion_list(user=request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "enrollment":
            kwargs["queryset"] = selectors.enrollment_list(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def call_service(self, request, *, instance, data, reason):
        return services.lymphodepletion_save(
            user=request.user, instance=instance, data=data, reason=reason
        )


class InfusionForm(AuditedAdminForm):
    deviation_description = forms.CharField(
        label=_("Protocol deviation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=_(
            "Only when the dose level differs from the cohort's: say what happened. The "
            "deviation is logged and the patient is not DLT-evaluable."
        ),
    )

    def service_data(self) -> dict:
        data = super().service_data()
        if self.cleaned_data.get("deviation_description"):
            data["deviation_description"] = self.cleaned_data["deviation_description"]
        return data


@admin.register(Infusion)
class InfusionAdmin(VoidableAdmin):
    form = InfusionForm
    list_display = (
        "enrollment",
        "number",
        "started_at",
        "dose_level",
        "actual_cells_per_kg_million",
        "partial_dose",
        "infusion_reaction",
        "is_voided",
    )
    list_filter = ("partial_dose", "infusion_reaction", "is_voided")
    list_select_related = ("enrollment__subject", "enrollment__cohort__dose_level", "dose_level")
    ENTRY_ONLY = ("deviation_description",)
    search_fields = ("enrollment__subject__screening_number",)
    void_service = services.infusion_void

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "number", "partial_dose")

    def get_queryset(self, request):
        return selectors.infusion_list(user=request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "enrollment":
            kwargs["queryset"] = selectors.enrollment_list(user=request.user)
        if db_field.name == "dose_level":
            kwargs["queryset"] = dose_level_list(user=request.user).filter(is_voided=False)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def call_service(self, request, *, instance, data, reason):
        return services.infusion_save(
            user=request.user, instance=instance, data=data, reason=reason
        )


def _confirm(as_role):
    def run(modeladmin, request, queryset):
        for evaluation in queryset:
            try:
                services.dlt_confirm(user=request.user, evaluation=evaluation, as_role=as_role)
            except (ValidationError, PermissionDenied) as error:
                text = (
                    " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                )
                modeladmin.message_user(request, f"{evaluation}: {text}", messages.ERROR)
            else:
                modeladmin.message_user(
                    request,
                    _("%(evaluation)s: DLT confirmed.") % {"evaluation": evaluation},
                    messages.SUCCESS,
                )

    description = (
        _("Confirm the DLT as investigator")
        if as_role == SiteRole.Role.INVESTIGATOR
        else _("Confirm the DLT as safety reviewer")
    )
    run.__name__ = f"confirm_dlt_as_{as_role}"
    return admin.action(description=description, permissions=["change"])(run)


@admin.register(DltEvaluation)
class DltEvaluationAdmin(AuditedAdmin):
    list_display = (
        "enrollment",
        "day0",
        "window_end",
        "status",
        "replace",
        "dlt_grade",
        "investigator_confirmed_by",
        "reviewer_confirmed_by",
    )
    list_filter = ("status", "replace")
    list_select_related = (
        "enrollment__subject",
        "enrollment__cohort__dose_level",
        "investigator_confirmed_by",
        "reviewer_confirmed_by",
    )
    search_fields = ("enrollment__subject__screening_number",)
    actions = [_confirm(SiteRole.Role.INVESTIGATOR), _confirm(SiteRole.Role.SAFETY_REVIEWER)]
    fieldsets = [
        (
            _("DLT window (derived)"),
            {"fields": ["enrollment", "day0", "window_end", "status", "replace", "status_reason"]},
        ),
        (
            _("Dose-limiting toxicity"),
            {"fields": ["dlt_description", "dlt_onset_date", "dlt_grade"]},
        ),
        (_("Left the study during the window"), {"fields": ["off_study_date", "off_study_reason"]}),
        (
            _("Adjudication"),
            {
                "fields": [
                    "investigator_confirmed_by",
                    "investigator_confirmed_at",
                    "reviewer_confirmed_by",
                    "reviewer_confirmed_at",
                ]
            },
        ),
        (_("Record"), {"fields": ["created_at", "version"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        return (
            *super().get_readonly_fields(request, obj),
            "enrollment",
            "day0",
            "window_end",
            "status",
            "replace",
            "status_reason",
            "investigator_confirmed_by",
            "investigator_confirmed_at",
            "reviewer_confirmed_by",
            "reviewer_confirmed_at",
        )

    def has_add_permission(self, request):
        return False  # opened by the enrollment

    def get_queryset(self, request):
        return selectors.dlt_evaluation_list(user=request.user)

    def call_service(self, request, *, instance, data, reason):
        return services.dlt_evaluation_save(
            user=request.user, instance=instance, data=data, reason=reason
        )


@admin.register(EscalationDecision)
class EscalationDecisionAdmin(AuditedAdmin):
    list_filter = ("action", "agrees")
    search_fields = ("cohort__study__registry_id", "rationale")
    list_display = ("cohort", "recommended_action", "action", "agrees", "signature")
    list_select_related = ("cohort__dose_level", "signed_by")
    fields = ("cohort", "action", "next_dose_level", "mtd_dose_level", "rationale")

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.fields
        return (
            "cohort",
            "recommended_action",
            "recommended_next_dose",
            "recommended_mtd",
            "recommendation_reason",
            "data_snapshot",
            "action",
            "next_dose_level",
            "mtd_dose_level",
            "agrees",
            "rationale",
            "signature",
        )

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.get_fields(request, obj)

    @admin.display(description=_("signed"))
    def signature(self, obj):
        """21 CFR 11.50: the signer's printed name, when, and what the signature means."""
        signer = obj.signed_by
        name = signer.get_full_name() or signer.get_username()
        when = timezone.localtime(obj.signed_at)
        return _(
            "%(name)s (%(value2)s), %(when)s %(value6)s: the safety review committee's escalation decision"
        ) % {
            "name": name,
            "value2": signer.get_username(),
            "when": format(when, "%Y-%m-%d %H:%M"),
            "value6": when.tzname(),
        }

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def get_queryset(self, request):
        return selectors.decision_list(user=request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "cohort":
            kwargs["queryset"] = selectors.cohort_list(user=request.user).filter(
                status=Cohort.Status.AWAITING_REVIEW
            )
        if db_field.name in ("next_dose_level", "mtd_dose_level"):
            kwargs["queryset"] = dose_level_list(user=request.user).filter(is_voided=False)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def add_view(self, request, form_url="", extra_context=None):
        """The form shows the recommendation it is about, computed now."""
        states = [
            {
                **selectors.escalation_state(study=study),
                "decision_table": selectors.decision_table(study),
            }
            for study in study_list(user=request.user)
        ]
        return super().add_view(
            request, form_url, {**(extra_context or {}), "escalation_states": states}
        )

    def call_service(self, request, *, instance, data, reason):
        return services.escalation_decision_record(
            user=request.user, instance=instance, data=data, reason=reason
        )
