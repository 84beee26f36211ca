from django.apps import AppConfig


class TrialConfig(AppConfig):
    name = "trial"
    verbose_name = "Study configuration"

    def ready(self):
        # registers the deployment checks, the API's auth schemes, the role cache's invalidation
        from . import api_schema, checks, signals  # noqa: F401
