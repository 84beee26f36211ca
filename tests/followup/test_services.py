from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from followup import selectors, services
from followup.models import Disposition, ResponseAssessment, Visit
from screening import services as screening

pytestmark = pytest.mark.django_db

MARROW_CR = {
    "marrow_blasts_pct": Decimal("2"),
    "circulating_blasts": False,
    "auer_rods": False,
    "extramedullary_disease": False,
    "anc": Decimal("1.5"),
    "platelets": Decimal("120"),
}


def _response(user, subject, day, **data):
    when = date(2026, 4, 1).fromordinal(date(2026, 4, 1).toordinal() + day)
    return services.response_assessment_record(
        user=user,
        data={
            "subject": subject,
            "assessment_date": when,
            "marrow_assessment_date": when,
            "baseline_marrow_blasts_pct": Decimal("40"),
            "baseline_extramedullary_disease": False,
            "investigator_response": data.pop("investigator_response", "CR"),
            **MARROW_CR,
            **data,
        },
    )


def test_a_visit_gets_its_planned_date_and_window_flag(infused, schedule, coordinator_a, clock):
    clock.days(9)
    on_time = services.visit_record(
        user=coordinator_a,
        data={"subject": infused, "definition": schedule["D7"], "actual_date": date(2026, 4, 8)},
    )
    late = services.visit_record(
        user=coordinator_a,
        data={"subject": infused, "definition": schedule["D0"], "actual_date": date(2026, 4, 2)},
    )
    assert (on_time.planned_date, on_time.out_of_window) == (date(2026, 4, 8), False)
    assert (late.planned_date, late.out_of_window) == (date(2026, 4, 1), True)


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"missed": True, "actual_date": None},
            {"missed_reason": ["Say why the visit was missed."]},
        ),
        (
            {"actual_date": None},
            {"actual_date": ["Give the visit date, or record the visit as missed."]},
        ),
        (
            {"actual_date": date(2026, 3, 1)},
            {"actual_date": ["The visit (2026-03-01) is before consent (2026-03-20)."]},
        ),
        ({"actual_date": date(2026, 4, 30)}, {"actual_date": ["The visit is in the future."]}),
    ],
)
def test_bad_visits_are_refused(infused, schedule, coordinator_a, clock, data, errors):
    clock.days(9)
    with pytest.raises(ValidationError) as excinfo:
        services.visit_record(
            user=coordinator_a,
            data={
                "subject": infused,
                "definition": schedule["D7"],
                "actual_date": date(2026, 4, 8),
                **data,
            },
        )
    assert excinfo.value.message_dict == errors
    assert Visit.objects.count() == 0


def test_no_visit_after_death(infused, schedule, coordinator_a, clock):
    clock.days(40)
    services.disposition_record(
        user=coordinator_a,
        data={
            "subject": infused,
            "end_of_study_date": date(2026, 4, 5),
            "end_of_study_reason": "death",
            "death_date": date(2026, 4, 5),
            "death_cause": "Sepsis",
            "death_related": "unlikely",
        },
    )
    with pytest.raises(ValidationError) as excinfo:
        services.visit_record(
            user=coordinator_a,
            data={
                "subject": infused,
                "definition": schedule["D7"],
                "actual_date": date(2026, 4, 8),
            },
        )
    assert excinfo.value.message_dict == {
        "actual_date": ["The visit (2026-04-08) is after the subject's death (2026-04-05)."]
    }


def test_a_second_end_of_study_record_is_refused(infused, coordinator_a, clock):
    clock.days(40)
    data = {
        "subject": infused,
        "end_of_study_date": date(2026, 5, 1),
        "end_of_study_reason": "withdrew_consent",
    }
    services.disposition_record(user=coordinator_a, data=data)
    with pytest.raises(ValidationError) as excinfo:
        services.disposition_record(user=coordinator_a, data=data)
    assert excinfo.value.message_dict == {
        "subject": ["This subject already has an end-of-study record: correct it instead."]
    }
    assert Disposition.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"end_of_study_reason": "death"}, "death_date"),
        ({"death_date": date(2026, 4, 20)}, "end_of_study_reason"),
        ({"last_known_alive_date": date(2026, 5, 2)}, "last_known_alive_date"),
        ({"end_of_study_date": date(2026, 6, 1)}, "end_of_study_date"),
    ],
)
def test_bad_dispositions_are_refused(infused, coordinator_a, clock, data, field):
    clock.days(40)
    with pytest.raises(ValidationError) as excinfo:
        services.disposition_record(
            user=coordinator_a,
            data={
                "subject": infused,
                "end_of_study_date": date(2026, 5, 1),
                "end_of_study_reason": "lost_to_follow_up",
                **data,
            },
        )
    assert field in excinfo.value.message_dict


