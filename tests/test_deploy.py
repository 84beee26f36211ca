"""The deployment as files: docker-compose (db, web, scheduler, health checks, backup volume), the
image's file set (Dockerfile + .dockerignore), its pinned dependencies, and the scheduler's jobs.
tests/test_image.py installs that file set and starts it for real."""

import fnmatch
import re
import tomllib
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import get_commands
from packaging.requirements import Requirement

from trial.schedule import SCHEDULE

ROOT = Path(__file__).resolve().parent.parent


def _compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_db_web_and_scheduler_with_health_checks():
    compose = _compose()
    services = compose["services"]
    assert set(services) == {"db", "redis", "migrate", "web", "scheduler"}
    db, web, scheduler = services["db"], services["web"], services["scheduler"]
    assert db["image"].startswith("postgres:15")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert db["volumes"][0].split(":")[0] in compose["volumes"]
    # web: the image's start sequence, healthy when /healthz answers 200
    assert web["build"] == "." and web["command"] == ["sh", "deploy/start.sh"]
    assert web["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
        "migrate": {"condition": "service_completed_successfully"},
    }
    assert "http://127.0.0.1:8000/healthz" in " ".join(web["healthcheck"]["test"])
    assert web["environment"]["DATABASE_URL"].startswith("postgres://")
    assert "@db:5432/" in web["environment"]["DATABASE_URL"]
    # least privilege: web and scheduler connect as the role the db's init script creates and
    # the one-shot `migrate` service (the only one with the owner's password) grants rows to
    migrate = services["migrate"]
    assert web["environment"]["DATABASE_URL"].startswith("postgres://edc_app:")
    assert web["environment"]["APP_DB_ROLE"] == db["environment"]["APP_DB_USER"] == "edc_app"
    assert web["environment"]["MIGRATE"] == "0"
    owner = db["environment"]["POSTGRES_USER"]
    assert migrate["environment"]["DATABASE_URL"].startswith(f"postgres://{owner}:")
    assert migrate["command"] == ["sh", "deploy/migrate.sh"]
    assert not any(owner + ":" in str(v) for v in web["environment"].values())
    assert "./deploy/db-init:/docker-entrypoint-initdb.d:ro" in db["volumes"]
    assert web["environment"]["CACHE"] == "redis"
    assert web["environment"]["REDIS_URL"] == "redis://redis:6379/1"
    assert services["redis"]["image"] == "redis:7"
    assert web["environment"]["TIME_ZONE"] == "${TIME_ZONE:-Asia/Shanghai}"
    assert web["environment"]["TZ"] == web["environment"]["TIME_ZONE"]  # the scheduler's clock
    # scheduler: the same image and settings, yacron with the jobs file, backups on a volume
    assert scheduler["image"] == web["image"] and scheduler["build"] == "."
    assert scheduler["environment"] == web["environment"]
    assert scheduler["command"] == ["yacron", "-c", "deploy/yacron.yaml"]
    assert scheduler["depends_on"] == {"web": {"condition": "service_healthy"}}
    volume, mount = scheduler["volumes"][0].split(":")
    assert volume in compose["volumes"] and mount == scheduler["environment"]["BACKUP_DIR"]
    assert "healthcheck" in scheduler


def test_the_start_sequence_migrates_checks_and_serves():
    script = (ROOT / "deploy" / "start.sh").read_text()
    owner = (ROOT / "deploy" / "migrate.sh").read_text()

    def steps(text):
        return [
            line.split("python manage.py")[-1].split()[0]
            if "manage.py" in line
            else line.split()[-1]
            if line.startswith("sh ")
            else line.split()[2]
            for line in (line.strip() for line in text.splitlines())
            if "python manage.py" in line or line.startswith(("exec gunicorn", "sh deploy/"))
        ]

    assert steps(owner) == ["migrate", "createcachetable", "grant_app_role"]
    assert steps(script) == ["deploy/migrate.sh", "check", "config.wsgi:application"]
    assert 'if [ "${MIGRATE:-1}" = "1" ]' in script and "set -eu" in owner
    assert "check --deploy" in script and "set -eu" in script


