from django.apps import AppConfig


class TrialConfig(AppConfig):
    name = "trial"
    verbose_name = "Study configuration"

    def ready(self):
        from . import (  # noqa: F401  (registers the deployment checks, the API auth schemes)
            api_schema,
            checks,
        )
