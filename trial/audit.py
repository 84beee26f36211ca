"""The audit trail's integrity: which subject a history row concerns, and a SHA-256 hash chained
to the previous row of the same history table. `verify_chain` recomputes a table's chain."""

import hashlib
import hmac
import itertools
import json
import re
import zlib
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models
from simple_history.models import HistoricalChanges

EXCLUDED = ("history_id", "row_hash")
KEY_ID = re.compile(r"^[A-Za-z0-9]{1,8}$")
# Fields added to a history table after it held rows: hashed only when they hold a value, so the
# rows chained before the field existed keep their hashes (a value set or blanked later still
# changes the hash). Every field added to an audited model from now on is listed here.
ADDED_LATER = {
    "safety.historicaladverseevent": {"coded_term", "coded_soc"},
    "trial.historicaluser": {"language"},  # issue 22: each user's language
}


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


def audit_keys() -> dict[str, bytes]:
    """The audit chain's HMAC keys from AUDIT_HMAC_KEYS ("id=secret,old=secret", the first one
    signs new rows; older ones still verify the rows they signed). Kept in the environment, never
    in the database."""
    keys = {}
    for item in (settings.AUDIT_HMAC_KEYS or "").split(","):
        if item.strip():
            key_id, _, secret = (part.strip() for part in item.strip().partition("="))
            if not KEY_ID.match(key_id) or len(secret) < 32:
                raise ImproperlyConfigured(
                    f"AUDIT_HMAC_KEYS entry {key_id!r}: use id=secret, an id of 1-8 letters or "
                    "digits and a secret of at least 32 characters"
                )
            keys[key_id] = secret.encode()
    return keys


def current_key() -> tuple[str, bytes] | None:
    keys = audit_keys()
    return next(iter(keys.items()), None)


def row_digest(row, previous_hash: str, key: tuple[str, bytes] | None = None) -> str:
    """The row's hash, chained to the previous row's: with a key, "<id>$" + HMAC-SHA256 (only
    the key's holder can compute it); without, a bare SHA-256 (anyone can)."""
    later = ADDED_LATER.get(row._meta.label_lower, ())
    fields = [f for f in row._meta.concrete_fields if f.attname not in EXCLUDED]
    payload = [
        [f.attname, _canonical(f, getattr(row, f.attname))]
        for f in fields
        if f.attname not in later or getattr(row, f.attname) not in ("", None)
    ]
    text = json.dumps([previous_hash, payload], sort_keys=False, default=str, separators=(",", ":"))
    if key is None:
        return hashlib.sha256(text.encode()).hexdigest()
    key_id, secret = key
    return f"{key_id}${hmac.new(secret, text.encode(), hashlib.sha256).hexdigest()}"


def expected_digest(row, previous_hash: str, keys: dict[str, bytes]) -> str | None:
    """What the row's hash must be under the key it names (None: a key we do not hold)."""
    if "$" not in row.row_hash:
        return row_digest(row, previous_hash)
    key_id = row.row_hash.partition("$")[0]
    if key_id not in keys:
        return None
    return row_digest(row, previous_hash, (key_id, keys[key_id]))


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
    row.row_hash = row_digest(row, previous or "", current_key())


def verify_chain(model) -> tuple[int, int | None]:
    """(rows checked, history_id of the first row whose hash does not match, or None)."""
    previous, checked, keys = "", 0, audit_keys()
    for row in model._default_manager.order_by("history_id").iterator(chunk_size=2000):
        checked += 1
        if row.row_hash != expected_digest(row, previous, keys):
            return checked, row.history_id
        previous = row.row_hash
    return checked, None


def unkeyed_rows(model) -> int:
    """Rows whose hash has no key: written before AUDIT_HMAC_KEYS was set (or rewritten by
    someone without it). With a key configured they are a finding until `audit_rekey`."""
    return model._default_manager.exclude(row_hash__contains="$").count()


