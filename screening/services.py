"""The one write path for screening: register a subject, record consent, assess and confirm
eligibility. Every function validates, derives, records who and why, and saves atomically."""

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from trial.models import Site, SiteRole
from trial.selectors import user_has_role
from trial.services import apply_data, audited_save, record_void, refuse_changes, require_data_entry

from . import rules, selectors
from .models import Consent, EligibilityAssessment, MedicalHistory, PriorTherapy, Subject

Role = SiteRole.Role
DATA_ENTRY_ROLES = (Role.INVESTIGATOR, Role.COORDINATOR)
MAX_PLAUSIBLE_AGE = 120
ADULT_AGE = 18
ASSENT_AGES = range(3, 18)


def _require_data_entry(user, site: Site) -> None:
    require_data_entry(user, site)


def _require_investigator(user, site: Site) -> None:
    if not user_has_role(user, Role.INVESTIGATOR, site=site):
        raise PermissionDenied(_("Only an investigator of this site can confirm eligibility."))


def _today() -> date:
    return timezone.localdate()


def _set_status(subject: Subject, status: str, *, user, reason: str) -> None:
    if subject.status != status:
        subject.status = status
        audited_save(subject, user=user, reason=reason)


# --- subjects --------------------------------------------------------------------------------


def _validate_date_of_birth(date_of_birth: date | None, today: date) -> None:
    if date_of_birth is None:
        return
    if date_of_birth > today:
        raise ValidationError({"date_of_birth": _("The date of birth is in the future.")})
    if rules.age_in_completed_years(date_of_birth, today) > MAX_PLAUSIBLE_AGE:
        raise ValidationError(
            {
                "date_of_birth": _(
                    "The date of birth gives an age over %(max_plausible_age)s years."
                )
                % {"max_plausible_age": MAX_PLAUSIBLE_AGE}
            }
        )


def subject_save(
    *,
    user,
    data: Mapping[str, Any],
    instance: Subject | None = None,
    reason: str | None = None,
    is_demo: bool = False,
) -> Subject:
    """Register a subject (the system assigns the screening number) or correct date of birth
    or sex. The site of a registered subject never changes."""
    with transaction.atomic():
        subject = instance or Subject()
        adding = subject._state.adding
        if adding:
            site = data.get("site")
            if site is None:
                raise ValidationError({"site": _("This field is required.")})
            site = Site.objects.select_for_update().get(pk=getattr(site, "pk", site))
            _require_data_entry(user, site)
            if not site.is_active:
                raise ValidationError({"site": _("This site is closed for screening.")})
            last = site.subjects.order_by("-sequence").values_list("sequence", flat=True).first()
            subject.sequence = (last or 0) + 1
            subject.screening_number = f"{site.code}-S-{subject.sequence:03d}"
            subject.is_demo = is_demo
        else:
            _require_data_entry(user, subject.site)
            refuse_changes(subject, data, ("site",), "A subject cannot move to another site.")
        apply_data(subject, data)
        _validate_date_of_birth(subject.date_of_birth, _today())
        audited_save(subject, user=user, reason=reason)
        if not adding:
            _reassess_open(subject, user=user, reason=reason)
        return subject


def subject_void(*, user, instance: Subject, reason: str) -> Subject:
    """A subject registered in error (e.g. twice). The screening number is never reused."""
    with transaction.atomic():
        _require_data_entry(user, instance.site)
        if instance.status == Subject.Status.ENROLLED:
            raise ValidationError({"status": _("An enrolled subject is withdrawn, not voided.")})
        return record_void(user=user, instance=instance, reason=reason)


# --- consent ---------------------------------------------------------------------------------


