from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dosing import services
from dosing.models import Cohort, DltEvaluation, Enrollment
from screening import services as screening
from tests.factories import DoseLevelFactory, SiteFactory, StudyFactory
from trial.services import Conflict

pytestmark = pytest.mark.django_db


def test_enrolling_an_eligible_subject_opens_its_dlt_evaluation(
    eligible, first_cohort, enroll, coordinator_a, clock
):
    subject = eligible()

    enrollment = enroll(subject, first_cohort)

    subject.refresh_from_db()
    assert (subject.status, enrollment.enrollment_date, enrollment.enrolled_by) == (
        "enrolled",
        clock.today(),
        coordinator_a,
    )
    (enrolled, _confirmed, _create) = subject.history.all()
    assert (enrolled.status, enrolled.history_change_reason) == (
        "enrolled",
        "Enrolled in cohort 1 (DL1)",
    )
    evaluation = enrollment.dlt_evaluation
    assert (evaluation.status, evaluation.day0, evaluation.status_reason) == (
        "pending",
        None,
        "Not infused yet.",
    )
    first_cohort.refresh_from_db()
    assert first_cohort.status == "open"


def test_a_subject_not_confirmed_eligible_cannot_be_enrolled(
    register, consent, assess, first_cohort, enroll, clock
):
    subject = register()
    consent(subject)
    assess(subject)  # eligible, but not confirmed by the investigator
    with pytest.raises(ValidationError) as excinfo:
        enroll(subject, first_cohort)
    assert list(excinfo.value.message_dict) == ["subject"]
    assert Enrollment.objects.count() == 0


def test_a_subject_who_withdrew_consent_cannot_be_enrolled(
    eligible, first_cohort, enroll, coordinator_a, clock
):
    subject = eligible()
    screening.consent_withdraw(
        user=coordinator_a,
        consent=subject.consents.get(),
        withdrawn_date=clock.today(),
        reason="No",
    )
    with pytest.raises(ValidationError) as excinfo:
        enroll(subject, first_cohort)
    assert excinfo.value.message_dict == {"subject": ["The subject is withdrawn, not eligible."]}


def test_a_subject_is_enrolled_once(eligible, first_cohort, enroll):
    subject = eligible()
    enroll(subject, first_cohort)
    with pytest.raises(Conflict) as excinfo:
        enroll(subject, first_cohort)
    assert excinfo.value.messages == [f"{subject} is already enrolled, in cohort 1."]


def test_a_full_cohort_takes_no_fourth_patient(eligible, first_cohort, enroll):
    for _ in range(3):
        enroll(eligible(), first_cohort)
    first_cohort.refresh_from_db()
    assert first_cohort.status == "full"
    with pytest.raises(Conflict) as excinfo:
        enroll(eligible(), first_cohort)
    assert excinfo.value.messages == [
        (
            "Cohort 1 has all its patients enrolled; it waits for 3 of them to be infused and to "
            "finish the DLT window. No slot is open until then."
        )
    ]
    assert Enrollment.objects.count() == 3


def test_enrollment_stops_at_the_study_maximum(
    eligible, first_cohort, enroll, study, data_manager_a
):
    from trial.services import study_save

    study_save(user=data_manager_a, instance=study, data={"target_enrollment": 2}, reason="test")
    enroll(eligible(), first_cohort)
    enroll(eligible(), first_cohort)
    with pytest.raises(Conflict) as excinfo:
        enroll(eligible(), first_cohort)
    assert excinfo.value.messages == ["The study has enrolled its maximum of 2 patients."]


def test_a_cohort_of_another_study_is_refused(eligible, enroll, data_manager_a, clock):
    other = StudyFactory(registry_id="NCT00000001")
    SiteFactory(study=other, code="09")
    level = DoseLevelFactory(study=other, number=1)
    cohort = Cohort.objects.create(study=other, dose_level=level, sequence=1)
    with pytest.raises(ValidationError) as excinfo:
        enroll(eligible(), cohort)
    assert excinfo.value.message_dict == {"cohort": ["This cohort belongs to another study."]}


def test_only_site_staff_enroll(eligible, first_cohort, enroll, monitor_a):
    with pytest.raises(PermissionDenied):
        enroll(eligible(), first_cohort, user=monitor_a)


def test_the_first_cohort_is_opened_once(first_cohort, study, dose_levels, data_manager_a):
    assert (first_cohort.sequence, first_cohort.size, first_cohort.status) == (1, 3, "open")
    with pytest.raises(Conflict):
        services.cohort_open_first(
            user=data_manager_a, data={"study": study, "dose_level": dose_levels[0]}
        )


