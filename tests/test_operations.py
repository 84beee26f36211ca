"""Running the study: the health endpoint, JSON logs with a request id, the scheduled jobs (each
records its run, is safe to run twice, fails loudly) and what data managers see of them, and
clinical dates in the study's time zone."""

import io
import json
import logging
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client
from django_guid.log_filters import CorrelationId
from pythonjsonlogger.json import JsonFormatter

from config import health
from trial.models import JobRun
from trial.schedule import SCHEDULE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _forget_health():
    health._migrated.clear()
    yield
    health._migrated.clear()


# --- /healthz ----------------------------------------------------------------------------------


def test_health_is_200_without_login_and_says_nothing_else(client):
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert "no-cache" in response["Cache-Control"]


def test_health_is_503_while_a_migration_is_pending(client, settings):
    # the project's migrations, also when the tables were built without them (--nomigrations:
    # tests/conftest.py records them as applied, as `migrate` does)
    settings.MIGRATION_MODULES = {}
    assert client.get("/healthz").status_code == 200

    MigrationRecorder.Migration.objects.filter(app="trial").order_by("-id").first().delete()
    health._migrated.clear()
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (
        503,
        {"status": "unavailable", "database": "migrations pending"},
    )


def test_health_is_503_when_the_database_does_not_answer(client, monkeypatch):
    from django.db import connections

    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connections["default"], "cursor", down)
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (
        503,
        {"status": "unavailable", "database": "unreachable"},
    )


def test_health_answers_the_containers_own_check_whatever_the_host_and_https(settings, db):
    """Behind TLS (HTTPS=1) every page redirects plain HTTP and only ALLOWED_HOSTS are served,
    but the container's check calls http://127.0.0.1:8000/healthz."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["edc.hospital.example"]
    client = Client()
    assert client.get("/healthz", HTTP_HOST="127.0.0.1:8000").status_code == 200
    assert client.get("/admin/login/", HTTP_HOST="127.0.0.1:8000").status_code == 400
    assert client.get("/admin/login/", HTTP_HOST="edc.hospital.example").status_code == 301


# --- logs ------------------------------------------------------------------------------------


@pytest.fixture
def json_log():
    """The settings' JSON formatter and request-id filter on a handler we can read."""
    spec = dict(settings.LOGGING["formatters"]["json"])
    spec.pop("()")
    fmt = spec.pop("format")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(fmt, **spec))
    handler.addFilter(CorrelationId())
    logs = [logging.getLogger(name) for name in ("edc.request", "django.request")]
    for log in logs:
        log.addHandler(handler)
    yield stream
    for log in logs:
        log.removeHandler(handler)


def test_each_request_is_one_json_line_with_its_request_id(json_log, coordinator_a):
    client = Client()
    client.force_login(coordinator_a)
    response = client.get("/api/v1/subjects/?page_size=5")

    (line,) = json_log.getvalue().splitlines()
    entry = json.loads(line)
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    assert entry["request_id"] == request_id
    assert {k: entry[k] for k in ("level", "logger", "method", "path", "status", "user")} == {
        "level": "INFO",
        "logger": "edc.request",
        "method": "GET",
        "path": "/api/v1/subjects/",  # never the query string
        "status": 200,
        "user": coordinator_a.pk,  # an id, not a name
    }
    assert isinstance(entry["duration_ms"], float)
    datetime.fromisoformat(entry["time"])


def test_a_clients_request_id_is_kept_and_anything_else_replaced(json_log, client):
    given = "0f2b1c3d4e5f60718293a4b5c6d7e8f9"
    assert client.get("/healthz", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID='x"}\n{"level": "forged"')
    assert replaced["X-Request-ID"] != 'x"}\n{"level": "forged"'
    assert [json.loads(line)["request_id"] for line in json_log.getvalue().splitlines()] == [
        given,
        replaced["X-Request-ID"],
    ]


