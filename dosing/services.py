"""The one write path for dosing: open cohorts, enroll, record lymphodepletion and infusions,
track DLT windows, adjudicate DLTs and record the committee's escalation decisions."""

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from followup.services import deviation_raise
from screening import selectors as screening_selectors
from screening.models import Subject
from trial.models import DoseLevel, SiteRole, Study
from trial.selectors import user_has_role
from trial.services import (
    Conflict,
    apply_data,
    audited_save,
    record_void,
    refuse_changes,
)

from . import rules, selectors
from .models import (
    Cohort,
    DltEvaluation,
    Enrollment,
    EscalationDecision,
    Infusion,
    Lymphodepletion,
    LymphodepletionRegimen,
)

Role = SiteRole.Role
DATA_ENTRY_ROLES = (Role.INVESTIGATOR, Role.COORDINATOR)


def _today() -> date:
    return timezone.localdate()


def _require_data_entry(user, subject: Subject) -> None:
    if not any(user_has_role(user, role, site=subject.site) for role in DATA_ENTRY_ROLES):
        raise PermissionDenied(
            _("Only investigators and coordinators of the subject's site enter its data.")
        )


def _require_study_role(user, study: Study, role: str, what: str) -> None:
    sites = study.sites.all()
    if not any(user_has_role(user, role, site=site) for site in sites):
        raise PermissionDenied(what)


def _same_study(level: DoseLevel | None, study: Study, field: str) -> None:
    if level is not None and level.study_id != study.pk:
        raise ValidationError({field: _("This dose level belongs to another study.")})
    if level is not None and level.is_voided:
        raise ValidationError({field: _("This dose level is voided.")})


# --- configuration ---------------------------------------------------------------------------


def regimen_save(
    *,
    user,
    data: Mapping[str, Any],
    instance: LymphodepletionRegimen | None = None,
    reason: str | None = None,
) -> LymphodepletionRegimen:
    with transaction.atomic():
        regimen = instance or LymphodepletionRegimen()
        refuse_changes(regimen, data, ("study",), "A regimen cannot move to another study.")
        return audited_save(apply_data(regimen, data), user=user, reason=reason)


# --- cohorts ---------------------------------------------------------------------------------


def cohort_open_first(
    *, user, data: Mapping[str, Any], instance: Cohort | None = None, reason: str | None = None
) -> Cohort:
    """Open the study's first cohort (later cohorts open through the committee's decisions).
    A data manager may change the size of an open cohort, with a reason."""
    with transaction.atomic():
        cohort = instance or Cohort()
        if not cohort._state.adding:
            refuse_changes(
                cohort,
                data,
                ("study", "dose_level"),
                "A cohort's dose is set when it opens; the committee's decision opens the next.",
            )
            audited_save(apply_data(cohort, data), user=user, reason=reason)
            return cohort_refresh_status(cohort=cohort, user=user, reason=reason)
        study = data.get("study")
        if study is None:
            raise ValidationError({"study": _("This field is required.")})
        study = Study.objects.select_for_update().get(pk=getattr(study, "pk", study))
        if study.cohorts.exists():
            raise Conflict(
                _(
                    "The study already has cohorts: the next cohort opens with the safety "
                    "review committee's decision."
                )
            )
        apply_data(cohort, data)
        _same_study(cohort.dose_level, study, "dose_level")
        cohort.sequence = 1
        if "size" not in data:
            cohort.size = study.cohort_size
        return audited_save(cohort, user=user, reason=reason)


def cohort_refresh_status(*, cohort: Cohort, user, reason: str | None = None) -> Cohort:
    """open -> full (all slots taken, patients in observation) -> awaiting review (no one
    pending) -> closed (decision recorded). A replaced patient reopens a slot."""
    if cohort.status == Cohort.Status.CLOSED:
        return cohort
    evaluations = list(
        DltEvaluation.objects.filter(enrollment__cohort=cohort).values_list("status", "replace")
    )
    replaced = sum(1 for _status, replace in evaluations if replace)
    capacity = cohort.size + replaced
    if len(evaluations) < capacity:
        status = Cohort.Status.OPEN
    elif any(status == rules.PENDING for status, _replace in evaluations):
        status = Cohort.Status.FULL
    else:
        status = Cohort.Status.AWAITING_REVIEW
    if status != cohort.status:
        cohort.status = status
        audited_save(
            cohort,
            user=user,
            reason=reason or f"Cohort is now {cohort.get_status_display().lower()}",
        )
    return cohort


