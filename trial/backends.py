"""Authentication backend that turns a user's active site roles into Django permissions."""

from functools import cache

from django.apps import apps
from django.contrib.auth.backends import BaseBackend, ModelBackend

from .roles import ROLE_GRANTS
from .selectors import active_roles


def _role_permissions(grants: dict[str, frozenset[str]]) -> set[str]:
    """A model's own grant replaces its app's grant."""
    perms: set[str] = set()
    for app_label in {key.partition(".")[0] for key in grants}:
        try:
            app_config = apps.get_app_config(app_label)
        except LookupError:  # an app of a later release is not installed yet
            continue
        for model in app_config.get_models():
            name = model._meta.model_name
            if name.startswith("historical"):
                continue
            actions = grants.get(f"{app_label}.{name}", grants.get(app_label, frozenset()))
            perms |= {f"{app_label}.{action}_{name}" for action in actions}
    return perms


@cache
def permissions_for_roles(roles: frozenset[str]) -> frozenset[str]:
    perms: set[str] = set()
    for role in roles:
        perms |= _role_permissions(ROLE_GRANTS[role])
    return frozenset(perms)


class StudyRoleBackend(BaseBackend):
    """Grants the permissions of every role the user holds at any active site."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous:
            return frozenset()
        if not hasattr(user_obj, "_study_role_perm_cache"):
            roles = {role for _site, role in active_roles(user_obj)}
            user_obj._study_role_perm_cache = permissions_for_roles(frozenset(roles))
        return user_obj._study_role_perm_cache

    def has_perm(self, user_obj, perm, obj=None):
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj, app_label):
        return any(p.startswith(f"{app_label}.") for p in self.get_all_permissions(user_obj))


class PasswordBackend(ModelBackend):
    """Django's password check; what a user may do comes from their study roles only
    (StudyRoleBackend), so Django's per-user and group permissions are not read (two queries
    on every request that asks a permission)."""

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()
