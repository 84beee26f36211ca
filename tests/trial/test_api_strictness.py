"""What the schema fuzzer (tests/reliability/test_api_fuzz.py) found, pinned as plain tests:
filters as strict as the schema says, ids that cannot exist answered as JSON 404s, no update
methods on endpoints that have no update, and nullable fields documented as nullable."""

import pytest

from monitoring.models import Query
from tests.http import if_match

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_sites(register, site_b, coordinator_b):
    """A subject at each site; returns (own, other) as seen by coordinator_a."""
    return register(), register(site=site_b, user=coordinator_b)


def test_a_foreign_key_filter_does_not_tell_other_sites_ids_from_unknown_ones(
    api, coordinator_a, two_sites
):
    own, other = two_sites
    client = api(coordinator_a)
    assert [
        c["subject"] for c in client.get(f"/api/v1/consents/?subject={own.pk}").json()["results"]
    ] == []
    other_site = client.get(f"/api/v1/consents/?subject={other.pk}")
    unknown = client.get("/api/v1/consents/?subject=999999")
    assert other_site.status_code == unknown.status_code == 200
    assert (
        other_site.json()
        == unknown.json()
        == {
            "count": 0,
            "next": None,
            "previous": None,
            "results": [],
        }
    )


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("is_voided=null", {"is_voided": ["Use true or false."]}),
        ("is_voided=", {"is_voided": ["Give a value, or leave the parameter out."]}),
        ("site=1.5", {"site": ["Enter a whole number."]}),
        (
            "site=" + "9" * 30,
            {"site": ["Ensure this value is less than or equal to 9223372036854775807."]},
        ),
        ("page_size=abc", {"page_size": ["A whole number from 1 to 200."]}),
        ("page_size=0", {"page_size": ["A whole number from 1 to 200."]}),
    ],
)
def test_a_filter_value_the_schema_forbids_is_a_400_naming_it(
    api, coordinator_a, two_sites, query, errors
):
    response = api(coordinator_a).get(f"/api/v1/subjects/?{query}")
    assert response.status_code == 400
    assert response.json() == errors


def test_boolean_filters_take_true_and_false(api, coordinator_a, two_sites):
    client = api(coordinator_a)
    assert client.get("/api/v1/subjects/?is_voided=false").json()["count"] == 1
    assert client.get("/api/v1/subjects/?is_voided=true").json()["count"] == 0
    assert client.get("/api/v1/subjects/?is_voided=True").json()["count"] == 0


@pytest.mark.parametrize("path", ["1.5", "-1", "9" * 30, "abc"])
def test_an_id_that_cannot_exist_is_a_json_404(api, coordinator_a, path):
    response = api(coordinator_a).get(f"/api/v1/subjects/{path}/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_pages_outside_the_api_keep_the_html_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("method", ["put", "patch"])
def test_endpoints_without_updates_offer_no_put_or_patch(
    api, data_manager_a, consented_subject, method
):
    client = api(data_manager_a)
    opened = client.post(
        "/api/v1/queries/",
        {"record": "screening.subject", "object_id": consented_subject.pk, "text": "DOB?"},
    )
    assert opened.status_code == 201, opened.json()
    url = f"/api/v1/queries/{opened.json()['id']}/"
    response = getattr(client, method)(
        url, {"text": "changed", "change_reason": "x"}, headers={"If-Match": if_match(client, url)}
    )
    assert response.status_code == 405
    assert Query.objects.get().text == "DOB?"


def test_unset_people_and_subjects_are_null_as_the_schema_says(
    api, data_manager_a, consented_subject
):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    query = schema["components"]["schemas"]["Query"]["properties"]
    assert query["answered_by"]["nullable"] is True
    assert query["closed_by"]["nullable"] is True
    body = (
        api(data_manager_a)
        .post(
            "/api/v1/queries/",
            {"record": "screening.subject", "object_id": consented_subject.pk, "text": "DOB?"},
        )
        .json()
    )
    assert (body["answered_by"], body["closed_by"]) == (None, None)


def test_error_responses_are_documented(api):
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    assert sorted(paths["/api/v1/adverse-events/{id}/"]["patch"]["responses"]) == [
        "200",
        "400",
        "401",
        "403",
        "404",
        "409",
        "412",
        "415",
        "428",
        "429",
    ]
    assert sorted(paths["/api/v1/adverse-events/"]["get"]["responses"]) == [
        "200",
        "400",
        "401",
        "403",
        "404",
        "429",
    ]
    assert "put" not in paths["/api/v1/queries/{id}/"]
    void = paths["/api/v1/adverse-events/{id}/void/"]["post"]
    assert "412" in void["responses"]
    assert [(p["name"], p["required"]) for p in void["parameters"] if p["in"] == "header"] == [
        ("If-Match", False)
    ]


def test_bodies_are_json_only(api, data_manager_a, study):
    response = api(data_manager_a).post(
        "/api/v1/dose-levels/", {"study": study.pk, "number": 9}, format="multipart"
    )
    assert response.status_code == 415
    assert response.json()["detail"].startswith("Unsupported media type")


def test_overdue_forms_rejects_a_blank_or_non_numeric_filter(api, coordinator_a):
    client = api(coordinator_a)
    assert client.get("/api/v1/overdue-forms/?site=").json() == {
        "site": ["This field may not be blank."]
    }
    assert client.get("/api/v1/overdue-forms/?subject=x").json() == {
        "subject": ["A valid integer is required."]
    }


def test_date_time_filters_take_any_offset_and_refuse_out_of_range(api, coordinator_a):
    client = api(coordinator_a)
    # PostgreSQL refuses offsets beyond +-15:59; the filter compares in UTC (was a 500 there)
    far_offset = client.get("/api/v1/crs-assessments/?assessed_from=0912-12-16T11:48:29-17:36")
    assert far_offset.status_code == 200
    assert far_offset.json()["count"] == 0
    before_year_1 = client.get("/api/v1/crs-assessments/?assessed_from=0001-01-01T00:00:00%2B10:00")
    assert before_year_1.status_code == 400
    assert before_year_1.json() == {"assessed_from": ["Date-time out of range."]}
