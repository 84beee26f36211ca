import hashlib
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from exports.casebook import casebook_archive_chunks, casebook_pdf, subjects_for_archive
from screening.models import Subject
from screening.selectors import subject_list


class Command(BaseCommand):
    help = (
        "Archive copies of casebooks (21 CFR 11.10(b)): one subject's PDF, or a ZIP of the PDFs of "
        "a site's or the study's subjects with SHA256SUMS and manifest.json."
    )

    def add_arguments(self, parser):
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument("--subject", help="Screening number, e.g. 01-S-001: one PDF.")
        scope.add_argument("--site", help="Site code, e.g. 01: a ZIP of its subjects.")
        parser.add_argument("--study", help="Registry id, e.g. NCT05734898 (default: all).")
        parser.add_argument("--out", required=True, help="File to write (.pdf or .zip).")
        parser.add_argument("--user", help="Only what this user may see (default: everything).")

    def handle(self, *args, **options):
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user {options['user']!r}.")
            subjects = subject_list(user=user)
            generated_by = f"{user.get_full_name() or user.username} ({user.username})"
        else:
            subjects = Subject.objects.all()
            generated_by = "manage.py casebook_pdf"
        if options["study"]:
            subjects = subjects.filter(site__study__registry_id=options["study"])
        if options["site"]:
            subjects = subjects.filter(site__code=options["site"])
        out = Path(options["out"])
        out.parent.mkdir(parents=True, exist_ok=True)
        now = timezone.now()
        if options["subject"]:
            subject = (
                subjects.select_related("site__study")
                .filter(screening_number=options["subject"])
                .first()
            )
            if subject is None:
                raise CommandError(f"No subject {options['subject']!r}.")
            data = casebook_pdf(subject, generated_by=generated_by, now=now)
            out.write_bytes(data)
            self.stdout.write(f"{hashlib.sha256(data).hexdigest()}  {out}")
            return
        scope = f"site {options['site']}" if options["site"] else "every subject"
        count = subjects.count()
        with out.open("wb") as handle:
            for chunk in casebook_archive_chunks(
                subjects_for_archive(subjects), generated_by=generated_by, now=now, scope=scope
            ):
                handle.write(chunk)
        self.stdout.write(f"{count} casebooks in {out} (checksums in SHA256SUMS, manifest.json)")
