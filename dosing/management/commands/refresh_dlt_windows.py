from django.core.management.base import BaseCommand

from dosing.services import dlt_windows_refresh
from trial.models import Study


class Command(BaseCommand):
    help = "Run daily: DLT windows that closed turn pending patients evaluable (with history rows)."

    def handle(self, *args, **options):
        for study in Study.objects.order_by("registry_id"):
            changed = dlt_windows_refresh(user=None, study=study)
            self.stdout.write(f"{study.registry_id}: {changed} DLT evaluation(s) changed status")