def rekey_chain(model) -> int:
    """Recompute every hash of the table with the current key, in order. Only for an intact
    chain (checked by the caller); the owner's maintenance, never the application's."""
    key = current_key()
    if key is None:
        raise ValueError("AUDIT_HMAC_KEYS is not set")
    table = model._meta.db_table
    previous, count = "", 0
    with connection.cursor() as cursor:
        for row in model._default_manager.order_by("history_id").iterator(chunk_size=2000):
            digest = row_digest(row, previous, key)
            if digest != row.row_hash:
                cursor.execute(
                    f'UPDATE "{table}" SET row_hash = %s WHERE history_id = %s',
                    [digest, row.history_id],
                )
                count += 1
            previous = digest
    return count


def verify_records(history, *, limit: int = 50) -> tuple[int, list[str]]:
    """Every live record against its latest history version, field by field: (records checked,
    what differs), e.g. "row 7: worst_grade is 1, its history says 4". A change made beside the
    application (an SQL UPDATE, INSERT or DELETE) writes no history, so it shows here. Both
    tables are read once, in id order."""
    model = history.instance_type
    names = [f.attname for f in history.tracked_fields]
    pk = model._meta.pk.attname
    live = model._base_manager.order_by(pk).values_list(pk, *names).iterator(chunk_size=2000)
    versions = (
        history._default_manager.order_by("id", "history_id")
        .values_list("id", "history_type", *names)
        .iterator(chunk_size=2000)
    )
    latest = (list(group)[-1] for _id, group in itertools.groupby(versions, key=lambda v: v[0]))
    problems: list[str] = []
    checked = 0
    record, version = next(live, None), next(latest, None)
    while record is not None or version is not None:
        if version is None or (record is not None and record[0] < version[0]):
            problems.append(f"row {record[0]}: no history (written beside the application)")
            record = next(live, None)
            continue
        if record is None or version[0] < record[0]:
            if version[1] != "-":
                problems.append(f"row {version[0]}: deleted without a history row")
            version = next(latest, None)
            continue
        checked += 1
        if version[1] == "-":
            problems.append(f"row {record[0]}: deleted in its history, present in the table")
        for name, now, recorded in zip(names, record[1:], version[2:], strict=True):
            if name != pk and now != recorded:
                problems.append(
                    f"row {record[0]}: {name} is {now!r}, its history says {recorded!r}"
                )
        record, version = next(live, None), next(latest, None)
        if len(problems) >= limit:
            break
    return checked, problems


def chain_heads() -> dict[str, list]:
    """Each history table's head: [last history_id, rows, its hash] (what a checkpoint keeps)."""
    heads = {}
    for model in sorted(history_models(), key=lambda m: m._meta.db_table):
        manager = model._default_manager
        last = manager.order_by("-history_id").values_list("history_id", "row_hash").first()
        heads[model._meta.db_table] = [last[0], manager.count(), last[1]] if last else [0, 0, ""]
    return heads


def verify_heads(checkpoint: dict) -> list[str]:
    """The chains against a checkpoint: each table still has the rows it had then, ending with the
    same hash. Deleting rows, or rewriting one and recomputing the chain after it, changes that."""
    problems = []
    models = {m._meta.db_table: m for m in history_models()}
    for table, (last_id, count, head) in sorted(checkpoint["tables"].items()):
        model = models.get(table)
        if model is None:
            problems.append(f"{table}: in the checkpoint of {checkpoint['at']}, gone now")
            continue
        manager = model._default_manager
        now = manager.filter(history_id__lte=last_id).count()
        if now != count:
            problems.append(
                f"{table}: {count} rows up to history_id {last_id} at the checkpoint of "
                f"{checkpoint['at']}, {now} now (rows deleted)"
            )
            continue
        found = manager.filter(history_id=last_id).values_list("row_hash", flat=True).first()
        if count and found != head:
            problems.append(
                f"{table}: the chain up to history_id {last_id} differs from the checkpoint of "
                f"{checkpoint['at']} (rows rewritten and the hashes recomputed)"
            )
    return problems


