"""Every admin list page of the project: searchable, filterable, and the same number of queries
for 10 rows as for 100 (no query per row), as the superuser and as a site coordinator.

The rows are the demo study's, copied (test set-up, not clinical writes) until every table has
at least 100: a copy gets new values for what must be unique, and a copied parent where a
one-to-one link or a unique constraint asks for one."""

import copy
import itertools
import re
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib import admin
from django.db import connection, models
from django.db.models.base import ModelState
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.demo_db import add_monitoring_records
from trial.models import User
from trial.services import api_token_create

PROJECT_APPS = {"trial", "screening", "dosing", "safety", "followup", "monitoring"}
ADMINS = sorted(
    (
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in PROJECT_APPS
    ),
    key=lambda item: item[0]._meta.label,
)
ROWS = 100
PASSWORD = "lists-password-1"

pytestmark = pytest.mark.django_db


def _letters(n: int) -> str:
    """1 -> A, 26 -> Z, 27 -> AA: short, and unlike the demo's numeric codes."""
    text = ""
    while n:
        n, rest = divmod(n - 1, 26)
        text = chr(65 + rest) + text
    return text


def _unique_value(field, value, serial: int):
    if isinstance(field, models.CharField):
        serial = next(_per_field[field])  # short codes (a site's "01") need small numbers
        suffix = f"~{_letters(serial)}"
        if len(suffix) >= field.max_length:  # letters only: 676 codes in two characters
            return _letters(serial)
        return f"{(value or '')[: field.max_length - len(suffix)]}{suffix}"
    if isinstance(field, models.IntegerField):
        return 20_000 + serial  # below a small integer's 32767
    if isinstance(field, models.DateTimeField):
        return datetime(2000, 1, 1, tzinfo=UTC) + timedelta(minutes=serial)
    if isinstance(field, models.DateField):
        return date(1900, 1, 1) + timedelta(days=serial)
    raise NotImplementedError(f"no unique copy of {field!r}")


_serial = itertools.count(1)
_per_field: dict = defaultdict(lambda: itertools.count(1))


def _copy(obj, **overrides):
    """A saved copy of `obj` (with `overrides`) that breaks no unique rule."""
    model = type(obj)
    new = copy.copy(obj)
    new._state = ModelState()
    new.pk = None
    for name, value in overrides.items():
        setattr(new, name, value)
    serial = next(_serial)
    for field in model._meta.concrete_fields:
        if field.primary_key or not field.unique or field.name in overrides:
            continue
        if field.is_relation:
            setattr(new, field.attname, _copy(getattr(obj, field.name)).pk)
        else:
            setattr(new, field.attname, _unique_value(field, getattr(obj, field.attname), serial))
    groups = [c.fields for c in model._meta.constraints if isinstance(c, models.UniqueConstraint)]
    groups += [tuple(g) for g in model._meta.unique_together]
    for names in groups:
        fields = [model._meta.get_field(name) for name in names]
        plain = [f for f in fields if not f.is_relation and not f.choices]
        if plain:
            field = plain[-1]
            setattr(new, field.attname, _unique_value(field, getattr(obj, field.attname), serial))
        else:
            field = next(f for f in fields if f.is_relation and f.name not in overrides)
            setattr(new, field.attname, _copy(getattr(obj, field.name)).pk)
    (saved,) = model._base_manager.bulk_create([new])
    return saved


@pytest.fixture(scope="module")
def hundred_rows(demo_db):
    from trial.models import Study

    with demo_db.unblock():
        add_monitoring_records(
            Study.objects.get(registry_id="NCT05734898"),
            monitor=User.objects.get(username="monitor"),
            data_manager=User.objects.get(username="datamanager"),
            safety_reviewer=User.objects.get(username="safetyreviewer"),
            password=PASSWORD,
        )
        api_token_create(user=User.objects.get(username="datamanager"), name="weekly export")
        for model, _model_admin in ADMINS:
            originals = list(model._base_manager.order_by("pk")[:ROWS])
            for i in range(ROWS - len(originals)):
                _copy(originals[i % len(originals)])
        yield


def _list_page(client, model_admin, per_page, monkeypatch):
    monkeypatch.setattr(model_admin, "list_per_page", per_page)
    opts = model_admin.model._meta
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/admin/{opts.app_label}/{opts.model_name}/")
    assert response.status_code == 200, opts.label
    return response, [q["sql"] for q in queries]