def test_a_dose_level_of_another_study_is_refused_for_the_first_cohort(
    study, dose_levels, data_manager_a
):
    other_level = DoseLevelFactory(study=StudyFactory(registry_id="NCT00000002"), number=1)
    with pytest.raises(ValidationError) as excinfo:
        services.cohort_open_first(
            user=data_manager_a, data={"study": study, "dose_level": other_level}
        )
    assert excinfo.value.message_dict == {
        "dose_level": ["This dose level belongs to another study."]
    }


def test_infusion_checks_dates_and_dose(eligible, first_cohort, enroll, infuse, clock):
    enrollment = enroll(eligible(), first_cohort)
    with pytest.raises(ValidationError) as excinfo:
        infuse(enrollment, when=datetime(2026, 3, 31, 9, tzinfo=UTC))
    assert excinfo.value.message_dict == {
        "started_at": ["The infusion is dated before enrollment (2026-04-01)."]
    }
    with pytest.raises(ValidationError) as excinfo:
        infuse(enrollment, when=datetime.now(UTC) + timedelta(hours=1))
    assert excinfo.value.message_dict == {"started_at": ["The infusion is dated in the future."]}
    with pytest.raises(ValidationError) as excinfo:
        infuse(enrollment, actual="2.201")  # planned 2, tolerance 10%
    assert excinfo.value.message_dict == {
        "actual_cells_per_kg_million": [
            "The actual dose exceeds the planned 2.000 x10^6/kg by more than the 10.0% tolerance (at most 2.2)."
        ]
    }
    assert enrollment.infusions.count() == 0

    at_limit = infuse(enrollment, actual="2.2")
    assert (at_limit.number, at_limit.partial_dose, at_limit.planned_cells_per_kg_million) == (
        1,
        False,
        Decimal("2.000"),
    )


@pytest.mark.parametrize(("actual", "partial"), [("1.8", False), ("1.799", True)])
def test_partial_dose_is_derived_from_the_tolerance(
    eligible, first_cohort, enroll, infuse, actual, partial
):
    infusion = infuse(enroll(eligible(), first_cohort), actual=actual)
    assert infusion.partial_dose is partial


def test_the_dlt_window_runs_from_the_first_infusion_through_day_28(
    eligible, first_cohort, enroll, infuse, clock, coordinator_a
):
    enrollment = enroll(eligible(), first_cohort)
    infuse(enrollment)
    evaluation = DltEvaluation.objects.get(enrollment=enrollment)
    assert (evaluation.day0, evaluation.window_end, evaluation.status) == (
        date(2026, 4, 1),
        date(2026, 4, 29),
        "pending",
    )

    clock.days(28)
    assert services.dlt_windows_refresh(user=coordinator_a, study=first_cohort.study) == 0
    clock.days(1)
    assert services.dlt_windows_refresh(user=coordinator_a, study=first_cohort.study) == 1

    evaluation.refresh_from_db()
    assert (evaluation.status, evaluation.replace) == ("evaluable_no_dlt", False)
    (closed, infused, opened) = evaluation.history.all()
    assert [h.history_change_reason for h in (opened, infused, closed)] == [
        "Opened at enrollment",
        "Infusion 1 recorded",
        "DLT window closed (scheduled refresh)",
    ]
    assert (infused.status, infused.day0) == ("pending", date(2026, 4, 1))


def test_a_dlt_counts_once_confirmed_by_an_investigator_and_a_safety_reviewer(
    eligible, first_cohort, enroll, infuse, clock, coordinator_a, investigator_a, safety_reviewer_a
):
    enrollment = enroll(eligible(), first_cohort)
    infuse(enrollment)
    clock.days(5)
    evaluation = services.dlt_evaluation_save(
        user=coordinator_a,
        instance=enrollment.dlt_evaluation,
        data={"dlt_description": "Grade 4 CRS", "dlt_onset_date": date(2026, 4, 4), "dlt_grade": 4},
        reason="DLT reported by the ward",
    )
    assert (evaluation.status, evaluation.status_reason) == (
        "pending",
        "DLT recorded, awaiting confirmation by an investigator and a safety reviewer.",
    )
    with pytest.raises(PermissionDenied):
        services.dlt_confirm(user=coordinator_a, evaluation=evaluation, as_role="investigator")
    services.dlt_confirm(user=investigator_a, evaluation=evaluation, as_role="investigator")
    evaluation = services.dlt_confirm(
        user=safety_reviewer_a, evaluation=evaluation, as_role="safety_reviewer"
    )

    assert (evaluation.status, evaluation.dlt_adjudicated) == ("dlt", True)
    reasons = [h.history_change_reason for h in evaluation.history.all()[:2]]
    assert reasons == ["DLT confirmed by safety reviewer", "DLT confirmed by investigator"]


