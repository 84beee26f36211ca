from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dosing import services as dosing
from dosing.models import DltEvaluation
from dosing.selectors import escalation_state
from safety import services
from safety.models import AdverseEvent, DltCandidate
from tests.safety.fixtures import at

pytestmark = pytest.mark.django_db

CRS = "Cytokine release syndrome"


def _ae(user, subject, **data):
    return services.ae_save(
        user=user,
        data={
            "subject": subject,
            "term": "Hypotension",
            "onset_date": date(2026, 4, 2),
            "grade": 2,
            "relation_car_nk": "possible",
            **data,
        },
    )


def test_an_ae_starts_with_its_grade_episode(infused, coordinator_a, clock):
    clock.days(2)
    ae = _ae(coordinator_a, infused)
    (episode,) = ae.grades.all()
    assert (episode.from_date, episode.grade, ae.worst_grade) == (date(2026, 4, 2), 2, 2)
    (create,) = ae.history.all()
    assert (create.history_user, create.worst_grade) == (coordinator_a, 2)


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"onset_date": date(2026, 3, 1)},
            {"onset_date": ["The onset (2026-03-01) is before consent (2026-03-20)."]},
        ),
        ({"grade": 6}, {"grade": ["CTCAE grades are 1 to 5."]}),
        ({"grade": 0}, {"grade": ["CTCAE grades are 1 to 5."]}),
        ({"grade": None}, {"grade": ["Give the grade at onset (1-5)."]}),
        ({"grade": 5}, {"outcome": ["A grade 5 AE is fatal: set the outcome to fatal."]}),
        ({"outcome": "fatal"}, {"outcome": ["A fatal outcome is grade 5: record grade 5."]}),
        (
            {"resolution_date": date(2026, 4, 1)},
            {"resolution_date": ["The AE resolves before its onset."]},
        ),
        (
            {"serious": True, "aware_at": datetime(2026, 4, 2, tzinfo=UTC)},
            {"serious": ["Tick at least one seriousness criterion (ICH E2A)."]},
        ),
        (
            {"serious": True, "sc_hospitalization": True},
            {
                "aware_at": [
                    "Record when the site became aware of the SAE: the 24-hour clock starts there."
                ]
            },
        ),
        ({"term": "Other, specify"}, {"other_term": ["Specify the term."]}),
    ],
)
def test_bad_adverse_events_are_refused(infused, coordinator_a, clock, data, errors):
    clock.days(2)
    with pytest.raises(ValidationError) as excinfo:
        _ae(coordinator_a, infused, **data)
    assert excinfo.value.message_dict == errors
    assert AdverseEvent.objects.count() == 0


def test_a_fatal_grade_5_ae_is_accepted(infused, coordinator_a, clock):
    clock.days(2)
    ae = _ae(
        coordinator_a,
        infused,
        grade=5,
        outcome="fatal",
        serious=True,
        sc_death=True,
        aware_at=datetime(2026, 4, 1, 10, tzinfo=UTC),
        relation_car_nk="unrelated",
    )
    assert (ae.worst_grade, ae.outcome) == (5, "fatal")


def test_the_sae_clock_runs_24_hours_from_awareness(infused, coordinator_a, clock):
    aware = datetime(2026, 4, 2, 20, tzinfo=UTC)
    clock.days(3)
    ae = _ae(
        coordinator_a,
        infused,
        serious=True,
        sc_hospitalization=True,
        aware_at=aware,
        reported_at=aware + timedelta(hours=24),
    )
    assert ae.report_deadline == aware + timedelta(hours=24)
    assert ae.reported_at <= ae.report_deadline


def test_grade_changes_are_episodes_and_move_the_worst_grade(infused, coordinator_a, clock):
    clock.days(2)
    ae = _ae(coordinator_a, infused)
    clock.days(3)
    services.ae_grade_record(
        user=coordinator_a, adverse_event=ae, from_date=date(2026, 4, 3), grade=3, reason="Worsened"
    )
    ae.refresh_from_db()
    assert ae.worst_grade == 3
    assert list(ae.grades.values_list("from_date", "grade")) == [
        (date(2026, 4, 2), 2),
        (date(2026, 4, 3), 3),
    ]
    (update, create) = ae.history.all()
    assert (create.worst_grade, update.worst_grade, update.history_change_reason) == (
        2,
        3,
        "Worsened",
    )


