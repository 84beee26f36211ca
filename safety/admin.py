from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from screening.admin import SubjectChoicesMixin
from trial.admin_base import (
    AuditedAdmin,
    AuditedAdminForm,
    ReadOnlyInline,
    VoidableAdmin,
    form_action,
)
from trial.admin_base import VoidForm as ReasonForm
from trial.selectors import study_list

from . import coding, selectors, services
from .models import (
    AdverseEvent,
    AeGrade,
    ConMed,
    CrsAssessment,
    DltCandidate,
    DltCriteriaConfig,
    IcansAssessment,
    LabResult,
)


class InDltWindowFilter(admin.SimpleListFilter):
    title = _("inside the DLT window")
    parameter_name = "in_dlt_window"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(selectors.IN_DLT_WINDOW)
        if self.value() == "no":
            return queryset.exclude(selectors.IN_DLT_WINDOW)
        return queryset


class CodingFilter(admin.SimpleListFilter):
    title = _("MedDRA coding")
    parameter_name = "coding"

    def lookups(self, request, model_admin):
        return [
            ("to_code", _("To code (data manager)")),
            ("manual", _("Coded by a data manager")),
            ("table", _("Coded from CTCAE v5.0")),
        ]

    def queryset(self, request, queryset):
        table = list(coding.ctcae_terms())
        if self.value() == "to_code":
            return queryset.exclude(term__in=table).filter(coded_term="")
        if self.value() == "manual":
            return queryset.exclude(term__in=table).exclude(coded_term="")
        if self.value() == "table":
            return queryset.filter(term__in=table)
        return queryset


class CodeForm(forms.Form):
    term = forms.CharField(label=_("MedDRA term (AEDECOD)"), max_length=200)
    soc = forms.CharField(label=_("MedDRA system organ class (AEBODSYS)"), max_length=200)
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2, "cols": 60})
    )


code_selected = form_action(
    name="code_selected",
    description=_("Code the term in MedDRA (data manager)"),
    form_class=CodeForm,
    perform=lambda modeladmin, request, obj, data: services.ae_code(
        user=request.user, instance=obj, **data
    ),
    intro=_(
        "The events below get this MedDRA term and system organ class in AEDECOD and AEBODSYS "
        "of the SDTM export. Only terms the CTCAE v5.0 table does not code (Other, specify; ICANS; "
        "GVHD) are coded here; the change and its reason go into the audit trail."
    ),
    submit=_("Code these events"),
    permissions=("code",),
)


class AdverseEventForm(AuditedAdminForm):
    grade = forms.IntegerField(
        label=_("grade at onset"),
        min_value=1,
        max_value=5,
        required=False,
        help_text=_("CTCAE grade 1-5 at onset; later changes are new grade episodes."),
    )

    def service_data(self) -> dict:
        data = super().service_data()
        if self.instance.pk is None:
            data["grade"] = self.cleaned_data.get("grade")
        return data


class AeGradeInline(ReadOnlyInline):
    model = AeGrade
    fields = ("from_date", "grade")


