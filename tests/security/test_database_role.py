"""The application's database role (`manage.py grant_app_role`) reads and writes rows and nothing
more: each way around the audit trail that a table owner has is refused to it."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError

from safety.models import AdverseEvent

pytestmark = pytest.mark.django_db

ROLE = "edc_app_test"


@pytest.fixture
def app_role(study):
    if connection.vendor != "postgresql":
        pytest.skip("database roles are PostgreSQL's; CI runs this on PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {ROLE} NOLOGIN")  # undone with the test's transaction
    call_command("grant_app_role", ROLE, stdout=StringIO())
    yield ROLE


def _as_app(statement: str, params=()):
    """Run `statement` as the application role inside a savepoint; the error, or None."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL ROLE {ROLE}")
            cursor.execute(statement, params)
    except DatabaseError as error:
        return str(error).splitlines()[0]
    return None


def test_the_application_role_reads_and_writes_rows(app_role, study):
    assert _as_app("SELECT count(*) FROM safety_adverseevent") is None
    assert _as_app("UPDATE trial_study SET title = title WHERE id = %s", [study.id]) is None
    assert _as_app("SELECT count(*) FROM trial_historicalstudy") is None


@pytest.mark.parametrize(
    ("statement", "refusal"),
    [
        ("ALTER TABLE safety_adverseevent ADD COLUMN sneaky integer", "must be owner"),
        ("ALTER TABLE trial_historicalstudy DISABLE TRIGGER ALL", "must be owner"),
        ("DROP TRIGGER edc_append_only_rows ON trial_historicalstudy", "must be owner"),
        ("TRUNCATE safety_adverseevent", "permission denied"),
        ("TRUNCATE trial_historicalstudy", "permission denied"),
        ("SET session_replication_role = replica", "permission denied"),
        ("UPDATE trial_historicalstudy SET history_change_reason = 'x'", "permission denied"),
        ("DELETE FROM trial_historicalstudy", "permission denied"),
    ],
)
def test_the_application_role_is_refused_what_rewrites_the_audit_trail(
    app_role, statement, refusal
):
    error = _as_app(statement)
    assert error is not None and refusal in error, error
    assert AdverseEvent._meta.db_table == "safety_adverseevent"


def test_the_grant_refuses_a_superuser_and_sqlite(app_role):
    with pytest.raises(CommandError, match="superuser"):
        call_command("grant_app_role", "postgres")
    with pytest.raises(CommandError, match="no database role"):
        call_command("grant_app_role", "nobody_here")


def test_the_compose_init_script_creates_a_plain_login_role(app_role, tmp_path):
    """deploy/db-init/10-app-role.sh as the postgres image runs it (psql as the owner)."""
    import os
    import subprocess
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "deploy" / "db-init" / "10-app-role.sh"
    settings = connection.settings_dict
    env = {
        **os.environ,
        "POSTGRES_USER": settings["USER"] or "postgres",
        "POSTGRES_DB": settings["NAME"],
        "PGHOST": settings["HOST"] or "127.0.0.1",
        "PGPORT": str(settings["PORT"] or 5432),
        "APP_DB_USER": "edc_app_init_test",
        "APP_DB_PASSWORD": "it's a secret",
    }
    try:
        done = subprocess.run(["sh", str(script)], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        check = subprocess.run(
            ["psql", "-tAc", "SELECT rolcanlogin, rolsuper, rolcreaterole FROM pg_roles "
             "WHERE rolname = 'edc_app_init_test'", settings["NAME"]],
            env=env, capture_output=True, text=True,
        )  # fmt: skip
        assert check.stdout.strip() == "t|f|f"
    finally:
        subprocess.run(
            ["psql", "-c", "DROP ROLE IF EXISTS edc_app_init_test", settings["NAME"]],
            env=env, capture_output=True,
        )  # fmt: skip
