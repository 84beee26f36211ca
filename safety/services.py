"""The one write path for safety data: adverse events and their grade episodes, SAE reporting,
CRS/ICANS assessments (graded, rolled up into their AE), graded labs, and DLT candidates
flagged for adjudication."""

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dosing import services as dosing_services
from dosing.models import DltEvaluation
from followup.services import deviation_raise
from screening import rules as screening_rules
from screening import selectors as screening_selectors
from screening.models import Subject
from trial.models import SiteRole, Study
from trial.selectors import user_has_role
from trial.services import (
    Conflict,
    apply_data,
    audited_save,
    record_void,
    refuse_changes,
    require_data_entry,
)

from . import coding, rules
from .models import (
    AdverseEvent,
    AeGrade,
    ConMed,
    CrsAssessment,
    DltCandidate,
    DltCriteriaConfig,
    IcansAssessment,
    LabResult,
)

SAE_REPORT_HOURS = 24
CAPD_BELOW_AGE = 12


def _subject(data: Mapping[str, Any], instance) -> Subject:
    return screening_selectors.subject_for_write(data, instance)


def _dated_in_study(subject: Subject, when: date, field: str, label: str) -> None:
    """Clinical data are dated from consent to death: nothing before, nothing after."""
    first = screening_selectors.first_consent_date(subject)
    if first is None or when < first:
        raise ValidationError(
            {
                field: _("The %(label)s (%(when)s) is before consent (%(value5)s).")
                % {"label": label, "when": when, "value5": first or _("none recorded")}
            }
        )
    end = subject.dispositions.filter(is_voided=False, death_date__isnull=False).first()
    if end is not None and when > end.death_date:
        raise ValidationError(
            {
                field: _("The %(label)s (%(when)s) is after the subject's death (%(death_date)s).")
                % {"label": label, "when": when, "death_date": end.death_date}
            }
        )


def _not_in_future(when: date | datetime, field: str) -> None:
    now = timezone.now() if isinstance(when, datetime) else timezone.localdate()
    if when > now:
        raise ValidationError({field: _("This is in the future.")})


def dlt_criteria_for(study: Study) -> rules.DltCriteria:
    config = DltCriteriaConfig.objects.filter(study=study).first()
    return config.as_rule() if config else rules.DltCriteria()


def dlt_criteria_save(
    *,
    user,
    data: Mapping[str, Any],
    instance: DltCriteriaConfig | None = None,
    reason: str | None = None,
) -> DltCriteriaConfig:
    with transaction.atomic():
        config = instance or DltCriteriaConfig()
        refuse_changes(config, data, ("study",), "The criteria belong to their study.")
        return audited_save(apply_data(config, data), user=user, reason=reason)


# --- adverse events --------------------------------------------------------------------------


def _derive_ae(ae: AdverseEvent) -> None:
    kind, _heme = rules.AE_TERMS[ae.term]
    if kind in ("crs", "icans") and ae.pk:
        assessments = ae.crs_assessments if kind == "crs" else ae.icans_assessments
        grades = list(assessments.filter(is_voided=False).values_list("grade", flat=True))
    else:
        grades = list(ae.grades.values_list("grade", flat=True)) if ae.pk else []
    if grades:
        ae.worst_grade = max(grades)
    ae.report_deadline = (
        ae.aware_at + timedelta(hours=SAE_REPORT_HOURS) if ae.serious and ae.aware_at else None
    )