def _validate_consent(consent: Consent, today: date) -> None:
    subject = consent.subject
    errors: dict[str, str] = {}
    if consent.consent_date and consent.consent_date > today:
        errors["consent_date"] = "The consent date is in the future."
    age = (
        rules.age_in_completed_years(subject.date_of_birth, consent.consent_date)
        if consent.consent_date
        else None
    )
    representative = consent.signed_by == Consent.Signer.REPRESENTATIVE
    if age is not None and age < ADULT_AGE and not representative:
        errors["signed_by"] = (
            f"The patient was {age} at consent: a legally authorized representative signs for a minor."
        )
    if representative and not consent.representative_relationship.strip():
        errors["representative_relationship"] = (
            "Say how the representative is related to the patient."
        )
    if age is not None and age in ASSENT_AGES and consent.assent_obtained is None:
        errors["assent_obtained"] = f"The patient was {age} at consent: record the minor's assent."
    if age is not None and age not in ASSENT_AGES and consent.assent_obtained is not None:
        errors["assent_obtained"] = (
            f"Assent is recorded for minors aged 3-17; the patient was {age}."
        )
    if errors:
        raise ValidationError(errors)


def consent_save(
    *, user, data: Mapping[str, Any], instance: Consent | None = None, reason: str | None = None
) -> Consent:
    with transaction.atomic():
        consent = instance or Consent()
        refuse_changes(consent, data, ("subject",), "A consent cannot move to another subject.")
        apply_data(consent, data)
        if consent.subject_id is None:
            raise ValidationError({"subject": _("This field is required.")})
        subject = consent.subject
        _require_data_entry(user, subject.site)
        if subject.is_voided:
            raise ValidationError({"subject": _("This subject is voided.")})
        _validate_consent(consent, _today())
        first_data = (
            subject.assessments.filter(is_voided=False)
            .order_by("assessment_date")
            .values_list("assessment_date", flat=True)
            .first()
        )
        audited_save(consent, user=user, reason=reason)
        first_consent = selectors.first_consent_date(subject)
        if first_data is not None and first_consent is not None and first_data < first_consent:
            raise ValidationError(
                {
                    "consent_date": _(
                        "Screening data are dated %(first_data)s, before this consent."
                    )
                    % {"first_data": first_data}
                }
            )
        _reassess_open(subject, user=user, reason=reason or "Consent recorded")
        return consent


def consent_withdraw(*, user, consent: Consent, withdrawn_date: date, reason: str) -> Consent:
    """The patient withdraws consent: recorded on the consent, the subject is withdrawn."""
    with transaction.atomic():
        consent = Consent.objects.select_for_update().get(pk=consent.pk)
        subject = consent.subject
        _require_data_entry(user, subject.site)
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError({"reason": _("Give the reason for the withdrawal.")})
        if consent.withdrawn_date is not None:
            raise ValidationError({"withdrawn_date": _("This consent is already withdrawn.")})
        if withdrawn_date < consent.consent_date:
            raise ValidationError(
                {"withdrawn_date": _("Consent cannot be withdrawn before it was given.")}
            )
        if withdrawn_date > _today():
            raise ValidationError({"withdrawn_date": _("The withdrawal date is in the future.")})
        consent.withdrawn_date = withdrawn_date
        consent.withdrawal_reason = reason
        audited_save(consent, user=user, reason=f"Consent withdrawn: {reason}")
        if selectors.consent_in_force(subject, _today()) is None:
            _set_status(
                subject, Subject.Status.WITHDRAWN, user=user, reason=f"Consent withdrawn: {reason}"
            )
        return consent


def consent_void(*, user, instance: Consent, reason: str) -> Consent:
    with transaction.atomic():
        _require_data_entry(user, instance.subject.site)
        return record_void(user=user, instance=instance, reason=reason)


# --- eligibility -----------------------------------------------------------------------------

ANSWER_FIELDS = {code: code.lower() for code in rules.ANSWERED_CODES if code != "I14"}
FACT_FIELDS = (
    "ecog",
    "cardiac_function_grade",
    "tbil",
    "tbil_uln",
    "ast",
    "ast_uln",
    "alt",
    "alt_uln",
    "creatinine",
    "creatinine_uln",
    "childbearing_potential",
    "pregnancy_test_date",
    "pregnancy_test_negative",
)
PREGNANCY_FIELDS = ("childbearing_potential", "pregnancy_test_date", "pregnancy_test_negative")