def test_crs_assessments_are_graded_and_roll_up_into_one_ae(infused, coordinator_a, clock):
    clock.days(3)
    first = services.crs_assessment_record(
        user=coordinator_a,
        data={
            "subject": infused,
            "assessed_at": at(1),
            "max_temp_c": Decimal("38.6"),
            "hypotension": False,
        },
    )
    second = services.crs_assessment_record(
        user=coordinator_a,
        data={
            "subject": infused,
            "assessed_at": at(2),
            "max_temp_c": Decimal("39.1"),
            "hypotension": True,
            "vasopressors": 1,
        },
    )
    assert (first.grade, second.grade) == (1, 3)
    ae = AdverseEvent.objects.get()
    assert (ae.term, ae.onset_date, ae.worst_grade) == (CRS, date(2026, 4, 2), 3)
    assert first.adverse_event == second.adverse_event == ae
    assert [h.history_change_reason for h in reversed(ae.history.all())] == [
        "Opened from the Cytokine release syndrome assessment of 2026-04-02",
        "Worst grade 3 from the assessments",
    ]


def test_editing_an_assessment_regrades_it_and_records_why(infused, coordinator_a, clock):
    clock.days(2)
    a = services.crs_assessment_record(
        user=coordinator_a,
        data={
            "subject": infused,
            "assessed_at": at(1),
            "max_temp_c": Decimal("38.5"),
            "hypotension": False,
        },
    )
    services.crs_assessment_record(
        user=coordinator_a, instance=a, data={"vasopressors": 1}, reason="late entry from ICU chart"
    )
    (update, linked, create) = a.history.all()
    assert (create.grade, linked.grade, update.grade) == (1, 1, 3)
    assert linked.history_change_reason == "Linked to Cytokine release syndrome AE"
    assert (update.history_user, update.history_change_reason) == (
        coordinator_a,
        "late entry from ICU chart",
    )


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"oxygen_device": "nasal_cannula"},
            {"oxygen_flow_l_min": ["nasal_cannula needs oxygen_flow_l_min"]},
        ),
        (
            {"oxygen_device": "helmet"},
            {
                "oxygen_device": [
                    "unknown oxygen device 'helmet'; one of none, blow_by, nasal_cannula, "
                    "high_flow_nasal_cannula, facemask, non_rebreather, venturi, cpap, bipap, "
                    "mechanical_ventilation"
                ]
            },
        ),
        (
            {"assessed_at": datetime(2026, 3, 1, tzinfo=UTC)},
            {"assessed_at": ["The assessment (2026-03-01) is before consent (2026-03-20)."]},
        ),
        (
            {"assessed_at": datetime(2026, 4, 5, tzinfo=UTC)},
            {"assessed_at": ["This is in the future."]},
        ),
    ],
)
def test_bad_crs_assessments_are_refused(infused, coordinator_a, clock, data, errors):
    clock.days(1)
    with pytest.raises(ValidationError) as excinfo:
        services.crs_assessment_record(
            user=coordinator_a,
            data={
                "subject": infused,
                "assessed_at": at(0, 10),
                "max_temp_c": Decimal("38.5"),
                **data,
            },
        )
    assert excinfo.value.message_dict == errors


def test_icans_uses_ice_from_age_12_and_capd_below(infused, coordinator_a, clock):
    clock.days(1)
    with pytest.raises(ValidationError) as excinfo:
        services.icans_assessment_record(
            user=coordinator_a, data={"subject": infused, "assessed_at": at(0, 12), "capd_score": 4}
        )
    assert excinfo.value.message_dict == {
        "capd_score": ["CAPD is for children under 12; the patient is 51: use ICE."]
    }
    with pytest.raises(ValidationError) as excinfo:
        services.icans_assessment_record(
            user=coordinator_a,
            data={"subject": infused, "assessed_at": at(0, 12), "ice_score": 5, "capd_score": 4},
        )
    assert list(excinfo.value.message_dict) == ["capd_score"]
    graded = services.icans_assessment_record(
        user=coordinator_a,
        data={
            "subject": infused,
            "assessed_at": at(0, 12),
            "ice_score": 3,
            "seizure": "rapidly_resolving",
        },
    )
    assert graded.grade == 3


