"""Project-wide guarantees: every record has audit history, nothing can be deleted."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.sessions.models import Session
from simple_history.models import HistoricalChanges

from config.api_urls import router

AUDITED_APPS = ("trial", "screening", "dosing", "safety", "followup", "monitoring")


def _project_models():
    return [
        model
        for label in AUDITED_APPS
        for model in apps.get_app_config(label).get_models()
        if not issubclass(model, HistoricalChanges)
    ]


def _has_history(model) -> bool:
    manager = getattr(model._meta, "simple_history_manager_attribute", None)
    return manager is not None and hasattr(model, manager)


def test_the_history_check_can_tell_a_model_without_history():
    assert _has_history(Session) is False


def test_every_model_of_the_project_has_audit_history():
    models = _project_models()
    assert len(models) >= 5
    assert [m.__name__ for m in models if not _has_history(m)] == []


def test_every_audited_model_records_a_reason_field():
    for model in _project_models():
        history_model = getattr(model, model._meta.simple_history_manager_attribute).model
        field_names = {f.name for f in history_model._meta.fields}
        assert {"history_user", "history_change_reason", "history_date"} <= field_names, model


@pytest.mark.django_db
def test_no_admin_of_the_project_offers_delete(rf):
    from django.contrib.auth import get_user_model

    request = rf.get("/admin/")
    request.user = get_user_model()(username="root", is_superuser=True, is_staff=True)
    registered = {
        m: a for m, a in admin.site._registry.items() if m._meta.app_label in AUDITED_APPS
    }
    assert set(_project_models()) <= set(registered), "every model has an admin page"
    for model, model_admin in registered.items():
        assert model_admin.has_delete_permission(request) is False, model
        assert "delete_selected" not in model_admin.get_actions(request), model


def test_no_api_endpoint_offers_delete():
    assert router.registry, "the API registers its viewsets on the shared router"
    for prefix, viewset, _basename in router.registry:
        assert "delete" not in viewset.http_method_names, prefix


def test_no_code_writes_around_the_history():
    """QuerySet.update/delete and bulk_create/bulk_update write no history rows."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    pattern = re.compile(
        r"(\)|objects)\.(update|delete)\(|\b\w+\.delete\(\)|bulk_(create|update)\("
    )
    caught = [
        "Subject.objects.filter(x=1).update(status='x')",
        "obj.delete()",
        "M.objects.bulk_create(rows)",
    ]
    assert all(pattern.search(line) for line in caught)
    assert not pattern.search("context.update(study=study)")
    offenders = []
    for label in AUDITED_APPS:
        for path in (root / label).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if pattern.search(line) and "_with_history" not in line:
                    offenders.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert offenders == []


def test_every_history_table_has_the_audit_trails_indexes():
    """A page of the audit trail filtered by subject, by user or by time alone is an index range
    scan newest first (trial.models.AuditHistoricalRecords; benchmarks/audit_listing.py)."""
    from trial.audit import history_models

    wanted = {
        ("audit_subject_id", "-history_date", "-history_id"),
        ("history_user", "-history_date", "-history_id"),
        ("-history_date", "-history_id"),
    }
    tables = history_models()
    assert len(tables) >= 40
    missing = {
        h._meta.label: wanted - {tuple(i.fields) for i in h._meta.indexes}
        for h in tables
        if not wanted <= {tuple(i.fields) for i in h._meta.indexes}
    }
    assert missing == {}
