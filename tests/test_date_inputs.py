"""Dates: every input states its format and keeps its picker; only that format is read;
what was typed stays on the form with the expected format."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


# --- dates: format stated, picker kept, one format read, typed text kept ------------------------


def test_date_inputs_state_their_format_and_refuse_ambiguous_dates(
    coordinator_a, consented_subject
):
    client = Client()
    client.force_login(coordinator_a)
    form = client.get(f"/admin/screening/medicalhistory/add/?subject={consented_subject.pk}")
    page = form.content.decode()
    assert 'name="diagnosis_date"' in page
    assert 'class="vDateField"' in page and 'placeholder="YYYY-MM-DD"' in page
    assert "Format YYYY-MM-DD." in page

    typed = client.post(
        "/admin/screening/medicalhistory/add/",
        {
            "subject": consented_subject.pk,
            "diagnosis_date": "03/04/2025",
            "classification_system": "who_2022",
            "classification": "AML with NPM1 mutation",
            "eln_risk": "adverse",
            "disease_status": "relapsed",
        },
    )
    assert typed.status_code == 200
    errors = typed.context["adminform"].form.errors
    today = typed.context["adminform"].form.fields["diagnosis_date"].error_messages["invalid"]
    assert errors["diagnosis_date"] == [today]
    assert today.startswith("Enter the date as YYYY-MM-DD, e.g. 20")
    assert 'value="03/04/2025"' in typed.content.decode()


def test_date_time_inputs_state_both_formats(coordinator_a, consented_subject):
    client = Client()
    client.force_login(coordinator_a)
    page = client.get("/admin/safety/crsassessment/add/").content.decode()
    assert 'name="assessed_at_0"' in page and 'name="assessed_at_1"' in page
    assert 'placeholder="HH:MM"' in page
    assert "Date YYYY-MM-DD, time HH:MM (24 h), local time." in page

    typed = client.post(
        "/admin/safety/crsassessment/add/",
        {"subject": consented_subject.pk, "assessed_at_0": "2026-4-1x", "assessed_at_1": "9.30"},
    )
    errors = typed.context["adminform"].form.errors["assessed_at"]
    assert errors[0].startswith("Enter the date as YYYY-MM-DD")
    assert 'value="2026-4-1x"' in typed.content.decode()
