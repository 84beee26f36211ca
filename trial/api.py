"""`/api/v1/studies/`, `/api/v1/sites/`, `/api/v1/dose-levels/`, `/api/v1/site-roles/`: read by
every study role, changed by data managers, always through `trial.services`; `/api/v1/me/` and
`/api/v1/users/` tell a client who it is and whom it may name in a record."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from . import selectors, services
from .api_base import (
    AuditedModelSerializer,
    AuditedModelViewSet,
    ScopedPrimaryKeyField,
    StudyAPIView,
    VoidActionMixin,
)
from .authentication import TwoFactorSessionAuthentication
from .models import ApiToken, DoseLevel, Site, SiteRole, Study

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


class ApiTokenSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="user.username", read_only=True)
    state = serializers.SerializerMethodField()
    revoked_by = serializers.CharField(
        source="revoked_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = ApiToken
        fields = [
            "token_key",
            "name",
            "owner",
            "created",
            "expiry",
            "state",
            "revoked_at",
            "revoked_by",
            "revoke_reason",
        ]
        read_only_fields = fields

    def get_state(self, obj) -> str:
        if obj.revoked_at is not None:
            return "revoked"
        return "ended" if obj.expiry <= timezone.now() else "active"


class ApiTokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, help_text="What the token is for.")
    days = serializers.IntegerField(
        min_value=1,
        max_value=settings.API_TOKEN_DAYS,
        required=False,
        help_text="Days until it ends (default and most: API_TOKEN_DAYS).",
    )


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    token = serializers.CharField(read_only=True, help_text="Shown only in this answer.")

    class Meta(ApiTokenSerializer.Meta):
        fields = ["token", *ApiTokenSerializer.Meta.fields]
        read_only_fields = fields


class RevokeSerializer(serializers.Serializer):
    change_reason = serializers.CharField(max_length=200)


class ApiTokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """API tokens: your own (a data manager also sees those of the accounts they look after).
    A token is created only from a signed-in admin session that gave its second factor, never
    with another token; it ends after `days` (at most API_TOKEN_DAYS) or when revoked."""

    serializer_class = ApiTokenSerializer
    queryset = ApiToken.objects.none()
    permission_classes = [permissions.IsAuthenticated]
    http_method_names = ["get", "post", "head", "options"]
    lookup_field = "token_key"
    lookup_value_regex = "[0-9a-f]{1,15}"
    filterset_fields = ["name"]
    ordering_fields = ["created", "expiry"]

    def get_queryset(self):
        return selectors.api_token_list(user=self.request.user).order_by("-created")

    @extend_schema(request=ApiTokenCreateSerializer, responses={201: ApiTokenCreatedSerializer})
    def create(self, request):
        if not isinstance(request.successful_authenticator, TwoFactorSessionAuthentication):
            raise PermissionDenied(
                "API tokens are created from a signed-in session that gave its second factor "
                '(the admin\'s "Sign-in and API tokens" page), not with another token.'
            )
        given = ApiTokenCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        api_token, token = services.api_token_create(user=request.user, **given.validated_data)
        api_token.token = token
        return Response(ApiTokenCreatedSerializer(api_token).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RevokeSerializer, responses=ApiTokenSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, token_key=None):
        api_token = self.get_object()
        given = RevokeSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        api_token = services.api_token_revoke(
            user=request.user, instance=api_token, reason=given.validated_data["change_reason"]
        )
        return Response(ApiTokenSerializer(api_token).data)


def register(router) -> None:
    router.register("studies", StudyViewSet, basename="study")
    router.register("sites", SiteViewSet, basename="site")
    router.register("dose-levels", DoseLevelViewSet, basename="dose-level")
    router.register("site-roles", SiteRoleViewSet, basename="site-role")
    router.register("users", UserViewSet, basename="user")
    router.register("tokens", ApiTokenViewSet, basename="api-token")
