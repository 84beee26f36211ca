from datetime import UTC, date, datetime

import pytest

from dosing.models import Cohort, DltEvaluation, EscalationDecision
from tests.http import if_match

pytestmark = pytest.mark.django_db


@pytest.fixture
def trial(
    api,
    clock,
    eligible,
    coordinator_a,
    investigator_a,
    safety_reviewer_a,
    data_manager_a,
    study,
    dose_levels,
):
    """Drives the study through the API as the site, the investigator and the committee would."""

    class Trial:
        nurse, doctor, committee, manager = (
            api(u) for u in (coordinator_a, investigator_a, safety_reviewer_a, data_manager_a)
        )
        levels = {level.number: level.pk for level in dose_levels}

        def cohort(self, dlts: int):
            """Fill the open cohort, infuse everyone, record `dlts` confirmed DLTs, close the window."""
            cohort = Cohort.objects.get(study=study, status="open")
            for i in range(cohort.size):
                subject = eligible()
                response = self.nurse.post(
                    "/api/v1/enrollments/", {"subject": subject.pk, "cohort": cohort.pk}
                )
                assert response.status_code == 201, response.json()
                enrollment = response.json()["id"]
                infusion = self.nurse.post(
                    "/api/v1/infusions/",
                    {
                        "enrollment": enrollment,
                        "started_at": datetime.now(UTC).isoformat(),
                        "actual_cells_per_kg_million": str(cohort.dose_level.cells_per_kg_million),
                    },
                )
                assert infusion.status_code == 201, infusion.json()
                if i < dlts:
                    self.dlt(DltEvaluation.objects.get(enrollment_id=enrollment).pk)
            clock.days(29)
            return cohort

        def dlt(self, evaluation_id):
            url = f"/api/v1/dlt-evaluations/{evaluation_id}/"
            response = self.nurse.patch(
                url,
                **if_match(self.nurse, url),
                data={
                    "dlt_description": "Grade 4 cytokine release syndrome",
                    "dlt_onset_date": clock.today().isoformat(),
                    "dlt_grade": 4,
                    "change_reason": "DLT reported",
                },
            )
            assert response.status_code == 200, response.json()
            assert (
                self.doctor.post(f"{url}confirm/", {"as_role": "investigator"}).status_code == 200
            )
            confirmed = self.committee.post(f"{url}confirm/", {"as_role": "safety_reviewer"})
            assert confirmed.json()["status"] == "dlt"

        def decide(self, cohort, action, next_dose=None, mtd=None, **extra):
            body = {"cohort": cohort.pk, "action": action, **extra}
            if next_dose:
                body["next_dose_level"] = self.levels[next_dose]
            if mtd:
                body["mtd_dose_level"] = self.levels[mtd]
            response = self.committee.post("/api/v1/escalation-decisions/", body)
            assert response.status_code == 201, response.json()
            return response.json()

    opened = Trial.manager.post(
        "/api/v1/cohorts/", {"study": study.pk, "dose_level": dose_levels[0].pk}
    )
    assert opened.status_code == 201, opened.json()
    return Trial()


def _state(client):
    body = client.get("/api/v1/escalation/").json()
    return (
        body,
        body["recommendation"],
        [(d["dose"], d["treated"], d["pending"], d["n"], d["y"]) for d in body["doses"]],
    )


