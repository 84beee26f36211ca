"""A user's roles are read once per request and cached across requests; any change of a role
clears the cache, so a revoked role stops at the very next request (issue 21)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from trial.models import SiteRole
from trial.services import api_token_create, site_role_grant, site_role_save

pytestmark = pytest.mark.django_db


def _with_token(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user, name='t')[1]}")
    return client


def _role_reads(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        status = client.get(url).status_code
    return status, sum('FROM "trial_siterole"' in q["sql"] for q in queries.captured_queries)


def test_roles_are_read_once_then_come_from_the_cache(coordinator_a, site_a):
    client = _with_token(coordinator_a)
    assert _role_reads(client, "/api/v1/sites/") == (200, 1)  # read once for the request
    assert _role_reads(client, "/api/v1/sites/") == (200, 0)  # then cached
    assert _role_reads(client, f"/api/v1/sites/{site_a.pk}/") == (200, 0)


def test_a_revoked_role_stops_at_the_next_request(coordinator_a, data_manager_a, site_a):
    client = _with_token(coordinator_a)
    assert client.get("/api/v1/subjects/").status_code == 200  # roles now cached
    role = SiteRole.objects.get(user=coordinator_a)

    site_role_save(
        user=data_manager_a, instance=role, data={"is_active": False}, reason="Left the study"
    )

    assert client.get("/api/v1/subjects/").status_code == 403
    assert client.get(f"/api/v1/sites/{site_a.pk}/").status_code in (403, 404)


def test_a_granted_role_counts_at_the_next_request(coordinator_a, data_manager_a, site_b):
    client = _with_token(coordinator_a)
    assert [s["code"] for s in client.get("/api/v1/sites/").json()["results"]] == ["01"]

    site_role_grant(user=None, member=coordinator_a, site=site_b, role="coordinator")

    assert [s["code"] for s in client.get("/api/v1/sites/").json()["results"]] == ["01", "02"]


def test_a_role_changed_outside_the_services_clears_the_cache_too(coordinator_a):
    client = _with_token(coordinator_a)
    assert client.get("/api/v1/subjects/").status_code == 200
    role = SiteRole.objects.get(user=coordinator_a)
    role.role = SiteRole.Role.MONITOR
    role._change_reason = "data fix"
    role.save()
    assert client.post("/api/v1/subjects/", {}, format="json").status_code == 403
