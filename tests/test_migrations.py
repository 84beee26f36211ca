"""The migrations build the schema on a fresh SQLite database.

`make test`'s SQLite pass builds its test tables from the models (`--nomigrations`: running the
80 migrations took each worker about 30 s, the slowest part of the suite); PostgreSQL's pass and
the upgrade test build theirs through the migrations. This test runs them once on SQLite in a
subprocess, so both databases keep proving that the migrations work."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps

pytestmark = pytest.mark.slow(33)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def migrations_off(request):
    if not request.config.getoption("nomigrations"):
        pytest.skip("this run's test database was itself built by the migrations")


def test_the_migrations_build_every_table_and_history_index_on_sqlite(migrations_off, tmp_path):
    database = tmp_path / "migrated.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": "migrations-test",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    # nothing left to apply, and nothing the models have that the migrations do not
    subprocess.run([*manage, "migrate", "--check", "-v0"], env=env, check=True, cwd=ROOT)

    with sqlite3.connect(database) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        indexes = {
            (row[0], tuple(col[2] for col in db.execute(f'PRAGMA index_info("{row[1]}")')))
            for row in db.execute("SELECT tbl_name, name FROM sqlite_master WHERE type='index'")
        }
    models = [m for m in apps.get_models() if m._meta.managed and not m._meta.proxy]
    assert sorted(m._meta.db_table for m in models if m._meta.db_table not in tables) == []
    history = [m for m in models if m.__name__.startswith("Historical")]
    assert len(history) > 30
    for model in history:
        table = model._meta.db_table
        for columns in (
            ("audit_subject_id", "history_date", "history_id"),
            ("history_user_id", "history_date", "history_id"),
            ("history_date", "history_id"),
        ):
            if columns[0] == "audit_subject_id" and "audit_subject_id" not in {
                f.column for f in model._meta.fields
            }:
                continue
            assert (table, columns) in indexes, (table, columns)
