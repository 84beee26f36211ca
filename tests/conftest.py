from datetime import datetime

import pytest
import time_machine
from rest_framework.test import APIClient

from tests.factories import (
    DoseLevelFactory,
    SiteFactory,
    SiteRoleFactory,
    StudyFactory,
    UserFactory,
)
from trial.models import SiteRole

Role = SiteRole.Role

pytest_plugins = [
    "tests.screening.fixtures",
    "tests.dosing.fixtures",
    "tests.safety.fixtures",
    "tests.followup.fixtures",
    "tests.demo_db",
]


def pytest_addoption(parser):
    parser.addoption(
        "--clock",
        metavar="ISO-DATETIME",
        help=(
            "Run every test with the clock moved to this moment (ticking from there), e.g. "
            "2028-02-29T12:00+08:00: proves no test depends on the day it runs."
        ),
    )


def pytest_configure(config):
    # Django's advice for fast tests: production's hasher (PBKDF2, a million rounds) spends
    # 0.23 s of CPU on each password here, 38 s of the suite's. Subprocesses (check --deploy)
    # and production keep the real list (config/settings.py).
    from django.test.utils import override_settings

    override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]).enable()

    # pytest-xdist's loadfile takes the files in collection order (see the hook below)
    config.option.loadscopereorder = False

    when = config.getoption("--clock")
    if when:
        moment = datetime.fromisoformat(when)
        if moment.tzinfo is None:
            raise pytest.UsageError("--clock needs a UTC offset, e.g. 2028-02-29T12:00+08:00")
        config._clock = time_machine.travel(moment, tick=True)
        config._clock.start()


@pytest.hookimpl(trylast=True)  # after pytest-django's own ordering, kept within each file
def pytest_collection_modifyitems(config, items):
    """Files marked `slow` first, the longest first, then the rest by number of tests (what
    pytest-xdist's loadfile does by itself). xdist alone put the slow files of few tests last
    (test_migrations.py's single test took 33 s): one worker ran them while the other sat idle
    for 20 s. Tests keep their order within a file."""

    def seconds(item):
        marker = item.get_closest_marker("slow")
        return marker.args[0] if marker else 0

    by_file: dict[str, list] = {}
    for item in items:
        by_file.setdefault(item.nodeid.split("::")[0], []).append(item)
    order = sorted(by_file.values(), key=lambda tests: (-seconds(tests[0]), -len(tests)))
    items[:] = [item for tests in order for item in tests]


def pytest_report_header(config):
    when = config.getoption("--clock")
    return f"clock moved to {when}" if when else None


def pytest_unconfigure(config):
    clock = getattr(config, "_clock", None)
    if clock is not None:
        clock.stop()


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A request in Chinese leaves Chinese active in its thread (each real request activates its
    own language first); the next test starts in the default language."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request):
    """With --nomigrations (make test's SQLite pass: the tables come from the models, see
    tests/test_migrations.py) the database records every migration as applied, as a migrated
    one does: the health check and anything else reading django_migrations see a real state."""
    if request.config.getoption("nomigrations"):
        from django.db import connection
        from django.db.migrations.loader import MigrationLoader
        from django.db.migrations.recorder import MigrationRecorder
        from django.test.utils import override_settings

        with django_db_blocker.unblock(), override_settings(MIGRATION_MODULES={}):
            recorder = MigrationRecorder(connection)
            recorder.ensure_schema()
            graph = MigrationLoader(connection, ignore_no_migrations=True).graph
            applied = set()
            for leaf in graph.leaf_nodes():  # in the order `migrate` applies them
                for key in graph.forwards_plan(leaf):
                    if key not in applied:
                        recorder.record_applied(*key)
                        applied.add(key)
    return django_db_setup


@pytest.fixture
def study(db):
    return StudyFactory()


@pytest.fixture
def site_a(study):
    return SiteFactory(study=study, code="01", name="Site A")


@pytest.fixture
def site_b(study):
    return SiteFactory(study=study, code="02", name="Site B")


@pytest.fixture
def dose_levels(study):
    return [
        DoseLevelFactory(study=study, number=n, cells_per_kg_million=d)
        for n, d in ((1, 2), (2, 6), (3, 18))
    ]


def _member(username, site, role):
    user = UserFactory(username=username)
    SiteRoleFactory(user=user, site=site, role=role)
    return user


@pytest.fixture
def coordinator_a(site_a):
    return _member("coord_a", site_a, Role.COORDINATOR)


@pytest.fixture
def coordinator_b(site_b):
    return _member("coord_b", site_b, Role.COORDINATOR)


@pytest.fixture
def monitor_a(site_a):
    return _member("monitor_a", site_a, Role.MONITOR)


@pytest.fixture
def data_manager_a(site_a):
    return _member("dm_a", site_a, Role.DATA_MANAGER)


@pytest.fixture
def api():
    def client_for(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return client_for


@pytest.fixture(autouse=True)
def _static_files_without_manifest(settings):
    """Production serves collected, hashed files; tests render pages without collectstatic."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """API rate counters live in the cache; each test starts with none spent."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def investigator_a(site_a):
    return _member("inv_a", site_a, Role.INVESTIGATOR)


@pytest.fixture
def safety_reviewer_a(site_a):
    return _member("sr_a", site_a, Role.SAFETY_REVIEWER)


@pytest.fixture
def allow_history_flush(transactional_db):
    """Transactional tests end with a flush (TRUNCATE) of every table; on PostgreSQL the history
    tables refuse that unless the session is in audit maintenance (see monitoring/db.py)."""
    yield
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('edc.audit_maintenance', 'on', false)")


@pytest.fixture
def scratch_database(django_db_setup):
    """A new, empty PostgreSQL database beside the test database, dropped afterwards: its URL.
    Made on a connection of its own (CREATE DATABASE cannot run inside the test's transaction)."""
    import psycopg
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL; CI runs it there")
    params = connection.get_connection_params()
    name = f"{connection.settings_dict['NAME']}_scratch"
    server = {k: params[k] for k in ("host", "port", "user", "password") if params.get(k)}

    def run(sql):
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(sql)

    run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    run(f'CREATE DATABASE "{name}"')
    yield (
        f"postgres://{server.get('user', 'postgres')}:{server.get('password', '')}@"
        f"{server.get('host', '127.0.0.1')}:{server.get('port', 5432)}/{name}"
    )
    run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def give_second_factor(client, user):
    """Mark `client`'s signed-in session as having given its second factor, with an
    authenticator set up for `user` (as after a real sign-in with a code)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice(user=user, name="Authenticator app", confirmed=True)
        device._history_user = user
        device._change_reason = "Two-factor set up"
        device.save()
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


@pytest.fixture(autouse=True)
def _force_login_gives_the_second_factor(monkeypatch):
    """Tests sign in with `client.force_login(user)` as a user who also gave their second factor,
    as every user of the admin does; tests of the second step itself pass `otp=False`."""
    from django.test import Client

    original = Client.force_login

    def force_login(self, user, backend=None, *, otp=True):
        original(self, user, backend)
        if otp:
            give_second_factor(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)
