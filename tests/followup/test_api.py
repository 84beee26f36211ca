from datetime import date

import pytest

from followup.models import ResponseAssessment
from tests.safety.fixtures import at

pytestmark = pytest.mark.django_db

RESPONSE = {
    "assessment_date": "2026-04-29",
    "marrow_assessment_date": "2026-04-28",
    "marrow_blasts_pct": "3",
    "baseline_marrow_blasts_pct": "40",
    "circulating_blasts": False,
    "auer_rods": False,
    "extramedullary_disease": False,
    "baseline_extramedullary_disease": False,
    "anc": "0.8",
    "platelets": "60",
    "mrd_pct": "0.05",
    "investigator_response": "CRh",
}


def test_a_response_assessment_takes_the_rule_field_names(api, infused, coordinator_a, clock):
    clock.days(30)
    response = api(coordinator_a).post(
        "/api/v1/response-assessments/", {"subject": infused.pk, **RESPONSE}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["response"], body["mrd_negative"], body["disagreement"]) == ("CRh", True, False)
    assert (
        body["response_reason"]
        == "CR with partial hematologic recovery: ANC >= 0.5, platelets >= 50."
    )


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"marrow_blasts_pct": "101"},
            {"marrow_blasts_pct": ["Ensure this value is less than or equal to 100."]},
        ),
        ({"anc": "-0.1"}, {"anc": ["Ensure this value is greater than or equal to 0."]}),
        (
            {"marrow_assessment_date": None},
            {"marrow_assessment_date": ["MRD comes from a marrow: give the marrow date."]},
        ),
        (
            {"assessment_date": "2026-03-31", "marrow_assessment_date": "2026-03-31"},
            {"assessment_date": ["A response is assessed from day 0 (2026-04-01) on."]},
        ),
        (
            {"investigator_response": "VGPR"},
            {"investigator_response": ['"VGPR" is not a valid choice.']},
        ),
    ],
)
def test_bad_response_input_is_400(api, infused, coordinator_a, clock, changes, errors):
    clock.days(30)
    response = api(coordinator_a).post(
        "/api/v1/response-assessments/",
        {"subject": infused.pk, **RESPONSE, **changes},
        format="json",
    )
    assert (response.status_code, response.json()) == (400, errors)
    assert ResponseAssessment.objects.count() == 0


def test_visits_overdue_forms_and_site_scoping(
    api, infused, schedule, coordinator_a, coordinator_b, clock
):
    clock.days(9)
    client = api(coordinator_a)
    visit = client.post(
        "/api/v1/visits/",
        {"subject": infused.pk, "definition": schedule["D7"].pk, "actual_date": "2026-04-09"},
    )
    assert visit.status_code == 201, visit.json()
    assert (visit.json()["planned_date"], visit.json()["out_of_window"]) == ("2026-04-08", True)
    overdue = client.get(f"/api/v1/overdue-forms/?subject={infused.pk}").json()
    assert [(r["visit"], r["crf"], r["days_overdue"]) for r in overdue] == [
        ("D0", "visit", 9),
        ("D7", "labs", 2),
    ]
    assert client.get(f"/api/v1/visits/?site={infused.site_id}").json()["count"] == 1
    other = api(coordinator_b)
    assert other.get("/api/v1/overdue-forms/").json() == []
    assert other.get(f"/api/v1/visits/{visit.json()['id']}/").status_code == 404


def test_a_second_end_of_study_record_is_400(api, infused, coordinator_a, clock):
    clock.days(40)
    body = {
        "subject": infused.pk,
        "end_of_study_date": "2026-05-01",
        "end_of_study_reason": "withdrew_consent",
    }
    assert api(coordinator_a).post("/api/v1/disposition/", body).status_code == 201
    again = api(coordinator_a).post("/api/v1/disposition/", body)
    assert (again.status_code, again.json()) == (
        400,
        {"subject": ["This subject already has an end-of-study record: correct it instead."]},
    )


def test_the_response_summary_endpoint(api, infused, coordinator_a, monitor_a, clock):
    clock.days(30)
    api(coordinator_a).post(
        "/api/v1/response-assessments/", {"subject": infused.pk, **RESPONSE}, format="json"
    )
    summary = api(monitor_a).get("/api/v1/response-summary/").json()
    assert summary["overall"]["evaluable"] == 1
    crc = summary["overall"]["crc"]
    assert (crc["n"], crc["rate"], round(crc["ci_low"], 6), crc["ci_high"]) == (1, 1.0, 0.025, 1.0)
    assert summary["doses"][0]["dose"] == 1
    assert summary["subjects"][0]["best_response"] == "CRh"


def test_conmeds_and_the_crs_assessment_that_sees_them(api, infused, coordinator_a, clock):
    clock.days(3)
    client = api(coordinator_a)
    bad = client.post(
        "/api/v1/conmeds/",
        {
            "subject": infused.pk,
            "name": "Tocilizumab",
            "category": "tocilizumab",
            "indication": "CRS",
            "route": "iv",
            "start_date": "2026-04-03",
            "stop_date": "2026-04-02",
        },
    )
    assert (bad.status_code, bad.json()) == (
        400,
        {"stop_date": ["The medication stops before it starts."]},
    )
    good = client.post(
        "/api/v1/conmeds/",
        {
            "subject": infused.pk,
            "name": "Tocilizumab",
            "category": "tocilizumab",
            "indication": "CRS",
            "route": "iv",
            "dose": "8",
            "dose_unit": "mg/kg",
            "start_date": "2026-04-02",
        },
    )
    assert good.status_code == 201, good.json()
    crs = client.post(
        "/api/v1/crs-assessments/",
        {
            "subject": infused.pk,
            "assessed_at": at(2, 20).isoformat(),
            "max_temp_c": "37.5",
            "fever_masked": True,
            "hypotension": True,
        },
        format="json",
    ).json()
    assert (crs["grade"], crs["tocilizumab_or_steroids_before"]) == (
        2,
        ["Tocilizumab (2026-04-02)"],
    )
    assert client.get("/api/v1/conmeds/?category=tocilizumab").json()["count"] == 1


def test_medical_history_with_prior_lines(api, infused, coordinator_a, clock):
    client = api(coordinator_a)
    history = client.post(
        "/api/v1/medical-history/",
        {
            "subject": infused.pk,
            "diagnosis_date": "2025-02-01",
            "classification_system": "who_2022",
            "classification": "AML with NPM1 mutation",
            "eln_risk": "favorable",
            "disease_status": "relapsed",
            "prior_allo_transplant": True,
            "transplant_date": "2025-09-01",
        },
    )
    assert history.status_code == 201, history.json()
    line = client.post(
        "/api/v1/prior-therapies/",
        {
            "medical_history": history.json()["id"],
            "line": 1,
            "regimen": "7+3",
            "start_date": "2025-02-10",
            "end_date": "2025-03-10",
            "best_response": "CR",
        },
    )
    assert line.status_code == 201, line.json()
    body = client.get(f"/api/v1/medical-history/{history.json()['id']}/").json()
    assert [(t["line"], t["regimen"]) for t in body["therapies"]] == [(1, "7+3")]
    assert date.fromisoformat(body["transplant_date"]) == date(2025, 9, 1)