def write_checkpoint(path: str, *, at: datetime) -> dict:
    """Append the chains' heads to the checkpoint file (JSON lines, each naming the hash of the
    line before it) and return them. The file lives outside the database."""
    lines = Path(path).read_text().splitlines() if Path(path).exists() else []
    previous = hashlib.sha256(lines[-1].encode()).hexdigest() if lines else ""
    checkpoint = {
        "at": at.astimezone(UTC).isoformat(),
        "previous": previous,
        "tables": chain_heads(),
    }
    key = current_key()
    if key is not None:  # only the key's holder can write a checkpoint that verifies
        checkpoint["mac"] = _checkpoint_mac(checkpoint, key)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(checkpoint, sort_keys=True) + "\n")
    return checkpoint


def _checkpoint_mac(checkpoint: dict, key: tuple[str, bytes]) -> str:
    body = json.dumps({k: v for k, v in checkpoint.items() if k != "mac"}, sort_keys=True)
    key_id, secret = key
    return f"{key_id}${hmac.new(secret, body.encode(), hashlib.sha256).hexdigest()}"


def read_checkpoints(path: str) -> tuple[dict | None, list[str]]:
    """(the latest checkpoint, problems with the file itself: a line removed or changed)."""
    if not Path(path).exists():
        return None, []
    lines = Path(path).read_text().splitlines()
    problems, previous, latest = [], "", None
    for number, line in enumerate(lines, start=1):
        try:
            latest = json.loads(line)
        except ValueError:
            problems.append(f"{path}: line {number} is not a checkpoint")
            continue
        if latest.get("previous") != previous:
            problems.append(f"{path}: line {number} does not follow the line before it")
        previous = hashlib.sha256(line.encode()).hexdigest()
    keys = audit_keys()
    if latest is not None and keys:
        # the last line signs the file: each line names the hash of the one before it, so an
        # earlier line cannot change without every later one, and the last one's MAC, changing
        mac = latest.get("mac", "")
        key_id = mac.partition("$")[0]
        if key_id not in keys:
            problems.append(f"{path}: the last checkpoint is not signed with a configured key")
        elif mac != _checkpoint_mac(latest, (key_id, keys[key_id])):
            problems.append(f"{path}: the last checkpoint was not written with the audit key")
    return latest, problems


def audit_findings(*, unkeyed: bool = True, first_checkpoint_due: bool = False) -> dict:
    """Everything `verify_audit` checks: every chain (and, with a key, rows not signed with it),
    the checkpoint file and its latest checkpoint, every live record against its history.
    {"rows", "records", "tables", "checkpoint", "problems": [...]}."""
    models = sorted(history_models(), key=lambda m: m._meta.db_table)
    problems, rows, records = [], 0, 0
    for model in models:
        checked, bad = verify_chain(model)
        rows += checked
        if bad is not None:
            problems.append(f"{model._meta.db_table}: history_id {bad}")
    if unkeyed and audit_keys():  # with a key, a row anyone could have hashed is a finding
        for model in models:
            count = unkeyed_rows(model)
            if count:
                problems.append(
                    f"{model._meta.db_table}: {count} rows not signed with the audit key "
                    "(written before AUDIT_HMAC_KEYS was set: run audit_rekey)"
                )
    checkpoint = None
    path = settings.AUDIT_CHECKPOINT_FILE
    if path:
        checkpoint, file_problems = read_checkpoints(path)
        problems += file_problems
        if checkpoint is None and not first_checkpoint_due:
            problems.append(
                f"{path}: no checkpoint to compare with (missing or empty: run audit_checkpoint)"
            )
        elif checkpoint is not None:
            problems += verify_heads(checkpoint)
    for model in models:
        checked, differences = verify_records(model)
        records += checked
        table = model.instance_type._meta.db_table
        problems += [f"{table}: {difference}" for difference in differences]
    return {
        "rows": rows,
        "records": records,
        "tables": len(models),
        "checkpoint": checkpoint,
        "problems": problems,
    }


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
