"""The audit trail's integrity: which subject a history row concerns, and a SHA-256 hash chained
to the previous row of the same history table. `verify_chain` recomputes a table's chain."""

import hashlib
import json
import zlib
from datetime import UTC, date, datetime
from decimal import Decimal

from django.apps import apps
from django.db import connection, models
from simple_history.models import HistoricalChanges

EXCLUDED = ("history_id", "row_hash")


def history_models() -> list[type[models.Model]]:
    """Every history table of the project (simple-history's generated models)."""
    return [
        m for m in apps.get_models() if issubclass(m, HistoricalChanges) and hasattr(m, "row_hash")
    ]


def _canonical(field, value):
    if value is None:
        return None
    if isinstance(field, models.DecimalField):
        return str(Decimal(value).quantize(Decimal(1).scaleb(-field.decimal_places)))
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(field, models.JSONField):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, Decimal):
        return str(value)
    return value


def row_digest(row, previous_hash: str) -> str:
    fields = [f for f in row._meta.concrete_fields if f.attname not in EXCLUDED]
    payload = [[f.attname, _canonical(f, getattr(row, f.attname))] for f in fields]
    text = json.dumps([previous_hash, payload], sort_keys=False, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _subject_of(row) -> int | None:
    if hasattr(row, "subject_id"):
        return row.subject_id
    model = row.instance_type
    if model._meta.label == "screening.Subject":
        return row.id
    path = getattr(model, "audit_subject_path", None)
    if not path:
        return None
    hop, _, rest = path.partition("__")
    parent = model._meta.get_field(hop).related_model
    return (
        parent._default_manager.filter(pk=getattr(row, f"{hop}_id"))
        .values_list(f"{rest}_id", flat=True)
        .first()
    )


def _lock_table(table: str) -> None:
    """Serialize chain appends per table (PostgreSQL; SQLite serializes writers anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(table.encode()) & 0x7FFFFFFF]
            )


def chain_new_row(row) -> None:
    row.audit_subject_id = _subject_of(row)
    _lock_table(row._meta.db_table)
    previous = (
        type(row)
        ._default_manager.order_by("-history_id")
        .values_list("row_hash", flat=True)
        .first()
    )
    row.row_hash = row_digest(row, previous or "")


def verify_chain(model) -> tuple[int, int | None]:
    """(rows checked, history_id of the first row whose hash does not match, or None)."""
    previous, checked = "", 0
    for row in model._default_manager.order_by("history_id").iterator(chunk_size=2000):
        checked += 1
        if row.row_hash != row_digest(row, previous):
            return checked, row.history_id
        previous = row.row_hash
    return checked, None


AUDIT_FIELDS = {"audit_subject_id", "row_hash"}


def json_value(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def field_changes(previous, row) -> list[dict]:
    """Field-level old -> new values between two versions (every field for the first one)."""
    changes = []
    for field in row.tracked_fields:
        attname = field.attname
        old = getattr(previous, attname) if previous is not None else None
        new = getattr(row, attname)
        if previous is None or old != new:
            changes.append({"field": field.name, "old": json_value(old), "new": json_value(new)})
    return changes
