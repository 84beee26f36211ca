from django.core.management.base import BaseCommand

from dosing.services import dlt_windows_refresh
from trial.models import Study


class Command(BaseCommand):
    help = (
        "Run daily: DLT windows that closed turn pending patients evaluable (with history rows). "
        "Locked casebooks are skipped and listed; every other subject is refreshed."
    )

    def handle(self, *args, **options):
        for study in Study.objects.order_by("registry_id"):
            skipped = []
            changed = dlt_windows_refresh(user=None, study=study, skipped=skipped)
            self.stdout.write(f"{study.registry_id}: {changed} DLT evaluation(s) changed status")
            for number, messages in skipped:
                self.stderr.write(f"Skipped {number} (locked): {' '.join(messages)}")
