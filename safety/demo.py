"""Safety data for the demo trial (loaded by `manage.py seed_demo` after the dosing demo):
cohort 2's grade 4 CRS, flagged as a DLT candidate, accepted and adjudicated; an ICANS episode,
a hematologic SAE, graded labs; then the committee's decision and cohort 3."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from dosing import services as dosing
from dosing.demo import _patient, _treat
from dosing.models import Cohort, EscalationDecision

from . import services
from .models import DltCandidate


def _at(day, hour):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def seed_demo(*, context: dict) -> list[str]:
    study, users = context["study"], context["users"]
    second = Cohort.objects.filter(study=study, sequence=2).first()
    if second is None or EscalationDecision.objects.filter(cohort=second).exists():
        return []
    nurse, investigator, reviewer = (
        users["coordinator"],
        users["investigator"],
        users["safetyreviewer"],
    )
    enrollments = list(
        second.enrollments.select_related("subject", "dlt_evaluation").order_by("pk")
    )
    sick, neuro, other = (e.subject for e in enrollments)
    day0 = {e.subject_id: e.dlt_evaluation.day0 for e in enrollments}

    # grade 1 CRS on day 1, grade 4 on day 3 (two vasopressors): a DLT candidate
    d0 = day0[sick.pk]
    for day, inputs in (
        (1, {"max_temp_c": Decimal("38.4")}),
        (
            3,
            {
                "max_temp_c": Decimal("39.6"),
                "hypotension": True,
                "vasopressors": 2,
                "oxygen_device": "facemask",
            },
        ),
        (5, {"max_temp_c": Decimal("37.2"), "fever_masked": True, "hypotension": True}),
    ):
        services.crs_assessment_record(
            user=nurse,
            data={"subject": sick, "assessed_at": _at(d0 + timedelta(days=day), 8), **inputs},
        )
    crs = sick.adverse_events.get(term="Cytokine release syndrome")
    services.ae_save(
        user=nurse,
        instance=crs,
        reason="Causality and SAE report",
        data={
            "relation_car_nk": "definite",
            "relation_lymphodepletion": "unlikely",
            "action_taken": "treatment_given",
            "outcome": "recovered",
            "resolution_date": d0 + timedelta(days=9),
            "serious": True,
            "sc_life_threatening": True,
            "sc_hospitalization": True,
            "aware_at": _at(d0 + timedelta(days=3), 9),
            "reported_at": _at(d0 + timedelta(days=3), 17),
        },
    )
    candidate = DltCandidate.objects.get(subject=sick, clause="crs_grade_4")
    services.dlt_candidate_accept(user=investigator, candidate=candidate)
    evaluation = candidate.dlt_evaluation
    dosing.dlt_confirm(user=investigator, evaluation=evaluation, as_role="investigator")
    dosing.dlt_confirm(user=reviewer, evaluation=evaluation, as_role="safety_reviewer")

    # grade 1 ICANS (ICE 8) on day 4 for the second patient: no DLT
    services.icans_assessment_record(
        user=nurse,
        data={
            "subject": neuro,
            "assessed_at": _at(day0[neuro.pk] + timedelta(days=4), 10),
            "ice_score": 8,
        },
    )
    # febrile neutropenia, grade 3, serious but hematologic: not a DLT
    services.ae_save(
        user=nurse,
        data={
            "subject": other,
            "term": "Febrile neutropenia",
            "onset_date": day0[other.pk] + timedelta(days=6),
            "grade": 3,
            "relation_car_nk": "possible",
            "relation_lymphodepletion": "probable",
            "action_taken": "treatment_given",
            "outcome": "recovered",
            "resolution_date": day0[other.pk] + timedelta(days=11),
            "serious": True,
            "sc_hospitalization": True,
            "aware_at": _at(day0[other.pk] + timedelta(days=6), 7),
            "reported_at": _at(day0[other.pk] + timedelta(days=6), 15),
        },
    )
    for subject in (sick, neuro, other):
        on = day0[subject.pk] + timedelta(days=7)
        for test, value, unit, limits in (
            ("alt", "88", "U/L", {"uln": "40"}),
            ("neutrophils", "0.3", "10^9/L", {"lln": "1.8"}),
            ("platelets", "42", "10^9/L", {"lln": "125"}),
            ("hemoglobin", "8.1", "g/dL", {"lln": "11.5"}),
        ):
            services.lab_result_record(
                user=nurse,
                data={
                    "subject": subject,
                    "collected_on": on,
                    "test": test,
                    "value": Decimal(value),
                    "unit": unit,
                    **{k: Decimal(v) for k, v in limits.items()},
                },
            )

    # the committee: 1 DLT in 3 at DL2 -> three more at DL2
    levels = {level.number: level for level in study.dose_levels.filter(is_voided=False)}
    dosing.escalation_decision_record(
        user=reviewer, data={"cohort": second, "action": "stay", "next_dose_level": levels[2]}
    )
    third = Cohort.objects.get(study=study, sequence=3)
    ctx = {
        "site": context["site"],
        "nurse": nurse,
        "investigator": investigator,
        "regimen": study.regimens.get(),
    }
    today = timezone.localdate()
    _treat(
        ctx,
        third,
        _patient(ctx, born=date(1988, 9, 9), sex="M", screened=today - timedelta(days=17)),
        day0=today - timedelta(days=5),
    )
    return [
        "safety data (grade 4 CRS adjudicated as DLT, ICANS, SAEs, labs), decision on cohort 2, cohort 3 open"
    ]
