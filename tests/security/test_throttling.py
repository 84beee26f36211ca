import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured

from trial.api_defaults import parse_rate

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        ("600/10m", (600, 600)),
        ("600/10min", (600, 600)),
        ("5/s", (5, 1)),
        ("100/m", (100, 60)),
        ("1000/2h", (1000, 7200)),
        ("20000/d", (20000, 86400)),
        (" 7 / 3 s ", (7, 3)),
    ],
)
def test_rates_are_read_with_a_window_of_several_units(rate, expected):
    assert parse_rate(rate) == expected


@pytest.mark.parametrize("rate", ["600", "600/10", "600/10w", "x/m", "600/0m", ""])
def test_a_malformed_rate_is_a_configuration_error(rate):
    with pytest.raises(ImproperlyConfigured):
        parse_rate(rate)


def test_the_default_limit_is_600_requests_per_10_minutes(settings):
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["user"] == "600/10m"


@pytest.fixture
def three_per_ten_minutes(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "3/10m"},
    }


@pytest.mark.usefixtures("three_per_ten_minutes")
def test_a_user_beyond_the_limit_gets_429_with_retry_after(api, coordinator_a, coordinator_b):
    client = api(coordinator_a)
    assert [client.get("/api/v1/subjects/").status_code for _ in range(3)] == [200, 200, 200]

    refused = client.get("/api/v1/subjects/")

    assert refused.status_code == 429
    assert 590 <= int(refused["Retry-After"]) <= 600
    assert "throttled" in refused.json()["detail"].lower()
    # the limit is per user: a colleague still gets through
    assert api(coordinator_b).get("/api/v1/subjects/").status_code == 200


@pytest.mark.usefixtures("three_per_ten_minutes")
def test_writes_count_against_the_same_limit(api, coordinator_a, site_a):
    client = api(coordinator_a)
    for _ in range(3):
        client.get("/api/v1/subjects/")

    refused = client.post(
        "/api/v1/subjects/", {"site": site_a.pk, "date_of_birth": "1980-05-17", "sex": "F"}
    )

    assert refused.status_code == 429
    from screening.models import Subject

    assert not Subject.objects.exists()


def test_workers_sharing_the_database_cache_share_one_count(settings, api, coordinator_a):
    """With CACHE=database (docker-compose) every worker reads the same counter: a limit is
    not multiplied by the number of workers."""
    from django.core.cache import caches
    from django.core.management import call_command
    from django.db import connection

    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.DatabaseCache",
            "LOCATION": "edc_cache",
        }
    }
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "2/10m"},
    }
    call_command("createcachetable", verbosity=0)
    client = api(coordinator_a)
    assert [client.get("/api/v1/subjects/").status_code for _ in range(2)] == [200, 200]

    # the counter is a row of the shared table, not a value in this process's memory
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM edc_cache WHERE cache_key LIKE '%throttle%'")
        assert sorted(key for (key,) in cursor.fetchall()) == [
            f":1:throttle_user_{coordinator_a.pk}",
            f":1:throttle_user_{coordinator_a.pk}:start",
        ]
    del caches["default"]  # what another worker would open
    assert caches["default"].get(f"throttle_user_{coordinator_a.pk}") is not None
    assert client.get("/api/v1/subjects/").status_code == 429


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("backend", ["locmem", "database", "redis"])
def test_parallel_requests_of_one_user_get_exactly_the_limit(
    backend, settings, coordinator_a, allow_history_flush
):
    """32 clients of one user at once: the count is incremented atomically, so exactly the
    limit gets through, whatever the cache (the counter read and written back let most of
    them through)."""
    import threading

    from django.core.cache import caches
    from django.core.management import call_command
    from django.db import connection, connections
    from rest_framework.test import APIClient

    if backend == "database" and connection.vendor != "postgresql":
        pytest.skip("concurrent writers to the cache table need PostgreSQL; CI runs it there")
    cache = dict(settings.CACHE_BACKENDS[backend])
    if backend == "redis":
        _require_redis(cache["LOCATION"])
        cache["KEY_PREFIX"] = f"edc-test-{uuid.uuid4().hex}"  # other workers share the server
    settings.CACHES = {"default": cache}
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "40/10m"},
    }
    if backend == "database":
        call_command("createcachetable", verbosity=0)
    if backend != "redis":
        caches["default"].clear()
    clients, per_client = 32, 4
    barrier = threading.Barrier(clients)
    codes = []

    def hammer():
        client = APIClient()
        client.force_authenticate(coordinator_a)
        try:
            barrier.wait(timeout=30)
            for _ in range(per_client):
                codes.append(client.get("/api/v1/sites/").status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=hammer) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(codes) == clients * per_client
    assert (codes.count(200), codes.count(429)) == (40, clients * per_client - 40)


def _require_redis(url: str) -> None:
    """Redis on 127.0.0.1:6379: .ci/run starts it and sets REQUIRE_REDIS, so CI fails without
    it; elsewhere (a laptop without Redis) the test says why it did not run."""
    import os

    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as exc:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis at {url} does not answer ({exc})")
        pytest.skip(f"no Redis at {url}; CI runs this (REQUIRE_REDIS=1)")