# --- enrollment ------------------------------------------------------------------------------


def _check_enrollable(subject: Subject, on: date) -> None:
    latest = screening_selectors.latest_assessment(subject)
    if subject.is_voided:
        raise ValidationError({"subject": _("This subject is voided.")})
    if latest is None or not latest.is_confirmed or latest.eligible is not True:
        raise ValidationError(
            {
                "subject": _(
                    "Only a subject whose latest eligibility assessment is eligible and confirmed by "
                    "an investigator can be enrolled."
                )
            }
        )
    if subject.status != Subject.Status.ELIGIBLE:
        raise ValidationError(
            {
                "subject": _("The subject is %(value1)s, not eligible.")
                % {"value1": subject.get_status_display().lower()}
            }
        )
    if screening_selectors.consent_in_force(subject, on) is None:
        raise ValidationError({"subject": _("No consent in force on %(on)s.") % {"on": on}})
    _check_enrollment_date(subject, on, latest)


def _check_enrollment_date(subject: Subject, on: date, latest, enrollment=None) -> None:
    """consent <= eligibility assessment <= enrollment <= lymphodepletion (<= infusion, checked
    with the infusion): on creation and on every correction of the date."""
    if enrollment is not None and screening_selectors.consent_in_force(subject, on) is None:
        raise ValidationError(
            {
                "enrollment_date": _(
                    "No consent in force on %(on)s: consent comes before enrollment."
                )
                % {"on": on}
            }
        )
    # late data entry is common: the enrollment date is clinical, the confirmation a timestamp
    if latest is not None and on < latest.assessment_date:
        raise ValidationError(
            {
                "enrollment_date": _(
                    "Enrollment cannot precede the eligibility assessment (%(assessment_date)s)."
                )
                % {"assessment_date": latest.assessment_date}
            }
        )
    if enrollment is None:
        return
    first = enrollment.lymphodepletions.filter(is_voided=False).order_by("start_date").first()
    if first is not None and first.start_date < on:
        raise ValidationError(
            {
                "enrollment_date": _("Lymphodepletion started before this date (%(start_date)s).")
                % {"start_date": first.start_date}
            }
        )


def _no_slot_message(cohort: Cohort) -> str:
    """Why a cohort takes nobody now, and what it waits for."""
    name = f"Cohort {cohort.sequence}"
    if cohort.status != Cohort.Status.FULL:
        return f"{name} is {cohort.get_status_display().lower()}: no slot is open."
    evaluations = DltEvaluation.objects.filter(enrollment__cohort=cohort)
    waiting = evaluations.filter(day0__isnull=True).count()
    if waiting:
        return (
            f"{name} has all its patients enrolled; it waits for {waiting} of them to be infused "
            f"and to finish the DLT window. No slot is open until then."
        )
    last = evaluations.filter(window_end__isnull=False).order_by("-window_end").first()
    until = f" (the last ends {last.window_end:%d %b %Y})" if last else ""
    return (
        f"{name} has all its patients enrolled and infused; it waits for their DLT windows to "
        f"end{until}. No slot is open until then."
    )


