"""21 CFR 11.10(d): a session ends after the configured time without a request (each request
moves the end on, written at most once a minute) and when the browser closes; every admin page
carries the warning script."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

START = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def test_a_session_ends_after_the_idle_time_and_each_request_moves_the_end(
    settings, time_machine, data_manager_a
):
    assert settings.SESSION_COOKIE_AGE == 15 * 60  # the default, SESSION_IDLE_MINUTES=15
    time_machine.move_to(START, tick=False)
    client = Client()
    client.force_login(data_manager_a)
    assert client.get("/admin/").status_code == 200
    for minutes in (14, 14, 14):  # 42 minutes in all, never 15 without a request
        time_machine.move_to(datetime.now(UTC) + timedelta(minutes=minutes), tick=False)
        assert client.get("/admin/keepalive/").status_code == 204
    time_machine.move_to(datetime.now(UTC) + timedelta(minutes=15, seconds=1), tick=False)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert client.get("/admin/keepalive/").status_code == 302


def test_the_idle_time_is_configurable(settings, time_machine, data_manager_a):
    settings.SESSION_COOKIE_AGE = 5 * 60
    time_machine.move_to(START, tick=False)
    client = Client()
    client.force_login(data_manager_a)
    time_machine.move_to(START + timedelta(minutes=5, seconds=1), tick=False)
    assert client.get("/admin/").status_code == 302


def test_the_session_cookie_ends_with_the_browser(data_manager_a):
    data_manager_a.set_password("a long enough passphrase")
    data_manager_a.save()
    response = Client().post(
        "/admin/login/?next=/admin/",
        {"username": data_manager_a.username, "password": "a long enough passphrase"},
    )
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["max-age"] == "" and cookie["expires"] == ""  # a browser-session cookie


def test_every_admin_page_warns_before_the_session_ends(data_manager_a):
    client = Client()
    client.force_login(data_manager_a)
    page = client.get("/admin/trial/siterole/").content.decode()
    assert 'id="session-timeout"' in page
    seconds = int(re.search(r'data-idle-seconds="(\d+)"', page).group(1))
    assert 890 <= seconds <= 900  # what is left of the 15 minutes
    assert 'data-keepalive-url="/admin/keepalive/"' in page
    login = Client().get("/admin/login/").content.decode()
    assert 'id="session-timeout"' not in login  # nobody to warn


def test_the_end_is_written_at_most_once_a_minute(time_machine, data_manager_a):
    from django.contrib.sessions.models import Session

    time_machine.move_to(START, tick=False)
    client = Client()
    client.force_login(data_manager_a)
    key = client.session.session_key
    ends = Session.objects.get(session_key=key).expire_date
    time_machine.move_to(START + timedelta(seconds=30), tick=False)
    client.get("/admin/")
    assert Session.objects.get(session_key=key).expire_date == ends  # no write
    time_machine.move_to(START + timedelta(seconds=61), tick=False)
    client.get("/admin/")
    assert Session.objects.get(session_key=key).expire_date == ends + timedelta(seconds=61)


def test_asking_how_long_is_left_does_not_move_the_end(time_machine, data_manager_a):
    time_machine.move_to(START, tick=False)
    client = Client()
    client.force_login(data_manager_a)
    time_machine.move_to(START + timedelta(minutes=10), tick=False)
    assert client.get("/admin/session-status/").json() == {"seconds_left": 5 * 60}
    time_machine.move_to(START + timedelta(minutes=15, seconds=1), tick=False)
    response = client.get("/admin/session-status/")  # ended: the login page, not a number
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_with_redis_sessions_are_cached_there_and_survive_its_restart(settings, data_manager_a):
    """CACHE=redis (docker-compose): sessions are read from Redis and written through to the
    database, so emptying Redis signs nobody out."""
    import uuid

    import redis
    from django.core.cache import caches

    from tests.security.test_throttling import _require_redis

    backend = dict(settings.CACHE_BACKENDS["redis"])
    _require_redis(backend["LOCATION"])
    backend["KEY_PREFIX"] = prefix = f"edc-test-{uuid.uuid4().hex}"
    settings.CACHES = {"default": backend}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    client = Client()
    client.force_login(data_manager_a)
    assert client.get("/admin/").status_code == 200
    key = client.session.session_key
    assert caches["default"].get(f"django.contrib.sessions.cached_db{key}") is not None

    server = redis.Redis.from_url(backend["LOCATION"])
    for name in server.scan_iter(f"{prefix}:*"):  # what a restart of Redis loses
        server.delete(name)
    assert caches["default"].get(f"django.contrib.sessions.cached_db{key}") is None

    assert client.get("/admin/").status_code == 200  # read back from the database
