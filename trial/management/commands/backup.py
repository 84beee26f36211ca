import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.utils import timezone

from trial.backup import backup
from trial.jobs import ScheduledCommand

NAME = "edc-%Y%m%dT%H%M%SZ.dump"


def _taken_at(path: Path) -> datetime | None:
    try:
        return datetime.strptime(path.name, NAME).replace(tzinfo=UTC)
    except ValueError:
        return None  # not one of ours: never removed


class Command(ScheduledCommand):
    help = (
        "Back up the PostgreSQL database with pg_dump (custom format) into BACKUP_DIR "
        "(default backups/), then remove the backups there older than BACKUP_KEEP_DAYS "
        "(default 14). Run daily by the scheduler; safe to run twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", help="File to write (default: <dir>/edc-<UTC time>.dump).")
        parser.add_argument("--dir", default=os.environ.get("BACKUP_DIR", "backups"))
        parser.add_argument(
            "--keep-days",
            type=int,
            default=int(os.environ.get("BACKUP_KEEP_DAYS", "14")),
            help="Remove backups of the directory older than this many days (0: keep all).",
        )

    def run(self, *, out=None, dir, keep_days, **options) -> str:
        folder = Path(dir)
        path = Path(out) if out else folder / timezone.now().strftime(NAME)
        path.parent.mkdir(parents=True, exist_ok=True)
        # written under another name, renamed once complete: a dump cut short never passes
        # for a backup (nor counts as one for the retention)
        partial = path.with_name(path.name + ".partial")
        try:
            backup(partial)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        partial.replace(path)
        summary = f"wrote {path} ({path.stat().st_size} bytes)"
        if keep_days > 0 and folder.is_dir():
            cutoff = timezone.now() - timedelta(days=keep_days)
            old = [
                p
                for p in sorted(folder.glob("edc-*.dump"))
                if p != path and (_taken_at(p) or cutoff) < cutoff
            ]
            for stale in old:
                stale.unlink()
            summary += f"; removed {len(old)} backup(s) older than {keep_days} days"
        return summary
