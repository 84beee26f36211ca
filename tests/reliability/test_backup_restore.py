"""`manage.py backup` / `restore` round-trip the PostgreSQL database: the data cut of the restored
copy has the same bytes (hence the same manifest checksums) as the original's."""

import io
import json
import os
import subprocess
import sys
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection

from dosing import services as dosing
from exports.datacut import datacut_zip

ROOT = Path(__file__).resolve().parent.parent.parent
CUT = datetime(2026, 4, 2, tzinfo=UTC)


def test_restore_asks_for_confirmation(tmp_path):
    with pytest.raises(CommandError, match="run again with --yes"):
        call_command("restore", str(tmp_path / "edc.dump"))


@pytest.mark.django_db
def test_a_missing_backup_file_is_named(tmp_path):
    if connection.vendor != "postgresql":
        with pytest.raises(CommandError, match="with SQLite, stop the server"):
            call_command("restore", str(tmp_path / "edc.dump"), yes=True)
        return
    with pytest.raises(CommandError, match=f"no backup file at {tmp_path / 'edc.dump'}"):
        call_command("restore", str(tmp_path / "edc.dump"), yes=True)


@pytest.mark.django_db
def test_backup_on_sqlite_says_what_to_do_instead(tmp_path):
    if connection.vendor == "postgresql":
        pytest.skip("the SQLite answer; the PostgreSQL round trip is tested below")
    with pytest.raises(CommandError, match="stop the server and copy the database file"):
        call_command("backup", out=str(tmp_path / "edc.dump"))
    assert not (tmp_path / "edc.dump").exists()


def _manage(*args, database_url):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _cut_of(database_url, out: Path) -> bytes:
    _manage(
        "export",
        "--format",
        "zip",
        "--cut",
        CUT.isoformat(),
        "--out",
        str(out),
        database_url=database_url,
    )
    return (out / f"datacut-{CUT:%Y%m%dT%H%M%SZ}.zip").read_bytes()


@pytest.mark.usefixtures("allow_history_flush")
def test_backup_and_restore_round_trip_keeps_every_checksum(
    tmp_path, eligible, first_cohort, coordinator_a
):
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump/pg_restore: CI runs this on PostgreSQL")
    for _ in range(2):
        dosing.enrollment_create(
            user=coordinator_a,
            data={
                "subject": eligible(),
                "cohort": first_cohort,
                "enrollment_date": date(2026, 4, 1),
            },
        )
    exporter = get_user_model()(is_superuser=True, is_active=True, username="export")
    original = datacut_zip(user=exporter, cut=CUT)
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(original)).read("manifest.json"))
    rows = {f["file"]: f["rows"] for f in manifest["files"]}
    assert rows["enrollments.csv"] == 2

    dump = tmp_path / "edc.dump"
    call_command("backup", out=str(dump), stdout=io.StringIO())
    assert dump.read_bytes()[:5] == b"PGDMP"

    settings = connection.settings_dict
    scratch = f"{settings['NAME']}_restored"
    url = (
        f"postgres://{settings['USER']}:{settings['PASSWORD'] or ''}@"
        f"{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{scratch}"
    )
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{scratch}"')
    try:
        assert "restored" in _manage("restore", str(dump), "--yes", database_url=url)
        assert _cut_of(url, tmp_path / "first") == original
        # restoring over a populated database replaces it, and changes nothing
        _manage("restore", str(dump), "--yes", database_url=url)
        assert _cut_of(url, tmp_path / "second") == original
        # the audit trail came back whole: same rows, hash chain intact
        out = io.StringIO()
        call_command("verify_audit", stdout=out)
        assert out.getvalue().startswith("audit trail intact: ")
        # (the command's own output is its last line: its run is also logged as JSON)
        restored = _manage("verify_audit", database_url=url).strip().splitlines()[-1]
        assert restored.startswith("audit trail intact: ")
        # the original has one history row more: the backup's own run, recorded after the dump
        rows = [int(text.split()[3]) for text in (out.getvalue(), restored)]
        assert rows[0] - rows[1] == 1
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