def test_an_error_response_is_logged_without_the_query_string(json_log, coordinator_a):
    client = Client()
    client.force_login(coordinator_a)
    response = client.get("/api/v1/nothing-here/?date_of_birth=1950-02-03")
    assert response.status_code == 404

    text = json_log.getvalue()
    assert "1950-02-03" not in text and "date_of_birth" not in text
    lines = [json.loads(line) for line in text.splitlines()]
    assert sorted((e["logger"], e["level"], e["request_id"]) for e in lines) == [
        ("django.request", "WARNING", response["X-Request-ID"]),
        ("edc.request", "INFO", response["X-Request-ID"]),
    ]
    assert all("request" not in e for e in lines)


# --- scheduled jobs --------------------------------------------------------------------------


def _run(name, **options):
    out, err = io.StringIO(), io.StringIO()
    call_command(name, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_a_job_records_its_run_and_is_safe_to_run_twice(infused, clock):
    clock.days(29)
    first, _ = _run("refresh_dlt_windows")
    second, _ = _run("refresh_dlt_windows")

    study = infused.site.study.registry_id
    assert first == f"{study}: 1 DLT evaluation(s) changed status\n"
    assert second == f"{study}: 0 DLT evaluation(s) changed status\n"
    earlier, last = JobRun.objects.order_by("pk")
    assert [(r.job, r.ok, r.summary) for r in (earlier, last)] == [
        ("refresh_dlt_windows", True, f"{study}: 1 DLT evaluation(s) changed status"),
        ("refresh_dlt_windows", True, f"{study}: 0 DLT evaluation(s) changed status"),
    ]
    assert earlier.started_at <= earlier.finished_at
    (created,) = last.history.all()
    assert (created.history_user, created.history_change_reason) == (
        None,
        "Scheduled job refresh_dlt_windows: ok",
    )


def test_every_scheduled_command_records_its_run(infused, clock):
    for name in ("refresh_dlt_windows", "refresh_dlt_candidates", "verify_audit"):
        _run(name)
    assert sorted(JobRun.objects.values_list("job", "ok")) == [
        ("refresh_dlt_candidates", True),
        ("refresh_dlt_windows", True),
        ("verify_audit", True),
    ]


def test_a_failed_audit_check_is_recorded_logged_and_exits_non_zero(
    dose_levels, caplog, monkeypatch
):
    from trial import audit

    monkeypatch.setattr(
        "trial.audit.verify_chain",
        lambda model: (1, 7) if model._meta.db_table.endswith("doselevel") else (0, None),
    )
    assert audit  # the real check is tested in tests/monitoring/test_audit.py
    with caplog.at_level(logging.ERROR, logger="edc.jobs"), pytest.raises(CommandError) as exc:
        _run("verify_audit")

    assert "audit trail altered" in str(exc.value)
    (run,) = JobRun.objects.all()
    assert (run.job, run.ok) == ("verify_audit", False)
    assert run.summary == "audit trail altered: trial_historicaldoselevel: history_id 7"
    (record,) = [r for r in caplog.records if r.name == "edc.jobs"]
    assert (record.levelname, record.getMessage()) == (
        "ERROR",
        "scheduled job verify_audit failed: audit trail altered: "
        "trial_historicaldoselevel: history_id 7",
    )


def test_a_backup_on_sqlite_fails_and_says_why(tmp_path, db):
    from django.db import connection

    if connection.vendor == "postgresql":
        pytest.skip("the PostgreSQL backup is tested in tests/reliability/test_backup_restore.py")
    with pytest.raises(CommandError) as exc:
        _run("backup", dir=str(tmp_path))
    assert "backup and restore work on PostgreSQL" in str(exc.value)
    (run,) = JobRun.objects.all()
    assert (run.job, run.ok) == ("backup", False)


def test_a_dump_cut_short_leaves_no_backup_behind(tmp_path, monkeypatch, db):
    from trial.backup import BackupError
    from trial.management.commands import backup as command

    def cut_short(path):
        path.write_bytes(b"PGDMP half")
        raise BackupError("pg_dump failed: connection lost")

    monkeypatch.setattr(command, "backup", cut_short)
    with pytest.raises(CommandError):
        _run("backup", dir=str(tmp_path))
    assert list(tmp_path.iterdir()) == []
    (run,) = JobRun.objects.all()
    assert (run.ok, run.summary) == (False, "pg_dump failed: connection lost")


def test_backups_older_than_the_retention_are_removed(tmp_path, monkeypatch, db):
    """The retention rule on its own (pg_dump itself is stubbed: it is tested on PostgreSQL)."""
    from trial.management.commands import backup as command

    monkeypatch.setattr(command, "backup", lambda path: path.write_bytes(b"PGDMP"))
    now = datetime.now(UTC)
    names = {
        "old": (now - timedelta(days=15)).strftime(command.NAME),
        "recent": (now - timedelta(days=13)).strftime(command.NAME),
    }
    for name in names.values():
        (tmp_path / name).write_bytes(b"PGDMP")
    (tmp_path / "keep-me.dump").write_bytes(b"mine")

    out, _ = _run("backup", dir=str(tmp_path), keep_days=14)
    out_again, _ = _run("backup", dir=str(tmp_path), keep_days=14)

    left = sorted(p.name for p in tmp_path.iterdir())
    assert names["old"] not in left
    assert {names["recent"], "keep-me.dump"} <= set(left)
    assert out.strip().endswith("removed 1 backup(s) older than 14 days")
    assert out_again.strip().endswith("removed 0 backup(s) older than 14 days")
    assert list(JobRun.objects.values_list("job", "ok")) == [("backup", True)] * 2


def test_data_managers_see_the_last_run_of_each_job_on_the_dashboard(
    data_manager_a, coordinator_a, site_a
):
    from trial.services import job_run_record

    now = datetime.now(UTC)
    job_run_record(job="backup", started_at=now, ok=True, summary="wrote b.dump")
    job_run_record(job="verify_audit", started_at=now, ok=False, summary="audit trail altered")
    old = job_run_record(job="refresh_dlt_windows", started_at=now, ok=True, summary="x")
    JobRun.objects.filter(pk=old.pk).update(finished_at=now - timedelta(hours=30))  # not clinical

    client = Client()
    client.force_login(data_manager_a)
    jobs = client.get("/admin/").context["dashboard"]["jobs"]
    assert [(row["job"], row["state"]) for row in jobs] == [
        ("refresh_dlt_windows", "late"),
        ("refresh_dlt_candidates", "never run"),
        ("backup", "ok"),
        ("audit_checkpoint", "never run"),
        ("verify_audit", "FAILED"),
    ]
    assert [row["job"] for row in jobs] == list(SCHEDULE)
    client.force_login(coordinator_a)
    assert client.get("/admin/").context["dashboard"]["jobs"] is None


# --- the study's time zone -----------------------------------------------------------------------


def test_a_time_entered_at_half_past_midnight_local_lands_on_that_clinical_date(
    settings, eligible, first_cohort, enroll, infuse, coordinator_a, clock, schedule
):
    """Stored in UTC (the previous day, 16:30), counted on the local date everywhere."""
    from dosing.models import DltEvaluation
    from followup.services import visit_record
    from safety.services import ae_save

    settings.TIME_ZONE = "Asia/Shanghai"
    shanghai = ZoneInfo("Asia/Shanghai")
    enrollment = enroll(eligible(), first_cohort)
    clock.days(3)
    night = datetime(2026, 4, 3, 0, 30, tzinfo=shanghai)
    infuse(enrollment, when=night)
    evaluation = DltEvaluation.objects.get(enrollment=enrollment)
    assert night.astimezone(UTC).date() == date(2026, 4, 2)
    assert (evaluation.day0, evaluation.window_end) == (date(2026, 4, 3), date(2026, 5, 1))

    clock.days(1)
    sae = ae_save(
        user=coordinator_a,
        data={
            "subject": enrollment.subject,
            "term": "Hypoxia",
            "onset_date": date(2026, 4, 3),
            "grade": 3,
            "serious": True,
            "sc_hospitalization": True,
            "aware_at": night,
        },
    )
    assert sae.report_deadline == night + timedelta(hours=24)
    assert sae.report_deadline.astimezone(shanghai).date() == date(2026, 4, 4)

    # the visit schedule counts from that local day 0: day 7 is 10 April, in its window
    clock.days(6)
    visit = visit_record(
        user=coordinator_a,
        data={
            "subject": enrollment.subject,
            "definition": schedule["D7"],
            "actual_date": date(2026, 4, 10),
        },
    )
    assert (visit.planned_date, visit.out_of_window) == (date(2026, 4, 10), False)
