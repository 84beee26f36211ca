from django.apps import AppConfig


class TrialConfig(AppConfig):
    name = "trial"
    verbose_name = "Study configuration"

    def ready(self):
        from . import checks  # noqa: F401  (registers the deployment checks)
