"""`manage.py messages`: the translation catalogs brought up to date with the code, always with
the same options (so a test can tell whether the committed catalog is stale: tests/
test_translations.py). Then translate the new entries in locale/zh_Hans/LC_MESSAGES/django.po,
following docs/glossary-zh.csv, and run `manage.py compilemessages` (make does it)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

LOCALES = ["zh_Hans"]
# what is not the application's own text: tests, benchmarks, collected static files, screenshots
IGNORE = ["tests/*", "benchmarks/*", "staticfiles/*", "artifacts/*", "deploy/*", "docs/*"]


def makemessages(verbosity: int = 0) -> None:
    call_command(
        "makemessages",
        locale=LOCALES,
        ignore_patterns=IGNORE,
        no_obsolete=True,
        add_location="file",
        verbosity=verbosity,
    )


class Command(BaseCommand):
    help = "Update the translation catalogs (locale/) from the code and templates."

    def handle(self, *args, **options):
        makemessages(verbosity=options["verbosity"])
