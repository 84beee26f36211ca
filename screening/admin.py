from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from trial.admin_base import AuditedAdminForm, ReadOnlyInline, VoidableAdmin, form_action
from trial.models import SiteRole
from trial.selectors import site_list, site_staff

from . import rules, selectors, services
from .models import Consent, EligibilityAssessment, MedicalHistory, PriorTherapy, Subject


class SubjectChoicesMixin:
    """Subject choices on another app's forms: the subjects of the user's sites."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "subject":
            kwargs["queryset"] = selectors.subject_list(user=request.user).filter(is_voided=False)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ConsentInline(ReadOnlyInline):
    model = Consent
    fields = (
        "form_version",
        "consent_date",
        "signed_by",
        "assent_obtained",
        "withdrawn_date",
        "is_voided",
    )


class AssessmentInline(ReadOnlyInline):
    model = EligibilityAssessment
    fields = (
        "attempt",
        "assessment_date",
        "eligible",
        "reasons",
        "confirmed_by",
        "confirmed_at",
        "is_voided",
    )


@admin.register(Subject)
class SubjectAdmin(VoidableAdmin):
    list_display = (
        "screening_number",
        "site",
        "sex",
        "date_of_birth",
        "status",
        "is_demo",
        "is_voided",
        "casebook",
    )
    list_filter = ("site", "status", "sex", "is_demo", "is_voided")
    list_select_related = ("site",)
    search_fields = ("screening_number",)
    inlines = [ConsentInline, AssessmentInline]
    void_service = services.subject_void
    change_list_template = "admin/screening/subject/change_list.html"

    def get_readonly_fields(self, request, obj=None):
        fixed = ("site",) if obj is not None else ()  # a registered subject keeps its site
        return (
            *super().get_readonly_fields(request, obj),
            *fixed,
            "screening_number",
            "status",
            "is_demo",
            "enrollment_link",
            "follow_up",
        )

    @admin.display(description=_("follow-up"))
    def follow_up(self, obj):
        """The visit calendar and the end-of-study record."""
        if obj.pk is None:
            return "-"
        calendar = reverse("admin:followup_visit_calendar", args=[obj.pk])
        end = obj.dispositions.filter(is_voided=False).first()
        end_text = (
            format_html(
                '<a href="{}">{}</a>',
                reverse("admin:followup_disposition_change", args=[end.pk]),
                end,
            )
            if end
            else _("no end-of-study record")
        )
        audit = reverse("admin:monitoring_audit_trail") + f"?subject={obj.pk}"
        return format_html(
            _(
                '<a href="{}">Casebook</a>; <a href="{}">Visit calendar</a>; {}; '
                '<a href="{}">Audit trail</a>'
            ),
            reverse("admin:casebook", args=[obj.pk]),
            calendar,
            end_text,
            audit,
        )

    @admin.display(description=_("casebook"))
    def casebook(self, obj):
        return format_html(_('<a href="{}">Casebook</a>'), reverse("admin:casebook", args=[obj.pk]))

    @admin.display(description=_("enrollment"))
    def enrollment_link(self, obj):
        """Where the subject is enrolled, or a link to enroll an eligible subject."""
        enrollment = getattr(obj, "enrollment", None) if obj.pk else None
        if enrollment is not None:
            url = reverse("admin:dosing_enrollment_change", args=[enrollment.pk])
            return format_html('<a href="{}">{}</a>', url, enrollment)
        if obj.status == Subject.Status.ELIGIBLE:
            url = reverse("admin:dosing_enrollment_add") + f"?subject={obj.pk}"
            return format_html(_('<a href="{}">Enroll in the open cohort</a>'), url)
        return "-"

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def get_queryset(self, request):
        return selectors.subject_list(user=request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "site":
            kwargs["queryset"] = site_list(user=request.user).filter(is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def call_service(self, request, *, instance, data, reason):
        return services.subject_save(user=request.user, instance=instance, data=data, reason=reason)

    def get_urls(self):
        log = path(
            "screening-log/",
            self.admin_site.admin_view(self.screening_log_view),
            name="screening_subject_screening_log",
        )
        return [log, *super().get_urls()]

    def screening_log_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        log = selectors.screening_log(user=request.user)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Screening log"),
            "opts": self.model._meta,
            "log": log,
            "criteria": rules.CRITERIA,
        }
        return TemplateResponse(request, "admin/screening/screening_log.html", context)


class WithdrawForm(forms.Form):
    withdrawn_date = forms.DateField(
        label=_("Date consent was withdrawn"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


withdraw_consent = form_action(
    name="withdraw_consent",
    description=_("Record withdrawal of consent"),
    form_class=WithdrawForm,
    perform=lambda modeladmin, request, obj, data: services.consent_withdraw(
        user=request.user, consent=obj, **data
    ),
    intro=_(
        "The patient withdrew consent. The subject is withdrawn from the study; the consent "
        "and everything recorded under it stay on record."
    ),
    submit=_("Record withdrawal"),
)


@admin.register(Consent)
class ConsentAdmin(VoidableAdmin):
    list_display = (
        "subject",
        "form_version",
        "consent_date",
        "signed_by",
        "assent_obtained",
        "obtained_by",
        "withdrawn_date",
        "is_voided",
    )
    list_filter = ("signed_by", "is_voided", "subject__site")
    list_select_related = ("subject", "obtained_by")
    search_fields = ("subject__screening_number", "form_version")
    actions = [withdraw_consent, *VoidableAdmin.actions]
    void_service = services.consent_void

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "withdrawn_date", "withdrawal_reason")

    def get_queryset(self, request):
        return selectors.consent_list(user=request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "subject":
            kwargs["queryset"] = selectors.subject_list(user=request.user).filter(is_voided=False)
        if db_field.name == "obtained_by":
            kwargs["queryset"] = site_staff(
                user=request.user, roles=(SiteRole.Role.INVESTIGATOR, SiteRole.Role.COORDINATOR)
            ).order_by("last_name", "first_name", "username")
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            field.label_from_instance = lambda u: (
                f"{u.get_full_name()} ({u.get_username()})" if u.get_full_name() else u.username
            )
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def call_service(self, request, *, instance, data, reason):
        return services.consent_save(user=request.user, instance=instance, data=data, reason=reason)


def _answers(*codes):
    return [code.lower() for code in codes]


@admin.action(description=_("Confirm eligibility (investigator)"), permissions=["change"])
def confirm_eligibility(modeladmin, request, queryset):
    for assessment in queryset:
        try:
            services.eligibility_confirm(user=request.user, assessment=assessment)
        except (ValidationError, PermissionDenied) as error:
            text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            modeladmin.message_user(request, f"{assessment}: {text}", messages.ERROR)
        else:
            modeladmin.message_user(
                request,
                _("%(assessment)s: confirmed.") % {"assessment": assessment},
                messages.SUCCESS,
            )


class YesNoUnknown(forms.RadioSelect):
    """Yes / No / Unknown as three radio buttons in a row (arrow keys move between them), with
    the values Django's NullBooleanField reads."""

    def __init__(self, attrs=None):
        choices = (("true", _("Yes")), ("false", _("No")), ("unknown", _("Unknown")))
        super().__init__({"class": "radiolist inline yes-no-unknown", **(attrs or {})}, choices)

    def format_value(self, value):
        return [forms.NullBooleanSelect.format_value(self, value)]

    def value_from_datadict(self, data, files, name):
        return forms.NullBooleanSelect.value_from_datadict(self, data, files, name)


