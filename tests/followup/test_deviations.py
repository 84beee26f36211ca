"""Protocol deviations: entered by the site, or raised by the service that finds one in the data
(an infusion at another dose level than the cohort's), never silently; listed in the casebook,
on the dashboard and in the exports."""

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from dosing.models import DltEvaluation, Infusion
from exports import sdtm
from exports.datasets import DATASETS, rows
from followup import services
from followup.models import ProtocolDeviation
from monitoring.selectors import casebook

pytestmark = pytest.mark.django_db


def _infuse_off_cohort(api, coordinator_a, enrollment, dose_level, **extra):
    return api(coordinator_a).post(
        "/api/v1/infusions/",
        {
            "enrollment": enrollment.pk,
            "started_at": datetime.now(UTC).isoformat(),
            "dose_level": dose_level.pk,
            "actual_cells_per_kg_million": str(dose_level.cells_per_kg_million),
            **extra,
        },
        format="json",
    )


def test_an_infusion_at_another_dose_level_needs_a_deviation_and_raises_it(
    api, eligible, first_cohort, enroll, dose_levels, coordinator_a, clock
):
    enrollment = enroll(eligible(), first_cohort)  # cohort 1 at dose level 1
    clock.days(7)

    refused = _infuse_off_cohort(api, coordinator_a, enrollment, dose_levels[2])

    assert refused.status_code == 400
    assert refused.json() == {
        "deviation_description": [
            "Dose level 3 differs from the cohort's dose level 1: a protocol deviation, after "
            "which the patient is not DLT-evaluable. Describe what happened to save the infusion."
        ]
    }
    assert not Infusion.objects.exists() and not ProtocolDeviation.objects.exists()

    saved = _infuse_off_cohort(
        api,
        coordinator_a,
        enrollment,
        dose_levels[2],
        deviation_description="Bag of the DL3 cohort picked up by mistake.",
    )

    assert saved.status_code == 201, saved.json()
    infusion = Infusion.objects.get()
    (deviation,) = ProtocolDeviation.objects.all()
    assert (
        deviation.subject,
        deviation.category,
        deviation.severity,
        deviation.rule,
        deviation.source,
        deviation.deviation_date,
    ) == (
        enrollment.subject,
        "dosing",
        "major",
        "off_cohort_dose",
        f"dosing.infusion #{infusion.pk}",
        date(2026, 4, 8),
    )
    assert deviation.description == (
        "Infusion 1 at dose level 3, cohort 1 at dose level 1: "
        "Bag of the DL3 cohort picked up by mistake."
    )
    (created,) = deviation.history.all()
    assert (created.history_user, created.history_change_reason) == (
        coordinator_a,
        f"Raised by rule off_cohort_dose (dosing.infusion #{infusion.pk})",
    )
    evaluation = DltEvaluation.objects.get(enrollment=enrollment)
    assert (evaluation.status, evaluation.replace) == ("not_evaluable", True)
    assert evaluation.history.first().history_change_reason == (
        "Infusion 1 recorded at another dose than the cohort's (protocol deviation)"
    )


def test_the_deviation_shows_in_the_casebook_the_dashboard_and_the_export(
    api, eligible, first_cohort, enroll, dose_levels, coordinator_a, data_manager_a, clock
):
    enrollment = enroll(eligible(), first_cohort)
    clock.days(7)
    _infuse_off_cohort(
        api, coordinator_a, enrollment, dose_levels[1], deviation_description="Wrong bag."
    )
    deviation = ProtocolDeviation.objects.get()

    book = casebook(subject=enrollment.subject)
    listed = [r for section in book["after"] for r in section["rows"]]
    assert [r["record"] for r in listed if r["label"] == "followup.protocoldeviation"] == [
        deviation
    ]

    client = Client()
    client.force_login(data_manager_a)
    block = client.get("/admin/").context["dashboard"]["deviations"]
    assert (block["total"], block["major"], block["unreported"]) == (1, 1, [deviation])

    header, line = list(rows(DATASETS["deviations"], user=data_manager_a))
    exported = dict(zip(header, line, strict=True))
    assert (exported["id"], exported["rule"], exported["category"]) == (
        str(deviation.pk),
        "off_cohort_dose",
        "dosing",
    )

    (dv,) = list(sdtm.domain_rows("DV", user=data_manager_a, study=first_cohort.study))
    assert (dv["DVSEQ"], dv["DVTERM"], dv["DVDECOD"], dv["DVCAT"], dv["DVSCAT"]) == (
        1,
        deviation.description,
        "OFF_COHORT_DOSE",
        "DOSING",
        "MAJOR",
    )


