from datetime import date

import pytest

from safety.models import AdverseEvent, LabResult
from tests.safety.fixtures import at

pytestmark = pytest.mark.django_db


def test_a_crs_assessment_takes_the_rule_keyword_names(api, infused, coordinator_a, clock):
    clock.days(1)
    response = api(coordinator_a).post(
        "/api/v1/crs-assessments/",
        {
            "subject": infused.pk,
            "assessed_at": at(0, 20).isoformat(),
            "max_temp_c": "38.5",
            "hypotension": True,
            "vasopressors": 1,
            "oxygen_device": "nasal_cannula",
            "oxygen_flow_l_min": "2",
            "grade": 1,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["grade"] == 3  # computed; the grade sent is ignored
    ae = AdverseEvent.objects.get(pk=body["adverse_event"])
    assert (ae.term, ae.worst_grade) == ("Cytokine release syndrome", 3)


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"ice_score": 5, "capd_score": 3},
            {"capd_score": ["CAPD is for children under 12; the patient is 51: use ICE."]},
        ),
        (
            {"capd_score": 3},
            {"capd_score": ["CAPD is for children under 12; the patient is 51: use ICE."]},
        ),
        ({"ice_score": 11}, {"ice_score": ["Ensure this value is less than or equal to 10."]}),
        ({"consciousness": "dozy"}, {"consciousness": ['"dozy" is not a valid choice.']}),
    ],
)
def test_bad_icans_input_is_400(api, infused, coordinator_a, clock, data, errors):
    clock.days(1)
    response = api(coordinator_a).post(
        "/api/v1/icans-assessments/",
        {"subject": infused.pk, "assessed_at": at(0, 20).isoformat(), **data},
        format="json",
    )
    assert (response.status_code, response.json()) == (400, errors)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"oxygen_device": "helmet"}, "oxygen_device"),
        ({"oxygen_device": "nasal_cannula"}, "oxygen_flow_l_min"),
        ({"max_temp_c": "50"}, "max_temp_c"),
        ({"vasopressors": -1}, "vasopressors"),
    ],
)
def test_bad_crs_input_is_400(api, infused, coordinator_a, clock, data, field):
    clock.days(1)
    response = api(coordinator_a).post(
        "/api/v1/crs-assessments/",
        {"subject": infused.pk, "assessed_at": at(0, 20).isoformat(), "max_temp_c": "38.5", **data},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_a_lab_returns_its_computed_grade(api, infused, coordinator_a, clock):
    response = api(coordinator_a).post(
        "/api/v1/labs/",
        {
            "subject": infused.pk,
            "collected_on": "2026-04-01",
            "test": "alt",
            "value": "121",
            "unit": "U/L",
            "uln": "40",
        },
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["ctcae_grade"], response.json()["grading_note"]) == (2, "")


def test_a_lab_without_its_limit_is_saved_ungraded_and_flagged(api, infused, coordinator_a, clock):
    response = api(coordinator_a).post(
        "/api/v1/labs/",
        {
            "subject": infused.pk,
            "collected_on": "2026-04-01",
            "test": "bilirubin",
            "value": "40",
            "unit": "umol/L",
        },
    )
    assert response.status_code == 201
    assert (response.json()["ctcae_grade"], response.json()["grading_note"]) == (
        None,
        "Not graded: the ULN is missing.",
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"value": "-1"}, "value"),
        ({"unit": "mg/mL"}, "unit"),
        ({"uln": "0"}, "uln"),
        ({"test": "sodium"}, "test"),
    ],
)
def test_bad_labs_are_400(api, infused, coordinator_a, clock, data, field):
    response = api(coordinator_a).post(
        "/api/v1/labs/",
        {
            "subject": infused.pk,
            "collected_on": "2026-04-01",
            "test": "alt",
            "value": "50",
            "unit": "U/L",
            **data,
        },
    )
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert LabResult.objects.count() == 0