def enrollment_create(
    *, user, data: Mapping[str, Any], instance: Enrollment | None = None, reason: str | None = None
) -> Enrollment:
    """Enroll an eligible, consented subject into an open cohort. The cohort row is locked, so
    concurrent enrollments never over-fill it."""
    if instance is not None and not instance._state.adding:
        return enrollment_update(user=user, instance=instance, data=data, reason=reason)
    with transaction.atomic():
        subject, cohort = data.get("subject"), data.get("cohort")
        on = data.get("enrollment_date") or _today()
        if subject is None:
            raise ValidationError({"subject": _("This field is required.")})
        if cohort is None:
            raise ValidationError({"cohort": _("This field is required.")})
        # Row locks (PostgreSQL): the subject, so it is enrolled once; the cohort, so its slots
        # are counted by one transaction at a time; the study, for its maximum of patients.
        subject = (
            Subject.objects.select_for_update(of=("self",))
            .select_related("site")
            .get(pk=getattr(subject, "pk", subject))
        )
        _require_data_entry(user, subject)
        cohort = (
            Cohort.objects.select_for_update(of=("self", "study"))
            .select_related("study", "dose_level")
            .get(pk=getattr(cohort, "pk", cohort))
        )
        study = cohort.study
        if subject.site.study_id != study.pk:
            raise ValidationError({"cohort": _("This cohort belongs to another study.")})
        if on > _today():
            raise ValidationError({"enrollment_date": _("The enrollment date is in the future.")})
        existing = Enrollment.objects.filter(subject=subject).select_related("cohort").first()
        if existing is not None:
            raise Conflict(
                _("%(subject)s is already enrolled, in cohort %(sequence)s.")
                % {"subject": subject, "sequence": existing.cohort.sequence}
            )
        _check_enrollable(subject, on)
        cohort = cohort_windows_refresh(cohort=cohort, user=user)
        if cohort.status != Cohort.Status.OPEN:
            raise Conflict(_no_slot_message(cohort))
        if Enrollment.objects.filter(cohort__study=study).count() >= study.target_enrollment:
            raise Conflict(
                _("The study has enrolled its maximum of %(target_enrollment)s patients.")
                % {"target_enrollment": study.target_enrollment}
            )

        enrollment = instance or Enrollment()
        enrollment.subject, enrollment.cohort, enrollment.enrollment_date = subject, cohort, on
        enrollment.enrolled_by = user
        audited_save(enrollment, user=user, reason=reason)
        evaluation = DltEvaluation(enrollment=enrollment)
        _derive_dlt_status(evaluation, today=_today())
        audited_save(evaluation, user=user, reason="Opened at enrollment")
        subject.status = Subject.Status.ENROLLED
        audited_save(
            subject,
            user=user,
            reason=f"Enrolled in cohort {cohort.sequence} (DL{cohort.dose_level.number})",
        )
        cohort_refresh_status(cohort=cohort, user=user)
        return enrollment


def enrollment_update(
    *, user, instance: Enrollment, data: Mapping[str, Any], reason: str | None
) -> Enrollment:
    """Only the enrollment date can be corrected; the subject and cohort are fixed."""
    with transaction.atomic():
        _require_data_entry(user, instance.subject)
        refuse_changes(
            instance,
            data,
            ("subject", "cohort"),
            "An enrollment cannot move: record a protocol deviation instead.",
        )
        apply_data(instance, data)
        if instance.enrollment_date > _today():
            raise ValidationError({"enrollment_date": _("The enrollment date is in the future.")})
        _check_enrollment_date(
            instance.subject,
            instance.enrollment_date,
            screening_selectors.latest_assessment(instance.subject),
            enrollment=instance,
        )
        first = instance.infusions.filter(is_voided=False).order_by("started_at").first()
        if first is not None and timezone.localdate(first.started_at) < instance.enrollment_date:
            raise ValidationError(
                {"enrollment_date": _("An infusion is dated before this enrollment date.")}
            )
        return audited_save(instance, user=user, reason=reason)


# --- treatment -------------------------------------------------------------------------------


def lymphodepletion_save(
    *,
    user,
    data: Mapping[str, Any],
    instance: Lymphodepletion | None = None,
    reason: str | None = None,
) -> Lymphodepletion:
    with transaction.atomic():
        record = instance or Lymphodepletion()
        refuse_changes(
            record, data, ("enrollment",), "Lymphodepletion cannot move to another subject."
        )
        apply_data(record, data)
        if record.enrollment_id is None:
            raise ValidationError({"enrollment": _("This field is required.")})
        enrollment = record.enrollment
        _require_data_entry(user, enrollment.subject)
        if record.regimen_id is not None and record.regimen.study_id != enrollment.cohort.study_id:
            raise ValidationError({"regimen": _("This regimen belongs to another study.")})
        if record.start_date and record.start_date < enrollment.enrollment_date:
            raise ValidationError(
                {
                    "start_date": _(
                        "Lymphodepletion cannot start before enrollment (%(enrollment_date)s)."
                    )
                    % {"enrollment_date": enrollment.enrollment_date}
                }
            )
        if record.end_date and record.end_date > _today():
            raise ValidationError({"end_date": _("The end date is in the future.")})
        if not record.agents_and_doses and record.regimen_id is not None:
            record.agents_and_doses = record.regimen.agents
        return audited_save(record, user=user, reason=reason)