def test_a_site_records_a_deviation_with_its_reports(api, consented_subject, coordinator_a, clock):
    response = api(coordinator_a).post(
        "/api/v1/deviations/",
        {
            "subject": consented_subject.pk,
            "category": "consent",
            "deviation_date": "2026-03-25",
            "description": "Screening labs drawn before the consent was signed.",
            "severity": "major",
            "corrective_action": "Staff retrained on the consent procedure.",
            "sponsor_reported_on": "2026-03-27",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["rule"], response.json()["source"]) == ("", "")


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"description": " "}, {"description": ["Describe what departed from the protocol."]}),
        (
            {"deviation_date": date(2026, 4, 2)},
            {"deviation_date": ["The deviation is dated in the future."]},
        ),
        (
            {"sponsor_reported_on": date(2026, 3, 20)},
            {"sponsor_reported_on": ["A deviation is reported after it happened."]},
        ),
    ],
)
def test_a_deviation_is_refused_when_its_dates_or_text_are_wrong(
    consented_subject, coordinator_a, clock, data, errors
):
    with pytest.raises(ValidationError) as excinfo:
        services.deviation_record(
            user=coordinator_a,
            data={
                "subject": consented_subject,
                "category": "procedure",
                "deviation_date": date(2026, 3, 25),
                "description": "Marrow aspirate not sent to the central lab.",
                "severity": "minor",
                **data,
            },
        )
    assert excinfo.value.message_dict == errors
    assert not ProtocolDeviation.objects.exists()


def test_a_visit_outside_its_window_raises_a_minor_deviation_once(
    infused, schedule, coordinator_a, clock
):
    clock.days(12)
    visit = services.visit_record(
        user=coordinator_a,
        data={"subject": infused, "definition": schedule["D7"], "actual_date": date(2026, 4, 10)},
    )
    services.visit_record(
        user=coordinator_a, instance=visit, data={"actual_date": date(2026, 4, 11)}, reason="typo"
    )

    (deviation,) = ProtocolDeviation.objects.all()
    assert (deviation.category, deviation.severity, deviation.rule, deviation.source) == (
        "visit_window",
        "minor",
        "visit_out_of_window",
        f"followup.visit #{visit.pk}",
    )
    assert deviation.description == (
        "Day 7 on 2026-04-10, outside its window 2026-04-08 to 2026-04-08 (planned 2026-04-08)."
    )


def test_an_sae_reported_after_24_hours_raises_a_safety_reporting_deviation(
    infused, coordinator_a, clock
):
    from datetime import timedelta

    from safety.services import ae_save

    clock.days(3)
    aware = datetime(2026, 4, 2, 8, 0, tzinfo=UTC)
    sae = ae_save(
        user=coordinator_a,
        data={
            "subject": infused,
            "term": "Hypoxia",
            "onset_date": date(2026, 4, 2),
            "grade": 3,
            "serious": True,
            "sc_hospitalization": True,
            "aware_at": aware,
            "reported_at": aware + timedelta(hours=30),
        },
    )
    (deviation,) = ProtocolDeviation.objects.all()
    assert (deviation.category, deviation.severity, deviation.rule, deviation.source) == (
        "safety_reporting",
        "major",
        "sae_reported_late",
        f"safety.adverseevent #{sae.pk}",
    )
    assert "6.0 hours after the 24-hour deadline" in deviation.description


def test_an_sae_reported_in_time_raises_nothing(infused, coordinator_a, clock):
    from datetime import timedelta

    from safety.services import ae_save

    clock.days(3)
    aware = datetime(2026, 4, 2, 8, 0, tzinfo=UTC)
    ae_save(
        user=coordinator_a,
        data={
            "subject": infused,
            "term": "Hypoxia",
            "onset_date": date(2026, 4, 2),
            "grade": 3,
            "serious": True,
            "sc_hospitalization": True,
            "aware_at": aware,
            "reported_at": aware + timedelta(hours=24),
        },
    )
    assert not ProtocolDeviation.objects.exists()
