from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from dosing.models import Cohort, DltEvaluation, Enrollment, EscalationDecision, Infusion

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _errors(response):
    form = response.context["adminform"].form
    return {f: list(e) for f, e in form.errors.items()}


def test_enrolling_from_the_admin(eligible, first_cohort, coordinator_a, clock):
    subject = eligible()
    client = _client(coordinator_a)
    page = client.get(f"/admin/screening/subject/{subject.pk}/change/")
    assert f'href="/admin/dosing/enrollment/add/?subject={subject.pk}"'.encode() in page.content

    response = client.post(
        "/admin/dosing/enrollment/add/",
        {
            "subject": subject.pk,
            "cohort": first_cohort.pk,
            "enrollment_date": "2026-04-01",
        },
    )

    assert response.status_code == 302
    enrollment = Enrollment.objects.get()
    (create,) = enrollment.history.all()
    assert (create.history_user, enrollment.enrolled_by) == (coordinator_a, coordinator_a)


def test_a_full_cohort_shows_on_the_enrollment_form(
    eligible, first_cohort, enroll, coordinator_a, clock
):
    for _ in range(3):
        enroll(eligible(), first_cohort)
    subject = eligible()
    Cohort.objects.filter(pk=first_cohort.pk)  # still the only cohort, now full
    response = _client(coordinator_a).post(
        "/admin/dosing/enrollment/add/",
        {
            "subject": subject.pk,
            "cohort": first_cohort.pk,
            "enrollment_date": "2026-04-01",
        },
    )
    assert response.status_code == 200
    # a full cohort is not even offered as a choice
    assert _errors(response) == {
        "cohort": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert Enrollment.objects.count() == 3


def test_an_overdose_shows_on_the_infusion_form(
    eligible, first_cohort, enroll, coordinator_a, clock
):
    enrollment = enroll(eligible(), first_cohort)
    response = _client(coordinator_a).post(
        "/admin/dosing/infusion/add/",
        {
            "enrollment": enrollment.pk,
            "started_at_0": "2026-04-01",
            "started_at_1": "08:30:00",
            "dose_level": first_cohort.dose_level_id,
            "planned_cells_per_kg_million": "2",
            "actual_cells_per_kg_million": "3",
        },
    )
    assert response.status_code == 200
    assert list(_errors(response)) == ["actual_cells_per_kg_million"]
    assert Infusion.objects.count() == 0


def test_the_cohort_list_shows_the_recommendation(
    eligible, first_cohort, enroll, infuse, clock, monitor_a
):
    for _ in range(3):
        infuse(enroll(eligible(), first_cohort))
    clock.days(29)
    page = _client(monitor_a).get("/admin/dosing/cohort/")
    assert page.status_code == 200
    assert b"0 of 3 patients had a DLT at dose 1: escalate to dose 2." in page.content
    (row,) = page.context["cl"].result_list
    assert (row.n_enrolled, row.size) == (3, 3)


def test_the_committee_decides_in_the_admin(
    eligible, first_cohort, enroll, infuse, clock, safety_reviewer_a, dose_levels
):
    for _ in range(3):
        infuse(enroll(eligible(), first_cohort))
    clock.days(29)
    from dosing.services import cohort_windows_refresh

    cohort_windows_refresh(cohort=first_cohort, user=safety_reviewer_a)
    client = _client(safety_reviewer_a)
    form = client.get("/admin/dosing/escalationdecision/add/")
    assert b"the recommendation this decision is about" in form.content
    assert b"escalate" in form.content

    missing = client.post(
        "/admin/dosing/escalationdecision/add/",
        {
            "cohort": first_cohort.pk,
            "action": "stay",
            "next_dose_level": dose_levels[0].pk,
        },
    )
    assert _errors(missing) == {
        "rationale": [
            "The decision departs from the recommendation (escalate): give the committee's rationale."
        ]
    }
    done = client.post(
        "/admin/dosing/escalationdecision/add/",
        {
            "cohort": first_cohort.pk,
            "action": "escalate",
            "next_dose_level": dose_levels[1].pk,
        },
    )
    assert done.status_code == 302
    assert EscalationDecision.objects.get().agrees is True


def test_dlt_confirmation_actions(
    eligible, first_cohort, enroll, infuse, clock, coordinator_a, investigator_a, safety_reviewer_a
):
    from dosing.services import dlt_evaluation_save

    enrollment = enroll(eligible(), first_cohort)
    infuse(enrollment)
    evaluation = dlt_evaluation_save(
        user=coordinator_a,
        instance=enrollment.dlt_evaluation,
        data={
            "dlt_description": "ICANS grade 3",
            "dlt_onset_date": datetime(2026, 4, 1, tzinfo=UTC).date(),
            "dlt_grade": 3,
        },
        reason="reported",
    )
    for user, action in (
        (investigator_a, "confirm_dlt_as_investigator"),
        (safety_reviewer_a, "confirm_dlt_as_safety_reviewer"),
    ):
        response = _client(user).post(
            "/admin/dosing/dltevaluation/", {"action": action, "_selected_action": [evaluation.pk]}
        )
        assert response.status_code == 302
    assert DltEvaluation.objects.get().status == "dlt"


@pytest.mark.parametrize(
    "model",
    [
        "cohort",
        "enrollment",
        "infusion",
        "dltevaluation",
        "escalationdecision",
        "lymphodepletion",
        "lymphodepletionregimen",
    ],
)
def test_every_dosing_admin_page_renders(model, first_cohort, eligible, enroll, infuse, clock):
    root = get_user_model().objects.create(username="root", is_superuser=True, is_staff=True)
    infuse(enroll(eligible(), first_cohort))
    client = _client(root)
    assert client.get(f"/admin/dosing/{model}/").status_code == 200
    if model not in ("dltevaluation",):
        assert client.get(f"/admin/dosing/{model}/add/").status_code == 200