def test_withdrawal_stops_future_visits_and_keeps_every_record(
    infused, schedule, coordinator_a, clock
):
    clock.days(9)
    services.visit_record(
        user=coordinator_a,
        data={"subject": infused, "definition": schedule["D7"], "actual_date": date(2026, 4, 8)},
    )
    clock.days(80)
    before = {"visits": Visit.objects.count(), "subject": infused.history.count()}
    services.disposition_record(
        user=coordinator_a,
        data={
            "subject": infused,
            "end_of_study_date": date(2026, 4, 20),
            "end_of_study_reason": "withdrew_consent",
        },
    )
    calendar = [row["definition"].code for row in selectors.visit_calendar(infused)]
    assert calendar == ["D0", "D7"]  # day 28 and month 2 fall after the end of study
    overdue = [(row["visit"], row["crf"]) for row in selectors.overdue_forms(user=coordinator_a)]
    assert overdue == [("D0", "visit"), ("D7", "labs")]  # nothing due after the end of study
    assert Visit.objects.count() == before["visits"]


def test_overdue_forms_follow_the_clock(
    infused, schedule, coordinator_a, clock, django_assert_max_num_queries
):
    clock.days(7)  # day 7: its window closes today
    assert [r for r in selectors.overdue_forms(user=coordinator_a) if r["visit"] == "D7"] == []
    clock.days(1)  # day 8
    rows = [
        (r["visit"], r["crf"], r["days_overdue"])
        for r in selectors.overdue_forms(user=coordinator_a)
    ]
    assert rows == [("D0", "visit", 8), ("D7", "labs", 1), ("D7", "visit", 1)]

    services.visit_record(
        user=coordinator_a,
        data={"subject": infused, "definition": schedule["D7"], "actual_date": date(2026, 4, 8)},
    )
    from safety.services import lab_result_record

    lab_result_record(
        user=coordinator_a,
        data={
            "subject": infused,
            "collected_on": date(2026, 4, 8),
            "test": "platelets",
            "value": Decimal("80"),
            "unit": "10^9/L",
        },
    )
    with django_assert_max_num_queries(12):
        rows = [(r["visit"], r["crf"]) for r in selectors.overdue_forms(user=coordinator_a)]
    assert rows == [("D0", "visit")]


def test_overdue_forms_query_count_does_not_grow_with_subjects(
    eligible,
    first_cohort,
    enroll,
    infuse,
    schedule,
    coordinator_a,
    clock,
    django_assert_num_queries,
):
    infuse(enroll(eligible(), first_cohort))
    clock.days(30)
    fresh = type(coordinator_a).objects.get  # a new user object: no cached site ids
    with django_assert_num_queries(10) as one:
        rows = selectors.overdue_forms(user=fresh(pk=coordinator_a.pk))
    assert len(rows) == 3  # D0 visit, D7 visit and labs
    for _ in range(2):
        infuse(enroll(eligible(), first_cohort))
    clock.days(8)  # the first subject is past day 31, the two new ones at their day 8
    with django_assert_num_queries(len(one.captured_queries)):
        rows = selectors.overdue_forms(user=fresh(pk=coordinator_a.pk))
    # 5 for the first (D0, D7 x2, D28 visit and response) and 3 for each new one
    assert len(rows) == 11


def test_the_response_is_computed_and_recomputed_on_edit(infused, coordinator_a, clock):
    clock.days(30)
    assessment = _response(coordinator_a, infused, 28, mrd_pct=Decimal("0.05"))
    assert (assessment.response, assessment.mrd_negative, assessment.disagreement) == (
        "CR",
        True,
        False,
    )

    services.response_assessment_record(
        user=coordinator_a,
        instance=assessment,
        reason="ANC misread: 0.8",
        data={"anc": Decimal("0.8"), "investigator_response": "CRh"},
    )

    (update, create) = assessment.history.all()
    assert (create.response, create.anc, create.history_change_reason) == (
        "CR",
        Decimal("1.500"),
        None,
    )
    assert (update.response, update.anc, update.history_change_reason) == (
        "CRh",
        Decimal("0.800"),
        "ANC misread: 0.8",
    )
    assert update.history_user == coordinator_a


