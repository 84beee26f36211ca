"""What every app's admin shares.

`AuditedAdmin` saves through the app's service (the same one the API calls), asks for a reason
when a saved record is changed, validates the form by running that service once in a
rolled-back savepoint (so a service's error shows on the form, not as a server error), never
offers delete, and shows each record's history. `VoidableAdmin` adds "void with a reason".
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    FieldDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.db import models, transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

REASON_FIELD = "change_reason"


class _DryRun(Exception):
    """Raised to roll back the savepoint of a validation-only service call."""


class AuditedAdminForm(forms.ModelForm):
    change_reason = forms.CharField(
        label=_("Reason for change"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=_("Required when a saved record is changed; kept in the record's history."),
    )

    # the version the user opened: a save on top of a newer one is refused (optimistic
    # concurrency, like If-Match in the API)
    seen_version = forms.IntegerField(
        label=_("version seen"), required=False, widget=forms.HiddenInput
    )

    # set by AuditedAdmin.get_form
    admin_call_service = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields[REASON_FIELD].required = True
            self.fields["seen_version"].initial = getattr(self.instance, "version", None)

    def _check_version(self, fresh) -> None:
        seen = self.cleaned_data.get("seen_version")
        current = getattr(fresh, "version", None)
        if seen is None or current is None or seen == current:
            return
        last = fresh.history.select_related("history_user").first()
        who = last.history_user.get_username() if last and last.history_user else _("someone")
        if last:
            message = _(
                "%(who)s changed this record at %(when)s UTC since you opened it (version "
                "%(seen)s, now %(current)s). Your changes are not saved: open the record again, "
                "check their change and enter yours again."
            )
        else:
            message = _(
                "%(who)s changed this record since you opened it (version %(seen)s, now "
                "%(current)s). Your changes are not saved: open the record again, check their "
                "change and enter yours again."
            )
        when = f"{last.history_date:%Y-%m-%d %H:%M}" if last else ""
        raise ValidationError(
            message % {"who": who, "when": when, "seen": seen, "current": current}
        )

    def service_data(self) -> dict:
        model_fields = {f.name for f in self._meta.model._meta.get_fields()}
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in (REASON_FIELD, "seen_version") and name in model_fields
        }

    def _post_clean(self):
        super()._post_clean()
        if self.errors or self.admin_call_service is None:
            return
        try:
            with transaction.atomic():
                fresh = None
                if self.instance.pk is not None:
                    fresh = (
                        type(self.instance)
                        ._default_manager.select_for_update()
                        .get(pk=self.instance.pk)
                    )
                    self._check_version(fresh)
                self.admin_call_service(
                    instance=fresh,
                    data=self.service_data(),
                    reason=self.cleaned_data.get(REASON_FIELD),
                )
                raise _DryRun
        except _DryRun:
            pass
        except ValidationError as error:
            self.add_service_errors(error)

    def add_service_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, messages_ in error.message_dict.items():
            if field in self.fields:
                self.add_error(field, messages_)
            else:
                label = "" if field == NON_FIELD_ERRORS else f"{field.replace('_', ' ')}: "
                self.add_error(None, [f"{label}{m}" for m in messages_])


class SelectingChangeList(ChangeList):
    """Django applies `list_select_related` only to a queryset that selects nothing yet; ours
    come from selectors that already select some relations, so the list's are added to them
    (else each row of a list page costs a query for what its columns show)."""

    def get_queryset(self, request, exclude_parameters=None):
        qs = super().get_queryset(request, exclude_parameters)
        if isinstance(self.list_select_related, list | tuple) and self.list_select_related:
            qs = qs.select_related(*self.list_select_related)
        return qs


class ReadableHistoryHelper(HistoricalRecordContextHelper):
    """A record's History page shows values as people read them: a choice's label, yes/no,
    what a foreign key points to, empty as "(empty)"; the raw codes stay in the API."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if value is None or value == "":
            return "(empty)"
        if field.is_relation and field.many_to_one:
            target = field.related_model._default_manager.filter(pk=value).first()
            if target is None:
                return f"#{value}"
            if hasattr(target, "get_full_name") and target.get_full_name():
                return target.get_full_name()
            return str(target)
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return "yes" if value else "no"
        return super().prepare_delta_change_value(change, value)


