"""Reads of screening data, scoped to the user's sites."""

from collections import Counter
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from trial.selectors import scope_to_sites

from .models import Consent, EligibilityAssessment, MedicalHistory, PriorTherapy, Subject
from .rules import CODES


def subject_list(*, user) -> QuerySet[Subject]:
    return scope_to_sites(Subject.objects.select_related("site"), user)


def consent_list(*, user) -> QuerySet[Consent]:
    return scope_to_sites(
        Consent.objects.select_related("subject__site", "obtained_by"),
        user,
        site_path="subject__site",
    )


def assessment_list(*, user) -> QuerySet[EligibilityAssessment]:
    return scope_to_sites(
        EligibilityAssessment.objects.select_related("subject__site", "confirmed_by"),
        user,
        site_path="subject__site",
    )


def consent_in_force(subject: Subject, on: date) -> Consent | None:
    """The latest consent signed on or before `on` and not withdrawn by then."""
    return (
        subject.consents.filter(is_voided=False, consent_date__lte=on)
        .exclude(withdrawn_date__lte=on)
        .order_by("-consent_date", "-pk")
        .first()
    )


def first_consent_date(subject: Subject) -> date | None:
    return (
        subject.consents.filter(is_voided=False)
        .order_by("consent_date")
        .values_list("consent_date", flat=True)
        .first()
    )


def latest_assessment(subject: Subject) -> EligibilityAssessment | None:
    return subject.assessments.filter(is_voided=False).order_by("-attempt").first()


STATUSES = [s.value for s in Subject.Status]


def screening_log(*, user) -> dict:
    """CONSORT-style screening box per site and overall: screened, screen failed (by failing
    criterion code of the latest assessment), eligible, enrolled, withdrawn.

    Three queries whatever the number of subjects.
    """
    subjects = subject_list(user=user).filter(is_voided=False)
    by_status = (
        subjects.values("site_id", "site__code", "site__name", "status")
        .annotate(n=Count("pk"))
        .order_by("site__code")
    )
    sites: dict[int, dict] = {}
    for row in by_status:
        site = sites.setdefault(
            row["site_id"],
            {
                "site": row["site__code"],
                "site_name": row["site__name"],
                "statuses": Counter(),
                "failed_by": Counter(),
            },
        )
        site["statuses"][row["status"]] += row["n"]

    failed = (
        EligibilityAssessment.objects.filter(
            subject__in=subjects.filter(status=Subject.Status.SCREEN_FAILED), is_voided=False
        )
        .order_by("subject_id", "-attempt")
        .values_list("subject_id", "subject__site_id", "reasons")
    )
    seen: set[int] = set()
    for subject_id, site_id, reasons in failed:
        if subject_id in seen:  # only the latest attempt of each subject
            continue
        seen.add(subject_id)
        sites[site_id]["failed_by"].update(reasons)

    def box(statuses: Counter, failed_by: Counter) -> dict:
        return {
            "screened": sum(statuses.values()),
            "in_screening": statuses[Subject.Status.SCREENING],
            "screen_failed": statuses[Subject.Status.SCREEN_FAILED],
            "screen_failed_by_criterion": {c: failed_by[c] for c in CODES if failed_by[c]},
            "eligible_not_enrolled": statuses[Subject.Status.ELIGIBLE],
            "enrolled": statuses[Subject.Status.ENROLLED],
            "withdrawn": statuses[Subject.Status.WITHDRAWN],
        }

    overall_statuses, overall_failed = Counter(), Counter()
    per_site = []
    for site in sites.values():
        overall_statuses.update(site["statuses"])
        overall_failed.update(site["failed_by"])
        per_site.append(
            {
                "site": site["site"],
                "site_name": site["site_name"],
                **box(site["statuses"], site["failed_by"]),
            }
        )
    return {"overall": box(overall_statuses, overall_failed), "sites": per_site}


def medical_history(subject: Subject):
    return subject.medical_histories.filter(is_voided=False).first()


def medical_history_list(*, user):
    return scope_to_sites(
        MedicalHistory.objects.select_related("subject__site").prefetch_related("therapies"),
        user,
        site_path="subject__site",
    )


def prior_therapy_list(*, user):
    return scope_to_sites(
        PriorTherapy.objects.select_related("medical_history__subject__site"),
        user,
        site_path="medical_history__subject__site",
    )


def subject_for_write(data, instance) -> Subject:
    """The subject a CRF is written for: from the data when it is new, else its own (which a
    service never lets change)."""
    subject = (
        data.get("subject") if instance is None or instance._state.adding else instance.subject
    )
    if subject is None:
        raise ValidationError({"subject": _("This field is required.")})
    return Subject.objects.select_related("site").get(pk=getattr(subject, "pk", subject))
