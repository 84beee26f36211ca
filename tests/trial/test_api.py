from decimal import Decimal

import pytest

from tests.http import if_match
from trial.models import DoseLevel

pytestmark = pytest.mark.django_db


def test_anonymous_gets_401_and_no_data(api, site_a, dose_levels):
    for url in (
        "/api/v1/studies/",
        "/api/v1/sites/",
        "/api/v1/dose-levels/",
        f"/api/v1/dose-levels/{dose_levels[0].pk}/history/",
    ):
        response = api().get(url)
        assert response.status_code == 401, url
        assert response.json() == {"detail": "Authentication credentials were not provided."}
        assert response["WWW-Authenticate"] == "Token"


def test_token_authentication_works(api, coordinator_a):
    from trial.services import api_token_create

    _, token = api_token_create(user=coordinator_a, name="export")
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/sites/").status_code == 200


def test_a_coordinator_sees_only_the_sites_where_they_work(api, coordinator_a, site_a, site_b):
    client = api(coordinator_a)

    listing = client.get("/api/v1/sites/").json()
    assert [s["code"] for s in listing["results"]] == ["01"]
    assert listing["count"] == 1
    assert client.get(f"/api/v1/sites/{site_a.pk}/").json()["name"] == "Site A"
    other = client.get(f"/api/v1/sites/{site_b.pk}/")
    assert other.status_code == 404
    assert client.get(f"/api/v1/sites/{site_b.pk}/history/").status_code == 404


def test_a_user_without_any_role_sees_nothing(api, site_a, dose_levels):
    from tests.factories import UserFactory

    client = api(UserFactory(username="no_role"))
    assert client.get("/api/v1/sites/").status_code == 403
    assert client.get("/api/v1/dose-levels/").status_code == 403


def test_dose_levels_of_the_users_study_are_listed_in_order(
    api, coordinator_a, dose_levels, django_assert_max_num_queries
):
    client = api(coordinator_a)
    # auth permissions (2), role permissions, site ids, count, rows: not one per row
    with django_assert_max_num_queries(6):
        body = client.get("/api/v1/dose-levels/").json()
    assert [(d["number"], d["cells_per_kg_million"]) for d in body["results"]] == [
        (1, "2.000"),
        (2, "6.000"),
        (3, "18.000"),
    ]


def test_a_monitor_cannot_change_study_configuration(api, monitor_a, dose_levels):
    level = dose_levels[0]
    client = api(monitor_a)

    response = client.patch(
        f"/api/v1/dose-levels/{level.pk}/", {"label": "x", "change_reason": "y"}
    )
    assert response.status_code == 403
    assert client.post("/api/v1/dose-levels/", {}).status_code == 403
    assert client.post(f"/api/v1/dose-levels/{level.pk}/void/", {"reason": "y"}).status_code == 403
    level.refresh_from_db()
    assert (level.label, level.is_voided, level.history.count()) == ("level 1", False, 1)


def test_a_coordinator_cannot_change_study_configuration(api, coordinator_a, dose_levels):
    response = api(coordinator_a).patch(
        f"/api/v1/dose-levels/{dose_levels[0].pk}/", {"label": "x", "change_reason": "y"}
    )
    assert response.status_code == 403


def test_an_update_without_a_reason_is_400_with_a_field_message(api, data_manager_a, dose_levels):
    level = dose_levels[0]

    url = f"/api/v1/dose-levels/{level.pk}/"
    client = api(data_manager_a)
    response = client.patch(url, {"label": "2 M/kg"}, **if_match(client, url))

    assert response.status_code == 400
    assert response.json() == {
        "change_reason": ["A reason for change is required when a saved record is changed."]
    }
    level.refresh_from_db()
    assert (level.label, level.history.count()) == ("level 1", 1)


def test_an_update_with_a_reason_adds_one_history_row_carrying_it(api, data_manager_a, dose_levels):
    level = dose_levels[0]
    client = api(data_manager_a)

    url = f"/api/v1/dose-levels/{level.pk}/"
    response = client.patch(
        url,
        {"cells_per_kg_million": "2.500", "change_reason": "Protocol amendment 2"},
        **if_match(client, url),
    )

    assert response.status_code == 200
    assert response.json()["cells_per_kg_million"] == "2.500"
    assert response.json()["version"] == 2
    assert "change_reason" not in response.json()
    (update, create) = level.history.all()
    assert (update.history_user, update.history_change_reason) == (
        data_manager_a,
        "Protocol amendment 2",
    )
    assert (create.cells_per_kg_million, update.cells_per_kg_million) == (
        Decimal("2"),
        Decimal("2.5"),
    )

    history = client.get(f"/api/v1/dose-levels/{level.pk}/history/").json()
    newest = history["results"][0]
    assert history["count"] == 2
    assert (newest["change_type"], newest["user"], newest["reason"]) == (
        "changed",
        "dm_a",
        "Protocol amendment 2",
    )
    assert newest["changes"] == [
        {"field": "version", "old": 1, "new": 2},
        {"field": "cells_per_kg_million", "old": "2.000", "new": "2.500"},
    ]
    oldest = history["results"][1]
    assert oldest["change_type"] == "created"
    assert {"field": "number", "old": None, "new": 1} in oldest["changes"]