def eligibility_facts(
    assessment: EligibilityAssessment, *, consented: bool
) -> rules.EligibilityFacts:
    """The rule's input from the CRF; I14 (written consent) comes from the consent records."""
    answers = {code: getattr(assessment, name) for code, name in ANSWER_FIELDS.items()}
    answers["I14"] = consented
    return rules.EligibilityFacts(
        assessment_date=assessment.assessment_date,
        date_of_birth=assessment.subject.date_of_birth,
        answers=answers,
        **{name: getattr(assessment, name) for name in FACT_FIELDS},
    )


def _validate_assessment(assessment: EligibilityAssessment, today: date) -> None:
    subject = assessment.subject
    errors: dict[str, str] = {}
    when = assessment.assessment_date
    if when > today:
        errors["assessment_date"] = "The assessment date is in the future."
    first_consent = selectors.first_consent_date(subject)
    if first_consent is None:
        errors["assessment_date"] = "No consent is recorded: screening starts after consent."
    else:
        for name in ("assessment_date", "pregnancy_test_date", "nkg2d_test_date"):
            value = getattr(assessment, name)
            if value is not None and value < first_consent:
                label = assessment._meta.get_field(name).verbose_name
                errors[name] = f"The {label} ({value}) is before consent ({first_consent})."
    if assessment.pregnancy_test_date and assessment.pregnancy_test_date > when:
        errors.setdefault(
            "pregnancy_test_date", "The pregnancy test is dated after the assessment."
        )
    if subject.sex == Subject.Sex.MALE:
        for name in PREGNANCY_FIELDS:
            if getattr(assessment, name) not in (None, False):
                errors[name] = "Pregnancy data were entered for a patient recorded as male."
    if errors:
        raise ValidationError(errors)


def _compute(assessment: EligibilityAssessment) -> None:
    consent = selectors.consent_in_force(assessment.subject, assessment.assessment_date)
    result = rules.assess_eligibility(eligibility_facts(assessment, consented=consent is not None))
    assessment.eligible = result.eligible
    assessment.criteria = dict(result.criteria)
    assessment.reasons = list(result.reasons)


def eligibility_preview(*, user, data: Mapping[str, Any]) -> dict:
    """The verdict the protocol's rule gives for a form being filled in, before it is saved:
    the same facts and rule as a save, nothing written. Unanswered criteria are "unknown"."""
    subject = selectors.subject_list(user=user).filter(pk=data.get("subject")).first()
    assessment = EligibilityAssessment(
        subject=subject,
        assessment_date=data.get("assessment_date") or _today(),
        **{name: data.get(name) for name in (*FACT_FIELDS, *ANSWER_FIELDS.values())},
    )
    if subject is None:
        return {"verdict": _("Choose the subject to see the verdict."), "eligible": None}
    _compute(assessment)
    unknown = [c for c in rules.CODES if assessment.criteria.get(c) is None]
    if assessment.eligible is True:
        verdict = _("Eligible")
    elif assessment.eligible is False:
        verdict = _("Not eligible")
    else:
        verdict = _("Not decided yet: answer the criteria listed as unknown")
    return {
        "verdict": verdict,
        "eligible": assessment.eligible,
        "failing": [{"code": c, "text": _(rules.CRITERIA[c])} for c in assessment.reasons],
        "unknown": unknown,
    }