def test_editing_a_confirmed_dlt_clears_the_confirmations(
    eligible, first_cohort, enroll, infuse, clock, coordinator_a, investigator_a, safety_reviewer_a
):
    enrollment = enroll(eligible(), first_cohort)
    infuse(enrollment)
    clock.days(5)
    evaluation = services.dlt_evaluation_save(
        user=coordinator_a,
        instance=enrollment.dlt_evaluation,
        data={"dlt_description": "Grade 4 CRS", "dlt_onset_date": date(2026, 4, 4), "dlt_grade": 4},
        reason="x",
    )
    services.dlt_confirm(user=investigator_a, evaluation=evaluation, as_role="investigator")
    services.dlt_confirm(user=safety_reviewer_a, evaluation=evaluation, as_role="safety_reviewer")
    evaluation = services.dlt_evaluation_save(
        user=coordinator_a,
        instance=evaluation,
        data={"dlt_grade": 3},
        reason="Regraded after review",
    )
    assert (
        evaluation.status,
        evaluation.investigator_confirmed_by,
        evaluation.reviewer_confirmed_by,
    ) == ("pending", None, None)


@pytest.mark.parametrize(
    ("onset", "message"),
    [
        (
            date(2026, 3, 31),
            "A DLT has its onset inside the DLT window, day 0 (2026-04-01) to 2026-04-29.",
        ),
        (
            date(2026, 4, 30),
            "A DLT has its onset inside the DLT window, day 0 (2026-04-01) to 2026-04-29.",
        ),
    ],
)
def test_a_dlt_onset_outside_the_window_is_refused(
    eligible, first_cohort, enroll, infuse, clock, coordinator_a, onset, message
):
    enrollment = enroll(eligible(), first_cohort)
    infuse(enrollment)
    clock.days(40)
    with pytest.raises(ValidationError) as excinfo:
        services.dlt_evaluation_save(
            user=coordinator_a,
            instance=enrollment.dlt_evaluation,
            data={"dlt_description": "x", "dlt_onset_date": onset, "dlt_grade": 3},
            reason="x",
        )
    assert excinfo.value.message_dict == {"dlt_onset_date": [message]}


def test_a_partial_dose_without_dlt_is_replaced_and_reopens_a_slot(
    eligible, first_cohort, enroll, infuse, clock
):
    enrollments = [enroll(eligible(), first_cohort) for _ in range(3)]
    first_cohort.refresh_from_db()
    assert first_cohort.status == "full"

    infuse(enrollments[0], actual="1")

    evaluation = DltEvaluation.objects.get(enrollment=enrollments[0])
    assert (evaluation.status, evaluation.replace) == ("not_evaluable", True)
    first_cohort.refresh_from_db()
    assert first_cohort.status == "open"
    enroll(eligible(), first_cohort)  # the replacement
    assert first_cohort.enrollments.count() == 4


def _complete_cohort(cohort, eligible, enroll, infuse, clock):
    for _ in range(cohort.size):
        infuse(enroll(eligible(), cohort))
    clock.days(29)


def test_the_committee_decision_opens_the_next_cohort(
    eligible, first_cohort, enroll, infuse, clock, safety_reviewer_a, dose_levels
):
    _complete_cohort(first_cohort, eligible, enroll, infuse, clock)

    decision = services.escalation_decision_record(
        user=safety_reviewer_a,
        data={"cohort": first_cohort, "action": "escalate", "next_dose_level": dose_levels[1]},
    )

    assert (decision.recommended_action, decision.recommended_next_dose, decision.agrees) == (
        "escalate",
        2,
        True,
    )
    assert decision.data_snapshot["doses"][0] == {
        "dose": 1,
        "treated": 3,
        "pending": 0,
        "n": 3,
        "y": 0,
    }
    first_cohort.refresh_from_db()
    second = Cohort.objects.get(sequence=2)
    assert (first_cohort.status, second.dose_level.number, second.opened_by_decision) == (
        "closed",
        2,
        decision,
    )
    (closed, review, *_rest) = first_cohort.history.all()
    assert (review.status, closed.status) == ("awaiting_review", "closed")
    assert closed.history_user == safety_reviewer_a


