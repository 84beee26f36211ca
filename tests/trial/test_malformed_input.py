"""Malformed input is a 400 with a JSON body naming what is wrong, never a 500 and never
silently ignored: bodies nested too deep, NUL characters, bodies over the size limit, unknown
query parameters and orderings."""

import json

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from screening.models import Subject

pytestmark = pytest.mark.django_db

NUL = "Text may not contain NUL characters (\\u0000)."


def test_a_body_nested_a_thousand_levels_deep_is_a_400(api, coordinator_a, site_a):
    body = '{"site": ' + "[" * 1000 + "]" * 1000 + "}"
    response = api(coordinator_a).post("/api/v1/subjects/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "JSON parse error - nested deeper than 32 levels."}
    assert not Subject.objects.exists()


def test_a_body_nested_deeper_than_any_form_is_a_400(api, coordinator_a, site_a):
    body = {"site": site_a.pk, "date_of_birth": "1980-05-17", "sex": "F"}
    nested = body
    for _ in range(40):
        nested["x"] = {}
        nested = nested["x"]
    response = api(coordinator_a).post("/api/v1/subjects/", body, format="json")
    assert response.status_code == 400
    assert not Subject.objects.exists()


def test_a_nul_character_in_a_body_is_a_400_naming_the_field(api, coordinator_a, site_a):
    response = api(coordinator_a).post(
        "/api/v1/subjects/",
        {"site": site_a.pk, "date_of_birth": "1980-05-17", "sex": "F", "change_reason": "a\x00b"},
        format="json",
    )
    assert (response.status_code, response.json()) == (400, {"change_reason": [NUL]})
    assert not Subject.objects.exists()


@pytest.mark.parametrize(
    "url", ["/api/v1/audit/?user=a%00b", "/api/v1/subjects/?screening_number=01%00"]
)
def test_a_nul_character_in_a_query_parameter_is_a_400_naming_it(api, monitor_a, url):
    response = api(monitor_a).get(url)
    name = url.split("?")[1].split("=")[0]
    assert (response.status_code, response.json()) == (400, {name: [NUL]})


def test_a_nul_character_in_the_admin_audit_trail_filter_is_a_400(monitor_a):
    client = Client()
    client.force_login(monitor_a)
    response = client.get("/admin/monitoring/query/audit-trail/?user=a%00b")
    assert response.status_code == 400
    assert b"NUL" in response.content


def test_a_body_over_the_size_limit_is_a_json_400(api, coordinator_a, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"site": 1, "change_reason": "x" * 2000})
    response = api(coordinator_a).post("/api/v1/subjects/", body, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "too large" in response.json()["detail"]


def test_an_ordering_the_list_does_not_offer_is_a_400_naming_it(api, coordinator_a):
    response = api(coordinator_a).get("/api/v1/subjects/?ordering=password")
    assert response.status_code == 400
    (message,) = response.json()["ordering"]
    assert message.startswith("Cannot order by password. This list orders by: screening_number")
    ok = api(coordinator_a).get("/api/v1/subjects/?ordering=-screening_number")
    assert ok.status_code == 200


def test_an_unknown_query_parameter_is_a_400_naming_it(api, coordinator_a):
    response = api(coordinator_a).get("/api/v1/consents/?subjekt=73&page=1")
    assert response.status_code == 400
    assert list(response.json()) == ["subjekt"]
    assert response.json()["subjekt"][0].startswith("Unknown query parameter.")


def test_dlt_evaluations_are_filtered_by_subject_and_enrollment(api, coordinator_a, infused):
    client = api(coordinator_a)
    enrollment = client.get(f"/api/v1/enrollments/?subject={infused.pk}").json()["results"][0]
    evaluation = enrollment["dlt_evaluation"]
    assert isinstance(evaluation, int)
    by_subject = client.get(f"/api/v1/dlt-evaluations/?subject={infused.pk}").json()
    by_enrollment = client.get(f"/api/v1/dlt-evaluations/?enrollment={enrollment['id']}").json()
    assert [e["id"] for e in by_subject["results"]] == [evaluation]
    assert [e["id"] for e in by_enrollment["results"]] == [evaluation]
    assert client.get("/api/v1/dlt-evaluations/?subject=999999").json()["count"] == 0


def _get_operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, item in sorted(schema["paths"].items()):
        operation = item.get("get")
        if operation is None or "{" in path:
            continue
        names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
        yield path, names


OPERATIONS = list(_get_operations())


@pytest.mark.parametrize(("path", "documented"), OPERATIONS, ids=[p for p, _ in OPERATIONS])
def test_every_endpoint_takes_what_its_schema_documents_and_nothing_else(
    api, data_manager_a, study, path, documented
):
    """The schema and the check agree: each documented parameter is known (its value may still
    be refused), anything else is a 400 naming it."""
    client = api(data_manager_a)
    refused = client.get(f"{path}?not_a_parameter=1")
    assert refused.status_code == 400, path
    assert "not_a_parameter" in refused.json(), path
    for name in documented:
        body = client.get(f"{path}?{name}=1")
        if body["Content-Type"].startswith("application/json"):
            assert "Unknown query parameter" not in json.dumps(body.json()), (path, name)
