from django.conf import settings
from django.core.management.base import CommandError
from django.utils import timezone

from trial.audit import write_checkpoint
from trial.jobs import ScheduledCommand


class Command(ScheduledCommand):
    help = (
        "Append each history table's head (last row, row count, hash) to AUDIT_CHECKPOINT_FILE, "
        "outside the database; verify_audit then catches rows deleted or rewritten before it."
    )

    def run(self, **options) -> str:
        path = settings.AUDIT_CHECKPOINT_FILE
        if not path:
            raise CommandError("AUDIT_CHECKPOINT_FILE is not set: nowhere to keep checkpoints")
        checkpoint = write_checkpoint(path, at=timezone.now())
        rows = sum(count for _last, count, _head in checkpoint["tables"].values())
        return (
            f"audit checkpoint at {checkpoint['at']}: {len(checkpoint['tables'])} tables, "
            f"{rows} history rows"
        )
