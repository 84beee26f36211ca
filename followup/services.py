"""The one write path for follow-up: the visit schedule, visits, response assessments
(recomputed by `followup.rules.aml_response`) and end-of-study records."""

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from screening import selectors as screening_selectors
from screening.models import Subject
from trial.services import apply_data, audited_save, record_void, refuse_changes, require_data_entry

from . import rules, selectors
from .models import (
    CRF_TYPES,
    Disposition,
    ProtocolDeviation,
    ResponseAssessment,
    Visit,
    VisitDefinition,
)


def _today() -> date:
    return timezone.localdate()


def _subject(data: Mapping[str, Any], instance) -> Subject:
    return screening_selectors.subject_for_write(data, instance)


def _within_follow_up(subject: Subject, when: date, field: str, what: str) -> None:
    """Nothing is dated in the future, before consent, after death or after the end of study."""
    if when > _today():
        raise ValidationError({field: _("The %(what)s is in the future.") % {"what": what}})
    first_consent = screening_selectors.first_consent_date(subject)
    if first_consent is None or when < first_consent:
        raise ValidationError(
            {
                field: _("The %(what)s (%(when)s) is before consent (%(value5)s).")
                % {"what": what, "when": when, "value5": first_consent or _("none recorded")}
            }
        )
    end = selectors.end_of_study(subject)
    if end is not None:
        if end.death_date and when > end.death_date:
            raise ValidationError(
                {
                    field: _(
                        "The %(what)s (%(when)s) is after the subject's death (%(death_date)s)."
                    )
                    % {"what": what, "when": when, "death_date": end.death_date}
                }
            )
        if when > end.end_of_study_date:
            raise ValidationError(
                {
                    field: _(
                        "The %(what)s (%(when)s) is after the end of study (%(end_of_study_date)s)."
                    )
                    % {"what": what, "when": when, "end_of_study_date": end.end_of_study_date}
                }
            )


# --- schedule --------------------------------------------------------------------------------


def visit_definition_save(
    *,
    user,
    data: Mapping[str, Any],
    instance: VisitDefinition | None = None,
    reason: str | None = None,
) -> VisitDefinition:
    with transaction.atomic():
        definition = instance or VisitDefinition()
        refuse_changes(definition, data, ("study",), "A visit belongs to its study's schedule.")
        apply_data(definition, data)
        crfs = definition.expected_crfs
        if not isinstance(crfs, list) or any(c not in CRF_TYPES for c in crfs):
            raise ValidationError(
                {
                    "expected_crfs": _("Use a list of: %(value1)s.")
                    % {"value1": ", ".join(CRF_TYPES)}
                }
            )
        audited_save(definition, user=user, reason=reason)
        if instance is not None:
            _reschedule_visits(definition, user=user)
        return definition


def _visit_timing(visit: Visit, day0: date) -> tuple[date, bool]:
    definition = visit.definition
    planned = day0 + timedelta(days=definition.target_day)
    if visit.missed or visit.actual_date is None:
        return planned, False
    earliest = planned - timedelta(days=definition.window_before)
    latest = planned + timedelta(days=definition.window_after)
    return planned, not earliest <= visit.actual_date <= latest


def _reschedule_visits(definition: VisitDefinition, *, user) -> None:
    """A changed target day or window moves the planned date and the out-of-window flag of every
    visit already recorded against it (each change in the visit's history)."""
    for visit in definition.visits.filter(is_voided=False).select_related("subject", "definition"):
        day0 = selectors.day0(visit.subject)
        if day0 is None:
            continue
        planned, outside = _visit_timing(visit, day0)
        if (planned, outside) != (visit.planned_date, visit.out_of_window):
            visit.planned_date, visit.out_of_window = planned, outside
            audited_save(
                visit,
                user=user,
                reason=f"Visit window of {definition.code} changed: planned date and "
                f"window flag recomputed",
            )
            if outside:
                _raise_window_deviation(visit, user=user)