def test_adverse_events_are_created_and_filtered(
    api, infused, coordinator_a, clock, django_assert_max_num_queries
):
    clock.days(3)
    client = api(coordinator_a)
    for term, grade, onset in (("Hypotension", 2, "2026-04-02"), ("Sepsis", 3, "2026-04-03")):
        response = client.post(
            "/api/v1/adverse-events/",
            {
                "subject": infused.pk,
                "term": term,
                "onset_date": onset,
                "grade": grade,
                "relation_car_nk": "possible",
            },
        )
        assert response.status_code == 201, response.json()
    with django_assert_max_num_queries(8):
        grade3 = client.get("/api/v1/adverse-events/?grade_min=3&in_dlt_window=true").json()
    assert [(a["term"], a["worst_grade"], a["grades"]) for a in grade3["results"]] == [
        ("Sepsis", 3, [{"from_date": "2026-04-03", "grade": 3}])
    ]
    assert client.get("/api/v1/adverse-events/?onset_to=2026-04-02").json()["count"] == 1
    assert client.get(f"/api/v1/adverse-events/?site={infused.site_id}").json()["count"] == 2


def test_grade_changes_through_the_api(api, infused, coordinator_a, clock):
    clock.days(3)
    client = api(coordinator_a)
    ae = client.post(
        "/api/v1/adverse-events/",
        {"subject": infused.pk, "term": "Hypoxia", "onset_date": "2026-04-02", "grade": 2},
    ).json()
    response = client.post(
        f"/api/v1/adverse-events/{ae['id']}/grades/", {"from_date": "2026-04-03", "grade": 3}
    )
    assert response.status_code == 200
    assert (response.json()["worst_grade"], len(response.json()["grades"])) == (3, 2)
    bad = client.post(
        f"/api/v1/adverse-events/{ae['id']}/grades/", {"from_date": "2026-04-03", "grade": 6}
    )
    assert bad.json() == {"grade": ["Ensure this value is less than or equal to 5."]}


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"onset_date": "2026-03-01"},
            {"onset_date": ["The onset (2026-03-01) is before consent (2026-03-20)."]},
        ),
        (
            {"resolution_date": "2026-04-01"},
            {"resolution_date": ["The AE resolves before its onset."]},
        ),
        ({"grade": 6}, {"grade": ["Ensure this value is less than or equal to 5."]}),
        ({"grade": 5}, {"outcome": ["A grade 5 AE is fatal: set the outcome to fatal."]}),
        ({"term": "Headache"}, {"term": ['"Headache" is not a valid choice.']}),
    ],
)
def test_bad_adverse_events_are_400(api, infused, coordinator_a, clock, data, errors):
    clock.days(3)
    response = api(coordinator_a).post(
        "/api/v1/adverse-events/",
        {
            "subject": infused.pk,
            "term": "Hypotension",
            "onset_date": "2026-04-02",
            "grade": 2,
            **data,
        },
    )
    assert (response.status_code, response.json()) == (400, errors)


def test_safety_data_of_another_site_is_invisible(
    api, infused, coordinator_a, coordinator_b, clock
):
    clock.days(3)
    ae = (
        api(coordinator_a)
        .post(
            "/api/v1/adverse-events/",
            {"subject": infused.pk, "term": "Hypotension", "onset_date": "2026-04-02", "grade": 2},
        )
        .json()
    )
    other = api(coordinator_b)
    assert other.get("/api/v1/adverse-events/").json()["count"] == 0
    assert other.get(f"/api/v1/adverse-events/{ae['id']}/").status_code == 404
    assert (
        other.post(
            "/api/v1/adverse-events/",
            {"subject": infused.pk, "term": "Hypotension", "onset_date": "2026-04-02", "grade": 2},
        ).status_code
        == 400
    )