def test_a_full_three_plus_three_trial_until_the_mtd(trial, api, monitor_a):
    # cohort 1, dose 1: 0/3 -> escalate
    c1 = trial.cohort(dlts=0)
    _body, rec, doses = _state(trial.committee)
    assert (rec["action"], rec["next_dose"]) == ("escalate", 2)
    assert doses == [(1, 3, 0, 3, 0), (2, 0, 0, 0, 0), (3, 0, 0, 0, 0)]
    assert trial.decide(c1, "escalate", next_dose=2)["agrees"] is True

    # cohort 2, dose 2: 1/3 -> three more at dose 2
    c2 = trial.cohort(dlts=1)
    _body, rec, doses = _state(trial.committee)
    assert (rec["action"], rec["next_dose"]) == ("stay", 2)
    assert rec["reason"] == "1 of 3 patients had a DLT at dose 2: treat 3 more at the same dose."
    trial.decide(c2, "stay", next_dose=2)

    # cohort 3, dose 2: 0/3 -> 1/6 -> escalate
    c3 = trial.cohort(dlts=0)
    _body, rec, doses = _state(trial.committee)
    assert (rec["action"], rec["next_dose"], doses[1]) == ("escalate", 3, (2, 6, 0, 6, 1))
    trial.decide(c3, "escalate", next_dose=3)

    # cohort 4, dose 3: 2/3 -> too toxic; dose 2 already has 6 -> stop, MTD = dose 2
    c4 = trial.cohort(dlts=2)
    body, rec, doses = _state(trial.committee)
    assert (rec["action"], rec["next_dose"], rec["mtd"]) == ("stop", None, 2)
    assert doses == [(1, 3, 0, 3, 0), (2, 6, 0, 6, 1), (3, 3, 0, 3, 2)]
    assert body["ready_for_decision"] is True
    final = trial.decide(c4, "stop", mtd=2)
    assert (final["agrees"], final["recommended_mtd"], final["signed_by"]) == (True, 2, "sr_a")

    body = api(monitor_a).get("/api/v1/escalation/").json()
    assert (body["escalation_complete"], body["mtd"], body["note"]) == (
        True,
        2,
        "Escalation is complete.",
    )
    assert [(d["recommended_action"], d["action"]) for d in body["decisions"]] == [
        ("escalate", "escalate"),
        ("stay", "stay"),
        ("escalate", "escalate"),
        ("stop", "stop"),
    ]
    assert Cohort.objects.filter(status="open").count() == 0
    # the audit trail of the last cohort: opened by a decision, filled, observed, reviewed, closed
    statuses = [h.status for h in reversed(c4.history.all())]
    assert statuses == ["open", "full", "awaiting_review", "closed"]
    (closing,) = [h for h in c4.history.all() if h.status == "closed"]
    assert closing.history_change_reason == "Closed by the committee's decision: stop escalation"
    decision = EscalationDecision.objects.get(cohort=c4)
    (create,) = decision.history.all()
    assert (create.history_user.username, create.action, create.recommended_action) == (
        "sr_a",
        "stop",
        "stop",
    )


def test_enrolling_into_a_full_cohort_is_409(trial, eligible):
    trial.cohort(dlts=0)
    cohort = Cohort.objects.get(sequence=1)
    response = trial.nurse.post(
        "/api/v1/enrollments/", {"subject": eligible().pk, "cohort": cohort.pk}
    )
    assert response.status_code == 409
    assert response.json() == {"detail": "Cohort 1 is awaiting safety review: no slot is open."}


def test_a_second_enrollment_is_409(trial, eligible):
    subject = eligible()
    cohort = Cohort.objects.get(sequence=1)
    assert (
        trial.nurse.post(
            "/api/v1/enrollments/", {"subject": subject.pk, "cohort": cohort.pk}
        ).status_code
        == 201
    )
    again = trial.nurse.post("/api/v1/enrollments/", {"subject": subject.pk, "cohort": cohort.pk})
    assert (again.status_code, again.json()) == (
        409,
        {"detail": f"{subject} is already enrolled, in cohort 1."},
    )


def test_enrolling_an_ineligible_subject_is_400(trial, register, consent):
    subject = register()
    consent(subject)
    response = trial.nurse.post(
        "/api/v1/enrollments/", {"subject": subject.pk, "cohort": Cohort.objects.get().pk}
    )
    assert response.status_code == 400
    assert response.json() == {
        "subject": [
            "Only a subject whose latest eligibility assessment is eligible and confirmed by an investigator can be enrolled."
        ]
    }


def test_bad_infusions_are_400_with_the_field(trial, eligible, clock):
    cohort = Cohort.objects.get()
    enrollment = trial.nurse.post(
        "/api/v1/enrollments/", {"subject": eligible().pk, "cohort": cohort.pk}
    ).json()["id"]
    future = trial.nurse.post(
        "/api/v1/infusions/",
        {
            "enrollment": enrollment,
            "started_at": "2026-04-02T10:00:00Z",
            "actual_cells_per_kg_million": "2",
        },
    )
    assert future.json() == {"started_at": ["The infusion is dated in the future."]}
    early = trial.nurse.post(
        "/api/v1/infusions/",
        {
            "enrollment": enrollment,
            "started_at": "2026-03-30T10:00:00Z",
            "actual_cells_per_kg_million": "2",
        },
    )
    assert early.json() == {"started_at": ["The infusion is dated before enrollment (2026-04-01)."]}
    overdose = trial.nurse.post(
        "/api/v1/infusions/",
        {
            "enrollment": enrollment,
            "started_at": "2026-04-01T08:00:00Z",
            "actual_cells_per_kg_million": "2.5",
        },
    )
    assert overdose.status_code == 400
    assert list(overdose.json()) == ["actual_cells_per_kg_million"]


