"""API tokens (django-rest-knox, 21 CFR 11.300(b)): created only from a signed-in session that
gave its second factor, stored as a digest, ending after API_TOKEN_DAYS or when revoked (by the
owner or a data manager, with a reason, kept listed); what a token changes is recorded under its
owner's name."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from trial.models import ApiToken
from trial.services import api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db


def _session(user) -> APIClient:
    client = APIClient()
    client.force_login(user)  # password and second factor (tests/conftest.py)
    return client


def _with_token(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_a_two_factor_session_creates_a_token_shown_once_and_stored_as_a_digest(
    coordinator_a, settings
):
    response = _session(coordinator_a).post(
        "/api/v1/tokens/", {"name": "weekly SAS export"}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    token = body["token"]
    stored = ApiToken.objects.get()
    assert stored.digest != token and token not in stored.digest
    assert body["token_key"] == stored.token_key == token[:15]
    assert (body["name"], body["owner"], body["state"]) == (
        "weekly SAS export",
        "coord_a",
        "active",
    )
    lifetime = stored.expiry - stored.created
    assert abs(lifetime - timedelta(days=settings.API_TOKEN_DAYS)) < timedelta(seconds=1)
    assert _with_token(token).get("/api/v1/sites/").status_code == 200
    # listed afterwards without the token itself
    listed = _with_token(token).get("/api/v1/tokens/").json()["results"]
    assert [row["token_key"] for row in listed] == [stored.token_key]
    assert "token" not in listed[0]
    (created,) = stored.history.all()
    assert (created.history_type, created.history_user, created.name) == (
        "+",
        coordinator_a,
        "weekly SAS export",
    )


def test_a_token_cannot_create_another(coordinator_a):
    _, token = api_token_create(user=coordinator_a, name="export")

    response = _with_token(token).post("/api/v1/tokens/", {"name": "more"}, format="json")

    assert response.status_code == 403
    assert "second factor" in response.json()["detail"]
    assert ApiToken.objects.count() == 1


def test_a_session_without_its_second_factor_cannot_create_one(coordinator_a):
    client = APIClient()
    client.force_login(coordinator_a, otp=False)
    response = client.post("/api/v1/tokens/", {"name": "export"}, format="json")
    assert response.status_code in (401, 403)
    assert ApiToken.objects.count() == 0


def test_a_token_lasts_one_to_api_token_days(coordinator_a, settings):
    client = _session(coordinator_a)
    for days in (0, settings.API_TOKEN_DAYS + 1, -1):
        response = client.post("/api/v1/tokens/", {"name": "export", "days": days}, format="json")
        assert response.status_code == 400, days
        assert set(response.json()) == {"days"}
    for days in (1, settings.API_TOKEN_DAYS):
        response = client.post("/api/v1/tokens/", {"name": "export", "days": days}, format="json")
        assert response.status_code == 201, days


def test_a_token_ends_at_its_expiry(coordinator_a):
    _, token = api_token_create(user=coordinator_a, name="export", days=30)
    expiry = ApiToken.objects.get().expiry

    with time_machine.travel(expiry - timedelta(seconds=1), tick=False):
        assert _with_token(token).get("/api/v1/sites/").status_code == 200
    with time_machine.travel(expiry, tick=False):
        ended = _with_token(token).get("/api/v1/sites/")

    assert ended.status_code == 401
    assert ended.json() == {
        "detail": "This token has expired: create a new one from a signed-in session."
    }
    assert ApiToken.objects.filter(pk=ApiToken.objects.get().pk).exists()  # kept, not deleted


def test_the_owner_revokes_a_token_with_a_reason_and_it_stays_listed(coordinator_a):
    _, token = api_token_create(user=coordinator_a, name="export")
    record = ApiToken.objects.get()
    client = _session(coordinator_a)

    missing = client.post(f"/api/v1/tokens/{record.token_key}/revoke/", {}, format="json")
    response = client.post(
        f"/api/v1/tokens/{record.token_key}/revoke/",
        {"change_reason": "laptop replaced"},
        format="json",
    )

    assert missing.status_code == 400 and set(missing.json()) == {"change_reason"}
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["revoked_by"]) == ("revoked", "coord_a")
    refused = _with_token(token).get("/api/v1/sites/")
    assert (refused.status_code, refused.json()) == (401, {"detail": "This token was revoked."})
    record.refresh_from_db()
    assert (record.revoked_by, record.revoke_reason) == (coordinator_a, "laptop replaced")
    assert [
        (h.history_type, h.history_user, h.history_change_reason) for h in record.history.all()
    ] == [
        ("~", coordinator_a, "Revoked: laptop replaced"),
        ("+", coordinator_a, None),
    ]
    again = client.post(
        f"/api/v1/tokens/{record.token_key}/revoke/", {"change_reason": "again"}, format="json"
    )
    assert again.status_code == 409


def test_a_data_manager_lists_and_revokes_the_tokens_of_their_sites_only(
    coordinator_a, coordinator_b, data_manager_a
):
    _, token_a = api_token_create(user=coordinator_a, name="site A export")
    _, token_b = api_token_create(user=coordinator_b, name="site B export")
    own_a = ApiToken.objects.get(user=coordinator_a)
    own_b = ApiToken.objects.get(user=coordinator_b)
    manager = _session(data_manager_a)

    listed = manager.get("/api/v1/tokens/").json()["results"]
    assert [row["owner"] for row in listed] == ["coord_a"]
    assert manager.get(f"/api/v1/tokens/{own_b.token_key}/").status_code == 404
    assert (
        manager.post(
            f"/api/v1/tokens/{own_b.token_key}/revoke/", {"change_reason": "x"}, format="json"
        ).status_code
        == 404
    )
    revoked = manager.post(
        f"/api/v1/tokens/{own_a.token_key}/revoke/",
        {"change_reason": "left the study"},
        format="json",
    )

    assert revoked.status_code == 200
    assert _with_token(token_a).get("/api/v1/sites/").status_code == 401
    assert _with_token(token_b).get("/api/v1/sites/").status_code == 200
    # a coordinator sees only their own tokens, and cannot revoke another's
    assert _session(coordinator_b).get("/api/v1/tokens/").json()["count"] == 1
    with pytest.raises(api_token_revoke.__globals__["PermissionDenied"]):
        api_token_revoke(user=coordinator_b, instance=own_a, reason="x")


def test_what_a_token_changes_is_recorded_under_its_owners_name(coordinator_a, site_a):
    _, token = api_token_create(user=coordinator_a, name="site system")

    response = _with_token(token).post(
        "/api/v1/subjects/",
        {"site": site_a.pk, "date_of_birth": "1970-05-01", "sex": "F"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    from screening.models import Subject

    (created,) = Subject.objects.get(pk=response.json()["id"]).history.all()
    assert (created.history_type, created.history_user) == ("+", coordinator_a)


def test_the_admin_page_creates_a_token_once_and_revokes_with_a_reason(coordinator_a):
    client = Client()
    client.force_login(coordinator_a)

    created = client.post("/admin/api-tokens/", {"action": "create", "name": "R", "days": 7})

    token = created.context["new_token"]
    record = ApiToken.objects.get()
    assert token in created.content.decode()
    assert record.expiry.date() == (timezone.now() + timedelta(days=7)).date()
    listing = client.get("/admin/api-tokens/")
    assert token not in listing.content.decode()
    assert record.token_key in listing.content.decode()

    client.post("/admin/api-tokens/", {"action": "revoke", "token": record.pk, "reason": "done"})

    record.refresh_from_db()
    assert (record.revoked_by, record.revoke_reason) == (coordinator_a, "done")
    assert _with_token(token).get("/api/v1/sites/").status_code == 401


def test_another_users_token_is_not_found_in_the_admin(coordinator_a, coordinator_b):
    api_token_create(user=coordinator_b, name="B")
    record = ApiToken.objects.get()
    client = Client()
    client.force_login(coordinator_a)
    hidden = client.get(f"/admin/trial/apitoken/{record.pk}/change/")
    assert (hidden.status_code, hidden["Location"]) == (302, "/admin/")  # "no such record"
    assert client.get(f"/admin/trial/apitoken/{record.pk}/history/").status_code == 404
    client.force_login(coordinator_b)
    assert client.get(f"/admin/trial/apitoken/{record.pk}/history/").status_code == 200
