from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("Monitoring and audit")

    def ready(self):
        from django.db.models.signals import post_migrate

        from trial.services import register_audit_hooks

        from . import db, services

        # every audited write passes these checks (locks) and follow-ups (SDV, signatures)
        register_audit_hooks(
            before_save=services.refuse_locked_change, after_save=services.after_audited_save
        )
        # every record's form shows its queries per field and lets monitors raise one there
        from trial.admin_base import register_change_form_extra, register_open_query_counts

        from .admin import field_queries_context, signatures_context
        from .selectors import open_query_counts

        register_change_form_extra(field_queries_context)
        register_change_form_extra(signatures_context)
        register_open_query_counts(open_query_counts)
        # history tables created by later migrations get their append-only triggers too
        post_migrate.connect(db.install_history_triggers_after_migrate, sender=self)