def lymphodepletion_void(*, user, instance: Lymphodepletion, reason: str) -> Lymphodepletion:
    with transaction.atomic():
        _require_data_entry(user, instance.enrollment.subject)
        return record_void(user=user, instance=instance, reason=reason)


def _dose_limits(planned: Decimal, tolerance_pct: Decimal) -> tuple[Decimal, Decimal]:
    share = tolerance_pct / Decimal(100)
    return planned * (1 - share), planned * (1 + share)


def infusion_save(
    *, user, data: Mapping[str, Any], instance: Infusion | None = None, reason: str | None = None
) -> Infusion:
    """Record a CAR-NK infusion; the partial-dose flag is derived from the planned and actual
    doses and the study's tolerance, and the DLT window follows from the first infusion."""
    data = dict(data)
    deviation = (data.pop("deviation_description", "") or "").strip()
    with transaction.atomic():
        infusion = instance or Infusion()
        adding = infusion._state.adding
        refuse_changes(
            infusion, data, ("enrollment",), "An infusion cannot move to another subject."
        )
        apply_data(infusion, data)
        if infusion.enrollment_id is None:
            raise ValidationError({"enrollment": _("This field is required.")})
        enrollment = Enrollment.objects.select_related(
            "cohort__study", "cohort__dose_level", "subject__site"
        ).get(pk=infusion.enrollment_id)
        infusion.enrollment = enrollment
        study = enrollment.cohort.study
        _require_data_entry(user, enrollment.subject)
        if infusion.dose_level_id is None:
            infusion.dose_level = enrollment.cohort.dose_level
        _same_study(infusion.dose_level, study, "dose_level")
        if infusion.planned_cells_per_kg_million is None:
            infusion.planned_cells_per_kg_million = infusion.dose_level.cells_per_kg_million
        errors = {}
        if infusion.started_at is not None:
            if infusion.started_at > timezone.now():
                errors["started_at"] = "The infusion is dated in the future."
            elif timezone.localdate(infusion.started_at) < enrollment.enrollment_date:
                errors["started_at"] = (
                    f"The infusion is dated before enrollment ({enrollment.enrollment_date})."
                )
        low, high = _dose_limits(
            infusion.planned_cells_per_kg_million, study.infusion_dose_tolerance_pct
        )
        actual = infusion.actual_cells_per_kg_million
        if actual is not None and actual > high:
            errors["actual_cells_per_kg_million"] = (
                f"The actual dose exceeds the planned {infusion.planned_cells_per_kg_million} x10^6/kg by more "
                f"than the {study.infusion_dose_tolerance_pct}% tolerance (at most {high.normalize()})."
            )
        cohort_level = enrollment.cohort.dose_level
        off_cohort = infusion.dose_level_id != cohort_level.pk
        if off_cohort and not deviation:
            errors["deviation_description"] = (
                f"Dose level {infusion.dose_level.number} differs from the cohort's dose level "
                f"{cohort_level.number}: a protocol deviation, after which the patient is not "
                f"DLT-evaluable. Describe what happened to save the infusion."
            )
        if errors:
            raise ValidationError(errors)
        infusion.partial_dose = actual is not None and actual < low
        if adding:
            last = enrollment.infusions.order_by("-number").values_list("number", flat=True).first()
            infusion.number = (last or 0) + 1
        audited_save(infusion, user=user, reason=reason)
        if off_cohort:
            deviation_raise(
                user=user,
                subject=enrollment.subject,
                rule="off_cohort_dose",
                category="dosing",
                on=timezone.localdate(infusion.started_at) if infusion.started_at else _today(),
                description=(
                    _(
                        "Infusion %(number)s at dose level %(number_)s, cohort %(sequence)s at dose level %(number__)s: %(deviation)s"
                    )
                    % {
                        "number": infusion.number,
                        "number_": infusion.dose_level.number,
                        "sequence": enrollment.cohort.sequence,
                        "number__": cohort_level.number,
                        "deviation": deviation,
                    }
                ),
                source=infusion,
            )
        dlt_evaluation_refresh(
            evaluation=enrollment.dlt_evaluation,
            user=user,
            reason=f"Infusion {infusion.number} recorded"
            + (" at another dose than the cohort's (protocol deviation)" if off_cohort else ""),
        )
        return infusion


