"""Follow-up for the demo trial (loaded by `manage.py seed_demo` last): the default visit
schedule, AML histories, tocilizumab for the CRS, visits, response assessments (CR, CRi, PD)
and one end-of-study record."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from dosing.models import Enrollment
from safety import services as safety
from safety.models import AdverseEvent
from screening import services as screening

from . import services

LAB_CRS = ["visit", "labs", "crs", "icans"]
# code, label, target day, window before, window after, expected CRFs
SCHEDULE = [
    ("SCR", "Screening", -10, 4, 4, ["visit"]),
    ("LD", "Lymphodepletion", -4, 1, 1, ["visit"]),
    ("D0", "Infusion (day 0)", 0, 0, 0, ["visit", "labs"]),
    *[(f"D{d}", f"Day {d}", d, 0, 0, LAB_CRS) for d in range(1, 8)],
    ("D10", "Day 10", 10, 1, 1, ["visit", "labs"]),
    ("D14", "Day 14", 14, 2, 2, ["visit", "labs"]),
    ("D21", "Day 21", 21, 2, 2, ["visit", "labs"]),
    ("D28", "Day 28: end of DLT window, first response", 28, 3, 3, ["visit", "labs", "response"]),
    ("M2", "Month 2", 60, 7, 7, ["visit", "labs", "response"]),
    ("M3", "Month 3", 90, 7, 7, ["visit", "labs", "response"]),
    ("M6", "Month 6", 180, 14, 14, ["visit", "labs", "response"]),
    ("M9", "Month 9", 270, 14, 14, ["visit", "labs", "response"]),
    ("M12", "Month 12", 365, 14, 14, ["visit", "labs", "response"]),
]

# baseline marrow blasts %, disease status, ELN risk, prior lines; then responses at day 28
HISTORIES = [
    (Decimal("40"), "relapsed", "adverse", ["7+3 (daunorubicin, cytarabine)", "FLAG-IDA"]),
    (Decimal("25"), "refractory", "intermediate", ["7+3", "azacitidine + venetoclax"]),
    (Decimal("60"), "relapsed_refractory", "adverse", ["7+3", "CLAG-M", "decitabine"]),
]
RESPONSES = {
    0: {
        "marrow_blasts_pct": Decimal("2"),
        "circulating_blasts": False,
        "auer_rods": False,
        "extramedullary_disease": False,
        "anc": Decimal("1.6"),
        "platelets": Decimal("132"),
        "mrd_pct": Decimal("0.04"),
        "investigator_response": "CR",
    },
    1: {
        "marrow_blasts_pct": Decimal("3"),
        "circulating_blasts": False,
        "auer_rods": False,
        "extramedullary_disease": False,
        "anc": Decimal("0.4"),
        "platelets": Decimal("38"),
        "mrd_pct": Decimal("0.3"),
        "investigator_response": "CRi",
    },
    2: {
        "marrow_blasts_pct": Decimal("95"),
        "circulating_blasts": True,
        "auer_rods": False,
        "extramedullary_disease": False,
        "anc": Decimal("0.2"),
        "platelets": Decimal("12"),
        "investigator_response": "PD",
    },
}


def _schedule(study, user):
    if study.visit_definitions.exists():
        return 0
    for order, (code, label, day, before, after, crfs) in enumerate(SCHEDULE, start=1):
        services.visit_definition_save(
            user=user,
            data={
                "study": study,
                "code": code,
                "label": label,
                "target_day": day,
                "window_before": before,
                "window_after": after,
                "expected_crfs": crfs,
                "order": order,
            },
        )
    return len(SCHEDULE)


def seed_demo(*, context: dict) -> list[str]:
    study, users = context["study"], context["users"]
    created = []
    if _schedule(study, users["datamanager"]):
        created.append("default visit schedule (placeholder)")
    enrollments = list(
        Enrollment.objects.filter(cohort__study=study, subject__is_demo=True)
        .select_related("subject", "dlt_evaluation")
        .order_by("pk")
    )
    if not enrollments or enrollments[0].subject.medical_histories.exists():
        return created
    nurse = users["coordinator"]
    definitions = {d.code: d for d in study.visit_definitions.all()}
    today = timezone.localdate()

    for index, enrollment in enumerate(enrollments):
        subject, day0 = enrollment.subject, enrollment.dlt_evaluation.day0
        blasts, status, risk, lines = HISTORIES[index % len(HISTORIES)]
        history = screening.medical_history_save(
            user=nurse,
            data={
                "subject": subject,
                "diagnosis_date": day0 - timedelta(days=420 + 30 * index),
                "classification_system": "who_2022",
                "classification": "AML with myelodysplasia-related changes",
                "eln_risk": risk,
                "disease_status": status,
                "baseline_marrow_date": day0 - timedelta(days=9),
                "baseline_marrow_blasts_pct": blasts,
                "baseline_extramedullary_disease": False,
            },
        )
        for line, regimen in enumerate(lines, start=1):
            start = day0 - timedelta(days=400 - 90 * line)
            screening.prior_therapy_save(
                user=nurse,
                data={
                    "medical_history": history,
                    "line": line,
                    "regimen": regimen,
                    "start_date": start,
                    "end_date": start + timedelta(days=56),
                    "best_response": "CR" if line == 1 else "SD",
                },
            )
        for code in ("D0", "D7", "D14", "D28", "M2"):
            definition = definitions[code]
            planned = day0 + timedelta(days=definition.target_day)
            if planned > today - timedelta(days=definition.window_after + 1):
                continue
            if code == "M2" and index == 2:
                continue  # off study on day 35
            missed = code == "D14" and index == 1
            services.visit_record(
                user=nurse,
                data={
                    "subject": subject,
                    "definition": definition,
                    "missed": missed,
                    "missed_reason": "Patient admitted to another hospital" if missed else "",
                    "actual_date": None
                    if missed
                    else planned + timedelta(days=1 if code == "M2" else 0),
                },
            )
        if index < 3:
            assessment_day = day0 + timedelta(days=28)
            if assessment_day <= today:
                services.response_assessment_record(
                    user=nurse,
                    data={
                        "subject": subject,
                        "assessment_date": assessment_day,
                        "marrow_assessment_date": assessment_day - timedelta(days=1),
                        **RESPONSES[index],
                    },
                )
    # tocilizumab for the grade 4 CRS of cohort 2
    crs = AdverseEvent.objects.filter(
        subject__is_demo=True, term="Cytokine release syndrome"
    ).first()
    if crs is not None:
        safety.conmed_save(
            user=nurse,
            data={
                "subject": crs.subject,
                "name": "Tocilizumab",
                "category": "tocilizumab",
                "indication": "Cytokine release syndrome",
                "adverse_event": crs,
                "dose": Decimal("8"),
                "dose_unit": "mg/kg",
                "route": "iv",
                "frequency": "once",
                "start_date": crs.onset_date + timedelta(days=2),
                "stop_date": crs.onset_date + timedelta(days=2),
            },
        )
    # the progressing patient leaves the study for salvage therapy
    progressing = enrollments[2]
    end = progressing.dlt_evaluation.day0 + timedelta(days=35)
    if end <= today:
        services.disposition_record(
            user=nurse,
            data={
                "subject": progressing.subject,
                "end_of_dlt_period_date": progressing.dlt_evaluation.window_end,
                "end_of_treatment_date": progressing.dlt_evaluation.day0,
                "end_of_study_date": end,
                "end_of_study_reason": "investigator_decision",
                "reason_detail": "Progressive disease at day 28; off study for salvage therapy.",
                "last_known_alive_date": end,
            },
        )
    # the patient who missed day 14 (admitted elsewhere): a deviation the site logged
    missed_d14 = enrollments[1] if len(enrollments) > 1 else None
    if missed_d14 is not None and missed_d14.subject.visits.filter(missed=True).exists():
        services.deviation_record(
            user=nurse,
            data={
                "subject": missed_d14.subject,
                "category": "visit_window",
                "deviation_date": missed_d14.dlt_evaluation.day0 + timedelta(days=14),
                "description": "Day 14 visit missed: patient admitted to another hospital; "
                "labs from that hospital obtained.",
                "severity": "minor",
                "corrective_action": "Outside labs filed as source; patient given a contact card.",
            },
        )
    created.append(
        "AML histories, visits, day-28 responses (CR, CRi, PD), tocilizumab, one end of study, "
        "one protocol deviation"
    )
    return created