def test_the_scheduler_runs_every_job_of_the_schedule_daily():
    from yacron.config import parse_config_file

    config = parse_config_file(str(ROOT / "deploy" / "yacron.yaml"))
    jobs = {job.name: job for job in config.jobs}
    assert set(jobs) == set(SCHEDULE)
    commands = get_commands()
    for name, job in jobs.items():
        assert job.command == f"python manage.py {name}"
        assert name in commands  # a management command of the project
        assert job.schedule_unparsed == SCHEDULE[name][0]
        assert job.concurrencyPolicy == "Forbid"
        assert job.utc is False  # the study's time zone


def _ignored(path: str, patterns: list[str]) -> bool:
    """Docker's rule for a path of the build context: ignored when it or a parent folder matches
    a pattern (`**/` matches any depth; the last matching pattern wins, `!` re-includes)."""
    parts = path.split("/")
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").rstrip("/")
        for depth in range(1, len(parts) + 1):
            candidate = "/".join(parts[:depth])
            if fnmatch.fnmatchcase(candidate, pattern) or (
                pattern.startswith("**/") and fnmatch.fnmatchcase(parts[depth - 1], pattern[3:])
            ):
                ignored = not negate
                break
    return ignored


def image_files(root: Path = ROOT) -> list[str]:
    """The files `COPY . .` sends into the image: the build context minus .dockerignore."""
    patterns = [
        line.strip()
        for line in (root / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    files = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_file() and not _ignored(relative, patterns):
            files.append(relative)
    return files


def test_the_image_holds_every_app_and_nothing_of_the_workbench():
    dockerfile = (ROOT / "Dockerfile").read_text()
    copies = re.findall(r"^COPY (.+)$", dockerfile, flags=re.M)
    assert copies == [". ."]  # the whole context: a new app cannot be left out
    files = image_files()
    tops = {f.split("/")[0] for f in files}
    assert set(settings.PROJECT_APPS) | {"config", "templates", "deploy"} <= tops
    assert {"manage.py", "pyproject.toml", "constraints.txt"} <= tops
    for kept_out in ("tests", ".venv", ".git", "artifacts", "benchmarks", "db.sqlite3"):
        assert kept_out not in tops
    assert not [f for f in files if "__pycache__" in f or f.endswith(".pyc")]


def test_the_image_installs_pinned_versions_collects_static_and_drops_root():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r'^RUN pip install .*-c constraints.txt "\.\[deploy\]"$', dockerfile, re.M)
    assert "collectstatic --noinput" in dockerfile
    users = re.findall(r"^USER (\S+)$", dockerfile, flags=re.M)
    assert users and users[-1] not in ("root", "0")
    assert re.search(r'^CMD \["sh", "deploy/start.sh"\]$', dockerfile, re.M)
    assert "HEALTHCHECK" in dockerfile and "/healthz" in dockerfile


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.lower().replace("_", "-")] = version
    return pins


@pytest.mark.parametrize("extra", [None, "deploy"])
def test_every_dependency_is_pinned_within_its_range(extra):
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] if extra is None else project["optional-dependencies"][extra]
    pins = _pins()
    for spec in wanted:
        requirement = Requirement(spec)
        name = requirement.name.lower().replace("_", "-")
        assert name in pins, f"{name} is not pinned in constraints.txt"
        assert requirement.specifier.contains(pins[name], prereleases=True), (name, pins[name])


@pytest.mark.parametrize(
    ("path", "ignored"),
    [
        ("tests/test_deploy.py", True),
        ("trial/__pycache__/models.cpython-311.pyc", True),
        ("followup/services.py", False),
        (".venv/bin/python", True),
        ("deploy/start.sh", False),
        ("db.sqlite3", True),
    ],
)
def test_the_dockerignore_reading_follows_dockers_rules(path, ignored):
    patterns = ["tests", "**/__pycache__", ".venv", "db.sqlite3"]
    assert _ignored(path, patterns) is ignored