def infusion_void(*, user, instance: Infusion, reason: str) -> Infusion:
    with transaction.atomic():
        _require_data_entry(user, instance.enrollment.subject)
        record_void(user=user, instance=instance, reason=reason)
        dlt_evaluation_refresh(
            evaluation=instance.enrollment.dlt_evaluation,
            user=user,
            reason=f"Infusion {instance.number} voided",
        )
        return instance


# --- DLT evaluation --------------------------------------------------------------------------

DLT_FIELDS = ("dlt_description", "dlt_onset_date", "dlt_grade")


def _derive_dlt_status(evaluation: DltEvaluation, *, today: date) -> rules.DltStatus:
    enrollment = evaluation.enrollment
    study = enrollment.cohort.study
    infusions = list(enrollment.infusions.filter(is_voided=False)) if enrollment.pk else []
    status = rules.dlt_status(
        selectors.dlt_facts(
            evaluation, infusions=infusions, window_days=study.dlt_window_days, today=today
        )
    )
    evaluation.day0 = min((timezone.localdate(i.started_at) for i in infusions), default=None)
    evaluation.window_end = status.window_end
    evaluation.status = status.status
    evaluation.replace = status.replace
    evaluation.status_reason = status.reason
    return status


def dlt_evaluation_refresh(
    *, evaluation: DltEvaluation, user, reason: str | None = None, today: date | None = None
) -> DltEvaluation:
    """Recompute the derived window and status; saves (with `reason`) only when they change."""
    evaluation = DltEvaluation.objects.select_related("enrollment__cohort__study").get(
        pk=evaluation.pk
    )
    before = (evaluation.day0, evaluation.window_end, evaluation.status, evaluation.replace)
    _derive_dlt_status(evaluation, today=today or _today())
    if (evaluation.day0, evaluation.window_end, evaluation.status, evaluation.replace) != before:
        audited_save(evaluation, user=user, reason=reason or "DLT status recomputed")
    cohort_refresh_status(cohort=evaluation.enrollment.cohort, user=user)
    return evaluation


def dlt_evaluation_save(
    *,
    user,
    data: Mapping[str, Any],
    instance: DltEvaluation | None = None,
    reason: str | None = None,
) -> DltEvaluation:
    """Record a DLT (description, onset, grade) or the subject leaving the study during the
    window. A change to the DLT clears earlier confirmations: it is adjudicated again."""
    if instance is None or instance._state.adding:
        raise ValidationError({"enrollment": _("A DLT evaluation opens with the enrollment.")})
    with transaction.atomic():
        evaluation = (
            DltEvaluation.objects.select_for_update()
            .select_related("enrollment__cohort__study", "enrollment__subject__site")
            .get(pk=instance.pk)
        )
        _require_data_entry(user, evaluation.enrollment.subject)
        refuse_changes(
            evaluation, data, ("enrollment",), "A DLT evaluation belongs to its enrollment."
        )
        dlt_before = tuple(getattr(evaluation, f) for f in DLT_FIELDS)
        apply_data(evaluation, data)
        today = _today()
        _derive_dlt_status(evaluation, today=today)
        errors = {}
        onset = evaluation.dlt_onset_date
        if onset is not None:
            if evaluation.day0 is None:
                errors["dlt_onset_date"] = (
                    "No infusion is recorded: a DLT starts on or after day 0."
                )
            elif not evaluation.day0 <= onset <= evaluation.window_end:
                errors["dlt_onset_date"] = (
                    f"A DLT has its onset inside the DLT window, day 0 ({evaluation.day0}) to "
                    f"{evaluation.window_end}."
                )
            elif onset > today:
                errors["dlt_onset_date"] = "The onset is in the future."
            if evaluation.dlt_grade is None:
                errors["dlt_grade"] = "Give the DLT's grade."
            if not evaluation.dlt_description.strip():
                errors["dlt_description"] = "Describe the DLT."
        elif evaluation.dlt_grade is not None or evaluation.dlt_description.strip():
            errors["dlt_onset_date"] = "Give the DLT's onset date."
        if evaluation.off_study_date is not None:
            if not evaluation.off_study_reason:
                errors["off_study_reason"] = "Say why the subject left the study."
            if evaluation.off_study_date > today:
                errors["off_study_date"] = "The date is in the future."
            if evaluation.off_study_date < evaluation.enrollment.enrollment_date:
                errors["off_study_date"] = "The date is before enrollment."
        if errors:
            raise ValidationError(errors)
        if tuple(getattr(evaluation, f) for f in DLT_FIELDS) != dlt_before:
            evaluation.investigator_confirmed_by = evaluation.investigator_confirmed_at = None
            evaluation.reviewer_confirmed_by = evaluation.reviewer_confirmed_at = None
            _derive_dlt_status(evaluation, today=today)
        audited_save(evaluation, user=user, reason=reason)
        cohort_refresh_status(cohort=evaluation.enrollment.cohort, user=user)
        return evaluation