def eligibility_assessment_save(
    *,
    user,
    data: Mapping[str, Any],
    instance: EligibilityAssessment | None = None,
    reason: str | None = None,
) -> EligibilityAssessment:
    """Record or correct a screening attempt; the result is recomputed in the same transaction.

    Correcting a confirmed assessment withdraws the confirmation: the investigator confirms
    the new result again.
    """
    with transaction.atomic():
        assessment = instance or EligibilityAssessment()
        adding = assessment._state.adding
        refuse_changes(
            assessment, data, ("subject",), "An assessment cannot move to another subject."
        )
        apply_data(assessment, data)
        if assessment.subject_id is None:
            raise ValidationError({"subject": _("This field is required.")})
        subject = Subject.objects.select_for_update().get(pk=assessment.subject_id)
        assessment.subject = subject
        _require_data_entry(user, subject.site)
        if subject.is_voided:
            raise ValidationError({"subject": _("This subject is voided.")})
        if subject.status in (Subject.Status.ENROLLED, Subject.Status.WITHDRAWN):
            raise ValidationError(
                {
                    "subject": _("The subject is %(value1)s: eligibility is closed.")
                    % {"value1": subject.get_status_display().lower()}
                }
            )
        if adding:
            latest = selectors.latest_assessment(subject)
            if latest is not None and not latest.is_confirmed:
                raise ValidationError(
                    {
                        "subject": _(
                            "Attempt %(attempt)s is still open: complete and confirm it first."
                        )
                        % {"attempt": latest.attempt}
                    }
                )
            last_attempt = (
                subject.assessments.order_by("-attempt").values_list("attempt", flat=True).first()
            )
            assessment.attempt = (last_attempt or 0) + 1
        if assessment.assessment_date is None:
            raise ValidationError({"assessment_date": _("This field is required.")})
        _validate_assessment(assessment, _today())
        _compute(assessment)
        was_confirmed = assessment.is_confirmed
        if was_confirmed:
            assessment.confirmed_by = None
            assessment.confirmed_at = None
        audited_save(assessment, user=user, reason=reason)
        if adding:
            _set_status(
                subject,
                Subject.Status.SCREENING,
                user=user,
                reason=f"Screening attempt {assessment.attempt} started",
            )
        elif was_confirmed:
            _set_status(
                subject,
                Subject.Status.SCREENING,
                user=user,
                reason=f"Eligibility attempt {assessment.attempt} corrected: confirmation withdrawn",
            )
        return assessment


def _reassess_open(subject: Subject, *, user, reason: str | None) -> None:
    """Date of birth or consent changed: recompute the subject's open (unconfirmed) attempt."""
    latest = selectors.latest_assessment(subject)
    if latest is None or latest.is_confirmed:
        return
    before = (latest.eligible, latest.criteria, latest.reasons)
    _compute(latest)
    if (latest.eligible, latest.criteria, latest.reasons) != before:
        audited_save(latest, user=user, reason=f"Recomputed: {reason or 'subject data changed'}")


def eligibility_confirm(*, user, assessment: EligibilityAssessment) -> EligibilityAssessment:
    """The investigator confirms the computed verdict; the subject becomes eligible or screen
    failed. Only a decided verdict (eligible or not) can be confirmed."""
    with transaction.atomic():
        assessment = EligibilityAssessment.objects.select_for_update().get(pk=assessment.pk)
        subject = Subject.objects.select_for_update().get(pk=assessment.subject_id)
        _require_investigator(user, subject.site)
        if assessment.is_voided:
            raise ValidationError({"non_field_errors": _("This assessment is voided.")})
        if assessment.is_confirmed:
            raise ValidationError({"non_field_errors": _("This assessment is already confirmed.")})
        latest = selectors.latest_assessment(subject)
        if latest is None or latest.pk != assessment.pk:
            raise ValidationError(
                {"non_field_errors": _("Only the latest screening attempt can be confirmed.")}
            )
        if subject.status in (Subject.Status.ENROLLED, Subject.Status.WITHDRAWN):
            raise ValidationError(
                {
                    "non_field_errors": _("The subject is %(value1)s.")
                    % {"value1": subject.get_status_display().lower()}
                }
            )
        _compute(assessment)
        if assessment.eligible is None:
            unknown = [c for c in rules.CODES if assessment.criteria.get(c) is None]
            raise ValidationError(
                {
                    "non_field_errors": _("Eligibility cannot be decided yet: unknown %(value1)s.")
                    % {"value1": ", ".join(unknown)}
                }
            )
        assessment.confirmed_by = user
        assessment.confirmed_at = timezone.now()
        verdict = (
            "eligible" if assessment.eligible else f"not eligible ({', '.join(assessment.reasons)})"
        )
        audited_save(assessment, user=user, reason=f"Eligibility confirmed: {verdict}")
        status = Subject.Status.ELIGIBLE if assessment.eligible else Subject.Status.SCREEN_FAILED
        _set_status(
            subject,
            status,
            user=user,
            reason=f"Eligibility attempt {assessment.attempt} confirmed: {verdict}",
        )
        return assessment


