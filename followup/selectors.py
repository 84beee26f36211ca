"""Reads of follow-up data: the visit calendar, overdue CRFs and the response summary."""

from collections import defaultdict
from datetime import date, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from dosing.models import DltEvaluation, Enrollment
from safety.models import CrsAssessment, IcansAssessment, LabResult
from screening.models import Subject
from trial.selectors import scope_to_sites, study_list

from . import rules
from .models import (
    CRF_TYPES,
    Disposition,
    ProtocolDeviation,
    ResponseAssessment,
    Visit,
    VisitDefinition,
)


def day0(subject: Subject) -> date | None:
    return (
        DltEvaluation.objects.filter(enrollment__subject=subject)
        .values_list("day0", flat=True)
        .first()
    )


def end_of_study(subject: Subject) -> Disposition | None:
    return subject.dispositions.filter(is_voided=False).first()


def visit_definition_list(*, user) -> QuerySet[VisitDefinition]:
    return VisitDefinition.objects.filter(study__in=study_list(user=user)).select_related("study")


def visit_list(*, user) -> QuerySet[Visit]:
    return scope_to_sites(
        Visit.objects.select_related("subject__site", "definition"), user, site_path="subject__site"
    )


def response_list(*, user) -> QuerySet[ResponseAssessment]:
    return scope_to_sites(
        ResponseAssessment.objects.select_related("subject__site", "visit"),
        user,
        site_path="subject__site",
    )


def disposition_list(*, user) -> QuerySet[Disposition]:
    return scope_to_sites(
        Disposition.objects.select_related("subject__site"), user, site_path="subject__site"
    )


def deviation_list(*, user) -> QuerySet[ProtocolDeviation]:
    return scope_to_sites(
        ProtocolDeviation.objects.select_related("subject__site"), user, site_path="subject__site"
    )


def visit_calendar(subject: Subject) -> list[dict]:
    """Every scheduled visit of the subject: planned date and window from day 0, and what was
    recorded (date, missed, out of window); visits after the end of study are dropped."""
    start = day0(subject)
    if start is None:
        return []
    end = end_of_study(subject)
    recorded = {v.definition_id: v for v in subject.visits.filter(is_voided=False)}
    rows = []
    for definition in subject.site.study.visit_definitions.order_by("order"):
        planned = start + timedelta(days=definition.target_day)
        if end is not None and planned > end.end_of_study_date:
            continue
        visit = recorded.get(definition.pk)
        rows.append(
            {
                "definition": definition,
                "planned_date": planned,
                "window_start": planned - timedelta(days=definition.window_before),
                "window_end": planned + timedelta(days=definition.window_after),
                "visit": visit,
                "status": (
                    "missed" if visit.missed else "out of window" if visit.out_of_window else "done"
                )
                if visit
                else "planned",
            }
        )
    return rows


def overdue_forms(*, user, today: date | None = None) -> list[dict]:
    """The expected CRFs of past visits that are missing, per site and subject, with days overdue.

    A fixed number of queries, whatever the number of subjects."""
    today = today or timezone.localdate()
    enrollments = list(
        scope_to_sites(
            Enrollment.objects.filter(dlt_evaluation__day0__isnull=False, subject__is_voided=False),
            user,
            site_path="subject__site",
        ).select_related("subject__site", "dlt_evaluation")
    )
    subject_ids = [e.subject_id for e in enrollments]
    definitions = defaultdict(list)
    for definition in VisitDefinition.objects.filter(
        study__in={e.subject.site.study_id for e in enrollments}
    ):
        definitions[definition.study_id].append(definition)
    ends = dict(
        Disposition.objects.filter(subject_id__in=subject_ids, is_voided=False).values_list(
            "subject_id", "end_of_study_date"
        )
    )
    visits = {
        (v.subject_id, v.definition_id): v
        for v in Visit.objects.filter(subject_id__in=subject_ids, is_voided=False)
    }
    dated: dict[tuple[str, int], list[date]] = defaultdict(list)
    for subject_id, day in LabResult.objects.filter(
        subject_id__in=subject_ids, is_voided=False
    ).values_list("subject_id", "collected_on"):
        dated[("labs", subject_id)].append(day)
    for crf, model in (("crs", CrsAssessment), ("icans", IcansAssessment)):
        for subject_id, moment in model.objects.filter(
            subject_id__in=subject_ids, is_voided=False
        ).values_list("subject_id", "assessed_at"):
            dated[(crf, subject_id)].append(timezone.localdate(moment))
    for subject_id, day in ResponseAssessment.objects.filter(
        subject_id__in=subject_ids, is_voided=False
    ).values_list("subject_id", "assessment_date"):
        dated[("response", subject_id)].append(day)

    rows = []
    for enrollment in enrollments:
        subject = enrollment.subject
        start = enrollment.dlt_evaluation.day0
        for definition in sorted(definitions[subject.site.study_id], key=lambda d: d.order):
            planned = start + timedelta(days=definition.target_day)
            earliest = planned - timedelta(days=definition.window_before)
            latest = planned + timedelta(days=definition.window_after)
            end = ends.get(subject.pk)
            if latest >= today or (end is not None and planned > end):
                continue
            visit = visits.get((subject.pk, definition.pk))
            if visit is not None and visit.missed:
                continue
            for crf in definition.expected_crfs:
                if crf == "visit":
                    present = visit is not None
                else:
                    present = any(earliest <= day <= latest for day in dated[(crf, subject.pk)])
                if not present:
                    rows.append(
                        {
                            "site": subject.site.code,
                            "subject": subject.pk,
                            "screening_number": subject.screening_number,
                            "visit": definition.code,
                            "visit_label": definition.label,
                            "definition": definition.pk,
                            "crf": crf,
                            "form": CRF_TYPES[crf],
                            "planned_date": planned,
                            "window_end": latest,
                            "days_overdue": (today - latest).days,
                        }
                    )
    rows.sort(key=lambda r: (r["site"], r["screening_number"], r["planned_date"], r["crf"]))
    return rows