@pytest.mark.parametrize(
    ("test", "value", "unit", "limits", "grade", "note"),
    [
        ("hemoglobin", "8.5", "g/dL", {"lln": "12"}, 2, ""),  # 85 g/L
        ("hemoglobin", "85", "g/L", {"lln": "120"}, 2, ""),
        ("neutrophils", "450", "/uL", {}, 4, ""),  # 0.45 x10^9/L
        (
            "platelets",
            "80",
            "10^9/L",
            {},
            None,
            "Not graded: without the LLN, grade 0 and 1 cannot be told apart.",
        ),
        ("alt", "121", "U/L", {"uln": "40"}, 2, ""),
        ("alt", "121", "U/L", {}, None, "Not graded: the ULN is missing."),
        ("creatinine", "1.2", "mg/dL", {"uln": "1.1", "baseline": "0.4"}, 2, ""),
    ],
)
def test_labs_are_graded_in_their_grading_unit(
    infused, coordinator_a, clock, test, value, unit, limits, grade, note
):
    lab = services.lab_result_record(
        user=coordinator_a,
        data={
            "subject": infused,
            "collected_on": date(2026, 4, 1),
            "test": test,
            "value": Decimal(value),
            "unit": unit,
            **{k: Decimal(v) for k, v in limits.items()},
        },
    )
    assert (lab.ctcae_grade, lab.grading_note) == (grade, note)


def test_an_unknown_unit_is_refused_not_guessed(infused, coordinator_a, clock):
    with pytest.raises(ValidationError) as excinfo:
        services.lab_result_record(
            user=coordinator_a,
            data={
                "subject": infused,
                "collected_on": date(2026, 4, 1),
                "test": "hemoglobin",
                "value": Decimal("9"),
                "unit": "mg/mL",
            },
        )
    assert excinfo.value.message_dict == {
        "unit": ["Unknown unit for Hemoglobin: use one of g/L, g/dL, mmol/L."]
    }


def test_prolonged_grade_3_crs_becomes_a_dlt_and_moves_the_recommendation(
    eligible, first_cohort, enroll, infuse, clock, coordinator_a, investigator_a, safety_reviewer_a
):
    """Day 0 infusion, grade 3 CRS from day 2 still grade 3 after 72 h -> flagged -> adjudicated
    -> the 3+3 recommendation at dose 1 turns from escalate to stay."""
    subjects = [eligible() for _ in range(3)]
    enrollments = [enroll(s, first_cohort) for s in subjects]
    for e in enrollments:
        infuse(e, when=datetime(2026, 4, 1, 9, tzinfo=UTC))
    sick = subjects[0]
    clock.days(2)
    services.crs_assessment_record(
        user=coordinator_a,
        data={
            "subject": sick,
            "assessed_at": at(2, 8),
            "max_temp_c": Decimal("39.5"),
            "hypotension": True,
            "vasopressors": 1,
        },
    )
    assert DltCandidate.objects.count() == 0  # grade 3, but its 72 hours are not over
    clock.days(3)
    services.crs_assessment_record(
        user=coordinator_a,
        data={
            "subject": sick,
            "assessed_at": at(5, 9),
            "max_temp_c": Decimal("38.8"),
            "hypotension": True,
            "vasopressors": 1,
        },
    )  # 73 h later, still grade 3

    (candidate,) = DltCandidate.objects.all()
    assert (candidate.clause, candidate.status) == ("crs_grade_3_prolonged", "open")
    assert (
        candidate.detail == "CRS grade 3 from 2026-04-03 08:00 not back to grade <= 2 within 72 h."
    )

    with pytest.raises(PermissionDenied):
        services.dlt_candidate_accept(user=coordinator_a, candidate=candidate)
    services.dlt_candidate_accept(user=investigator_a, candidate=candidate)
    evaluation = DltEvaluation.objects.get(enrollment__subject=sick)
    assert (evaluation.dlt_onset_date, evaluation.dlt_grade, evaluation.status) == (
        date(2026, 4, 3),
        3,
        "pending",
    )
    dosing.dlt_confirm(user=investigator_a, evaluation=evaluation, as_role="investigator")
    dosing.dlt_confirm(user=safety_reviewer_a, evaluation=evaluation, as_role="safety_reviewer")

    clock.days(25)  # day 30: every window closed
    state = escalation_state(study=first_cohort.study)
    assert state["doses"][0] | {"label": None, "cells_per_kg_million": None} == {
        "dose": 1,
        "label": None,
        "cells_per_kg_million": None,
        "treated": 3,
        "pending": 0,
        "n": 3,
        "y": 1,
    }
    assert (state["recommendation"]["action"], state["recommendation"]["next_dose"]) == ("stay", 1)
    candidate.refresh_from_db()
    assert (candidate.status, candidate.decided_by) == ("accepted", investigator_a)