def eligibility_assessment_void(
    *, user, instance: EligibilityAssessment, reason: str
) -> EligibilityAssessment:
    with transaction.atomic():
        _require_data_entry(user, instance.subject.site)
        if instance.is_confirmed:
            raise ValidationError(
                {
                    "is_voided": _(
                        "A confirmed assessment stays on record; start a new attempt instead."
                    )
                }
            )
        return record_void(user=user, instance=instance, reason=reason)


# --- medical history -------------------------------------------------------------------------


def medical_history_save(
    *,
    user,
    data: Mapping[str, Any],
    instance: MedicalHistory | None = None,
    reason: str | None = None,
) -> MedicalHistory:
    """The AML history the investigator answers I2/I3 from; one per subject."""
    with transaction.atomic():
        history = instance or MedicalHistory()
        refuse_changes(
            history, data, ("subject",), "A medical history cannot move to another subject."
        )
        apply_data(history, data)
        if history.subject_id is None:
            raise ValidationError({"subject": _("This field is required.")})
        subject = history.subject
        _require_data_entry(user, subject.site)
        if history._state.adding and subject.medical_histories.filter(is_voided=False).exists():
            raise ValidationError(
                {"subject": _("This subject already has a medical history: correct it instead.")}
            )
        errors = {}
        today = _today()
        if history.diagnosis_date and history.diagnosis_date > today:
            errors["diagnosis_date"] = "The diagnosis date is in the future."
        if history.diagnosis_date and history.diagnosis_date < subject.date_of_birth:
            errors["diagnosis_date"] = "The diagnosis precedes the date of birth."
        if history.prior_allo_transplant and history.transplant_date is None:
            errors["transplant_date"] = "Give the date of the allogeneic transplant."
        if not history.prior_allo_transplant and history.transplant_date is not None:
            errors["transplant_date"] = "No prior transplant is recorded."
        if errors:
            raise ValidationError(errors)
        return audited_save(history, user=user, reason=reason)


def prior_therapy_save(
    *,
    user,
    data: Mapping[str, Any],
    instance: PriorTherapy | None = None,
    reason: str | None = None,
) -> PriorTherapy:
    with transaction.atomic():
        therapy = instance or PriorTherapy()
        refuse_changes(
            therapy, data, ("medical_history",), "A therapy line belongs to its history."
        )
        apply_data(therapy, data)
        if therapy.medical_history_id is None:
            raise ValidationError({"medical_history": _("This field is required.")})
        _require_data_entry(user, therapy.medical_history.subject.site)
        if therapy.start_date and therapy.start_date > _today():
            raise ValidationError({"start_date": _("The start date is in the future.")})
        if therapy.end_date and therapy.start_date and therapy.end_date < therapy.start_date:
            raise ValidationError({"end_date": _("The therapy ends before it starts.")})
        return audited_save(therapy, user=user, reason=reason)


def medical_history_void(*, user, instance: MedicalHistory, reason: str) -> MedicalHistory:
    with transaction.atomic():
        _require_data_entry(user, instance.subject.site)
        return record_void(user=user, instance=instance, reason=reason)


def prior_therapy_void(*, user, instance: PriorTherapy, reason: str) -> PriorTherapy:
    with transaction.atomic():
        _require_data_entry(user, instance.medical_history.subject.site)
        return record_void(user=user, instance=instance, reason=reason)