def _per_row(ten: list[str], hundred: list[str]) -> str:
    """The statement a 100-row page repeats most, to name the culprit in a failure."""
    sql, times = Counter(re.sub(r"\b\d+\b", "N", q) for q in hundred).most_common(1)[0]
    return f"{len(ten)} queries for few rows, {len(hundred)} for many; {times} x {sql[:300]}"


@pytest.mark.parametrize(("model", "model_admin"), ADMINS, ids=[m._meta.label for m, _ in ADMINS])
def test_a_list_page_costs_the_same_queries_for_10_and_100_rows(
    hundred_rows, model, model_admin, monkeypatch
):
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    # session and role caches warm, as for any page after the first (the dashboard warmed them
    # too, at 0.7 s a test: the list's own first page does it for a twentieth of that)
    _list_page(client, model_admin, 10, monkeypatch)
    ten, ten_queries = _list_page(client, model_admin, 10, monkeypatch)
    hundred, hundred_queries = _list_page(client, model_admin, ROWS, monkeypatch)

    assert (len(ten.context["cl"].result_list), len(hundred.context["cl"].result_list)) == (
        10,
        ROWS,
    )
    assert len(hundred_queries) == len(ten_queries), _per_row(ten_queries, hundred_queries)


SITE_LISTS = [(m, a) for m, a in ADMINS if m._meta.app_label not in ("trial",)]


@pytest.mark.parametrize(
    ("model", "model_admin"), SITE_LISTS, ids=[m._meta.label for m, _ in SITE_LISTS]
)
def test_a_coordinators_list_page_costs_the_same_queries_for_10_and_100_rows(
    hundred_rows, model, model_admin, monkeypatch
):
    client = Client()
    client.force_login(User.objects.get(username="coordinator"))
    _list_page(client, model_admin, 10, monkeypatch)  # caches warm
    _ten, ten_queries = _list_page(client, model_admin, 10, monkeypatch)
    _hundred, hundred_queries = _list_page(client, model_admin, ROWS, monkeypatch)

    assert len(hundred_queries) == len(ten_queries), _per_row(ten_queries, hundred_queries)


@pytest.mark.parametrize(("model", "model_admin"), ADMINS, ids=[m._meta.label for m, _ in ADMINS])
def test_every_list_has_search_and_filters(model, model_admin):
    assert model_admin.search_fields, f"{model._meta.label}: no search"
    assert model_admin.list_filter, f"{model._meta.label}: no filters"


@pytest.mark.parametrize(("model", "model_admin"), ADMINS, ids=[m._meta.label for m, _ in ADMINS])
def test_every_list_showing_a_related_record_selects_it_with_the_rows(model, model_admin):
    related = {
        f.name
        for f in model._meta.concrete_fields
        if f.is_relation and f.name in model_admin.list_display
    }
    if related:
        assert model_admin.list_select_related, f"{model._meta.label}: {sorted(related)}"


def test_the_copies_are_real_rows(hundred_rows):
    """The pinning above is only worth something if the tables really hold 100 rows."""
    from screening.models import Subject

    counts = {m._meta.label: m._base_manager.count() for m, _ in ADMINS}
    assert min(counts.values()) >= ROWS, counts
    assert Subject.objects.filter(date_of_birth__lt=date(2030, 1, 1)).count() >= ROWS


WITH_INLINES = [(m, a) for m, a in ADMINS if a.inlines]


@pytest.mark.parametrize(
    ("model", "model_admin"), WITH_INLINES, ids=[m._meta.label for m, _ in WITH_INLINES]
)
def test_a_page_with_inline_rows_costs_the_same_queries_for_few_and_many_rows(
    hundred_rows, model, model_admin
):
    """The page of the record with the most inline rows against the one with the fewest."""
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    opts = model._meta

    def parent_field(inline):
        return inline.fk_name or next(
            f.name
            for f in inline.model._meta.concrete_fields
            if f.is_relation and f.related_model is model
        )

    def page(obj):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/admin/{opts.app_label}/{opts.model_name}/{obj.pk}/change/")
        assert response.status_code == 200
        return [q["sql"] for q in queries]

    obj = next(
        o
        for o in model._base_manager.order_by("pk")
        if all(
            i.model._base_manager.filter(**{parent_field(i): o}).exists()
            for i in model_admin.inlines
        )
    )
    page(obj)  # caches warm (content types, permissions), as on any second page
    few = page(obj)
    for inline in model_admin.inlines:
        child = inline.model._base_manager.filter(**{parent_field(inline): obj}).first()
        for _ in range(5):
            _copy(child, **{parent_field(inline): obj})
    many = page(obj)

    assert len(many) == len(few), _per_row(few, many)