def test_put_also_requires_a_reason(api, data_manager_a, study, dose_levels):
    level = dose_levels[1]
    body = {"study": study.pk, "number": 2, "label": "6 M/kg", "cells_per_kg_million": "6"}
    client = api(data_manager_a)
    url = f"/api/v1/dose-levels/{level.pk}/"
    assert client.put(url, body, **if_match(client, url)).status_code == 400
    response = client.put(url, {**body, "change_reason": "relabel"}, **if_match(client, url))
    assert response.status_code == 200
    assert response.json()["label"] == "6 M/kg"


def test_service_errors_come_back_as_field_errors(api, data_manager_a, study, dose_levels):
    response = api(data_manager_a).post(
        "/api/v1/dose-levels/",
        {"study": study.pk, "number": 5, "label": "too high", "cells_per_kg_million": "50"},
    )
    assert response.status_code == 400
    assert response.json() == {
        "number": ["Dose levels are numbered 1..K without gaps: the next is 4."]
    }
    assert DoseLevel.objects.count() == 3


def test_a_new_dose_level_is_created_with_history(api, data_manager_a, study, dose_levels):
    response = api(data_manager_a).post(
        "/api/v1/dose-levels/",
        {"study": study.pk, "number": 4, "label": "54 M/kg", "cells_per_kg_million": "54"},
    )
    assert response.status_code == 201, response.json()
    level = DoseLevel.objects.get(pk=response.json()["id"])
    (create,) = level.history.all()
    assert (create.history_type, create.history_user, create.label) == (
        "+",
        data_manager_a,
        "54 M/kg",
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"cells_per_kg_million": "abc"}, "cells_per_kg_million"),
        ({"cells_per_kg_million": "-1"}, "cells_per_kg_million"),
        ({"cells_per_kg_million": "123456789"}, "cells_per_kg_million"),
        ({"study": 999999}, "study"),
        ({"label": "x" * 81}, "label"),
        ({"label": "nul\x00byte"}, "label"),
        ({"is_placeholder": "maybe"}, "is_placeholder"),
    ],
)
def test_malformed_fields_are_400_never_500(api, data_manager_a, study, dose_levels, body, field):
    valid = {"study": study.pk, "number": 4, "label": "L4", "cells_per_kg_million": "54"}
    response = api(data_manager_a).post("/api/v1/dose-levels/", {**valid, **body})
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert DoseLevel.objects.count() == 3


def test_malformed_json_is_400(api, data_manager_a):
    response = api(data_manager_a).generic(
        "POST", "/api/v1/dose-levels/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")


def test_bad_filters_and_pages_do_not_break_the_list(api, coordinator_a, dose_levels):
    client = api(coordinator_a)
    assert client.get("/api/v1/dose-levels/?number=abc").status_code == 400
    assert client.get("/api/v1/dose-levels/?page=abc").status_code == 404
    assert client.get("/api/v1/dose-levels/?ordering=nonexistent").status_code == 400
    assert client.get("/api/v1/dose-levels/abc/").status_code == 404
    too_big = client.get("/api/v1/dose-levels/?page_size=100000")
    assert too_big.status_code == 400
    assert too_big.json() == {"page_size": ["A whole number from 1 to 200."]}
    page = client.get("/api/v1/dose-levels/?page_size=200").json()
    assert page["count"] == 3


def test_delete_is_not_offered(api, data_manager_a, dose_levels):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create(username="root", is_superuser=True, is_staff=True)
    # nobody holds a delete permission; even a superuser finds no DELETE method
    assert (
        api(data_manager_a).delete(f"/api/v1/dose-levels/{dose_levels[2].pk}/").status_code == 403
    )
    assert api(admin).delete(f"/api/v1/dose-levels/{dose_levels[2].pk}/").status_code == 405
    assert DoseLevel.objects.count() == 3


def test_void_through_the_api(api, data_manager_a, dose_levels):
    level = dose_levels[2]
    client = api(data_manager_a)
    assert client.post(f"/api/v1/dose-levels/{level.pk}/void/", {}).json() == {
        "reason": ["This field is required."]
    }
    response = client.post(f"/api/v1/dose-levels/{level.pk}/void/", {"reason": "Not in protocol"})
    assert response.status_code == 200
    assert (response.json()["is_voided"], response.json()["void_reason"]) == (
        True,
        "Not in protocol",
    )
    second = client.post(f"/api/v1/dose-levels/{dose_levels[0].pk}/void/", {"reason": "x"})
    assert second.status_code == 400
    assert list(second.json()) == ["number"]
