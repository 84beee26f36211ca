"""Tampering beside the application, each caught by `verify_audit` naming the place: a clinical
row changed, added or deleted by SQL (no history written); history rows deleted from the tail of
a chain, or rewritten with the chain's hashes recomputed (both pass the chain check alone, and
are caught against the last checkpoint kept outside the database); the checkpoint file edited."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from safety.models import AdverseEvent, AeGrade
from safety.services import ae_save
from trial import services as trial_services
from trial.audit import row_digest, verify_chain
from trial.models import DoseLevel

pytestmark = pytest.mark.django_db


@pytest.fixture
def checkpoints(settings, tmp_path):
    settings.AUDIT_CHECKPOINT_FILE = str(tmp_path / "audit-checkpoints.jsonl")
    return tmp_path / "audit-checkpoints.jsonl"


def _verify() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out, stderr=StringIO())
    return out.getvalue()


def _broken() -> str:
    with pytest.raises(CommandError) as excinfo:
        _verify()
    return str(excinfo.value)


def _sql(statement: str, params=(), *, history_table: str | None = None) -> None:
    with connection.cursor() as cursor:
        if history_table and connection.vendor == "postgresql":
            # the application's append-only trigger; the owner can drop it (undone with the
            # test's transaction) -- which is why the chain is checked against checkpoints
            cursor.execute(f'DROP TRIGGER edc_append_only_rows ON "{history_table}"')
        cursor.execute(statement, params)


@pytest.fixture
def event(infused, coordinator_a, clock):
    clock.days(1)
    return ae_save(
        user=coordinator_a,
        data={"subject": infused, "term": "Hypoxia", "onset_date": date(2026, 4, 2), "grade": 3},
    )


def test_an_sql_update_of_a_clinical_table_is_reported_by_table_row_and_field(event):
    assert "audit trail intact" in _verify()
    _sql("UPDATE safety_adverseevent SET worst_grade = 1 WHERE id = %s", [event.id])
    assert _broken() == (
        f"audit trail altered: safety_adverseevent: row {event.id}: worst_grade is 1, "
        "its history says 3"
    )


def test_a_row_inserted_or_deleted_by_sql_is_reported(event):
    (grade,) = AeGrade.objects.filter(adverse_event=event)
    _sql("DELETE FROM safety_aegrade WHERE id = %s", [grade.id])
    assert _broken() == (
        f"audit trail altered: safety_aegrade: row {grade.id}: deleted without a history row"
    )
    _sql(
        "INSERT INTO safety_aegrade (id, created_at, version, adverse_event_id, from_date, grade)"
        " VALUES (%s, %s, 1, %s, %s, 2)",
        [grade.id + 1000, "2026-04-02 10:00:00+00:00", event.id, "2026-04-02"],
    )
    message = _broken()
    assert f"safety_aegrade: row {grade.id + 1000}: no history" in message


def _level_history(dose_levels, data_manager_a):
    trial_services.dose_level_save(
        user=data_manager_a, instance=dose_levels[0], data={"label": "x"}, reason="r"
    )
    return DoseLevel.history.model


def test_deleting_the_tail_of_a_chain_is_caught_against_the_checkpoint(
    dose_levels, data_manager_a, checkpoints
):
    history = _level_history(dose_levels, data_manager_a)
    call_command("audit_checkpoint", stdout=StringIO())
    table = history._meta.db_table
    last = history.objects.order_by("-history_id").first()
    _sql(f'DELETE FROM "{table}" WHERE history_id = %s', [last.history_id], history_table=table)
    # the live row now differs from its remaining history, and the chain itself still verifies:
    # what catches the deletion is the checkpoint
    assert verify_chain(history)[1] is None
    message = _broken()
    assert (
        f"{table}: 4 rows up to history_id {last.history_id} at the checkpoint of" in message
        and "3 now (rows deleted)" in message
    )


def test_a_rewritten_chain_with_recomputed_hashes_is_caught_against_the_checkpoint(
    dose_levels, data_manager_a, checkpoints
):
    history = _level_history(dose_levels, data_manager_a)
    call_command("audit_checkpoint", stdout=StringIO())
    table = history._meta.db_table
    rows = list(history.objects.order_by("history_id"))
    victim = rows[0]
    _sql(
        f'UPDATE "{table}" SET history_change_reason = %s WHERE history_id = %s',
        ["nothing to see", victim.history_id],
        history_table=table,
    )
    # recompute every hash from the victim on, as anyone can with an unkeyed hash
    previous = ""
    for row in history.objects.order_by("history_id"):
        digest = row_digest(row, previous)
        _sql(f'UPDATE "{table}" SET row_hash = %s WHERE history_id = %s', [digest, row.history_id])
        previous = digest
    assert verify_chain(history) == (len(rows), None)  # the chain alone says intact
    message = _broken()
    assert f"{table}: the chain up to history_id {rows[-1].history_id} differs" in message


def test_an_edited_checkpoint_file_is_reported(dose_levels, data_manager_a, checkpoints):
    _level_history(dose_levels, data_manager_a)
    for _ in range(3):
        call_command("audit_checkpoint", stdout=StringIO())
    lines = checkpoints.read_text().splitlines()
    checkpoints.write_text("\n".join([lines[0], lines[2]]) + "\n")  # the middle one removed
    assert f"{checkpoints}: line 2 does not follow the line before it" in _broken()


def test_without_a_checkpoint_file_the_command_refuses_and_verify_says_so(settings, study):
    settings.AUDIT_CHECKPOINT_FILE = ""
    with pytest.raises(CommandError, match="AUDIT_CHECKPOINT_FILE is not set"):
        call_command("audit_checkpoint", stdout=StringIO(), stderr=StringIO())
    assert "no checkpoint to compare with" in _verify()


def test_untouched_data_verifies_against_its_checkpoint(event, checkpoints):
    call_command("audit_checkpoint", stdout=StringIO())
    assert AdverseEvent.history.count() >= 1
    assert "chains match the checkpoint of" in _verify()


def test_a_configured_checkpoint_file_that_is_missing_is_reported(checkpoints, study):
    assert not checkpoints.exists()
    assert f"{checkpoints}: no checkpoint to compare with (missing or empty" in _broken()
    call_command("audit_checkpoint", stdout=StringIO())
    assert "chains match the checkpoint of" in _verify()
    checkpoints.unlink()  # deleting the file does not switch the check off
    assert "no checkpoint to compare with" in _broken()