class ScopedHistoryMixin:
    """simple-history's pages read the history table directly: a record the user may not see
    (another site's) would still show its history and its old versions. Each history page
    first looks the record up through `get_queryset` (the user's scope) and answers 404, as
    for a record that does not exist, when it is not there."""

    def _visible_or_404(self, request, object_id):
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableHistoryHelper(self.model, historical_record)

    def history_view(self, request, object_id, extra_context=None):
        self._visible_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._visible_or_404(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


DATE_FORMAT_HINT = "YYYY-MM-DD"
TIME_FORMAT_HINT = "HH:MM (24 h)"


class DateEntryMixin:
    """Every date and time input says its format (placeholder and help text), keeps the
    calendar and clock pickers, reads only that format (never 03/04/2026, which one reader
    takes for March and another for April) and, when what was typed is not a date, keeps it and
    says what is expected."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is None or not isinstance(db_field, models.DateField):
            return field
        today = timezone.localdate().isoformat()
        if isinstance(db_field, models.DateTimeField):
            if hasattr(field, "fields") and len(field.fields) == 2:
                day, time = field.fields
                day.input_formats = ["%Y-%m-%d"]
                time.input_formats = ["%H:%M", "%H:%M:%S"]
                field.error_messages["invalid_date"] = _(
                    "Enter the date as %(format)s, e.g. %(today)s."
                ) % {"format": DATE_FORMAT_HINT, "today": today}
                field.error_messages["invalid_time"] = _(
                    "Enter the time as %(format)s, e.g. 14:30."
                ) % {"format": TIME_FORMAT_HINT}
                day.error_messages["invalid"] = field.error_messages["invalid_date"]
                time.error_messages["invalid"] = field.error_messages["invalid_time"]
                day_widget, time_widget = field.widget.widgets
                day_widget.attrs["placeholder"] = DATE_FORMAT_HINT
                time_widget.attrs["placeholder"] = "HH:MM"
                hint = _("Date %(date)s, time %(time)s, local time.") % {
                    "date": DATE_FORMAT_HINT,
                    "time": TIME_FORMAT_HINT,
                }
            else:
                return field
        else:
            field.input_formats = ["%Y-%m-%d"]
            field.error_messages["invalid"] = _("Enter the date as %(format)s, e.g. %(today)s.") % {
                "format": DATE_FORMAT_HINT,
                "today": today,
            }
            field.widget.attrs["placeholder"] = DATE_FORMAT_HINT
            hint = _("Format %(format)s.") % {"format": DATE_FORMAT_HINT}
        field.help_text = f"{field.help_text} {hint}".strip() if field.help_text else hint
        return field


class ReturnToWorkspaceMixin:
    """Forms opened from the subject matrix or a casebook: the add form starts with what the link
    carries (`?subject=12&collected_on=2026-11-29`, dates and times parsed, a date alone for a
    date-time field filling only its date), and a plain Save goes back to the page in `next`
    (a path on this site) with the saved record highlighted, instead of to the list."""

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        for name, value in list(initial.items()):
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if not isinstance(value, str):
                continue
            if isinstance(field, models.DateTimeField):
                day = parse_date(value) if len(value) == 10 else None
                moment = parse_datetime(value) if day is None else None
                if moment is not None:
                    if timezone.is_naive(moment):
                        moment = timezone.make_aware(moment)
                    initial[name] = moment
                elif day is not None:
                    initial[name] = [day, None]  # the date; the time is the user's to enter
                else:
                    del initial[name]
            elif isinstance(field, models.DateField):
                day = parse_date(value) if len(value) == 10 else None
                if day is None:
                    del initial[name]
                else:
                    initial[name] = day
        return initial

    def _return_url(self, request, obj) -> str | None:
        target = request.GET.get("next")
        if not target or not target.startswith("/") or target.startswith("//"):
            return None
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return None
        if any(key in request.POST for key in ("_continue", "_addanother", "_saveasnew")):
            return None
        separator = "&" if "?" in target else "?"
        return f"{target}{separator}highlight={self.model._meta.label_lower}:{obj.pk}"

    def response_add(self, request, obj, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        back = self._return_url(request, obj)
        return HttpResponseRedirect(back) if back and response.status_code == 302 else response

    def response_change(self, request, obj):
        response = super().response_change(request, obj)
        back = self._return_url(request, obj)
        return HttpResponseRedirect(back) if back and response.status_code == 302 else response


# what other apps add to a record's form page: callables (request, obj) -> extra context, e.g.
# the monitoring app's queries on each field; registered once at start-up
CHANGE_FORM_EXTRAS: list = []


def register_change_form_extra(extra) -> None:
    if extra not in CHANGE_FORM_EXTRAS:
        CHANGE_FORM_EXTRAS.append(extra)


# how many queries are open on each row of a CRF list: a callable (user, model, ids) ->
# {id: count}, registered by the monitoring app; one query per list page
OPEN_QUERY_COUNTS: list = []
CRF_APPS = ("screening", "dosing", "safety", "followup")


def register_open_query_counts(counter) -> None:
    if counter not in OPEN_QUERY_COUNTS:
        OPEN_QUERY_COUNTS.append(counter)


class AuditedAdmin(DateEntryMixin, ReturnToWorkspaceMixin, ScopedHistoryMixin, SimpleHistoryAdmin):
    """Subclasses implement `call_service(request, *, instance, data, reason)`."""

    def get_list_display(self, request):
        display = super().get_list_display(request)
        if OPEN_QUERY_COUNTS and self.model._meta.app_label in CRF_APPS:
            return (*display, "open_queries")
        return display

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        if OPEN_QUERY_COUNTS and self.model._meta.app_label in CRF_APPS:
            rows = list(changelist.result_list)
            counts = OPEN_QUERY_COUNTS[0](request.user, self.model, [r.pk for r in rows])
            for row in rows:
                row.open_query_count = counts.get(row.pk, 0)
        return changelist

    @admin.display(description=_("open queries"))
    def open_queries(self, obj):
        count = getattr(obj, "open_query_count", 0)
        if not count:
            return "-"
        return format_html(_('<span class="open-query-flag">? {} open</span>'), count)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        extra = dict(extra_context or {})
        if obj is not None:
            for add in CHANGE_FORM_EXTRAS:
                extra.update(add(request, obj))
        return super().change_view(request, object_id, form_url, extra)

    form = AuditedAdminForm
    readonly_fields = ("created_at", "version")

    def call_service(self, request, *, instance, data, reason):
        raise NotImplementedError(f"{type(self).__name__} must save through a service")

    def get_changelist(self, request, **kwargs):
        return SelectingChangeList

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        call = self.call_service

        def admin_call_service(form_self, *, instance, data, reason):
            return call(request, instance=instance, data=data, reason=reason)

        return type(form_class.__name__, (form_class,), {"admin_call_service": admin_call_service})

    # a new record has none of these yet: its add form does not show them
    RECORD_FIELDS = ("created_at", "version", "is_voided", "voided_at", "void_reason")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            fieldsets = [
                (name, {**options, "fields": kept})
                for name, options in fieldsets
                if (
                    kept := [
                        f
                        for f in options["fields"]
                        if f not in self.RECORD_FIELDS and f not in self.COMPUTED_ON_SAVE
                    ]
                )
            ]
        if not self.has_change_permission(request, obj):
            fieldsets = [
                (name, {**options, "fields": kept})
                for name, options in fieldsets
                if (kept := [f for f in options["fields"] if f not in self.ENTRY_ONLY])
            ]
        if self.fieldsets is None:
            return fieldsets
        if obj is None or not self.has_change_permission(request, obj):
            return fieldsets
        return [*fieldsets, (_("Reason for change"), {"fields": [REASON_FIELD, "seen_version"]})]

    # read-only results a saved record shows that an add form would show as "-" (subclasses)
    COMPUTED_ON_SAVE: tuple[str, ...] = ()
    # form fields that help entering data and hold none: not shown to a reader (a monitor)
    ENTRY_ONLY: tuple[str, ...] = ()

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if obj is None:
            fields = [f for f in fields if f not in self.RECORD_FIELDS]
        if obj is None or not self.has_change_permission(request, obj):
            fields = [f for f in fields if f not in (REASON_FIELD, "seen_version")]
        if not self.has_change_permission(request, obj):
            fields = [f for f in fields if f not in self.ENTRY_ONLY]
        return fields

    def save_model(self, request, obj, form, change):
        saved = self.call_service(
            request,
            instance=obj,
            data=form.service_data(),
            reason=form.cleaned_data.get(REASON_FIELD),
        )
        if saved is not None and saved is not obj:  # services that build their own record
            obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """A list of a record's children on its page, each linking to its own form (where it is
    changed through its service); nothing is added, changed or deleted inline."""

    extra = 0
    can_delete = False
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def get_queryset(self, request):
        """The related records the rows show (their columns and their names, which name the
        parent) come with the rows, not one query per row."""
        fk = self.fk_name or next(
            f.name
            for f in self.model._meta.concrete_fields
            if f.is_relation and f.related_model is self.parent_model
        )
        shown = [
            name
            for name in self.fields
            if getattr(self.model._meta.get_field(name), "is_relation", False)
        ]
        return super().get_queryset(request).select_related(fk, *shown)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class VoidForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for voiding"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )


def form_action(*, name, description, form_class, perform, intro, submit, permissions=("change",)):
    """An admin action that asks for a form (a reason, a date) on an intermediate page, then
    calls `perform(modeladmin, request, obj, cleaned_data)` for each selected record. A
    service's ValidationError is reported per record; the others still go through."""

    def run(modeladmin, request, queryset):
        form = form_class(request.POST if request.POST.get("post") == "yes" else None)
        if form.is_valid():
            done = 0
            for obj in queryset:
                try:
                    with transaction.atomic():
                        perform(modeladmin, request, obj, form.cleaned_data)
                    done += 1
                except ValidationError as error:
                    modeladmin.message_user(
                        request, f"{obj}: {' '.join(error.messages)}", messages.ERROR
                    )
                except PermissionDenied as error:  # e.g. a record of a site where one only reads
                    modeladmin.message_user(request, f"{obj}: {error}", messages.ERROR)
            if done:
                modeladmin.message_user(
                    request,
                    _("%(description)s: %(done)s record(s).")
                    % {"description": description, "done": done},
                    messages.SUCCESS,
                )
            return None
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": description,
            "intro": intro,
            "submit": submit,
            "opts": modeladmin.model._meta,
            "queryset": queryset,
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "action": name,
        }
        return TemplateResponse(request, "admin/form_action.html", context)

    run.__name__ = name
    return admin.action(description=description, permissions=list(permissions))(run)


void_selected = form_action(
    name="void_selected",
    description=_("Void selected records (entered in error)"),
    form_class=VoidForm,
    perform=lambda modeladmin, request, obj, data: type(modeladmin).void_service(
        user=request.user, instance=obj, reason=data["reason"]
    ),
    intro=_(
        "These records will be marked as voided. They stay in the database and in their "
        "history, and the reason below is recorded with the change."
    ),
    submit=_("Void these records"),
)


class VoidableAdmin(AuditedAdmin):
    """Subclasses set `void_service` (a service taking `user=, instance=, reason=`)."""

    actions = [void_selected]
    void_service = None
    list_filter = ("is_voided",)

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "is_voided", "voided_at", "void_reason")
