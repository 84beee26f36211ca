"""The keyed audit chain (AUDIT_HMAC_KEYS): rows are signed with an HMAC only the key's holder can
compute, so rewriting rows and recomputing the chain is caught even after the last checkpoint;
old rows are signed once with `audit_rekey`; keys rotate."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from trial import services as trial_services
from trial.audit import row_digest, verify_chain
from trial.models import DoseLevel

pytestmark = pytest.mark.django_db

K1 = "k1=" + "a" * 40
K2 = "k2=" + "b" * 40


def _verify() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out, stderr=StringIO())
    return out.getvalue()


def _broken() -> str:
    with pytest.raises(CommandError) as excinfo:
        _verify()
    return str(excinfo.value)


def _relabel(dose_levels, data_manager_a, label="x"):
    trial_services.dose_level_save(
        user=data_manager_a, instance=dose_levels[0], data={"label": label}, reason="r"
    )
    return DoseLevel.history.model


def _rewrite(history, victim, key=None):
    """Change a row's reason and recompute every hash from it on (with `key`, or none)."""
    table = history._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f'DROP TRIGGER edc_append_only_rows ON "{table}"')
        cursor.execute(
            f'UPDATE "{table}" SET history_change_reason = %s WHERE history_id = %s',
            ["nothing to see", victim.history_id],
        )
        previous = ""
        for row in history.objects.order_by("history_id"):
            digest = row_digest(row, previous, key)
            cursor.execute(
                f'UPDATE "{table}" SET row_hash = %s WHERE history_id = %s',
                [digest, row.history_id],
            )
            previous = digest


def test_rows_are_signed_with_the_current_key(settings, dose_levels, data_manager_a):
    settings.AUDIT_HMAC_KEYS = K1
    history = _relabel(dose_levels, data_manager_a)
    latest = history.objects.order_by("-history_id").first()
    assert latest.row_hash.startswith("k1$") and len(latest.row_hash) == 3 + 64
    call_command("audit_rekey", "--yes", stdout=StringIO())  # the fixtures' rows, unkeyed
    assert "audit trail intact" in _verify() and "keyed (HMAC)" in _verify()


def test_a_chain_recomputed_without_the_key_is_caught(settings, dose_levels, data_manager_a):
    settings.AUDIT_HMAC_KEYS = K1
    call_command("audit_rekey", "--yes", stdout=StringIO())  # the fixtures' rows
    history = _relabel(dose_levels, data_manager_a)
    rows = list(history.objects.order_by("history_id"))
    # with a guessed key under the real key's id: the first rewritten row no longer verifies
    _rewrite(history, rows[0], key=("k1", b"guessed" * 6))
    assert verify_chain(history)[1] == rows[0].history_id
    assert f"{history._meta.db_table}: history_id {rows[0].history_id}" in _broken()


def test_a_chain_downgraded_to_unkeyed_hashes_is_caught(
    settings, tmp_path, dose_levels, data_manager_a
):
    settings.AUDIT_HMAC_KEYS = K1
    settings.AUDIT_CHECKPOINT_FILE = str(tmp_path / "checkpoints.jsonl")  # as in production
    call_command("audit_rekey", "--yes", stdout=StringIO())  # signs, and anchors a checkpoint
    history = _relabel(dose_levels, data_manager_a)
    rows = list(history.objects.order_by("history_id"))
    _rewrite(history, rows[0], key=None)  # plain SHA-256, as anyone can compute
    assert verify_chain(history) == (len(rows), None)  # the arithmetic holds...
    message = _broken()  # ...but a keyed trail has rows nobody with the key signed
    assert f"{history._meta.db_table}: {len(rows)} rows not signed with the audit key" in message


def test_old_rows_are_signed_once_with_audit_rekey(settings, dose_levels, data_manager_a):
    history = _relabel(dose_levels, data_manager_a)  # written before the key existed
    settings.AUDIT_HMAC_KEYS = K1
    assert "rows not signed with the audit key (written before AUDIT_HMAC_KEYS" in _broken()
    out = StringIO()
    call_command("audit_rekey", stdout=out)  # a dry run changes nothing
    assert out.getvalue().startswith("dry run:")
    assert not history.objects.filter(row_hash__startswith="k1$").exists()
    call_command("audit_rekey", "--yes", stdout=StringIO())
    assert all(h.startswith("k1$") for h in history.objects.values_list("row_hash", flat=True))
    assert "audit trail intact" in _verify()


def test_keys_rotate(settings, dose_levels, data_manager_a):
    settings.AUDIT_HMAC_KEYS = K1
    call_command("audit_rekey", "--yes", stdout=StringIO())
    history = _relabel(dose_levels, data_manager_a, "one")
    settings.AUDIT_HMAC_KEYS = f"{K2},{K1}"  # the new key in front, the old one still verifies
    _relabel(dose_levels, data_manager_a, "two")
    prefixes = {h.split("$")[0] for h in history.objects.values_list("row_hash", flat=True)}
    assert prefixes == {"k1", "k2"}
    assert "audit trail intact" in _verify()
    settings.AUDIT_HMAC_KEYS = K2  # the old key removed too early: its rows cannot be checked
    assert "history_id" in _broken()
    settings.AUDIT_HMAC_KEYS = f"{K2},{K1}"
    call_command("audit_rekey", "--yes", stdout=StringIO())
    settings.AUDIT_HMAC_KEYS = K2
    assert "audit trail intact" in _verify()


def test_audit_rekey_refuses_a_broken_chain_and_a_missing_key(
    settings, dose_levels, data_manager_a
):
    history = _relabel(dose_levels, data_manager_a)
    with pytest.raises(CommandError, match="AUDIT_HMAC_KEYS is not set"):
        call_command("audit_rekey", "--yes", stdout=StringIO())
    victim = history.objects.order_by("history_id").first()
    table = history._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f'DROP TRIGGER edc_append_only_rows ON "{table}"')
        cursor.execute(
            f'UPDATE "{table}" SET history_change_reason = %s WHERE history_id = %s',
            ["nothing to see", victim.history_id],
        )
    settings.AUDIT_HMAC_KEYS = K1
    with pytest.raises(CommandError, match=f"does not verify, investigate first: .*{table}"):
        call_command("audit_rekey", "--yes", stdout=StringIO())


def test_a_checkpoint_written_without_the_key_is_refused(
    settings, tmp_path, dose_levels, data_manager_a
):
    settings.AUDIT_HMAC_KEYS = K1
    settings.AUDIT_CHECKPOINT_FILE = str(tmp_path / "checkpoints.jsonl")
    call_command("audit_rekey", "--yes", stdout=StringIO())
    call_command("audit_checkpoint", stdout=StringIO())
    assert "chains match the checkpoint" in _verify()
    # a forged last line (e.g. heads of a shortened chain) cannot carry a valid MAC
    path = tmp_path / "checkpoints.jsonl"
    line = json.loads(path.read_text().splitlines()[-1])
    line["mac"] = "k1$" + "0" * 64
    path.write_text(json.dumps(line, sort_keys=True) + "\n")
    assert "the last checkpoint was not written with the audit key" in _broken()