def test_the_escalation_state_waits_for_pending_patients(trial, eligible, clock):
    cohort = Cohort.objects.get()
    for _ in range(3):
        enrollment = trial.nurse.post(
            "/api/v1/enrollments/", {"subject": eligible().pk, "cohort": cohort.pk}
        ).json()
        trial.nurse.post(
            "/api/v1/infusions/",
            {
                "enrollment": enrollment["id"],
                "started_at": datetime.now(UTC).isoformat(),
                "actual_cells_per_kg_million": "2",
            },
        )
    clock.days(10)
    body = trial.nurse.get("/api/v1/escalation/").json()
    assert (body["waiting_for"], body["ready_for_decision"]) == (3, False)
    assert (
        body["note"]
        == "Waiting for 3 patient(s) of cohort 1 still in their DLT window or awaiting DLT adjudication."
    )
    assert body["doses"][0] == {
        "dose": 1,
        "label": "level 1",
        "cells_per_kg_million": "2.000",
        "treated": 3,
        "pending": 3,
        "n": 0,
        "y": 0,
    }


def test_the_escalation_state_of_an_unknown_study_is_404(trial):
    assert trial.nurse.get("/api/v1/escalation/?study=NCT99999999").status_code == 404


def test_boin_studies_show_their_boundaries(trial, study, data_manager_a):
    from trial.services import study_save

    study_save(
        user=data_manager_a, instance=study, data={"escalation_design": "boin"}, reason="design"
    )
    body = trial.nurse.get("/api/v1/escalation/").json()
    assert round(body["boin_boundaries"]["lambda_e"], 6) == 0.236491
    assert round(body["boin_boundaries"]["lambda_d"], 6) == 0.358519


def test_simulating_the_3_plus_3_is_exact(api, coordinator_a):
    body = (
        api(coordinator_a)
        .get("/api/v1/escalation/simulate/?true_tox=0.05,0.10,0.20,0.30,0.50")
        .json()
    )
    assert body["method"] == "exact"
    assert [round(p, 6) for p in body["p_mtd"]] == [
        0.027182,
        0.097126,
        0.277277,
        0.327825,
        0.217491,
        0.053099,
    ]
    assert round(body["expected_n"], 5) == 16.91885


def test_simulating_boin_is_seeded(api, coordinator_a):
    url = "/api/v1/escalation/simulate/?design=boin&true_tox=0.05,0.15,0.3,0.45&trials=300&seed=3"
    first, second = api(coordinator_a).get(url).json(), api(coordinator_a).get(url).json()
    assert first == second
    assert (first["method"], first["trials"], first["seed"]) == ("simulation", 300, 3)
    assert round(sum(first["p_mtd"]), 9) == 1


@pytest.mark.parametrize("true_tox", ["a,b", "1.5", "", "0.1," * 11])
def test_bad_simulation_input_is_400(api, coordinator_a, true_tox):
    response = api(coordinator_a).get(f"/api/v1/escalation/simulate/?true_tox={true_tox}")
    assert response.status_code == 400
    assert list(response.json()) == ["true_tox"]


def test_coordinators_cannot_sign_decisions_or_open_cohorts(trial, study, dose_levels):
    assert (
        trial.nurse.post(
            "/api/v1/cohorts/", {"study": study.pk, "dose_level": dose_levels[0].pk}
        ).status_code
        == 403
    )
    cohort = Cohort.objects.get()
    response = trial.nurse.post(
        "/api/v1/escalation-decisions/", {"cohort": cohort.pk, "action": "stop"}
    )
    assert response.status_code == 403


def test_dlt_evaluation_lists_are_site_scoped(
    trial, eligible, api, coordinator_b, django_assert_max_num_queries
):
    cohort = Cohort.objects.get()
    for _ in range(2):
        trial.nurse.post("/api/v1/enrollments/", {"subject": eligible().pk, "cohort": cohort.pk})
    with django_assert_max_num_queries(7):
        mine = trial.nurse.get("/api/v1/dlt-evaluations/").json()
    assert mine["count"] == 2
    assert api(coordinator_b).get("/api/v1/dlt-evaluations/").json()["count"] == 0
    assert date.fromisoformat(mine["results"][0]["created_at"][:10]) == date(2026, 4, 1)