def _interval(x: int, n: int) -> dict:
    if n == 0:
        return {"n": 0, "rate": None, "ci_low": None, "ci_high": None}
    low, high = rules.clopper_pearson(x, n)
    return {"n": x, "rate": x / n, "ci_low": low, "ci_high": high}


def response_summary(*, user, study) -> dict:
    """Per dose level and overall: evaluable subjects, best overall response counts, CRc and ORR
    with exact 95% intervals, MRD-negative CRc, and per subject the time to first response and
    the duration of remission (censored at the last assessment)."""
    enrollments = list(
        scope_to_sites(
            Enrollment.objects.filter(cohort__study=study, dlt_evaluation__day0__isnull=False),
            user,
            site_path="subject__site",
        ).select_related("subject", "cohort__dose_level", "dlt_evaluation")
    )
    assessments = defaultdict(list)
    for assessment in ResponseAssessment.objects.filter(
        subject_id__in=[e.subject_id for e in enrollments], is_voided=False
    ).order_by("assessment_date", "pk"):
        assessments[assessment.subject_id].append(assessment)

    per_subject = []
    for enrollment in enrollments:
        own = assessments.get(enrollment.subject_id, [])
        if not own:
            continue
        start = enrollment.dlt_evaluation.day0
        best = rules.best_overall_response([a.response for a in own])
        first_response = next((a for a in own if a.response in rules.ORR), None)
        first_remission = next((a for a in own if a.response in rules.CRC), None)
        relapse = next(
            (
                a
                for a in own
                if first_remission
                and a.response == "relapse"
                and a.assessment_date > first_remission.assessment_date
            ),
            None,
        )
        duration = None
        if first_remission is not None:
            until = relapse.assessment_date if relapse else own[-1].assessment_date
            duration = {
                "days": (until - first_remission.assessment_date).days,
                "censored": relapse is None,
            }
        per_subject.append(
            {
                "subject": enrollment.subject_id,
                "screening_number": enrollment.subject.screening_number,
                "dose": enrollment.cohort.dose_level.number,
                "best_response": best,
                "mrd_negative_crc": any(a.response in rules.CRC and a.mrd_negative for a in own),
                "days_to_first_response": (first_response.assessment_date - start).days
                if first_response
                else None,
                "remission_duration": duration,
            }
        )

    def block(rows: list[dict]) -> dict:
        counts = {
            category: sum(r["best_response"] == category for r in rows)
            for category in (*rules.BEST_ORDER, "NE")
        }
        crc = sum(r["best_response"] in rules.CRC for r in rows)
        orr = sum(r["best_response"] in rules.ORR for r in rows)
        return {
            "evaluable": len(rows),
            "best_response": counts,
            "crc": _interval(crc, len(rows)),
            "orr": _interval(orr, len(rows)),
            "mrd_negative_crc": sum(r["mrd_negative_crc"] for r in rows),
        }

    doses = sorted({e.cohort.dose_level.number for e in enrollments})
    return {
        "study": study.registry_id,
        "overall": block(per_subject),
        "doses": [{"dose": d, **block([r for r in per_subject if r["dose"] == d])} for d in doses],
        "subjects": per_subject,
    }
