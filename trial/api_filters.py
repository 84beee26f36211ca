"""Filtering for every list endpoint (settings.REST_FRAMEWORK["DEFAULT_FILTER_BACKENDS"]).

Filters are as strict as the schema that documents them: a value the schema does not allow is
a 400 naming the parameter, never silently ignored (a wrong filter that returns everything
looks like an answer).

A foreign key is filtered by its id as a plain number. django-filter's default checks the id
against every row of the related table and answers 400 for an unknown one, while an id of
another site's record is simply matched by no row: the difference would tell a user which ids
exist at other sites. As a number, an unknown id and another site's id both give an empty list.
"""

from datetime import UTC

import django_filters
from django import forms
from django.db import models
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend, OrderingFilter

# the range of the database's bigint: beyond it the database raises instead of matching nothing
BIGINT = 2**63 - 1


class BigIntegerFormField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", -BIGINT - 1)
        kwargs.setdefault("max_value", BIGINT)
        super().__init__(**kwargs)


class IntegerFilter(django_filters.NumberFilter):
    """A whole number within bigint: `?grade_min=2.5` is a 400, as the schema's `integer` says."""

    field_class = BigIntegerFormField


class StrictBooleanFormField(forms.Field):
    VALUES = {"true": True, "false": False}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return self.VALUES[str(value).lower()]
        except KeyError:
            raise forms.ValidationError(_("Use true or false."), code="invalid") from None


class BooleanFilter(django_filters.BooleanFilter):
    """`true` or `false`; django-filter's own also takes "null" or "unknown" as no filter."""

    field_class = StrictBooleanFormField


class UtcDateTimeFormField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 date-time compared in UTC. Python takes offsets up to +-23:59, PostgreSQL
    only to +-15:59, so the value is converted here rather than refused by the database."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(UTC)
        except OverflowError:
            raise forms.ValidationError(_("Date-time out of range."), code="invalid") from None


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcDateTimeFormField


INTEGER_FIELDS = (
    models.AutoField,
    models.BigAutoField,
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveBigIntegerField,
    models.ForeignKey,
    models.OneToOneField,
)


class StudyFilterSet(django_filters.FilterSet):
    FILTER_DEFAULTS = {
        **django_filters.FilterSet.FILTER_DEFAULTS,
        **{field: {"filter_class": IntegerFilter} for field in INTEGER_FIELDS},
        models.BooleanField: {"filter_class": BooleanFilter},
        models.DateTimeField: {"filter_class": DateTimeFilter},
    }


class StudyFilterBackend(DjangoFilterBackend):
    """`?field=` with nothing after it is a 400: leave the parameter out to not filter."""

    filterset_base = StudyFilterSet
    # django-filter builds a new FilterSet class from `filterset_fields` at every call (three
    # times a request, a quarter of a CRF read's CPU): one class per view and model is enough
    _auto_classes: dict = {}

    def get_filterset_class(self, view, queryset=None):
        if getattr(view, "filterset_class", None) or queryset is None:
            return super().get_filterset_class(view, queryset)
        key = (type(view), queryset.model, tuple(getattr(view, "filterset_fields", None) or ()))
        if key not in self._auto_classes:
            self._auto_classes[key] = super().get_filterset_class(view, queryset)
        return self._auto_classes[key]

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        blank = {
            name: ["Give a value, or leave the parameter out."]
            for name in filterset.filters
            if "" in request.query_params.getlist(name)
        }
        if blank:
            raise ValidationError(blank)
        if not filterset.is_valid() and self.raise_exception:
            raise translate_validation(filterset.errors)
        return filterset.qs


class StrictOrderingFilter(OrderingFilter):
    """`?ordering=` names only the fields the endpoint offers: `?ordering=password` was
    silently ignored, a 400 now names what may be used."""

    def get_ordering(self, request, queryset, view):
        raw = request.query_params.get(self.ordering_param)
        if raw:
            terms = [term.strip() for term in raw.split(",")]
            valid = [name for name, _label in self.get_valid_fields(queryset, view, {})]
            wrong = [term for term in terms if term.lstrip("-") not in valid]
            if wrong:
                offered = ", ".join(valid) or "nothing"
                raise ValidationError(
                    {
                        self.ordering_param: [
                            f"Cannot order by {', '.join(wrong)}. This list orders by: {offered} "
                            f"(a leading '-' reverses)."
                        ]
                    }
                )
        return super().get_ordering(request, queryset, view)


class KnownQueryParametersFilter(BaseFilterBackend):
    """Under /api/ an unknown query parameter is a 400 naming it: `?subject=73` on a list that
    has no such filter returned every row, and a client taking the first row put a DLT on the
    wrong patient. Known are the list's filters, ordering, pagination and any parameter the view
    names in `extra_query_params`."""

    def filter_queryset(self, request, queryset, view):
        known = set(getattr(view, "extra_query_params", ()))
        for backend in getattr(view, "filter_backends", ()):
            if issubclass(backend, DjangoFilterBackend):
                filterset = backend().get_filterset_class(view, queryset)
                if filterset is not None:
                    known |= set(filterset.base_filters)
            elif issubclass(backend, OrderingFilter):
                known.add(backend.ordering_param)
        paginator = getattr(view, "paginator", None)
        if paginator is not None:
            known |= {
                getattr(paginator, "page_query_param", None),
                getattr(paginator, "page_size_query_param", None),
            }
        refuse_unknown_parameters(request, known)
        return queryset


def refuse_unknown_parameters(request, known) -> None:
    unknown = sorted(set(request.query_params) - set(known))
    if unknown:
        offered = ", ".join(sorted(name for name in known if name)) or "none"
        raise ValidationError(
            {
                name: [f"Unknown query parameter. This endpoint takes: {offered}."]
                for name in unknown
            }
        )