def dlt_confirm(*, user, evaluation: DltEvaluation, as_role: str) -> DltEvaluation:
    """An investigator of the subject's site, then (or before) a safety reviewer, confirms the
    recorded DLT; with both, the DLT is adjudicated and counts for escalation."""
    with transaction.atomic():
        evaluation = (
            DltEvaluation.objects.select_for_update()
            .select_related("enrollment__cohort__study", "enrollment__subject__site")
            .get(pk=evaluation.pk)
        )
        if evaluation.dlt_onset_date is None:
            raise ValidationError({"dlt_onset_date": _("No DLT is recorded for this subject.")})
        now = timezone.now()
        if as_role == Role.INVESTIGATOR:
            if not user_has_role(user, Role.INVESTIGATOR, site=evaluation.enrollment.subject.site):
                raise PermissionDenied(
                    _("Only an investigator of the subject's site confirms as investigator.")
                )
            if evaluation.investigator_confirmed_at is not None:
                raise ValidationError(
                    {"non_field_errors": _("The investigator has already confirmed this DLT.")}
                )
            if evaluation.reviewer_confirmed_by_id == user.pk:
                raise ValidationError(
                    {"non_field_errors": _("The two confirmations come from two people.")}
                )
            evaluation.investigator_confirmed_by, evaluation.investigator_confirmed_at = user, now
        elif as_role == Role.SAFETY_REVIEWER:
            _require_study_role(
                user,
                evaluation.enrollment.cohort.study,
                Role.SAFETY_REVIEWER,
                "Only a safety reviewer of the study confirms as safety reviewer.",
            )
            if evaluation.reviewer_confirmed_at is not None:
                raise ValidationError(
                    {"non_field_errors": _("A safety reviewer has already confirmed this DLT.")}
                )
            if evaluation.investigator_confirmed_by_id == user.pk:
                raise ValidationError(
                    {"non_field_errors": _("The two confirmations come from two people.")}
                )
            evaluation.reviewer_confirmed_by, evaluation.reviewer_confirmed_at = user, now
        else:
            raise ValidationError({"as_role": _("Confirm as investigator or safety_reviewer.")})
        _derive_dlt_status(evaluation, today=_today())
        role_label = "investigator" if as_role == Role.INVESTIGATOR else "safety reviewer"
        audited_save(evaluation, user=user, reason=f"DLT confirmed by {role_label}")
        cohort_refresh_status(cohort=evaluation.enrollment.cohort, user=user)
        return evaluation


def cohort_windows_refresh(*, cohort: Cohort, user) -> Cohort:
    """Bring the cohort's pending DLT statuses up to today (a window may have closed)."""
    for evaluation in DltEvaluation.objects.filter(enrollment__cohort=cohort, status=rules.PENDING):
        dlt_evaluation_refresh(evaluation=evaluation, user=user, reason="DLT window closed")
    cohort.refresh_from_db()
    return cohort_refresh_status(cohort=cohort, user=user)


def dlt_windows_refresh(
    *, user, study: Study, today: date | None = None, skipped: list | None = None
) -> int:
    """Daily: windows that closed since yesterday turn pending patients evaluable. A locked
    casebook is left as it is (its screening number and the lock's message are appended to
    `skipped`); every other subject is still refreshed."""
    changed = 0
    pending = DltEvaluation.objects.filter(
        enrollment__cohort__study=study, status=rules.PENDING
    ).select_related("enrollment__subject")
    for evaluation in pending:
        before = evaluation.status
        try:
            with transaction.atomic():
                after = dlt_evaluation_refresh(
                    evaluation=evaluation,
                    user=user,
                    today=today,
                    reason="DLT window closed (scheduled refresh)",
                ).status
        except Conflict as locked:
            if skipped is not None:
                skipped.append((evaluation.enrollment.subject.screening_number, locked.messages))
            continue
        changed += after != before
    return changed