def test_a_decision_against_the_recommendation_needs_a_rationale(
    eligible, first_cohort, enroll, infuse, clock, safety_reviewer_a, dose_levels
):
    _complete_cohort(first_cohort, eligible, enroll, infuse, clock)
    data = {"cohort": first_cohort, "action": "stay", "next_dose_level": dose_levels[0]}
    with pytest.raises(ValidationError) as excinfo:
        services.escalation_decision_record(user=safety_reviewer_a, data=data)
    assert excinfo.value.message_dict == {
        "rationale": [
            "The decision departs from the recommendation (escalate): give the committee's rationale."
        ]
    }
    decision = services.escalation_decision_record(
        user=safety_reviewer_a,
        data={**data, "rationale": "Grade 3 infusion reactions at dose 1; expand first."},
    )
    assert decision.agrees is False


def test_no_decision_while_patients_are_in_their_window(
    eligible, first_cohort, enroll, infuse, clock, safety_reviewer_a, dose_levels
):
    for _ in range(3):
        infuse(enroll(eligible(), first_cohort))
    clock.days(10)
    with pytest.raises(Conflict) as excinfo:
        services.escalation_decision_record(
            user=safety_reviewer_a,
            data={"cohort": first_cohort, "action": "escalate", "next_dose_level": dose_levels[1]},
        )
    assert excinfo.value.messages == ["Cohort 1 is full (in dlt observation), not awaiting review."]


def test_only_safety_reviewers_sign_decisions(
    eligible, first_cohort, enroll, infuse, clock, investigator_a, dose_levels
):
    _complete_cohort(first_cohort, eligible, enroll, infuse, clock)
    with pytest.raises(PermissionDenied):
        services.escalation_decision_record(
            user=investigator_a,
            data={"cohort": first_cohort, "action": "escalate", "next_dose_level": dose_levels[1]},
        )


def test_a_full_cohort_says_when_its_dlt_windows_end(eligible, first_cohort, enroll, infuse):
    enrollments = [enroll(eligible(), first_cohort) for _ in range(3)]
    for enrollment in enrollments:
        infuse(enrollment)
    last = max(e.dlt_evaluation.window_end for e in Enrollment.objects.all())
    with pytest.raises(Conflict) as excinfo:
        enroll(eligible(), first_cohort)
    assert excinfo.value.messages == [
        "Cohort 1 has all its patients enrolled and infused; it waits for their DLT windows to "
        f"end (the last ends {last:%d %b %Y}). No slot is open until then."
    ]


def test_correcting_an_enrollment_date_keeps_consent_eligibility_and_treatment_in_order(
    eligible, first_cohort, enroll, coordinator_a
):
    from dosing.services import enrollment_update

    enrollment = enroll(eligible(), first_cohort)
    assessed = enrollment.subject.assessments.get().assessment_date
    before = assessed - timedelta(days=1)
    with pytest.raises(ValidationError) as excinfo:
        enrollment_update(
            user=coordinator_a,
            instance=enrollment,
            data={"enrollment_date": before},
            reason="typo",
        )
    assert excinfo.value.message_dict == {
        "enrollment_date": [f"Enrollment cannot precede the eligibility assessment ({assessed})."]
    }
    enrollment.refresh_from_db()
    assert enrollment.enrollment_date >= assessed


def test_the_daily_jobs_skip_a_locked_casebook_and_refresh_every_other(
    eligible, first_cohort, enroll, infuse, clock, coordinator_a, data_manager_a
):
    from io import StringIO

    from django.core.management import call_command

    from monitoring.services import lock_create

    locked, free = (enroll(eligible(), first_cohort) for _ in range(2))
    for enrollment in (locked, free):
        infuse(enrollment)
    lock_create(
        user=data_manager_a,
        data={
            "scope": "subject",
            "study": first_cohort.study,
            "subject": locked.subject,
            "reason": "Casebook review",
        },
    )
    clock.days(29)
    out, err = StringIO(), StringIO()

    call_command("refresh_dlt_windows", stdout=out, stderr=err)
    call_command("refresh_dlt_candidates", stdout=StringIO(), stderr=StringIO())

    statuses = dict(
        DltEvaluation.objects.values_list("enrollment__subject__screening_number", "status")
    )
    assert statuses == {
        locked.subject.screening_number: "pending",
        free.subject.screening_number: "evaluable_no_dlt",
    }
    assert out.getvalue().endswith(
        ": 1 DLT evaluation(s) changed status, 1 locked casebook(s) skipped\n"
    )
    assert err.getvalue().startswith(f"Skipped {locked.subject.screening_number} (locked): ")