def visit_record(
    *, user, data: Mapping[str, Any], instance: Visit | None = None, reason: str | None = None
) -> Visit:
    """Record a visit (its actual date) or that it was missed, with the reason. The planned date
    follows from day 0; a date outside the window is flagged, not refused."""
    with transaction.atomic():
        visit = instance or Visit()
        subject = _subject(data, instance)
        require_data_entry(user, subject.site)
        refuse_changes(visit, data, ("subject", "definition"), "Record the other visit instead.")
        apply_data(visit, data)
        visit.subject = subject
        definition = visit.definition
        if definition.study_id != subject.site.study_id:
            raise ValidationError(
                {"definition": _("This visit belongs to another study's schedule.")}
            )
        day0 = selectors.day0(subject)
        if day0 is None:
            raise ValidationError(
                {"subject": _("No CAR-NK infusion is recorded: the schedule counts from day 0.")}
            )
        if (
            visit._state.adding
            and subject.visits.filter(definition=definition, is_voided=False).exists()
        ):
            raise ValidationError(
                {"definition": _("This visit is already recorded: correct it instead.")}
            )
        visit.planned_date, visit.out_of_window = _visit_timing(visit, day0)
        if visit.missed:
            if visit.actual_date is not None:
                raise ValidationError({"actual_date": _("A missed visit has no date.")})
            end = selectors.end_of_study(subject)
            if end is not None and end.death_date and visit.planned_date > end.death_date:
                raise ValidationError(
                    {
                        "missed": _(
                            "The subject died on %(death_date)s, before this visit (%(planned_date)s): it is not expected, not missed."
                        )
                        % {"death_date": end.death_date, "planned_date": visit.planned_date}
                    }
                )
            if not visit.missed_reason.strip():
                raise ValidationError({"missed_reason": _("Say why the visit was missed.")})
        else:
            if visit.actual_date is None:
                raise ValidationError(
                    {"actual_date": _("Give the visit date, or record the visit as missed.")}
                )
            _within_follow_up(subject, visit.actual_date, "actual_date", _("visit"))
        audited_save(visit, user=user, reason=reason)
        if visit.out_of_window:
            _raise_window_deviation(visit, user=user)
        return visit


def _raise_window_deviation(visit: Visit, *, user) -> None:
    definition = visit.definition
    earliest = visit.planned_date - timedelta(days=definition.window_before)
    latest = visit.planned_date + timedelta(days=definition.window_after)
    deviation_raise(
        user=user,
        subject=visit.subject,
        rule="visit_out_of_window",
        category=ProtocolDeviation.Category.VISIT_WINDOW,
        severity=ProtocolDeviation.Severity.MINOR,
        on=visit.actual_date,
        description=(
            _(
                "%(label)s on %(actual_date)s, outside its window %(earliest)s to %(latest)s (planned %(planned_date)s)."
            )
            % {
                "label": definition.label,
                "actual_date": visit.actual_date,
                "earliest": earliest,
                "latest": latest,
                "planned_date": visit.planned_date,
            }
        ),
        source=visit,
    )


def visit_void(*, user, instance: Visit, reason: str) -> Visit:
    with transaction.atomic():
        require_data_entry(user, instance.subject.site)
        return record_void(user=user, instance=instance, reason=reason)


# --- response --------------------------------------------------------------------------------


def _derive_response(assessment: ResponseAssessment, *, in_remission: bool) -> None:
    assessment.in_remission = in_remission
    result = rules.aml_response(assessment.facts())
    assessment.response = result.response
    assessment.mrd_negative = result.mrd_negative
    assessment.response_reason = result.reason[:200]
    assessment.disagreement = bool(assessment.investigator_response) and (
        assessment.investigator_response != assessment.response
    )


OLD_FILLER = "(recomputed: the investigator's comment is needed)"


def _recompute_subject(subject: Subject, *, user, reason: str, skip_pk: int | None = None) -> None:
    """Remission carries forward: recompute every assessment in date order."""
    in_remission = False
    for assessment in subject.response_assessments.filter(is_voided=False).order_by(
        "assessment_date", "pk"
    ):
        before = (
            assessment.in_remission,
            assessment.response,
            assessment.mrd_negative,
            assessment.disagreement,
        )
        _derive_response(assessment, in_remission=in_remission)
        after = (
            assessment.in_remission,
            assessment.response,
            assessment.mrd_negative,
            assessment.disagreement,
        )
        if after != before and assessment.pk != skip_pk:
            # a disagreement that appears here is left without a comment (the investigator owes
            # one: the list flags it); text written by the system would pass for theirs. The
            # filler earlier versions wrote goes when the disagreement does.
            if not assessment.disagreement and assessment.disagreement_comment == OLD_FILLER:
                assessment.disagreement_comment = ""
            audited_save(assessment, user=user, reason=reason)
        in_remission = in_remission or assessment.response in rules.REMISSIONS