def _validate_ae(ae: AdverseEvent) -> None:
    errors: dict[str, str] = {}
    if ae.term == rules.OTHER_TERM and not ae.other_term.strip():
        errors["other_term"] = "Specify the term."
    if ae.term != rules.OTHER_TERM and ae.other_term.strip():
        errors["other_term"] = "Only for 'Other, specify'."
    if ae.resolution_date and ae.onset_date and ae.resolution_date < ae.onset_date:
        errors["resolution_date"] = "The AE resolves before its onset."
    if ae.worst_grade == 5 and ae.outcome != AdverseEvent.Outcome.FATAL:
        errors["outcome"] = "A grade 5 AE is fatal: set the outcome to fatal."
    if ae.outcome == AdverseEvent.Outcome.FATAL and ae.worst_grade != 5:
        errors["outcome"] = "A fatal outcome is grade 5: record grade 5."
    criteria = ae.seriousness_criteria
    if ae.serious and not criteria:
        errors["serious"] = "Tick at least one seriousness criterion (ICH E2A)."
    if criteria and not ae.serious:
        errors["serious"] = "Seriousness criteria are ticked: the AE is serious."
    if ae.serious and ae.aware_at is None:
        errors["aware_at"] = (
            "Record when the site became aware of the SAE: the 24-hour clock starts there."
        )
    if ae.reported_at and ae.aware_at and ae.reported_at < ae.aware_at:
        errors["reported_at"] = "The report cannot precede awareness."
    for name in ("aware_at", "reported_at"):
        value = getattr(ae, name)
        if value is not None and value > timezone.now():
            errors[name] = "This is in the future."
    if errors:
        raise ValidationError(errors)


def ae_save(
    *,
    user,
    data: Mapping[str, Any],
    instance: AdverseEvent | None = None,
    reason: str | None = None,
) -> AdverseEvent:
    """Record or correct an AE. On creation `data["grade"]` is the grade at onset (the first grade
    episode); later grade changes go through `ae_grade_record`."""
    data = dict(data)
    grade = data.pop("grade", None)
    with transaction.atomic():
        ae = instance or AdverseEvent()
        adding = ae._state.adding
        subject = _subject(data, instance)
        require_data_entry(user, subject.site)
        refuse_changes(ae, data, ("subject",), "An AE cannot move to another subject.")
        coded_as = (ae.term, ae.other_term)
        apply_data(ae, data)
        ae.subject = subject
        if not adding and (ae.term, ae.other_term) != coded_as:
            ae.coded_term = ae.coded_soc = ""  # the coding was of the old term: code it again
        if ae.onset_date is not None:
            _dated_in_study(subject, ae.onset_date, "onset_date", "onset")
            _not_in_future(ae.onset_date, "onset_date")
        if adding:
            if grade is None:
                raise ValidationError({"grade": _("Give the grade at onset (1-5).")})
            if not 1 <= grade <= 5:
                raise ValidationError({"grade": _("CTCAE grades are 1 to 5.")})
            ae.worst_grade = grade
        elif grade is not None:
            raise ValidationError({"grade": _("Record a grade change as a new grade episode.")})
        _derive_ae(ae)
        _validate_ae(ae)
        audited_save(ae, user=user, reason=reason)
        if adding:
            audited_save(
                AeGrade(adverse_event=ae, from_date=ae.onset_date, grade=grade),
                user=user,
                reason="Grade at onset",
            )
        elif ae.grades.exclude(from_date__gte=ae.onset_date).exists():
            raise ValidationError(
                {"onset_date": _("A grade episode starts before this onset date.")}
            )
        if ae.reported_at and ae.report_deadline and ae.reported_at > ae.report_deadline:
            late = ae.reported_at - ae.report_deadline
            deviation_raise(
                user=user,
                subject=subject,
                rule="sae_reported_late",
                category="safety_reporting",
                on=timezone.localdate(ae.reported_at),
                description=(
                    _(
                        "SAE '%(ae)s' reported %(value3)s, %(value5)s after the 24-hour deadline (%(value7)s)."
                    )
                    % {
                        "ae": ae,
                        "value3": format(timezone.localtime(ae.reported_at), "%Y-%m-%d %H:%M"),
                        "value5": _hours(late),
                        "value7": format(timezone.localtime(ae.report_deadline), "%Y-%m-%d %H:%M"),
                    }
                ),
                source=ae,
            )
        dlt_candidates_refresh(subject=subject, user=user)
        return ae


def _hours(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.1f} hours" if hours < 48 else f"{hours / 24:.1f} days"


