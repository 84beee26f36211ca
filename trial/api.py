"""`/api/v1/studies/`, `/api/v1/sites/`, `/api/v1/dose-levels/`, `/api/v1/site-roles/`: read by
every study role, changed by data managers, always through `trial.services`; `/api/v1/me/` and
`/api/v1/users/` tell a client who it is and whom it may name in a record."""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.response import Response

from . import selectors, services
from .api_base import (
    AuditedModelSerializer,
    AuditedModelViewSet,
    ScopedPrimaryKeyField,
    StudyAPIView,
    VoidActionMixin,
)
from .models import DoseLevel, Site, SiteRole, Study

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


class RoleSerializer(serializers.Serializer):
    site = serializers.IntegerField(source="site_id")
    site_code = serializers.CharField(source="site.code")
    study = serializers.CharField(source="site.study.registry_id")
    role = serializers.CharField()


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField(source="get_full_name")
    roles = RoleSerializer(many=True, source="active_roles")


class MeView(StudyAPIView):
    """Who the client is: its user id (what `obtained_by` and similar fields take) and its
    active roles, per site."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        user.active_roles = list(
            user.site_roles.filter(is_active=True)
            .select_related("site__study")
            .order_by("site__study__registry_id", "site__code", "role")
        )
        return Response(MeSerializer(user).data)


class UserSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(source="get_full_name", read_only=True)

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "full_name"]


class UserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The people a client may name in a record (who obtained consent, who assessed): active
    users holding a role at one of the client's sites."""

    serializer_class = UserSerializer
    queryset = get_user_model().objects.none()
    permission_classes = [permissions.IsAuthenticated]
    http_method_names = ["get", "head", "options"]
    filterset_fields = ["username"]
    ordering_fields = ["username"]
    lookup_value_regex = "[0-9]{1,18}"

    def get_queryset(self):
        return selectors.site_staff(user=self.request.user).order_by("username")


class SiteRoleSerializer(AuditedModelSerializer):
    user = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True)
    )
    site = ScopedPrimaryKeyField(selector=selectors.managed_site_list, model=Site)
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = SiteRole
        fields = [
            "id",
            "user",
            "username",
            "site",
            "role",
            "is_active",
            "change_reason",
            *AUDIT_FIELDS,
        ]
        read_only_fields = AUDIT_FIELDS


class SiteRoleViewSet(AuditedModelViewSet):
    """Roles of people at sites: granted and revoked (`is_active: false`, with a reason) by data
    managers, each change in the role's history."""

    serializer_class = SiteRoleSerializer
    queryset = SiteRole.objects.none()
    filterset_fields = ["site", "user", "role", "is_active"]
    ordering_fields = ["site", "role", "created_at"]
    create_service = services.site_role_save
    update_service = services.site_role_save

    def get_queryset(self):
        return selectors.site_role_list(user=self.request.user)


def register(router) -> None:
    router.register("studies", StudyViewSet, basename="study")
    router.register("sites", SiteViewSet, basename="site")
    router.register("dose-levels", DoseLevelViewSet, basename="dose-level")
    router.register("site-roles", SiteRoleViewSet, basename="site-role")
    router.register("users", UserViewSet, basename="user")
