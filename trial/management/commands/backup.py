from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from trial.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the PostgreSQL database with pg_dump (custom format)."

    def add_arguments(self, parser):
        parser.add_argument("--out", help="File to write (default: backups/edc-<UTC time>.dump).")

    def handle(self, *args, **options):
        path = Path(options["out"] or f"backups/edc-{timezone.now():%Y%m%dT%H%M%SZ}.dump")
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            backup(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"wrote {path} ({path.stat().st_size} bytes)")