@admin.register(AdverseEvent)
class AdverseEventAdmin(SubjectChoicesMixin, VoidableAdmin):
    list_display = (
        "subject",
        "display_term",
        "onset_date",
        "worst_grade",
        "serious",
        "relation_car_nk",
        "sae_deadline",
        "is_dlt_candidate",
        "is_voided",
    )
    list_filter = (
        "worst_grade",
        "serious",
        "relation_car_nk",
        ("dlt_candidates", admin.EmptyFieldListFilter),
        InDltWindowFilter,
        "term",
        "subject__site",
        CodingFilter,
        "is_voided",
    )
    list_select_related = ("subject",)
    search_fields = ("subject__screening_number", "term", "other_term")
    void_service = services.ae_void
    actions = [*VoidableAdmin.actions, code_selected]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "subject",
                    "term",
                    "other_term",
                    "onset_date",
                    "resolution_date",
                ]
            },
        ),
        (
            _("Seriousness (ICH E2A)"),
            {
                "fields": [
                    "serious",
                    "sc_death",
                    "sc_life_threatening",
                    "sc_hospitalization",
                    "sc_disability",
                    "sc_congenital_anomaly",
                    "sc_important_medical_event",
                    "aware_at",
                    "reported_at",
                    "report_deadline",
                ]
            },
        ),
        (
            _("Causality, action and outcome"),
            {"fields": ["relation_car_nk", "relation_lymphodepletion", "action_taken", "outcome"]},
        ),
        (_("MedDRA coding"), {"fields": ["meddra_coding"]}),
        (
            _("Record"),
            {"fields": ["created_at", "version", "is_voided", "voided_at", "void_reason"]},
        ),
    ]
    inlines = [AeGradeInline]
    form = AdverseEventForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = [list(f) for f in super().get_fieldsets(request, obj)]
        first = dict(fieldsets[0][1])
        grading = ["grade"] if obj is None else ["grade_at_onset", "worst_grade"]
        first["fields"] = [*first["fields"], *grading]
        fieldsets[0][1] = first
        return fieldsets

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def get_readonly_fields(self, request, obj=None):
        fixed = ("grade_at_onset", "subject") if obj is not None else ()
        return (
            *super().get_readonly_fields(request, obj),
            "worst_grade",
            "report_deadline",
            "meddra_coding",
            *fixed,
        )

    def has_code_permission(self, request):
        return selectors.codes_adverse_events(request.user)

    @admin.display(description=_("MedDRA term / SOC"))
    def meddra_coding(self, obj):
        found = coding.coding(obj) if obj and obj.pk else None
        if found is None:
            return _("Not coded yet: a data manager codes this term (list action).")
        code = f", LLT {found.llt_code}" if found.llt_code else ""
        return f"{found.term} / {found.soc} ({found.by}{code})"

    def get_queryset(self, request):
        return selectors.adverse_event_list(user=request.user).prefetch_related("dlt_candidates")

    def call_service(self, request, *, instance, data, reason):
        return services.ae_save(user=request.user, instance=instance, data=data, reason=reason)

    @admin.display(description=_("grade at onset"))
    def grade_at_onset(self, obj):
        first = obj.grades.order_by("from_date").first() if obj and obj.pk else None
        return first.grade if first else "-"

    @admin.display(description=_("SAE report due"))
    def sae_deadline(self, obj):
        if not obj.report_deadline:
            return "-"
        if obj.reported_at:
            on_time = "on time" if obj.reported_at <= obj.report_deadline else _("LATE")
            return _("reported %(value1)s (%(on_time)s)") % {
                "value1": format(timezone.localtime(obj.reported_at), "%Y-%m-%d %H:%M"),
                "on_time": on_time,
            }
        overdue = " OVERDUE" if timezone.now() > obj.report_deadline else ""
        return f"due {timezone.localtime(obj.report_deadline):%Y-%m-%d %H:%M}{overdue}"

    @admin.display(description=_("DLT candidate"), boolean=True)
    def is_dlt_candidate(self, obj):
        return any(c.status in ("open", "accepted") for c in obj.dlt_candidates.all())


