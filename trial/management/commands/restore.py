from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from trial.backup import BackupError, restore


class Command(BaseCommand):
    help = "Replace the database's contents with a backup made by `manage.py backup`."

    def add_arguments(self, parser):
        parser.add_argument("file", help="A file written by `manage.py backup`.")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Confirm: everything now in the database is replaced by the backup.",
        )

    def handle(self, *args, **options):
        if not options["yes"]:
            raise CommandError(
                "restore replaces everything in the database: run again with --yes to confirm"
            )
        try:
            restore(Path(options["file"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"restored {options['file']}")
