"""`manage.py messages`: the translation catalogs brought up to date with the code, always with
the same options (so a test can tell whether the committed catalog is stale: tests/
test_translations.py). Then translate the new entries in locale/zh_Hans/LC_MESSAGES/*.po,
following docs/glossary-zh.csv, and run `manage.py compilemessages` (make does it)."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from trial.i18n import model_texts

LOCALES = ["zh_Hans"]
# the Python code and templates; the JavaScript (served by the admin's jsi18n view)
DOMAINS = ["django", "djangojs"]
# what is not the application's own text: tests, benchmarks, collected static files, screenshots
IGNORE = ["tests/*", "benchmarks/*", "staticfiles/*", "artifacts/*", "deploy/*", "docs/*"]


# the models' texts, where xgettext finds them (trial/i18n.py says why they are not in models.py)
MODEL_TEXTS = Path(settings.BASE_DIR) / "trial" / "model_texts.py"
MODEL_TEXTS_HEAD = '''"""Written by `manage.py messages` from the models (trial/i18n.py): their verbose names, help
texts and choice labels, for xgettext. Not imported by the application; do not edit by hand."""

from django.utils.translation import gettext_noop
'''


def write_model_texts() -> None:
    lines = [MODEL_TEXTS_HEAD]
    for text, origins in model_texts().items():
        shown = ", ".join(origins[:3]) + (
            f" and {len(origins) - 3} more" if len(origins) > 3 else ""
        )
        # a model's text is never a format string, though "(% of blasts)" looks like one
        flag = "# xgettext:no-python-format\n" if "%" in text else ""
        lines.append(
            f"\n# Translators: {shown}\n{flag}"
            f"gettext_noop({json.dumps(text, ensure_ascii=False)})\n"
        )
    MODEL_TEXTS.write_text("".join(lines), encoding="utf-8")


def makemessages(verbosity: int = 0) -> None:
    write_model_texts()
    for domain in DOMAINS:
        call_command(
            "makemessages",
            locale=LOCALES,
            domain=domain,
            ignore_patterns=IGNORE,
            no_obsolete=True,
            add_location="file",
            verbosity=verbosity,
        )


class Command(BaseCommand):
    help = "Update the translation catalogs (locale/) from the code and templates."

    def handle(self, *args, **options):
        makemessages(verbosity=options["verbosity"])