def response_assessment_record(
    *,
    user,
    data: Mapping[str, Any],
    instance: ResponseAssessment | None = None,
    reason: str | None = None,
) -> ResponseAssessment:
    """Record or correct a response assessment; the ELN 2022 response is computed beside the
    investigator's, and a disagreement needs a comment. Later assessments follow."""
    with transaction.atomic():
        assessment = instance or ResponseAssessment()
        subject = _subject(data, instance)
        require_data_entry(user, subject.site)
        refuse_changes(
            assessment, data, ("subject",), "An assessment cannot move to another subject."
        )
        apply_data(assessment, data)
        assessment.subject = subject
        day0 = selectors.day0(subject)
        if day0 is None:
            raise ValidationError(
                {"subject": _("No CAR-NK infusion is recorded: response is assessed from day 0.")}
            )
        if assessment.assessment_date < day0:
            raise ValidationError(
                {
                    "assessment_date": _("A response is assessed from day 0 (%(day0)s) on.")
                    % {"day0": day0}
                }
            )
        _within_follow_up(subject, assessment.assessment_date, "assessment_date", _("assessment"))
        if assessment.visit_id and assessment.visit.subject_id != subject.pk:
            raise ValidationError({"visit": _("This visit belongs to another subject.")})
        if assessment.mrd_pct is not None and assessment.marrow_assessment_date is None:
            raise ValidationError(
                {"marrow_assessment_date": _("MRD comes from a marrow: give the marrow date.")}
            )
        if assessment.marrow_blasts_pct is not None and assessment.marrow_assessment_date is None:
            raise ValidationError({"marrow_assessment_date": _("Give the date of the marrow.")})
        if (
            assessment.marrow_assessment_date
            and assessment.marrow_assessment_date > assessment.assessment_date
        ):
            raise ValidationError(
                {"marrow_assessment_date": _("The marrow cannot postdate the assessment.")}
            )
        history = screening_selectors.medical_history(subject)
        if history is not None:
            if assessment.baseline_marrow_blasts_pct is None:
                assessment.baseline_marrow_blasts_pct = history.baseline_marrow_blasts_pct
            if assessment.baseline_extramedullary_disease is None:
                assessment.baseline_extramedullary_disease = history.baseline_extramedullary_disease
        earlier = subject.response_assessments.filter(
            is_voided=False, assessment_date__lt=assessment.assessment_date
        )
        if assessment.pk:
            earlier = earlier.exclude(pk=assessment.pk)
        in_remission = any(
            r in rules.REMISSIONS for r in earlier.values_list("response", flat=True)
        )
        _derive_response(assessment, in_remission=in_remission)
        if assessment.disagreement and not assessment.disagreement_comment.strip():
            raise ValidationError(
                {
                    "disagreement_comment": (
                        _(
                            "The computed response is %(response)s; the investigator's is %(investigator_response)s: explain the difference."
                        )
                        % {
                            "response": assessment.response,
                            "investigator_response": assessment.investigator_response,
                        }
                    )
                }
            )
        audited_save(assessment, user=user, reason=reason)
        _recompute_subject(
            subject,
            user=user,
            reason=f"Recomputed after the assessment of {assessment.assessment_date}",
            skip_pk=assessment.pk,
        )
        assessment.refresh_from_db()
        return assessment


def response_assessment_void(
    *, user, instance: ResponseAssessment, reason: str
) -> ResponseAssessment:
    with transaction.atomic():
        require_data_entry(user, instance.subject.site)
        record_void(user=user, instance=instance, reason=reason)
        _recompute_subject(
            instance.subject, user=user, reason="Recomputed after a voided assessment"
        )
        return instance


# --- disposition -----------------------------------------------------------------------------