def ae_grade_record(
    *,
    user,
    adverse_event: AdverseEvent,
    from_date: date,
    grade: int,
    outcome: str | None = None,
    reason: str | None = None,
) -> AdverseEvent:
    """A new grade from `from_date` on (the worst grade and DLT flags follow)."""
    with transaction.atomic():
        ae = (
            AdverseEvent.objects.select_for_update()
            .select_related("subject__site")
            .get(pk=adverse_event.pk)
        )
        require_data_entry(user, ae.subject.site)
        kind, _heme = rules.AE_TERMS[ae.term]
        if kind in ("crs", "icans"):
            raise ValidationError(
                {
                    "grade": _("The grade of a %(value1)s AE comes from its assessments.")
                    % {"value1": kind.upper()}
                }
            )
        if not 1 <= grade <= 5:
            raise ValidationError({"grade": _("CTCAE grades are 1 to 5.")})
        if from_date < ae.onset_date or (ae.resolution_date and from_date > ae.resolution_date):
            raise ValidationError(
                {"from_date": _("The grade episode must fall between onset and resolution.")}
            )
        _not_in_future(from_date, "from_date")
        episode = ae.grades.filter(from_date=from_date).first() or AeGrade(
            adverse_event=ae, from_date=from_date
        )
        episode.grade = grade
        audited_save(
            episode,
            user=user,
            reason=reason or ("Grade corrected" if episode.pk else "Grade changed"),
        )
        if outcome:
            ae.outcome = outcome
        _derive_ae(ae)
        _validate_ae(ae)
        audited_save(ae, user=user, reason=reason or f"Grade {grade} from {from_date}")
        dlt_candidates_refresh(subject=ae.subject, user=user)
        return ae


def ae_code(*, user, instance: AdverseEvent, term: str, soc: str, reason: str) -> AdverseEvent:
    """A data manager codes an event the CTCAE v5.0 table cannot: the MedDRA term and its system
    organ class, with the reason (audited like any change)."""
    term, soc, reason = term.strip(), soc.strip(), (reason or "").strip()
    with transaction.atomic():
        instance = AdverseEvent.objects.select_for_update().get(pk=instance.pk)
        if not user_has_role(user, SiteRole.Role.DATA_MANAGER, site=instance.subject.site):
            raise PermissionDenied(_("Adverse events are coded by the study's data managers."))
        errors = {}
        if coding.automatic(instance.term) is not None:
            errors["term"] = f"{instance.term} is coded from the CTCAE v5.0 table."
        if not term:
            errors.setdefault("term", "Give the MedDRA term.")
        if not soc:
            errors["soc"] = "Give the MedDRA system organ class."
        if not reason:
            errors["reason"] = "Say why (e.g. initial coding, or what was corrected)."
        for name, value in (("term", term), ("soc", soc)):
            if len(value) > 200 and name not in errors:
                errors[name] = "At most 200 characters."
        if instance.is_voided:
            errors["term"] = "A voided event is not coded."
        if errors:
            raise ValidationError(errors)
        instance.coded_term, instance.coded_soc = term, soc
        # coding derives AEDECOD/AEBODSYS; the site's data are unchanged, so the record's SDV
        # and the casebook's signatures stand
        instance._data_management_only = True
        return audited_save(instance, user=user, reason=reason)


def ae_void(*, user, instance: AdverseEvent, reason: str) -> AdverseEvent:
    with transaction.atomic():
        require_data_entry(user, instance.subject.site)
        record_void(user=user, instance=instance, reason=reason)
        dlt_candidates_refresh(subject=instance.subject, user=user)
        return instance


# --- CRS and ICANS ---------------------------------------------------------------------------


def _grade_or_error(fn, inputs: dict, field_for_message) -> int:
    try:
        return fn(**inputs)
    except ValueError as error:
        raise ValidationError({field_for_message(str(error)): str(error)}) from None


