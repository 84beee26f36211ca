import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(db):
    user = get_user_model().objects.create(username="root", is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(user)
    return client


def test_the_visit_calendar_page(infused, schedule, coordinator_a, clock):
    clock.days(9)
    client = Client()  # signed in now: a session ends after 15 idle minutes
    client.force_login(coordinator_a)
    page = client.get(f"/admin/followup/visit/calendar/{infused.pk}/")
    assert page.status_code == 200
    assert [(r["definition"].code, r["status"]) for r in page.context["rows"]] == [
        ("D0", "planned"),
        ("D7", "planned"),
        ("D28", "planned"),
        ("M2", "planned"),
    ]
    subject_page = client.get(f"/admin/screening/subject/{infused.pk}/change/")
    assert f"/admin/followup/visit/calendar/{infused.pk}/".encode() in subject_page.content


def test_the_eligibility_form_shows_the_disease_history(
    consented_subject, assess, coordinator_a, clock
):
    from datetime import date

    from screening.services import medical_history_save

    medical_history_save(
        user=coordinator_a,
        data={
            "subject": consented_subject,
            "diagnosis_date": date(2025, 1, 1),
            "classification_system": "who_2022",
            "classification": "AML with NPM1 mutation",
            "eln_risk": "favorable",
            "disease_status": "relapsed",
        },
    )
    assessment = assess(consented_subject)
    client = Client()
    client.force_login(coordinator_a)
    page = client.get(f"/admin/screening/eligibilityassessment/{assessment.pk}/change/")
    assert b"Relapsed since 2025-01-01 (AML with NPM1 mutation" in page.content


@pytest.mark.parametrize(
    "url",
    [
        "/admin/followup/visitdefinition/",
        "/admin/followup/visitdefinition/add/",
        "/admin/followup/visit/",
        "/admin/followup/visit/add/",
        "/admin/followup/responseassessment/",
        "/admin/followup/responseassessment/add/",
        "/admin/followup/disposition/",
        "/admin/followup/disposition/add/",
        "/admin/screening/medicalhistory/",
        "/admin/screening/medicalhistory/add/",
        "/admin/screening/priortherapy/",
        "/admin/safety/conmed/",
        "/admin/safety/conmed/add/",
    ],
)
def test_every_follow_up_admin_page_renders(root, url, infused):
    assert root.get(url).status_code == 200
