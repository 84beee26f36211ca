from datetime import date

import pytest

from screening.models import EligibilityAssessment, Subject
from screening.services import eligibility_confirm
from tests.http import if_match
from tests.screening.fixtures import ALL_ANSWERS_MET

pytestmark = pytest.mark.django_db

ANSWERS = {name.upper(): value for name, value in ALL_ANSWERS_MET.items()}
FACTS = {
    "assessment_date": "2026-03-10",
    "ecog": 1,
    "cardiac_function_grade": 1,
    "tbil": "10",
    "tbil_uln": "21",
    "ast": "30",
    "ast_uln": "40",
    "alt": "30",
    "alt_uln": "40",
    "creatinine": "70",
    "creatinine_uln": "100",
    "childbearing_potential": False,
    "answers": ANSWERS,
}


def test_a_coordinator_registers_a_subject_and_gets_its_screening_number(
    api, coordinator_a, site_a
):
    response = api(coordinator_a).post(
        "/api/v1/subjects/", {"site": site_a.pk, "date_of_birth": "1980-05-17", "sex": "F"}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["screening_number"], body["status"], body["version"]) == (
        "01-S-001",
        "screening",
        1,
    )
    (create,) = Subject.objects.get().history.all()
    assert create.history_user == coordinator_a


def test_registering_at_another_site_is_refused_without_leaking_it(api, coordinator_a, site_b):
    response = api(coordinator_a).post(
        "/api/v1/subjects/", {"site": site_b.pk, "date_of_birth": "1980-05-17", "sex": "F"}
    )
    assert response.status_code == 400
    assert response.json() == {"site": [f'Invalid pk "{site_b.pk}" - object does not exist.']}
    assert Subject.objects.count() == 0


def test_subjects_of_another_site_are_invisible(
    api, register, coordinator_b, site_b, coordinator_a
):
    mine = register()
    theirs = register(site=site_b, user=coordinator_b)
    client = api(coordinator_a)

    assert [s["screening_number"] for s in client.get("/api/v1/subjects/").json()["results"]] == [
        "01-S-001"
    ]
    assert client.get(f"/api/v1/subjects/{theirs.pk}/").status_code == 404
    assert client.get(f"/api/v1/subjects/{theirs.pk}/history/").status_code == 404
    assert (
        client.patch(
            f"/api/v1/subjects/{theirs.pk}/", {"sex": "M", "change_reason": "x"}
        ).status_code
        == 404
    )
    assert client.get(f"/api/v1/subjects/{mine.pk}/").status_code == 200


def test_a_monitor_reads_subjects_but_cannot_write(api, register, monitor_a, site_a):
    subject = register()
    client = api(monitor_a)
    assert client.get(f"/api/v1/subjects/{subject.pk}/").json()["screening_number"] == "01-S-001"
    assert (
        client.post(
            "/api/v1/subjects/", {"site": site_a.pk, "date_of_birth": "1980-01-01", "sex": "F"}
        ).status_code
        == 403
    )
    assert (
        client.patch(
            f"/api/v1/subjects/{subject.pk}/", {"sex": "M", "change_reason": "x"}
        ).status_code
        == 403
    )
    subject.refresh_from_db()
    assert subject.sex == "F"


def test_subject_list_query_count_does_not_grow(
    api, register, coordinator_a, django_assert_max_num_queries
):
    for _ in range(12):
        register()
    with django_assert_max_num_queries(6):
        body = api(coordinator_a).get("/api/v1/subjects/?status=screening").json()
    assert body["count"] == 12


def test_an_assessment_takes_the_contract_field_names(api, consented_subject, coordinator_a):
    response = api(coordinator_a).post(
        "/api/v1/eligibility-assessments/",
        {"subject": consented_subject.pk, **FACTS},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["eligible"], body["reasons"], body["attempt"]) == (True, [], 1)
    assert body["date_of_birth"] == "1980-05-17"
    assert list(body["criteria"]) == [f"I{n}" for n in range(1, 15)] + [
        f"E{n}" for n in range(1, 20)
    ]
    assert body["criteria"]["I14"] is True
    assert body["answers"] == ANSWERS