def _roll_up(assessment, *, term: str, user) -> None:
    """Attach a graded assessment to the subject's open AE of that term (creating it at the first
    grade >= 1); the AE's worst grade follows its assessments."""
    subject, day = assessment.subject, timezone.localdate(assessment.assessed_at)
    ae = assessment.adverse_event
    if ae is None:
        ae = (
            AdverseEvent.objects.filter(
                subject=subject, term=term, is_voided=False, onset_date__lte=day
            )
            .exclude(resolution_date__lt=day)
            .order_by("-onset_date")
            .first()
        )
    if ae is None and assessment.grade >= 1:
        ae = AdverseEvent(
            subject=subject,
            term=term,
            onset_date=day,
            worst_grade=assessment.grade,
            outcome=AdverseEvent.Outcome.FATAL
            if assessment.grade == 5
            else AdverseEvent.Outcome.NOT_RECOVERED,
        )
        _validate_ae(ae)
        audited_save(ae, user=user, reason=f"Opened from the {term} assessment of {day}")
    if ae is None:
        return
    if assessment.adverse_event_id != ae.pk:
        assessment.adverse_event = ae
        audited_save(assessment, user=user, reason=f"Linked to {ae.display_term} AE")
    before = ae.worst_grade
    _derive_ae(ae)
    if ae.worst_grade == 5:
        ae.outcome = AdverseEvent.Outcome.FATAL
    if ae.worst_grade != before:
        audited_save(ae, user=user, reason=f"Worst grade {ae.worst_grade} from the assessments")


def _validate_assessment_time(assessment) -> None:
    if assessment.assessed_at is None:
        raise ValidationError({"assessed_at": _("This field is required.")})
    _not_in_future(assessment.assessed_at, "assessed_at")
    _dated_in_study(
        assessment.subject, timezone.localdate(assessment.assessed_at), "assessed_at", "assessment"
    )


def _crs_field(message: str) -> str:
    if message.startswith("unknown oxygen device"):
        return "oxygen_device"
    if "flow" in message:
        return "oxygen_flow_l_min"
    return "vasopressors"


def crs_assessment_record(
    *,
    user,
    data: Mapping[str, Any],
    instance: CrsAssessment | None = None,
    reason: str | None = None,
) -> CrsAssessment:
    with transaction.atomic():
        assessment = instance or CrsAssessment()
        subject = _subject(data, instance)
        require_data_entry(user, subject.site)
        refuse_changes(
            assessment, data, ("subject",), "An assessment cannot move to another subject."
        )
        apply_data(assessment, data)
        assessment.subject = subject
        _validate_assessment_time(assessment)
        assessment.grade = _grade_or_error(rules.crs_grade, assessment.grading_inputs(), _crs_field)
        audited_save(assessment, user=user, reason=reason)
        _roll_up(assessment, term=rules.CRS_TERM, user=user)
        dlt_candidates_refresh(subject=subject, user=user)
        return assessment


def _icans_field(message: str) -> str:
    for name in ("consciousness", "seizure", "cerebral_edema"):
        if name in message:
            return name
    return "capd_score" if "CAPD" in message and "ICE" not in message else "ice_score"


def icans_assessment_record(
    *,
    user,
    data: Mapping[str, Any],
    instance: IcansAssessment | None = None,
    reason: str | None = None,
) -> IcansAssessment:
    with transaction.atomic():
        assessment = instance or IcansAssessment()
        subject = _subject(data, instance)
        require_data_entry(user, subject.site)
        refuse_changes(
            assessment, data, ("subject",), "An assessment cannot move to another subject."
        )
        apply_data(assessment, data)
        assessment.subject = subject
        _validate_assessment_time(assessment)
        age = screening_rules.age_in_completed_years(
            subject.date_of_birth, timezone.localdate(assessment.assessed_at)
        )
        if assessment.capd_score is not None and age >= CAPD_BELOW_AGE:
            raise ValidationError(
                {
                    "capd_score": _(
                        "CAPD is for children under 12; the patient is %(age)s: use ICE."
                    )
                    % {"age": age}
                }
            )
        if assessment.ice_score is not None and age < CAPD_BELOW_AGE:
            raise ValidationError(
                {
                    "ice_score": _(
                        "ICE is for patients aged 12 or more; the patient is %(age)s: use CAPD."
                    )
                    % {"age": age}
                }
            )
        assessment.grade = _grade_or_error(
            rules.icans_grade, assessment.grading_inputs(), _icans_field
        )
        audited_save(assessment, user=user, reason=reason)
        _roll_up(assessment, term=rules.ICANS_TERM, user=user)
        dlt_candidates_refresh(subject=subject, user=user)
        return assessment


