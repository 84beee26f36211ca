"""`/api/v1/me/` tells a client who it is; `/api/v1/users/` whom it may name in a record (the
people of its own sites); `/api/v1/site-roles/` lets data managers grant and revoke roles, each
change in the role's history."""

import pytest

from trial.models import SiteRole

pytestmark = pytest.mark.django_db


def test_me_gives_the_user_id_and_roles_per_site(api, coordinator_a, site_a):
    response = api(coordinator_a).get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json() == {
        "id": coordinator_a.pk,
        "username": "coord_a",
        "full_name": coordinator_a.get_full_name(),
        "roles": [
            {
                "site": site_a.pk,
                "site_code": "01",
                "study": site_a.study.registry_id,
                "role": "coordinator",
            }
        ],
    }


def test_me_needs_a_login(api):
    assert api().get("/api/v1/me/").status_code == 401


def test_users_lists_only_the_people_of_ones_own_sites(
    api, coordinator_a, monitor_a, coordinator_b
):
    names = [u["username"] for u in api(coordinator_a).get("/api/v1/users/").json()["results"]]
    assert names == ["coord_a", "monitor_a"]
    other = api(coordinator_a).get(f"/api/v1/users/{coordinator_b.pk}/")
    missing = api(coordinator_a).get("/api/v1/users/999999/")
    assert (other.status_code, other.json()) == (missing.status_code, missing.json())
    assert other.status_code == 404


def test_a_data_manager_grants_and_revokes_a_role_with_history(
    api, data_manager_a, coordinator_b, site_a
):
    client = api(data_manager_a)
    granted = client.post(
        "/api/v1/site-roles/",
        {"user": coordinator_b.pk, "site": site_a.pk, "role": "monitor"},
        format="json",
    )
    assert granted.status_code == 201, granted.json()
    role = SiteRole.objects.get(pk=granted.json()["id"])
    revoked = client.patch(
        f"/api/v1/site-roles/{role.pk}/",
        {"is_active": False, "change_reason": "Left the study team"},
        format="json",
        HTTP_IF_MATCH=f'"{role.version}"',
    )
    assert revoked.status_code == 200, revoked.json()
    (revoke, grant) = role.history.all()
    assert (grant.is_active, revoke.is_active) == (True, False)
    assert (revoke.history_user, revoke.history_change_reason) == (
        data_manager_a,
        "Left the study team",
    )


def test_a_coordinator_cannot_grant_roles(api, coordinator_a, monitor_a, site_a):
    response = api(coordinator_a).post(
        "/api/v1/site-roles/",
        {"user": monitor_a.pk, "site": site_a.pk, "role": "data_manager"},
        format="json",
    )
    assert response.status_code == 403
    assert not SiteRole.objects.filter(role="data_manager", user=monitor_a).exists()


def test_nobody_grants_themselves_a_role(api, data_manager_a, site_a):
    response = api(data_manager_a).post(
        "/api/v1/site-roles/",
        {"user": data_manager_a.pk, "site": site_a.pk, "role": "safety_reviewer"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "user": ["Nobody grants or changes their own role: ask another data manager."]
    }
    assert list(data_manager_a.site_roles.values_list("role", flat=True)) == ["data_manager"]


def test_roles_are_granted_only_where_one_is_a_data_manager(api, site_a, site_b, coordinator_b):
    """A data manager of site 02 who is also a monitor at site 01 grants nothing at site 01:
    permissions are pooled across a user's sites, the site must be one they manage."""
    from tests.factories import SiteRoleFactory, UserFactory

    mixed = UserFactory(username="dm_b_monitor_a")
    SiteRoleFactory(user=mixed, site=site_b, role=SiteRole.Role.DATA_MANAGER)
    SiteRoleFactory(user=mixed, site=site_a, role=SiteRole.Role.MONITOR)
    client = api(mixed)
    refused = client.post(
        "/api/v1/site-roles/",
        {"user": coordinator_b.pk, "site": site_a.pk, "role": "investigator"},
        format="json",
    )
    assert refused.status_code == 400
    assert list(refused.json()) == ["site"]
    granted = client.post(
        "/api/v1/site-roles/",
        {"user": coordinator_b.pk, "site": site_b.pk, "role": "investigator"},
        format="json",
    )
    assert granted.status_code == 201
    assert not SiteRole.objects.filter(site=site_a, user=coordinator_b).exists()