def disposition_record(
    *, user, data: Mapping[str, Any], instance: Disposition | None = None, reason: str | None = None
) -> Disposition:
    """The subject's end of study (one per subject): later visits stop; nothing is deleted."""
    with transaction.atomic():
        disposition = instance or Disposition()
        subject = _subject(data, instance)
        require_data_entry(user, subject.site)
        refuse_changes(
            disposition, data, ("subject",), "An end-of-study record belongs to its subject."
        )
        apply_data(disposition, data)
        disposition.subject = subject
        if disposition._state.adding and subject.dispositions.filter(is_voided=False).exists():
            raise ValidationError(
                {
                    "subject": _(
                        "This subject already has an end-of-study record: correct it instead."
                    )
                }
            )
        errors: dict[str, str] = {}
        end = disposition.end_of_study_date
        today = _today()
        first_consent = screening_selectors.first_consent_date(subject)
        if end > today:
            errors["end_of_study_date"] = "The end of study is in the future."
        elif first_consent is None or end < first_consent:
            errors["end_of_study_date"] = "The end of study precedes consent."
        dead = disposition.end_of_study_reason == Disposition.EndReason.DEATH
        if dead:
            if disposition.death_date is None:
                errors["death_date"] = "Give the date of death."
            if not disposition.death_cause.strip():
                errors["death_cause"] = "Give the cause of death."
            if not disposition.death_related:
                errors["death_related"] = "Give the relation of the death to the study treatment."
        elif disposition.death_date is not None:
            errors["end_of_study_reason"] = "A death is recorded: the end-of-study reason is death."
        if disposition.death_date and (
            disposition.death_date > end or disposition.death_date > today
        ):
            errors["death_date"] = "The death date is after the end of study or in the future."
        alive = disposition.last_known_alive_date
        if alive and (alive > end or (disposition.death_date and alive > disposition.death_date)):
            errors["last_known_alive_date"] = (
                "The last known alive date is after the end of study or death."
            )
        for name in ("end_of_dlt_period_date", "end_of_treatment_date"):
            value = getattr(disposition, name)
            if value and value > end:
                errors[name] = "This is after the end of study."
        if errors:
            raise ValidationError(errors)
        later = subject.visits.filter(
            is_voided=False, actual_date__gt=disposition.death_date or end
        )
        if later.exists():
            raise ValidationError(
                {
                    "end_of_study_date": (
                        _(
                            "%(value0)s visit(s) are recorded after this date: void or correct them first."
                        )
                        % {"value0": later.count()}
                    )
                }
            )
        return audited_save(disposition, user=user, reason=reason)


def disposition_void(*, user, instance: Disposition, reason: str) -> Disposition:
    with transaction.atomic():
        require_data_entry(user, instance.subject.site)
        return record_void(user=user, instance=instance, reason=reason)


# --- protocol deviations ---------------------------------------------------------------------


def deviation_record(
    *,
    user,
    data: Mapping[str, Any],
    instance: ProtocolDeviation | None = None,
    reason: str | None = None,
) -> ProtocolDeviation:
    """Record or correct a protocol deviation (what, when, how serious, what was done, to whom
    it was reported)."""
    with transaction.atomic():
        deviation = instance or ProtocolDeviation()
        subject = _subject(data, instance)
        require_data_entry(user, subject.site)
        refuse_changes(deviation, data, ("subject",), "A deviation cannot move to another subject.")
        apply_data(deviation, data)
        deviation.subject = subject
        errors = {}
        if not (deviation.description or "").strip():
            errors["description"] = "Describe what departed from the protocol."
        if deviation.deviation_date and deviation.deviation_date > _today():
            errors["deviation_date"] = "The deviation is dated in the future."
        for field in ("sponsor_reported_on", "ethics_reported_on"):
            when = getattr(deviation, field)
            if when and deviation.deviation_date and when < deviation.deviation_date:
                errors[field] = "A deviation is reported after it happened."
            elif when and when > _today():
                errors[field] = "This is in the future."
        if errors:
            raise ValidationError(errors)
        return audited_save(deviation, user=user, reason=reason)


def deviation_raise(
    *,
    user,
    subject: Subject,
    rule: str,
    category: str,
    on: date,
    description: str,
    source,
    severity: str = ProtocolDeviation.Severity.MAJOR,
) -> ProtocolDeviation:
    """A deviation the data reveal, raised by the service that found it (named by its rule and
    the record it was found in); raised once per rule and record."""
    label = f"{source._meta.label_lower} #{source.pk}"
    existing = ProtocolDeviation.objects.filter(
        subject=subject, rule=rule, source=label, is_voided=False
    ).first()
    if existing is not None:
        return existing
    deviation = ProtocolDeviation(
        subject=subject,
        category=category,
        deviation_date=on,
        description=description,
        severity=severity,
        rule=rule,
        source=label,
    )
    return audited_save(deviation, user=user, reason=f"Raised by rule {rule} ({label})")


def deviation_void(*, user, instance: ProtocolDeviation, reason: str) -> ProtocolDeviation:
    with transaction.atomic():
        require_data_entry(user, instance.subject.site)
        return record_void(user=user, instance=instance, reason=reason)