def _void_assessment(*, user, instance, reason: str):
    with transaction.atomic():
        require_data_entry(user, instance.subject.site)
        record_void(user=user, instance=instance, reason=reason)
        if instance.adverse_event_id:
            ae = instance.adverse_event
            before = ae.worst_grade
            _derive_ae(ae)
            if ae.worst_grade != before:
                audited_save(
                    ae, user=user, reason="Worst grade recomputed after a voided assessment"
                )
        dlt_candidates_refresh(subject=instance.subject, user=user)
        return instance


def crs_assessment_void(*, user, instance: CrsAssessment, reason: str) -> CrsAssessment:
    return _void_assessment(user=user, instance=instance, reason=reason)


def icans_assessment_void(*, user, instance: IcansAssessment, reason: str) -> IcansAssessment:
    return _void_assessment(user=user, instance=instance, reason=reason)


# --- labs ------------------------------------------------------------------------------------

D = Decimal
# test -> (CTCAE term, {unit: factor to the grading unit}); ratio tests grade unit-free
STANDARD_PLACES = D("0.0001")
LAB_TESTS = {
    LabResult.Test.ALT: (rules.ALT, {"U/L": D(1)}),
    LabResult.Test.AST: (rules.AST, {"U/L": D(1)}),
    LabResult.Test.BILIRUBIN: (rules.BILIRUBIN, {"umol/L": D(1), "mg/dL": D("17.104")}),
    LabResult.Test.CREATININE: (rules.CREATININE, {"umol/L": D(1), "mg/dL": D("88.42")}),
    LabResult.Test.NEUTROPHILS: (rules.NEUTROPHILS, {"10^9/L": D(1), "/uL": D("0.001")}),
    LabResult.Test.PLATELETS: (rules.PLATELETS, {"10^9/L": D(1), "/uL": D("0.001")}),
    LabResult.Test.HEMOGLOBIN: (rules.ANEMIA, {"g/L": D(1), "g/dL": D(10), "mmol/L": D("16.11")}),
}


def lab_result_record(
    *, user, data: Mapping[str, Any], instance: LabResult | None = None, reason: str | None = None
) -> LabResult:
    """Record a lab value in its unit; the CTCAE grade is computed in the grading unit. A value
    that cannot be graded (no ULN, say) is saved with its grade empty and the reason noted."""
    with transaction.atomic():
        lab = instance or LabResult()
        subject = _subject(data, instance)
        require_data_entry(user, subject.site)
        refuse_changes(lab, data, ("subject",), "A lab result cannot move to another subject.")
        apply_data(lab, data)
        lab.subject = subject
        term, units = LAB_TESTS[lab.test]
        if lab.unit not in units:
            raise ValidationError(
                {
                    "unit": _("Unknown unit for %(value1)s: use one of %(value3)s.")
                    % {"value1": lab.get_test_display(), "value3": ", ".join(units)}
                }
            )
        if lab.collected_on is not None:
            _not_in_future(lab.collected_on, "collected_on")
            _dated_in_study(subject, lab.collected_on, "collected_on", "collection date")
        factor = units[lab.unit]
        exact = lab.value * factor  # graded exactly; stored to the field's 4 decimals
        lab.value_standard = exact.quantize(STANDARD_PLACES, rounding=ROUND_HALF_EVEN)
        scale = lambda v: v * factor if v is not None else None  # noqa: E731
        lab.ctcae_grade = rules.ctcae_grade(
            term,
            exact,
            uln=scale(lab.uln),
            lln=scale(lab.lln),
            baseline=scale(lab.baseline),
        )
        if lab.ctcae_grade is not None:
            lab.grading_note = ""
        elif term in (rules.ALT, rules.AST, rules.BILIRUBIN, rules.CREATININE):
            lab.grading_note = "Not graded: the ULN is missing."
        else:
            lab.grading_note = "Not graded: without the LLN, grade 0 and 1 cannot be told apart."
        return audited_save(lab, user=user, reason=reason)