def test_a_disagreement_with_the_computed_response_needs_a_comment(infused, coordinator_a, clock):
    clock.days(30)
    with pytest.raises(ValidationError) as excinfo:
        _response(coordinator_a, infused, 28, investigator_response="PR")
    assert excinfo.value.message_dict == {
        "disagreement_comment": [
            "The computed response is CR; the investigator's is PR: explain the difference."
        ]
    }
    done = _response(
        coordinator_a,
        infused,
        28,
        investigator_response="PR",
        disagreement_comment="Marrow aspirate hemodiluted; biopsy pending",
    )
    assert (done.response, done.investigator_response, done.disagreement) == ("CR", "PR", True)


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"marrow_assessment_date": None, "mrd_pct": Decimal("0.1")},
            {"marrow_assessment_date": ["MRD comes from a marrow: give the marrow date."]},
        ),
        (
            {"assessment_date": date(2026, 3, 30), "marrow_assessment_date": date(2026, 3, 30)},
            {"assessment_date": ["A response is assessed from day 0 (2026-04-01) on."]},
        ),
    ],
)
def test_bad_response_assessments_are_refused(infused, coordinator_a, clock, data, errors):
    clock.days(30)
    with pytest.raises(ValidationError) as excinfo:
        services.response_assessment_record(
            user=coordinator_a,
            data={
                "subject": infused,
                "assessment_date": date(2026, 4, 29),
                "marrow_assessment_date": date(2026, 4, 29),
                "investigator_response": "CR",
                **MARROW_CR,
                **data,
            },
        )
    assert excinfo.value.message_dict == errors
    assert ResponseAssessment.objects.count() == 0


def test_remission_carries_forward_and_an_edit_recomputes_later_assessments(
    infused, coordinator_a, clock
):
    clock.days(70)
    first = _response(coordinator_a, infused, 28)
    later = _response(
        coordinator_a, infused, 60, marrow_blasts_pct=Decimal("8"), investigator_response="relapse"
    )
    assert (first.response, later.in_remission, later.response) == ("CR", True, "relapse")

    services.response_assessment_record(
        user=coordinator_a,
        instance=first,
        reason="Blasts recounted",
        data={"marrow_blasts_pct": Decimal("12"), "investigator_response": "PR"},
    )

    later.refresh_from_db()
    assert (later.in_remission, later.response, later.disagreement) == (
        False,
        "PR",
        True,
    )  # 8% from 40% with full counts: PR
    (recomputed, _create) = later.history.all()
    assert recomputed.history_change_reason == "Recomputed after the assessment of 2026-04-29"
    # the system writes no comment in the investigator's name: it is owed, not filled in
    assert later.disagreement_comment == ""

    services.response_assessment_record(
        user=coordinator_a,
        instance=first,
        reason="Recount was wrong",
        data={"marrow_blasts_pct": Decimal("2"), "investigator_response": "CR"},
    )
    later.refresh_from_db()
    assert (later.in_remission, later.response, later.disagreement) == (True, "relapse", False)
    assert later.disagreement_comment == ""


def test_the_baseline_comes_from_the_screening_marrow(infused, coordinator_a, clock):
    clock.days(30)
    screening.medical_history_save(
        user=coordinator_a,
        data={
            "subject": infused,
            "diagnosis_date": date(2025, 1, 1),
            "classification_system": "who_2022",
            "classification": "AML with NPM1 mutation",
            "eln_risk": "favorable",
            "disease_status": "relapsed",
            "baseline_marrow_blasts_pct": Decimal("30"),
            "baseline_extramedullary_disease": False,
        },
    )
    assessment = services.response_assessment_record(
        user=coordinator_a,
        data={
            "subject": infused,
            "assessment_date": date(2026, 4, 29),
            "marrow_assessment_date": date(2026, 4, 29),
            "marrow_blasts_pct": Decimal("46"),
            "circulating_blasts": True,
            "auer_rods": False,
            "extramedullary_disease": False,
            "anc": Decimal("0.3"),
            "platelets": Decimal("20"),
            "investigator_response": "PD",
        },
    )
    assert (assessment.baseline_marrow_blasts_pct, assessment.response) == (Decimal("30.00"), "PD")


def test_response_summary_checked_by_hand(
    eligible, first_cohort, enroll, infuse, coordinator_a, clock
):
    subjects = [eligible() for _ in range(3)]
    for s in subjects:
        infuse(enroll(s, first_cohort))
    clock.days(70)
    _response(coordinator_a, subjects[0], 28, mrd_pct=Decimal("0.02"))  # CR, MRD-
    _response(coordinator_a, subjects[0], 60)  # CR again
    _response(
        coordinator_a, subjects[1], 28, anc=Decimal("0.3"), investigator_response="CRi"
    )  # CRi
    _response(
        coordinator_a,
        subjects[2],
        28,
        marrow_blasts_pct=Decimal("70"),
        circulating_blasts=True,
        anc=Decimal("0.1"),
        platelets=Decimal("5"),
        investigator_response="PD",
    )  # PD

    summary = selectors.response_summary(user=coordinator_a, study=first_cohort.study)

    overall = summary["overall"]
    assert overall["evaluable"] == 3
    assert overall["best_response"] == {
        "CR": 1,
        "CRh": 0,
        "CRi": 1,
        "MLFS": 0,
        "PR": 0,
        "SD": 0,
        "PD": 1,
        "NE": 0,
    }
    assert (
        overall["crc"]["n"],
        round(overall["crc"]["ci_low"], 6),
        round(overall["crc"]["ci_high"], 6),
    ) == (2, 0.094299, 0.991596)
    assert (overall["orr"]["n"], overall["mrd_negative_crc"]) == (2, 1)
    assert [d["dose"] for d in summary["doses"]] == [1]
    by_subject = {r["screening_number"]: r for r in summary["subjects"]}
    first = by_subject[subjects[0].screening_number]
    assert (first["days_to_first_response"], first["remission_duration"]) == (
        28,
        {"days": 32, "censored": True},
    )
    assert by_subject[subjects[2].screening_number]["days_to_first_response"] is None


