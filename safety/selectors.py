"""Reads of safety data, scoped to the user's sites."""

from django.db.models import F, Prefetch, Q, QuerySet

from trial.models import SiteRole
from trial.selectors import scope_to_sites, site_ids_for, study_list

from .models import (
    AdverseEvent,
    ConMed,
    CrsAssessment,
    DltCandidate,
    DltCriteriaConfig,
    IcansAssessment,
    LabResult,
)

IN_DLT_WINDOW = Q(
    onset_date__gte=F("subject__enrollment__dlt_evaluation__day0"),
    onset_date__lte=F("subject__enrollment__dlt_evaluation__window_end"),
)


def adverse_event_list(*, user) -> QuerySet[AdverseEvent]:
    return scope_to_sites(
        AdverseEvent.objects.select_related("subject__site").prefetch_related("grades"),
        user,
        site_path="subject__site",
    )


def codes_adverse_events(user) -> bool:
    """Data managers code adverse event terms (at the sites they manage; the service checks)."""
    return bool(site_ids_for(user, roles=(SiteRole.Role.DATA_MANAGER,)))


# the treatments that mask fever (tocilizumab, corticosteroids), read with a page of CRS
# assessments rather than once per row (`services.crs_treatments_before` uses them)
CRS_TREATMENTS = Prefetch(
    "subject__conmeds",
    queryset=ConMed.objects.filter(
        is_voided=False,
        category__in=[ConMed.Category.TOCILIZUMAB, ConMed.Category.CORTICOSTEROID],
    ).order_by("start_date", "pk"),
    to_attr="crs_treatments",
)


def crs_assessment_list(*, user) -> QuerySet[CrsAssessment]:
    return scope_to_sites(
        CrsAssessment.objects.select_related("subject__site").prefetch_related(CRS_TREATMENTS),
        user,
        site_path="subject__site",
    )


def icans_assessment_list(*, user) -> QuerySet[IcansAssessment]:
    return scope_to_sites(
        IcansAssessment.objects.select_related("subject__site"), user, site_path="subject__site"
    )


def lab_list(*, user) -> QuerySet[LabResult]:
    return scope_to_sites(
        LabResult.objects.select_related("subject__site"), user, site_path="subject__site"
    )


def dlt_candidate_list(*, user) -> QuerySet[DltCandidate]:
    return scope_to_sites(
        DltCandidate.objects.select_related("subject__site", "adverse_event", "decided_by"),
        user,
        site_path="subject__site",
    )


def dlt_criteria_list(*, user) -> QuerySet[DltCriteriaConfig]:
    return DltCriteriaConfig.objects.filter(study__in=study_list(user=user)).select_related("study")


def conmed_list(*, user) -> QuerySet[ConMed]:
    return scope_to_sites(
        ConMed.objects.select_related("subject__site", "adverse_event"),
        user,
        site_path="subject__site",
    )