@admin.register(AeGrade)
class AeGradeAdmin(AuditedAdmin):
    list_filter = ("grade",)
    list_display = ("adverse_event", "from_date", "grade")
    list_select_related = ("adverse_event__subject",)
    search_fields = ("adverse_event__subject__screening_number",)

    def get_queryset(self, request):
        return AeGrade.objects.filter(
            adverse_event__in=selectors.adverse_event_list(user=request.user)
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "adverse_event":
            kwargs["queryset"] = selectors.adverse_event_list(user=request.user).filter(
                is_voided=False
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def call_service(self, request, *, instance, data, reason):
        ae = data.get("adverse_event") or instance.adverse_event
        services.ae_grade_record(
            user=request.user,
            adverse_event=ae,
            from_date=data["from_date"],
            grade=data["grade"],
            reason=reason,
        )
        if instance is not None and instance.pk is None:  # the admin wants the saved episode back
            saved = AeGrade.objects.get(adverse_event=ae, from_date=data["from_date"])
            instance.pk = saved.pk
        return instance


@admin.register(CrsAssessment)
class CrsAssessmentAdmin(SubjectChoicesMixin, VoidableAdmin):
    list_display = (
        "subject",
        "assessed_at",
        "max_temp_c",
        "hypotension",
        "vasopressors",
        "oxygen_device",
        "grade",
        "adverse_event",
        "is_voided",
    )
    list_filter = ("grade", "subject__site", "is_voided")
    list_select_related = ("subject", "adverse_event__subject")
    search_fields = ("subject__screening_number",)
    void_service = services.crs_assessment_void

    def get_readonly_fields(self, request, obj=None):
        return (
            *super().get_readonly_fields(request, obj),
            "grade",
            "adverse_event",
            "treatments_before",
        )

    @admin.display(description=_("tocilizumab or steroids before this assessment"))
    def treatments_before(self, obj):
        if obj.pk is None:
            return "-"
        given = services.crs_treatments_before(obj)
        return "; ".join(f"{c.name} from {c.start_date}" for c in given) or _("none recorded")

    def get_queryset(self, request):
        return selectors.crs_assessment_list(user=request.user).select_related("adverse_event")

    def call_service(self, request, *, instance, data, reason):
        return services.crs_assessment_record(
            user=request.user, instance=instance, data=data, reason=reason
        )


@admin.register(IcansAssessment)
class IcansAssessmentAdmin(SubjectChoicesMixin, VoidableAdmin):
    list_display = (
        "subject",
        "assessed_at",
        "ice_score",
        "capd_score",
        "consciousness",
        "seizure",
        "grade",
        "adverse_event",
        "is_voided",
    )
    list_filter = ("grade", "subject__site", "is_voided")
    list_select_related = ("subject", "adverse_event__subject")
    search_fields = ("subject__screening_number",)
    void_service = services.icans_assessment_void

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "grade", "adverse_event")

    def get_queryset(self, request):
        return selectors.icans_assessment_list(user=request.user).select_related("adverse_event")

    def call_service(self, request, *, instance, data, reason):
        return services.icans_assessment_record(
            user=request.user, instance=instance, data=data, reason=reason
        )


@admin.register(LabResult)
class LabResultAdmin(SubjectChoicesMixin, VoidableAdmin):
    list_display = (
        "subject",
        "collected_on",
        "test",
        "value",
        "unit",
        "uln",
        "lln",
        "ctcae_grade",
        "grading_note",
        "is_voided",
    )
    list_filter = ("test", "ctcae_grade", "subject__site", "is_voided")
    list_select_related = ("subject",)
    search_fields = ("subject__screening_number",)
    void_service = services.lab_result_void

    def get_readonly_fields(self, request, obj=None):
        return (
            *super().get_readonly_fields(request, obj),
            "value_standard",
            "ctcae_grade",
            "grading_note",
        )

    def get_queryset(self, request):
        return selectors.lab_list(user=request.user)

    def call_service(self, request, *, instance, data, reason):
        return services.lab_result_record(
            user=request.user, instance=instance, data=data, reason=reason
        )


@admin.action(description=_("Accept as the subject's DLT (investigator)"), permissions=["change"])
def accept_candidate(modeladmin, request, queryset):
    for candidate in queryset:
        try:
            services.dlt_candidate_accept(user=request.user, candidate=candidate)
        except (ValidationError, PermissionDenied) as error:
            text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            modeladmin.message_user(request, f"{candidate}: {text}", messages.ERROR)
        else:
            modeladmin.message_user(
                request,
                _("%(candidate)s: accepted; confirm it on the DLT evaluation.")
                % {"candidate": candidate},
                messages.SUCCESS,
            )


reject_candidate = form_action(
    name="reject_candidate",
    description=_("Reject (not a DLT)"),
    form_class=ReasonForm,
    perform=lambda modeladmin, request, obj, data: services.dlt_candidate_reject(
        user=request.user, candidate=obj, reason=data["reason"]
    ),
    intro=_("These candidates will be recorded as not being DLTs, with the reason below."),
    submit=_("Reject"),
)


@admin.register(DltCandidate)
class DltCandidateAdmin(AuditedAdmin):
    list_display = ("subject", "adverse_event", "clause", "flagged_at", "status", "decided_by")
    list_filter = ("status", "clause", "subject__site")
    list_select_related = ("subject", "adverse_event__subject", "decided_by")
    search_fields = ("subject__screening_number",)
    actions = [accept_candidate, reject_candidate]
    readonly_fields = (
        "subject",
        "dlt_evaluation",
        "adverse_event",
        "clause",
        "detail",
        "flagged_at",
        "status",
        "decided_by",
        "decided_at",
        "decision_reason",
        "created_at",
        "version",
    )

    def has_add_permission(self, request):
        return False  # flagged by the system

    def get_queryset(self, request):
        return selectors.dlt_candidate_list(user=request.user)

    def call_service(self, request, *, instance, data, reason):
        raise ValidationError(_("DLT candidates are decided with the list actions."))


@admin.register(DltCriteriaConfig)
class DltCriteriaAdmin(AuditedAdmin):
    list_filter = ("crs_grade_4",)
    search_fields = ("study__registry_id",)
    list_display = (
        "study",
        "crs_grade_4",
        "crs_grade_3_max_hours",
        "icans_min_grade",
        "nonheme_min_grade",
        "nonheme_min_days",
    )
    list_select_related = ("study",)

    def get_queryset(self, request):
        return selectors.dlt_criteria_list(user=request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "study":
            kwargs["queryset"] = study_list(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def call_service(self, request, *, instance, data, reason):
        return services.dlt_criteria_save(
            user=request.user, instance=instance, data=data, reason=reason
        )


@admin.register(ConMed)
class ConMedAdmin(SubjectChoicesMixin, VoidableAdmin):
    list_display = (
        "subject",
        "name",
        "category",
        "indication",
        "start_date",
        "stop_date",
        "ongoing",
        "is_voided",
    )
    list_filter = ("category", "route", "ongoing", "subject__site", "is_voided")
    list_select_related = ("subject",)
    search_fields = ("subject__screening_number", "name", "indication")
    void_service = services.conmed_void

    def get_queryset(self, request):
        return selectors.conmed_list(user=request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "adverse_event":
            kwargs["queryset"] = selectors.adverse_event_list(user=request.user).filter(
                is_voided=False
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def call_service(self, request, *, instance, data, reason):
        return services.conmed_save(user=request.user, instance=instance, data=data, reason=reason)