def test_one_medical_history_per_subject_and_transplant_dates(infused, coordinator_a, clock):
    data = {
        "subject": infused,
        "diagnosis_date": date(2025, 1, 1),
        "classification_system": "icc_2022",
        "classification": "AML, NOS",
        "eln_risk": "adverse",
        "disease_status": "refractory",
    }
    with pytest.raises(ValidationError) as excinfo:
        screening.medical_history_save(
            user=coordinator_a, data={**data, "prior_allo_transplant": True}
        )
    assert excinfo.value.message_dict == {
        "transplant_date": ["Give the date of the allogeneic transplant."]
    }
    screening.medical_history_save(user=coordinator_a, data=data)
    with pytest.raises(ValidationError):
        screening.medical_history_save(user=coordinator_a, data=data)


def test_no_clinical_record_is_dated_after_death(infused, schedule, coordinator_a, clock):
    """The check that refuses a visit after death applies to every dated clinical record: a
    lab, an AE, and a visit planned after death is not "missed"."""
    from decimal import Decimal

    from safety.models import AdverseEvent, LabResult
    from safety.services import ae_save, lab_result_record

    clock.days(40)
    services.disposition_record(
        user=coordinator_a,
        data={
            "subject": infused,
            "end_of_study_date": date(2026, 4, 5),
            "end_of_study_reason": "death",
            "death_date": date(2026, 4, 5),
            "death_cause": "Sepsis",
            "death_related": "unlikely",
        },
    )
    with pytest.raises(ValidationError) as lab:
        lab_result_record(
            user=coordinator_a,
            data={
                "subject": infused,
                "collected_on": date(2026, 4, 6),
                "test": "alt",
                "value": Decimal("50"),
                "unit": "U/L",
                "uln": Decimal("40"),
            },
        )
    with pytest.raises(ValidationError) as ae:
        ae_save(
            user=coordinator_a,
            data={
                "subject": infused,
                "term": "Hypoxia",
                "onset_date": date(2026, 4, 7),
                "grade": 2,
            },
        )
    with pytest.raises(ValidationError) as missed:
        services.visit_record(
            user=coordinator_a,
            data={
                "subject": infused,
                "definition": schedule["D7"],
                "missed": True,
                "missed_reason": "Patient did not come",
            },
        )
    assert lab.value.message_dict == {
        "collected_on": [
            "The collection date (2026-04-06) is after the subject's death (2026-04-05)."
        ]
    }
    assert ae.value.message_dict == {
        "onset_date": ["The onset (2026-04-07) is after the subject's death (2026-04-05)."]
    }
    assert missed.value.message_dict == {
        "missed": [
            "The subject died on 2026-04-05, before this visit (2026-04-08): it is not "
            "expected, not missed."
        ]
    }
    assert (LabResult.objects.count(), AdverseEvent.objects.count(), Visit.objects.count()) == (
        0,
        0,
        0,
    )


def test_changing_a_visit_window_recomputes_the_flag_of_saved_visits(
    infused, schedule, coordinator_a, data_manager_a, clock
):
    clock.days(12)
    visit = services.visit_record(
        user=coordinator_a,
        data={"subject": infused, "definition": schedule["D7"], "actual_date": date(2026, 4, 10)},
    )
    assert visit.out_of_window is True  # day 9: D7 has no window in this schedule

    services.visit_definition_save(
        user=data_manager_a,
        instance=schedule["D7"],
        data={"window_after": 2},
        reason="Protocol amendment 2: D7 window +2 days",
    )

    visit.refresh_from_db()
    assert (visit.planned_date, visit.out_of_window) == (date(2026, 4, 8), False)
    (recomputed, created) = visit.history.all()
    assert (created.out_of_window, recomputed.out_of_window) == (True, False)
    assert (recomputed.history_user, recomputed.history_change_reason) == (
        data_manager_a,
        "Visit window of D7 changed: planned date and window flag recomputed",
    )
