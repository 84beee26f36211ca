from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrialConfig(AppConfig):
    name = "trial"
    verbose_name = _("Study configuration")

    def ready(self):
        # registers the deployment checks, the API's auth schemes, the role cache's invalidation
        from . import api_schema, checks, signals  # noqa: F401
        from .i18n import register, translate_models

        # the models' names, help texts and choices in the reader's language (trial/i18n.py)
        translate_models()
        # the admin's own app list: texts Django 5.2's zh_Hans catalog does not have yet
        register(["Model name", "Add link", "Change or view list link"], "django.contrib.admin")
        # simple-history's and django-otp's, whose zh_Hans catalogs lack them
        register(["Changes"], "simple_history: object_history_list.html")
        register(["TOTP device", "static device", "static token"], "django_otp")