def lab_result_void(*, user, instance: LabResult, reason: str) -> LabResult:
    with transaction.atomic():
        require_data_entry(user, instance.subject.site)
        return record_void(user=user, instance=instance, reason=reason)


# --- DLT candidates --------------------------------------------------------------------------


def _event_facts(ae: AdverseEvent) -> rules.EventFacts:
    kind, hematologic = rules.AE_TERMS[ae.term]
    if kind in ("crs", "icans"):
        assessments = ae.crs_assessments if kind == "crs" else ae.icans_assessments
        grades = tuple(
            rules.GradeAt(a.assessed_at, a.grade)
            for a in assessments.filter(is_voided=False).order_by("assessed_at")
        )
    else:
        tz = timezone.get_current_timezone()
        grades = tuple(
            rules.GradeAt(datetime.combine(g.from_date, datetime.min.time(), tzinfo=tz), g.grade)
            for g in ae.grades.order_by("from_date")
        )
    return rules.EventFacts(
        kind=kind,
        onset=ae.onset_date,
        grades=grades,
        hematologic=hematologic,
        related=ae.relation_car_nk or None,
        resolved=ae.resolution_date,
        fatal=ae.outcome == AdverseEvent.Outcome.FATAL,
    )


def dlt_candidates_refresh(*, subject: Subject, user) -> list[DltCandidate]:
    """Flag every AE of an infused subject that meets a DLT clause inside the DLT window; an open
    candidate that no longer meets its clause (after a correction) is withdrawn."""
    evaluation = (
        DltEvaluation.objects.filter(enrollment__subject=subject)
        .select_related("enrollment__cohort__study")
        .first()
    )
    if evaluation is None or evaluation.day0 is None:
        return []
    study = evaluation.enrollment.cohort.study
    criteria = dlt_criteria_for(study)
    now = timezone.now()
    found: dict[tuple[int, str], rules.Candidate] = {}
    for ae in subject.adverse_events.filter(is_voided=False):
        candidate = rules.dlt_candidate(
            _event_facts(ae),
            day0=evaluation.day0,
            window_days=study.dlt_window_days,
            now=now,
            criteria=criteria,
        )
        if candidate is not None:
            found[(ae.pk, candidate.clause)] = candidate
    existing = {(c.adverse_event_id, c.clause): c for c in subject.dlt_candidates.all()}
    created = []
    for (ae_id, clause), candidate in found.items():
        if (ae_id, clause) in existing:
            continue
        record = DltCandidate(
            subject=subject,
            dlt_evaluation=evaluation,
            adverse_event_id=ae_id,
            clause=clause,
            detail=candidate.detail,
            flagged_at=now,
        )
        created.append(audited_save(record, user=user, reason=f"Flagged: {rules.CLAUSES[clause]}"))
    for key, record in existing.items():
        if key not in found and record.status == DltCandidate.Status.OPEN:
            record.status = DltCandidate.Status.WITHDRAWN
            audited_save(record, user=user, reason="No longer meets the clause after a correction")
    return created


def _decide(candidate: DltCandidate, *, user, status: str, reason: str) -> DltCandidate:
    candidate.status, candidate.decided_by, candidate.decided_at = status, user, timezone.now()
    candidate.decision_reason = reason
    return audited_save(candidate, user=user, reason=reason)