ANSWER_NAMES = tuple(code.lower() for code in rules.ANSWERED_CODES if code != "I14")
EXCLUSION_NAMES = tuple(code.lower() for code in rules.EXCLUSION_CODES)


class EligibilityAssessmentForm(AuditedAdminForm):
    no_exclusion_applies = forms.BooleanField(
        label=_("I have checked each exclusion criterion: none applies to this patient"),
        required=False,
        help_text=_(
            "Ticking it answers every exclusion criterion below No (the button fills "
            "them in for you to see); an exclusion answered Yes stops the save."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ANSWER_NAMES:
            if name in self.fields:
                field = self.fields[name]
                self.fields[name] = forms.NullBooleanField(
                    label=field.label,
                    help_text=field.help_text,
                    required=False,
                    widget=YesNoUnknown(),
                )

    def clean(self):
        data = super().clean()
        if data.get("no_exclusion_applies"):
            answered_yes = [n.upper() for n in EXCLUSION_NAMES if data.get(n) is True]
            if answered_yes:
                raise ValidationError(
                    {
                        "no_exclusion_applies": _(
                            "%(value0)s answered Yes: untick this box or correct the answer."
                        )
                        % {"value0": ", ".join(answered_yes)}
                    }
                )
            for name in EXCLUSION_NAMES:
                data[name] = False
        return data


@admin.register(EligibilityAssessment)
class EligibilityAssessmentAdmin(VoidableAdmin):
    form = EligibilityAssessmentForm
    # a new assessment's verdict is the live panel beside the form
    COMPUTED_ON_SAVE = (
        "verdict",
        "criteria_table",
        "attempt",
        "age_at_assessment",
        "confirmed_by",
        "confirmed_at",
    )
    change_form_template = "admin/screening/eligibilityassessment/change_form.html"
    ENTRY_ONLY = ("no_exclusion_applies",)
    list_display = (
        "subject",
        "attempt",
        "assessment_date",
        "eligible",
        "failing_criteria",
        "confirmed_by",
        "confirmed_at",
        "is_voided",
    )
    list_filter = ("eligible", "is_voided", "subject__site")
    list_select_related = ("subject", "confirmed_by")
    search_fields = ("subject__screening_number",)
    actions = [confirm_eligibility, *VoidableAdmin.actions]
    void_service = services.eligibility_assessment_void
    fieldsets = [
        (_("Computed result (read-only)"), {"fields": ["verdict", "criteria_table"]}),
        (
            _("Screening attempt"),
            {"fields": ["subject", "attempt", "assessment_date", "age_at_assessment"]},
        ),
        (_("Disease status"), {"fields": ["disease_history", *_answers("I2", "I3", "I4", "I6")]}),
        (_("Performance status"), {"fields": ["ecog"]}),
        (
            _("Organ function (I7): values and upper limits of normal in the same unit"),
            {
                "fields": [
                    "cardiac_function_grade",
                    ("tbil", "tbil_uln"),
                    ("ast", "ast_uln"),
                    ("alt", "alt_uln"),
                    ("creatinine", "creatinine_uln"),
                ]
            },
        ),
        (
            _("Pregnancy (I12)"),
            {
                "fields": [
                    "childbearing_potential",
                    "pregnancy_test_date",
                    "pregnancy_test_negative",
                ]
            },
        ),
        (
            _("NKG2D ligand expression (I8, for reference only)"),
            {"fields": ["i8", "nkg2d_ligand_positive_pct", "nkg2d_test_date"]},
        ),
        (_("Other inclusion criteria"), {"fields": _answers("I9", "I10", "I11", "I13")}),
        (
            _("Exclusion criteria (yes = the statement is true of the patient)"),
            {"fields": ["no_exclusion_applies", *_answers(*rules.EXCLUSION_CODES)]},
        ),
        (_("Investigator's confirmation"), {"fields": ["confirmed_by", "confirmed_at"]}),
        (
            _("Record"),
            {"fields": ["created_at", "version", "is_voided", "voided_at", "void_reason"]},
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        return (
            *super().get_readonly_fields(request, obj),
            "attempt",
            "verdict",
            "criteria_table",
            "age_at_assessment",
            "disease_history",
            "confirmed_by",
            "confirmed_at",
        )

    def get_queryset(self, request):
        return selectors.assessment_list(user=request.user)

    def get_urls(self):
        preview = path(
            "verdict/",
            self.admin_site.admin_view(require_POST(self.verdict_view)),
            name="screening_eligibilityassessment_verdict",
        )
        return [preview, *super().get_urls()]

    def verdict_view(self, request):
        """The verdict of the form as it is being filled in (JSON), from the protocol's rule on
        the server: what the script beside the form shows before anything is saved."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = self.get_form(request)(request.POST)
        data = {}
        for name in ("subject", "assessment_date", *services.FACT_FIELDS, *ANSWER_NAMES):
            field = form.fields.get(name)
            if field is None:
                continue
            try:
                value = field.clean(field.widget.value_from_datadict(request.POST, {}, name))
            except ValidationError:
                value = None
            data[name] = value.pk if hasattr(value, "pk") else value
        if request.POST.get("no_exclusion_applies"):
            data.update({name: False for name in EXCLUSION_NAMES if data.get(name) is None})
        return JsonResponse(services.eligibility_preview(user=request.user, data=data))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "subject":
            kwargs["queryset"] = selectors.subject_list(user=request.user).filter(is_voided=False)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def call_service(self, request, *, instance, data, reason):
        return services.eligibility_assessment_save(
            user=request.user, instance=instance, data=data, reason=reason
        )

    @admin.display(description=_("failing criteria"))
    def failing_criteria(self, obj):
        return ", ".join(obj.reasons) or "-"

    @admin.display(description=_("verdict"))
    def verdict(self, obj):
        if obj.pk is None:
            return _("Computed when saved.")
        if obj.eligible is True:
            return _("Eligible")
        if obj.eligible is False:
            return _("Not eligible: %(value1)s") % {"value1": ", ".join(obj.reasons)}
        unknown = [code for code in rules.CODES if obj.criteria.get(code) is None]
        return _("Not decidable yet: unknown %(value1)s") % {"value1": ", ".join(unknown)}

    @admin.display(description=_("criteria"))
    def criteria_table(self, obj):
        if not obj.criteria:
            return "-"
        label = {True: _("met"), False: _("not met"), None: _("unknown")}
        rows = format_html_join(
            "",
            "<tr><td><strong>{}</strong></td><td>{}</td><td>{}</td></tr>",
            (
                (code, label[obj.criteria.get(code)], _(rules.CRITERIA[code]))
                for code in rules.CODES
            ),
        )
        return format_html('<table class="criteria">{}</table>', rows)

    @admin.display(description=_("AML history (for I2/I3)"))
    def disease_history(self, obj):
        history = selectors.medical_history(obj.subject) if obj.pk else None
        if history is None:
            return _("No medical history recorded yet.")
        lines = format_html_join(
            "",
            _("<li>line {}: {} ({} to {}), best response {}</li>"),
            (
                (t.line, t.regimen, t.start_date, t.end_date or _("ongoing"), t.best_response)
                for t in history.therapies.filter(is_voided=False)
            ),
        )
        transplant = (
            _("allogeneic transplant %(date)s") % {"date": history.transplant_date}
            if history.prior_allo_transplant
            else _("no transplant")
        )
        return format_html(
            _("{} since {} ({}; ELN 2022 {} risk); {}<ul>{}</ul>"),
            history.get_disease_status_display(),
            history.diagnosis_date,
            history.classification,
            history.eln_risk,
            transplant,
            lines,
        )

    @admin.display(description=_("age at assessment (years)"))
    def age_at_assessment(self, obj):
        if obj.pk is None:
            return "-"
        return rules.age_in_completed_years(obj.subject.date_of_birth, obj.assessment_date)


class PriorTherapyInline(ReadOnlyInline):
    model = PriorTherapy
    fields = ("line", "regimen", "start_date", "end_date", "best_response", "is_voided")


@admin.register(MedicalHistory)
class MedicalHistoryAdmin(VoidableAdmin):
    list_display = (
        "subject",
        "diagnosis_date",
        "disease_status",
        "eln_risk",
        "prior_allo_transplant",
        "is_voided",
    )
    list_filter = (
        "disease_status",
        "eln_risk",
        "prior_allo_transplant",
        "subject__site",
        "is_voided",
    )
    list_select_related = ("subject",)
    search_fields = ("subject__screening_number", "classification")
    inlines = [PriorTherapyInline]
    void_service = services.medical_history_void

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def get_queryset(self, request):
        return selectors.medical_history_list(user=request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "subject":
            kwargs["queryset"] = selectors.subject_list(user=request.user).filter(is_voided=False)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def call_service(self, request, *, instance, data, reason):
        return services.medical_history_save(
            user=request.user, instance=instance, data=data, reason=reason
        )


@admin.register(PriorTherapy)
class PriorTherapyAdmin(VoidableAdmin):
    list_display = (
        "medical_history",
        "line",
        "regimen",
        "start_date",
        "end_date",
        "best_response",
        "is_voided",
    )
    list_select_related = ("medical_history__subject",)
    search_fields = ("medical_history__subject__screening_number", "regimen")
    void_service = services.prior_therapy_void

    def get_queryset(self, request):
        return selectors.prior_therapy_list(user=request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "medical_history":
            kwargs["queryset"] = selectors.medical_history_list(user=request.user).filter(
                is_voided=False
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def call_service(self, request, *, instance, data, reason):
        return services.prior_therapy_save(
            user=request.user, instance=instance, data=data, reason=reason
        )
