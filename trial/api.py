"""`/api/v1/studies/`, `/api/v1/sites/`, `/api/v1/dose-levels/`: read by every study role,
changed by data managers, always through `trial.services`."""

from . import selectors, services
from .api_base import AuditedModelSerializer, AuditedModelViewSet, VoidActionMixin
from .models import DoseLevel, Site, Study

AUDIT_FIELDS = ["created_at", "version"]


class StudySerializer(AuditedModelSerializer):
    class Meta:
        model = Study
        fields = [
            "id",
            "registry_id",
            "title",
            "short_title",
            "sponsor",
            "phase",
            "target_enrollment",
            "min_age_years",
            "max_age_years",
            "dlt_window_days",
            "cohort_size",
            "escalation_design",
            "deescalation",
            "boin_target",
            "boin_cutoff_eli",
            "boin_n_earlystop",
            "change_reason",
            *AUDIT_FIELDS,
        ]
        read_only_fields = AUDIT_FIELDS


class SiteSerializer(AuditedModelSerializer):
    class Meta:
        model = Site
        fields = [
            "id",
            "study",
            "code",
            "name",
            "city",
            "country",
            "is_active",
            "change_reason",
            *AUDIT_FIELDS,
        ]
        read_only_fields = AUDIT_FIELDS


class DoseLevelSerializer(AuditedModelSerializer):
    class Meta:
        model = DoseLevel
        fields = [
            "id",
            "study",
            "number",
            "label",
            "cells_per_kg_million",
            "schedule",
            "is_placeholder",
            "is_voided",
            "voided_at",
            "void_reason",
            "change_reason",
            *AUDIT_FIELDS,
        ]
        read_only_fields = ["is_voided", "voided_at", "void_reason", *AUDIT_FIELDS]


class StudyViewSet(AuditedModelViewSet):
    serializer_class = StudySerializer
    queryset = Study.objects.none()
    filterset_fields = ["registry_id", "escalation_design"]
    ordering_fields = ["registry_id", "created_at"]
    create_service = services.study_save
    update_service = services.study_save

    def get_queryset(self):
        return selectors.study_list(user=self.request.user)


class SiteViewSet(AuditedModelViewSet):
    serializer_class = SiteSerializer
    queryset = Site.objects.none()
    filterset_fields = ["study", "code", "is_active", "country"]
    ordering_fields = ["code", "name", "created_at"]
    create_service = services.site_save
    update_service = services.site_save

    def get_queryset(self):
        return selectors.site_list(user=self.request.user)


class DoseLevelViewSet(VoidActionMixin, AuditedModelViewSet):
    serializer_class = DoseLevelSerializer
    queryset = DoseLevel.objects.none()
    filterset_fields = ["study", "number", "is_placeholder", "is_voided"]
    ordering_fields = ["number", "created_at"]
    create_service = services.dose_level_save
    update_service = services.dose_level_save
    void_service = services.dose_level_void

    def get_queryset(self):
        return selectors.dose_level_list(user=self.request.user)


def register(router) -> None:
    router.register("studies", StudyViewSet, basename="study")
    router.register("sites", SiteViewSet, basename="site")
    router.register("dose-levels", DoseLevelViewSet, basename="dose-level")
