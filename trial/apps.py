from django.apps import AppConfig


class TrialConfig(AppConfig):
    name = "trial"
    verbose_name = "Study configuration"