def test_dlt_candidates_are_listed_and_accepted_through_the_api(
    api, infused, coordinator_a, investigator_a, clock
):
    clock.days(3)
    api(coordinator_a).post(
        "/api/v1/icans-assessments/",
        {"subject": infused.pk, "assessed_at": at(2).isoformat(), "ice_score": 1},
        format="json",
    )
    listing = api(investigator_a).get("/api/v1/dlt-candidates/?status=open").json()
    (candidate,) = listing["results"]
    assert (candidate["clause"], candidate["term"]) == (
        "icans",
        "Immune effector cell-associated neurotoxicity syndrome",
    )
    assert (
        api(coordinator_a).post(f"/api/v1/dlt-candidates/{candidate['id']}/accept/").status_code
        == 403
    )
    accepted = api(investigator_a).post(f"/api/v1/dlt-candidates/{candidate['id']}/accept/")
    assert (accepted.status_code, accepted.json()["status"]) == (200, "accepted")
    evaluation = api(investigator_a).get("/api/v1/dlt-evaluations/").json()["results"][0]
    assert (evaluation["dlt_onset_date"], evaluation["dlt_grade"]) == ("2026-04-03", 3)
    assert evaluation["candidates"] == [
        {"id": candidate["id"], "clause": "icans", "detail": "ICANS grade 3.", "status": "accepted"}
    ]
    again = api(investigator_a).post(f"/api/v1/dlt-candidates/{candidate['id']}/accept/")
    assert (again.status_code, again.json()) == (
        409,
        {"detail": "This candidate is already accepted."},
    )
    assert date.fromisoformat(evaluation["dlt_onset_date"]) == date(2026, 4, 3)


# every unit the README lists, a value on each side of a grade boundary; values as a client
# sends them (strings), so the conversion meets the field's decimals as it does in use
LAB_BOUNDARIES = [
    ("alt", "U/L", {"uln": "40"}, "120", 1, "120.001", 2),
    ("ast", "U/L", {"uln": "40"}, "200", 2, "200.001", 3),
    ("bilirubin", "umol/L", {"uln": "21"}, "31.5", 1, "31.501", 2),
    ("bilirubin", "mg/dL", {"uln": "1.2"}, "1.8", 1, "1.801", 2),
    ("creatinine", "umol/L", {"uln": "100"}, "150", 1, "150.001", 2),
    ("creatinine", "mg/dL", {"uln": "1.1"}, "1.65", 1, "1.651", 2),
    ("neutrophils", "10^9/L", {"lln": "2"}, "1.5", 1, "1.499", 2),
    ("neutrophils", "/uL", {"lln": "2000"}, "1500", 1, "1499", 2),
    ("platelets", "10^9/L", {"lln": "150"}, "50", 2, "49.999", 3),
    ("platelets", "/uL", {"lln": "150000"}, "50000", 2, "49999", 3),
    ("hemoglobin", "g/L", {"lln": "120"}, "100", 1, "99.999", 2),
    ("hemoglobin", "g/dL", {"lln": "12"}, "10", 1, "9.999", 2),
    ("hemoglobin", "mmol/L", {"lln": "7.5"}, "4.966", 2, "4.965", 3),
]


@pytest.mark.parametrize(
    ("test", "unit", "limits", "at", "grade_at", "beyond", "grade_beyond"),
    LAB_BOUNDARIES,
    ids=[f"{t}-{u}" for t, u, *_ in LAB_BOUNDARIES],
)
def test_every_listed_unit_is_accepted_and_graded_at_its_boundaries(
    api, infused, coordinator_a, clock, test, unit, limits, at, grade_at, beyond, grade_beyond
):
    client = api(coordinator_a)
    grades = []
    for value in (at, beyond):
        response = client.post(
            "/api/v1/labs/",
            {
                "subject": infused.pk,
                "collected_on": "2026-04-01",
                "test": test,
                "value": value,
                "unit": unit,
                **limits,
            },
            format="json",
        )
        assert response.status_code == 201, response.json()
        grades.append(response.json()["ctcae_grade"])
    assert grades == [grade_at, grade_beyond]