# --- escalation decisions --------------------------------------------------------------------


def escalation_decision_record(
    *,
    user,
    data: Mapping[str, Any],
    instance: EscalationDecision | None = None,
    reason: str | None = None,
) -> EscalationDecision:
    """The committee's decision on a cohort awaiting review, signed by a safety reviewer, beside
    the recommendation computed now. Unless it stops escalation, it opens the next cohort."""
    if instance is not None and not instance._state.adding:
        raise ValidationError({"cohort": _("A recorded decision stands; its signature covers it.")})
    with transaction.atomic():
        cohort = data.get("cohort")
        if cohort is None:
            raise ValidationError({"cohort": _("This field is required.")})
        cohort = (
            Cohort.objects.select_for_update()
            .select_related("study", "dose_level")
            .get(pk=getattr(cohort, "pk", cohort))
        )
        study = cohort.study
        _require_study_role(
            user, study, Role.SAFETY_REVIEWER, "Only a safety reviewer signs escalation decisions."
        )
        latest = study.cohorts.order_by("-sequence").first()
        if latest.pk != cohort.pk:
            raise Conflict(
                _("Decisions follow the latest cohort (%(sequence)s).")
                % {"sequence": latest.sequence}
            )
        cohort = cohort_windows_refresh(cohort=cohort, user=user)
        if cohort.status != Cohort.Status.AWAITING_REVIEW:
            raise Conflict(
                _("Cohort %(sequence)s is %(value3)s, not awaiting review.")
                % {"sequence": cohort.sequence, "value3": cohort.get_status_display().lower()}
            )

        state = selectors.escalation_state(study=study)
        rec = state["recommendation"]
        decision = instance or EscalationDecision()
        apply_data(decision, {k: v for k, v in data.items() if k != "cohort"})
        decision.cohort = cohort
        _same_study(decision.next_dose_level, study, "next_dose_level")
        _same_study(decision.mtd_dose_level, study, "mtd_dose_level")
        if decision.action == rules.STOP:
            if decision.next_dose_level is not None:
                raise ValidationError(
                    {"next_dose_level": _("Stopping escalation opens no further cohort.")}
                )
        else:
            if decision.next_dose_level is None:
                raise ValidationError({"next_dose_level": _("Give the dose for the next cohort.")})
            if decision.mtd_dose_level is not None:
                raise ValidationError(
                    {"mtd_dose_level": _("An MTD is declared only when stopping.")}
                )
        decision.recommended_action = rec["action"]
        decision.recommended_next_dose = rec["next_dose"]
        decision.recommended_mtd = rec["mtd"]
        decision.recommendation_reason = rec["reason"]
        decision.data_snapshot = {
            "design": study.escalation_design,
            "as_of": state["as_of"].isoformat(),
            "current_dose": state["current_dose"],
            "doses": [
                {k: d[k] for k in ("dose", "treated", "pending", "n", "y")} for d in state["doses"]
            ],
        }
        chosen_next = decision.next_dose_level.number if decision.next_dose_level else None
        chosen_mtd = decision.mtd_dose_level.number if decision.mtd_dose_level else None
        decision.agrees = (decision.action, chosen_next, chosen_mtd) == (
            rec["action"],
            rec["next_dose"],
            rec["mtd"],
        )
        if not decision.agrees and not decision.rationale.strip():
            raise ValidationError(
                {
                    "rationale": _(
                        "The decision departs from the recommendation (%(value1)s): give the committee's rationale."
                    )
                    % {"value1": rec["action"]}
                }
            )
        decision.signed_by, decision.signed_at = user, timezone.now()
        audited_save(decision, user=user, reason=reason)
        cohort.status = Cohort.Status.CLOSED
        audited_save(
            cohort,
            user=user,
            reason=f"Closed by the committee's decision: {decision.get_action_display().lower()}",
        )
        if decision.action != rules.STOP:
            following = Cohort(
                study=study,
                dose_level=decision.next_dose_level,
                sequence=cohort.sequence + 1,
                size=study.cohort_size,
                opened_by_decision=decision,
            )
            audited_save(
                following,
                user=user,
                reason=f"Opened by the committee's decision after cohort {cohort.sequence}",
            )
        return decision
