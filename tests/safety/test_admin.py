import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from safety.models import AdverseEvent, CrsAssessment

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_crs_form_computes_the_grade(infused, coordinator_a, clock):
    clock.days(1)
    response = _client(coordinator_a).post(
        "/admin/safety/crsassessment/add/",
        {
            "subject": infused.pk,
            "assessed_at_0": "2026-04-01",
            "assessed_at_1": "20:00:00",
            "max_temp_c": "39.0",
            "hypotension": "on",
            "vasopressors": "2",
            "oxygen_device": "none",
        },
    )
    assert response.status_code == 302
    assessment = CrsAssessment.objects.get()
    assert assessment.grade == 4
    page = _client(coordinator_a).get(f"/admin/safety/crsassessment/{assessment.pk}/change/")
    assert b'<div class="readonly">4</div>' in page.content


def test_a_rule_error_shows_on_the_crs_form(infused, coordinator_a, clock):
    clock.days(1)
    response = _client(coordinator_a).post(
        "/admin/safety/crsassessment/add/",
        {
            "subject": infused.pk,
            "assessed_at_0": "2026-04-01",
            "assessed_at_1": "20:00:00",
            "max_temp_c": "39.0",
            "vasopressors": "0",
            "oxygen_device": "nasal_cannula",
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["oxygen_flow_l_min"] == ["nasal_cannula needs oxygen_flow_l_min"]
    assert CrsAssessment.objects.count() == 0


def test_an_ae_is_entered_with_its_grade_at_onset(infused, coordinator_a, clock):
    clock.days(2)
    response = _client(coordinator_a).post(
        "/admin/safety/adverseevent/add/",
        {
            "subject": infused.pk,
            "term": "Sepsis",
            "onset_date": "2026-04-02",
            "grade": "3",
            "relation_car_nk": "possible",
            "relation_lymphodepletion": "unlikely",
            "action_taken": "treatment_given",
            "outcome": "recovering",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    ae = AdverseEvent.objects.get()
    assert (ae.worst_grade, list(ae.grades.values_list("grade", flat=True))) == (3, [3])


def test_the_ae_list_shows_the_sae_deadline(infused, coordinator_a, monitor_a, clock):
    from datetime import UTC, datetime

    from safety.services import ae_save

    clock.days(2)
    ae_save(
        user=coordinator_a,
        data={
            "subject": infused,
            "term": "Sepsis",
            "onset_date": datetime(2026, 4, 2, tzinfo=UTC).date(),
            "grade": 3,
            "serious": True,
            "sc_hospitalization": True,
            "aware_at": datetime(2026, 4, 2, 8, tzinfo=UTC),
        },
    )
    page = _client(monitor_a).get("/admin/safety/adverseevent/")
    assert b"due 2026-04-03 08:00" in page.content


@pytest.mark.parametrize(
    "model",
    [
        "adverseevent",
        "aegrade",
        "crsassessment",
        "icansassessment",
        "labresult",
        "dltcandidate",
        "dltcriteriaconfig",
    ],
)
def test_every_safety_admin_page_renders(model, infused, clock):
    root = get_user_model().objects.create(username="root", is_superuser=True, is_staff=True)
    client = _client(root)
    assert client.get(f"/admin/safety/{model}/").status_code == 200
    if model != "dltcandidate":
        assert client.get(f"/admin/safety/{model}/add/").status_code == 200