def test_crs_back_to_grade_2_within_72_hours_is_not_flagged(infused, coordinator_a, clock):
    clock.days(2)  # day 2, 09:00
    services.crs_assessment_record(
        user=coordinator_a,
        data={
            "subject": infused,
            "assessed_at": at(2, 8),
            "max_temp_c": Decimal("38.9"),
            "vasopressors": 1,
        },
    )
    clock.days(3)  # day 5, 09:00
    services.crs_assessment_record(
        user=coordinator_a,
        data={
            "subject": infused,
            "assessed_at": at(5, 8),
            "max_temp_c": Decimal("38.9"),
            "hypotension": True,
        },
    )
    assert DltCandidate.objects.count() == 0  # back to grade 2 at exactly 72 h


def test_grade_3_crs_entered_late_is_flagged_then_withdrawn_when_the_chart_catches_up(
    infused, coordinator_a, clock
):
    clock.days(6)
    services.crs_assessment_record(
        user=coordinator_a,
        data={
            "subject": infused,
            "assessed_at": at(2, 8),
            "max_temp_c": Decimal("38.9"),
            "vasopressors": 1,
        },
    )
    (candidate,) = DltCandidate.objects.all()  # nothing shows it improved within 72 h
    services.crs_assessment_record(
        user=coordinator_a,
        data={
            "subject": infused,
            "assessed_at": at(4, 8),
            "max_temp_c": Decimal("38.2"),
            "hypotension": True,
        },
    )
    candidate.refresh_from_db()
    assert candidate.status == "withdrawn"


def test_a_related_grade_3_ae_lasting_8_days_is_flagged_and_withdrawn_when_voided(
    infused, coordinator_a, clock
):
    clock.days(1)  # 2 April
    ae = _ae(coordinator_a, infused, term="Hypoxia", grade=3, onset_date=date(2026, 4, 2))
    clock.days(7)  # 9 April
    services.ae_grade_record(
        user=coordinator_a, adverse_event=ae, from_date=date(2026, 4, 9), grade=2
    )
    assert DltCandidate.objects.count() == 0  # 7 days at grade 3
    clock.days(1)  # 10 April: the chart shows it was still grade 3 on the 9th
    services.ae_grade_record(
        user=coordinator_a,
        adverse_event=ae,
        from_date=date(2026, 4, 9),
        grade=3,
        reason="Still on oxygen on the 9th",
    )
    services.ae_grade_record(
        user=coordinator_a, adverse_event=ae, from_date=date(2026, 4, 10), grade=2
    )
    (candidate,) = DltCandidate.objects.all()
    assert (candidate.clause, candidate.detail) == (
        "nonheme_prolonged",
        "Grade >= 3 for 8 days (more than 7).",
    )

    services.ae_void(user=coordinator_a, instance=ae, reason="Entered for the wrong patient")
    candidate.refresh_from_db()
    assert candidate.status == "withdrawn"
    (withdrawn, _flagged) = candidate.history.all()
    assert withdrawn.history_change_reason == "No longer meets the clause after a correction"


def test_rejecting_a_candidate_needs_a_reason(
    infused, coordinator_a, investigator_a, safety_reviewer_a, clock
):
    clock.days(3)
    services.icans_assessment_record(
        user=coordinator_a, data={"subject": infused, "assessed_at": at(2), "ice_score": 2}
    )
    (candidate,) = DltCandidate.objects.all()
    assert candidate.clause == "icans"
    with pytest.raises(ValidationError):
        services.dlt_candidate_reject(user=safety_reviewer_a, candidate=candidate, reason=" ")
    services.dlt_candidate_reject(
        user=safety_reviewer_a, candidate=candidate, reason="Hepatic encephalopathy"
    )
    candidate.refresh_from_db()
    assert (candidate.status, candidate.decision_reason) == (
        "rejected",
        "Rejected: Hepatic encephalopathy",
    )
