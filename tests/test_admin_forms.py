"""Computed values on the admin forms: read-only, and saying that they are computed and by which
rule, on a demo record's page (where site staff see them)."""

import html

import pytest
from django.apps import apps
from django.test import Client

from trial.models import User

pytestmark = pytest.mark.django_db

# record type -> the derived values its form shows
DERIVED = {
    "screening.subject": ["status", "screening_number"],
    "safety.adverseevent": ["worst_grade", "report_deadline"],
    "safety.crsassessment": ["grade"],
    "safety.icansassessment": ["grade"],
    "safety.labresult": ["ctcae_grade", "value_standard"],
    "safety.dltcandidate": ["status"],
    "dosing.dltevaluation": ["day0", "window_end", "status", "replace"],
    "dosing.infusion": ["partial_dose"],
    "dosing.escalationdecision": ["recommended_action", "agrees"],
    "followup.visit": ["planned_date", "out_of_window"],
    "followup.responseassessment": ["response"],
}


@pytest.mark.parametrize(("label", "fields"), DERIVED.items(), ids=list(DERIVED))
def test_a_derived_value_is_read_only_and_says_how_it_is_computed(demo_db, label, fields):
    model = apps.get_model(label)
    record = model._base_manager.order_by("pk").first()
    client = Client()
    client.force_login(User.objects.get(username="admin"))

    response = client.get(
        f"/admin/{model._meta.app_label}/{model._meta.model_name}/{record.pk}/change/"
    )

    assert response.status_code == 200
    page = response.content.decode()
    form = response.context["adminform"].form
    for name in fields:
        field = model._meta.get_field(name)
        assert not field.editable, f"{label}.{name} can be typed in"
        assert name not in form.fields, f"{label}.{name} is an input on the form"
        assert field.help_text.split()[0] in {
            "Computed",
            "Derived",
            "Derived:",
            "Computed:",
            "Assigned",
            "ASTCT",
            "CTCAE",
        }, f"{label}.{name}: {field.help_text!r}"
        assert str(field.help_text) in html.unescape(page), f"{label}.{name}"


def test_the_eligibility_verdict_is_computed_beside_the_protocols_criteria(demo_db):
    from screening import rules
    from screening.models import EligibilityAssessment

    assessment = EligibilityAssessment.objects.filter(eligible=False).first()
    client = Client()
    client.force_login(User.objects.get(username="coordinator"))

    response = client.get(f"/admin/screening/eligibilityassessment/{assessment.pk}/change/")

    page = html.unescape(response.content.decode())
    form = response.context["adminform"].form
    assert "eligible" not in form.fields and "criteria" not in form.fields
    assert "Computed result (read-only)" in page
    assert f"Not eligible: {', '.join(assessment.reasons)}" in page
    for code in rules.CODES:  # every criterion in the protocol's wording, with its result
        assert rules.CRITERIA[code] in page
