"""DRF defaults named in settings.REST_FRAMEWORK.

Kept apart from `api_base` because DRF imports these while `rest_framework.views` is still
loading: this module must not import views or decorators.
"""

from rest_framework import permissions
from rest_framework.pagination import PageNumberPagination


class StudyRolePermission(permissions.DjangoModelPermissions):
    """Authenticated, and the model permission of the action (reads need "view" too)."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": [],
    }

    # actions that change an existing record (POST .../{id}/void/ etc.) need "change", not "add"
    change_actions = frozenset(
        {
            "void",
            "withdraw",
            "confirm",
            "grades",
            "accept",
            "reject",
            "answer",
            "close",
            "reopen",
            "release",
        }
    )

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if getattr(view, "queryset", None) is None and not hasattr(view, "get_queryset"):
            return True
        if getattr(view, "action", None) in self.change_actions:
            model = self._queryset(view).model
            return request.user.has_perm(f"{model._meta.app_label}.change_{model._meta.model_name}")
        return super().has_permission(request, view)


class BoundedPageNumberPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
