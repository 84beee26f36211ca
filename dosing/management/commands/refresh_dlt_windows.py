from dosing.services import dlt_windows_refresh
from trial.jobs import ScheduledCommand
from trial.models import Study


class Command(ScheduledCommand):
    help = (
        "Run daily: DLT windows that closed turn pending patients evaluable (with history rows). "
        "Locked casebooks are skipped and listed; every other subject is refreshed."
    )

    def run(self, **options) -> str:
        lines = []
        for study in Study.objects.order_by("registry_id"):
            skipped = []
            changed = dlt_windows_refresh(user=None, study=study, skipped=skipped)
            lines.append(f"{study.registry_id}: {changed} DLT evaluation(s) changed status")
            for number, messages in skipped:
                self.stderr.write(f"Skipped {number} (locked): {' '.join(messages)}")
            if skipped:
                lines[-1] += f", {len(skipped)} locked casebook(s) skipped"
        return "; ".join(lines) or "no study"
