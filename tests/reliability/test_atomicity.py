"""A service that fails half-way leaves nothing behind: no partial rows, no orphan history."""

from datetime import date

import pytest

from dosing import services as dosing
from dosing.models import DltEvaluation, Enrollment
from screening.models import Subject
from trial import services as trial_services

pytestmark = pytest.mark.django_db


class Injected(RuntimeError):
    pass


def _counts(subject):
    return {
        "enrollments": Enrollment.objects.count(),
        "enrollment history": Enrollment.history.count(),
        "dlt evaluations": DltEvaluation.objects.count(),
        "dlt evaluation history": DltEvaluation.history.count(),
        "subject history": Subject.history.filter(id=subject.pk).count(),
    }


def test_enrollment_failing_after_two_writes_leaves_no_trace(
    eligible, first_cohort, coordinator_a, monkeypatch
):
    subject = eligible()
    before = _counts(subject)
    written = []
    real_save = trial_services.audited_save

    def save_then_fail_on_the_subject(instance, **kwargs):
        if isinstance(instance, Subject):
            raise Injected("the database went away between two writes")
        result = real_save(instance, **kwargs)
        written.append(type(instance).__name__)
        return result

    monkeypatch.setattr(dosing, "audited_save", save_then_fail_on_the_subject)

    with pytest.raises(Injected):
        dosing.enrollment_create(
            user=coordinator_a,
            data={"subject": subject, "cohort": first_cohort, "enrollment_date": date(2026, 4, 1)},
        )

    # the enrollment and its DLT evaluation were written (with history) before the failure ...
    assert written[-2:] == ["Enrollment", "DltEvaluation"]
    # ... and rolled back with it
    assert _counts(subject) == before
    subject.refresh_from_db()
    assert subject.status == Subject.Status.ELIGIBLE
    first_cohort.refresh_from_db()
    assert first_cohort.enrollments.count() == 0

    # the same request succeeds once the fault is gone
    monkeypatch.setattr(dosing, "audited_save", real_save)
    enrollment = dosing.enrollment_create(
        user=coordinator_a,
        data={"subject": subject, "cohort": first_cohort, "enrollment_date": date(2026, 4, 1)},
    )
    assert _counts(subject) == {
        "enrollments": 1,
        "enrollment history": 1,
        "dlt evaluations": 1,
        "dlt evaluation history": 1,
        "subject history": before["subject history"] + 1,
    }
    assert enrollment.subject.status == Subject.Status.ENROLLED


def test_the_api_failing_half_way_leaves_no_trace(
    eligible, first_cohort, coordinator_a, api, monkeypatch
):
    subject = eligible()
    before = _counts(subject)
    real_save = trial_services.audited_save

    def fail_after_the_dlt_evaluation(instance, **kwargs):
        result = real_save(instance, **kwargs)
        if isinstance(instance, DltEvaluation):
            raise Injected("worker killed after the second write")
        return result

    monkeypatch.setattr(dosing, "audited_save", fail_after_the_dlt_evaluation)

    with pytest.raises(Injected):
        api(coordinator_a).post(
            "/api/v1/enrollments/", {"subject": subject.pk, "cohort": first_cohort.pk}
        )

    assert _counts(subject) == before