def dlt_candidate_accept(*, user, candidate: DltCandidate) -> DltCandidate:
    """An investigator of the site takes the candidate as the subject's DLT: its description,
    onset and grade go to the DLT evaluation, where the investigator and a safety reviewer
    confirm it as for any DLT."""
    with transaction.atomic():
        candidate = (
            DltCandidate.objects.select_for_update()
            .select_related("adverse_event", "subject__site", "dlt_evaluation")
            .get(pk=candidate.pk)
        )
        if not user_has_role(user, SiteRole.Role.INVESTIGATOR, site=candidate.subject.site):
            raise PermissionDenied(
                _("Only an investigator of the subject's site accepts a DLT candidate.")
            )
        if candidate.status != DltCandidate.Status.OPEN:
            raise Conflict(
                _("This candidate is already %(status)s.") % {"status": candidate.status}
            )
        evaluation = candidate.dlt_evaluation
        if evaluation.dlt_onset_date is not None:
            raise Conflict(_("A DLT is already recorded for this subject: the first DLT decides."))
        ae = candidate.adverse_event
        dosing_services.dlt_evaluation_save(
            user=user,
            instance=evaluation,
            data={
                "dlt_description": f"{ae.display_term}: {candidate.detail}",
                "dlt_onset_date": ae.onset_date,
                "dlt_grade": ae.worst_grade,
            },
            reason=f"DLT candidate {candidate.pk} accepted ({rules.CLAUSES[candidate.clause]})",
        )
        return _decide(
            candidate, user=user, status=DltCandidate.Status.ACCEPTED, reason="Accepted as the DLT"
        )


def dlt_candidate_reject(*, user, candidate: DltCandidate, reason: str) -> DltCandidate:
    with transaction.atomic():
        candidate = (
            DltCandidate.objects.select_for_update()
            .select_related("subject__site")
            .get(pk=candidate.pk)
        )
        site = candidate.subject.site
        if not (
            user_has_role(user, SiteRole.Role.INVESTIGATOR, site=site)
            or user_has_role(user, SiteRole.Role.SAFETY_REVIEWER, site=site)
        ):
            raise PermissionDenied(
                _("Only an investigator or a safety reviewer rejects a DLT candidate.")
            )
        if candidate.status != DltCandidate.Status.OPEN:
            raise Conflict(
                _("This candidate is already %(status)s.") % {"status": candidate.status}
            )
        if not (reason or "").strip():
            raise ValidationError({"reason": _("Say why this is not a DLT.")})
        return _decide(
            candidate,
            user=user,
            status=DltCandidate.Status.REJECTED,
            reason=f"Rejected: {reason.strip()}",
        )


# --- concomitant medications -----------------------------------------------------------------


def conmed_save(
    *, user, data: Mapping[str, Any], instance: ConMed | None = None, reason: str | None = None
) -> ConMed:
    with transaction.atomic():
        conmed = instance or ConMed()
        subject = _subject(data, instance)
        require_data_entry(user, subject.site)
        refuse_changes(conmed, data, ("subject",), "A medication cannot move to another subject.")
        apply_data(conmed, data)
        conmed.subject = subject
        errors = {}
        if conmed.stop_date and conmed.start_date and conmed.stop_date < conmed.start_date:
            errors["stop_date"] = "The medication stops before it starts."
        if conmed.stop_date and conmed.ongoing:
            errors["ongoing"] = "An ongoing medication has no stop date."
        if conmed.start_date and conmed.start_date > timezone.localdate():
            errors["start_date"] = "The start date is in the future."
        if conmed.adverse_event_id and conmed.adverse_event.subject_id != subject.pk:
            errors["adverse_event"] = "This AE belongs to another subject."
        if errors:
            raise ValidationError(errors)
        return audited_save(conmed, user=user, reason=reason)


def conmed_void(*, user, instance: ConMed, reason: str) -> ConMed:
    with transaction.atomic():
        require_data_entry(user, instance.subject.site)
        return record_void(user=user, instance=instance, reason=reason)


def crs_treatments_before(assessment: CrsAssessment) -> list[ConMed]:
    """Tocilizumab or corticosteroids started on or before the assessment's day (they mask fever)."""
    day = timezone.localdate(assessment.assessed_at)
    read = getattr(assessment.subject, "crs_treatments", None)  # selectors.CRS_TREATMENTS
    if read is not None:
        return [conmed for conmed in read if conmed.start_date <= day]
    return list(
        assessment.subject.conmeds.filter(
            is_voided=False,
            start_date__lte=day,
            category__in=[ConMed.Category.TOCILIZUMAB, ConMed.Category.CORTICOSTEROID],
        ).order_by("start_date", "pk")
    )