def test_the_result_is_read_only(api, consented_subject, coordinator_a):
    response = api(coordinator_a).post(
        "/api/v1/eligibility-assessments/",
        {
            "subject": consented_subject.pk,
            **FACTS,
            "ecog": 4,
            "eligible": True,
            "reasons": [],
            "criteria": {},
        },
        format="json",
    )
    assert response.status_code == 201
    assert (response.json()["eligible"], response.json()["reasons"]) == (False, ["I5"])


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"ecog": 6}, {"ecog": ["Ensure this value is less than or equal to 5."]}),
        ({"ecog": -1}, {"ecog": ["Ensure this value is greater than or equal to 0."]}),
        (
            {"cardiac_function_grade": 0},
            {"cardiac_function_grade": ["Ensure this value is greater than or equal to 1."]},
        ),
        (
            {"cardiac_function_grade": 5},
            {"cardiac_function_grade": ["Ensure this value is less than or equal to 4."]},
        ),
        ({"alt_uln": "0"}, {"alt_uln": ["Ensure this value is greater than or equal to 0.001."]}),
        (
            {"tbil_uln": "-3"},
            {"tbil_uln": ["Ensure this value is greater than or equal to 0.001."]},
        ),
        (
            {"creatinine": "-1"},
            {"creatinine": ["Ensure this value is greater than or equal to 0."]},
        ),
        (
            {"answers": {"I15": True}},
            {
                "answers": {
                    "I15": [
                        "Unknown criterion code; the codes are I2, I3, I4, I6, I8, I9, I10, I11, I13, E1, E2, E3, E4, E5, E6, E7, E8, E9, E10, E11, E12, E13, E14, E15, E16, E17, E18, E19."
                    ]
                }
            },
        ),
        (
            {"answers": {"I5": True}},
            {"answers": {"I5": ["I5 is computed by the system from the assessment's data."]}},
        ),
        (
            {"answers": {"I14": True}},
            {
                "answers": {
                    "I14": ["I14 (written consent) comes from the subject's consent records."]
                }
            },
        ),
        ({"answers": {"E1": "perhaps"}}, {"answers": {"E1": ["Must be a valid boolean."]}}),
        ({"answers": ["E1"]}, {"answers": ['Expected a dictionary of items but got type "list".']}),
        (
            {"assessment_date": "2026-02-28"},
            {
                "assessment_date": [
                    "The assessment date (2026-02-28) is before consent (2026-03-02)."
                ]
            },
        ),
        (
            {"assessment_date": "2026-13-01"},
            {
                "assessment_date": [
                    "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."
                ]
            },
        ),
    ],
)
def test_bad_assessment_input_is_400_with_the_field_named(
    api, consented_subject, coordinator_a, changes, errors
):
    response = api(coordinator_a).post(
        "/api/v1/eligibility-assessments/",
        {"subject": consented_subject.pk, **FACTS, **changes},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == errors
    assert EligibilityAssessment.objects.count() == 0


def test_pregnancy_data_for_a_male_patient_is_400(api, register, consent, coordinator_a):
    man = register(sex="M")
    consent(man)
    response = api(coordinator_a).post(
        "/api/v1/eligibility-assessments/",
        {
            "subject": man.pk,
            **FACTS,
            "childbearing_potential": True,
            "pregnancy_test_negative": True,
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "childbearing_potential": ["Pregnancy data were entered for a patient recorded as male."],
        "pregnancy_test_negative": ["Pregnancy data were entered for a patient recorded as male."],
    }


@pytest.mark.parametrize(
    ("born", "message"),
    [
        ("2099-01-01", "The date of birth is in the future."),
        ("1890-01-01", "The date of birth gives an age over 120 years."),
    ],
)
def test_implausible_date_of_birth_is_400(api, coordinator_a, site_a, born, message):
    response = api(coordinator_a).post(
        "/api/v1/subjects/", {"site": site_a.pk, "date_of_birth": born, "sex": "F"}
    )
    assert (response.status_code, response.json()) == (400, {"date_of_birth": [message]})


def test_editing_an_assessment_needs_a_reason_and_recomputes(
    api, consented_subject, assess, coordinator_a
):
    assessment = assess(consented_subject)
    client = api(coordinator_a)
    url = f"/api/v1/eligibility-assessments/{assessment.pk}/"

    assert client.patch(
        url, {"answers": {"E7": True}}, format="json", **if_match(client, url)
    ).json() == {
        "change_reason": ["A reason for change is required when a saved record is changed."]
    }
    response = client.patch(
        url,
        {"answers": {"E7": True}, "change_reason": "Active infection found"},
        format="json",
        **if_match(client, url),
    )

    assert response.status_code == 200
    assert (response.json()["eligible"], response.json()["reasons"]) == (False, ["E7"])
    assert response.json()["answers"]["E6"] is False  # untouched answers stay
    versions = client.get(f"{url}history/").json()["results"]
    assert [v["reason"] for v in versions] == ["Active infection found", None]
    changed = {c["field"]: (c["old"], c["new"]) for c in versions[0]["changes"]}
    assert changed["e7"] == (False, True)
    assert changed["eligible"] == (True, False)
    assert changed["reasons"] == ([], ["E7"])


def test_confirmation_is_for_investigators(
    api, consented_subject, assess, coordinator_a, investigator_a
):
    assessment = assess(consented_subject)
    url = f"/api/v1/eligibility-assessments/{assessment.pk}/confirm/"

    assert api(coordinator_a).post(url).status_code == 403
    response = api(investigator_a).post(url)

    assert response.status_code == 200
    assert response.json()["confirmed_by"] == "inv_a"
    assert (
        api(investigator_a).get(f"/api/v1/subjects/{consented_subject.pk}/").json()["status"]
        == "eligible"
    )
    again = api(investigator_a).post(url)
    assert (again.status_code, again.json()) == (
        400,
        {"non_field_errors": ["This assessment is already confirmed."]},
    )


def test_consents_are_recorded_and_withdrawn_through_the_api(api, register, coordinator_a):
    subject = register()
    client = api(coordinator_a)
    response = client.post(
        "/api/v1/consents/",
        {
            "subject": subject.pk,
            "form_version": "1.0",
            "form_version_date": "2025-12-01",
            "consent_date": "2026-03-02",
            "signed_by": "patient",
            "obtained_by": coordinator_a.pk,
        },
    )
    assert response.status_code == 201, response.json()
    consent_id = response.json()["id"]
    assert client.post(
        f"/api/v1/consents/{consent_id}/withdraw/", {"withdrawn_date": "2026-03-04"}
    ).json() == {"reason": ["This field is required."]}

    withdrawn = client.post(
        f"/api/v1/consents/{consent_id}/withdraw/",
        {"withdrawn_date": "2026-03-04", "reason": "Changed mind"},
    )

    assert withdrawn.status_code == 200
    assert (withdrawn.json()["withdrawn_date"], withdrawn.json()["withdrawal_reason"]) == (
        "2026-03-04",
        "Changed mind",
    )
    assert client.get(f"/api/v1/subjects/{subject.pk}/").json()["status"] == "withdrawn"


def test_consent_for_a_minor_needs_a_representative_and_assent(api, register, coordinator_a):
    child = register(date_of_birth=date(2015, 1, 1))
    response = api(coordinator_a).post(
        "/api/v1/consents/",
        {
            "subject": child.pk,
            "form_version": "1.0",
            "form_version_date": "2025-12-01",
            "consent_date": "2026-03-02",
            "signed_by": "patient",
            "obtained_by": coordinator_a.pk,
        },
    )
    assert response.status_code == 400
    assert set(response.json()) == {"signed_by", "assent_obtained"}


def test_the_screening_log_counts_like_a_consort_box(
    api,
    register,
    consent,
    assess,
    investigator_a,
    coordinator_a,
    coordinator_b,
    site_b,
    monitor_a,
    django_assert_max_num_queries,
):
    eligible, failed_labs, failed_apl, open_ = (register() for _ in range(4))
    for subject in (eligible, failed_labs, failed_apl, open_):
        consent(subject)
    eligibility_confirm(user=investigator_a, assessment=assess(eligible))
    eligibility_confirm(user=investigator_a, assessment=assess(failed_labs, ast="120", ecog=3))
    eligibility_confirm(user=investigator_a, assessment=assess(failed_apl, e1=True, ecog=3))
    assess(open_, e7=None)
    register(site=site_b, user=coordinator_b)

    with django_assert_max_num_queries(7):
        log = api(monitor_a).get("/api/v1/screening-log/").json()

    expected = {
        "screened": 4,
        "in_screening": 1,
        "screen_failed": 2,
        "screen_failed_by_criterion": {"I5": 2, "I7": 1, "E1": 1},
        "eligible_not_enrolled": 1,
        "enrolled": 0,
        "withdrawn": 0,
    }
    assert log["overall"] == expected
    assert log["sites"] == [{"site": "01", "site_name": "Site A", **expected}]
    assert api(None).get("/api/v1/screening-log/").status_code == 401
