from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "screening"
    verbose_name = _("Screening")

    def ready(self):
        from trial.i18n import register

        from .rules import CRITERIA

        # the registry's 33 criteria, shown in the reader's language (English in exports)
        register(CRITERIA.values(), "screening.rules.CRITERIA")
