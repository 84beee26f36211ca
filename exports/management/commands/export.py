import csv
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from exports import sdtm
from exports.audit import audit_lines
from exports.datacut import datacut_chunks, parse_cut
from exports.datasets import DATASETS, csv_chunks
from exports.define import define_xml
from exports.dictionary import dictionary_lines
from exports.odm import odm_xml
from exports.sdtm_spec import Widths
from trial.models import Study


class Command(BaseCommand):
    help = "Export the study: every dataset as CSV with the data dictionary, or a data-cut ZIP."

    def add_arguments(self, parser):
        parser.add_argument(
            "--format",
            choices=["csv", "odm", "sdtm", "xpt", "zip", "audit"],
            default="csv",
            help="csv: the datasets and dictionary; sdtm: SDTM domains as CSV; xpt: SDTM as SAS "
            "transport with define.xml; odm: CDISC ODM; audit: the audit trail; zip: a data cut.",
        )
        parser.add_argument(
            "--audit", action="store_true", help="ODM: every version with its AuditRecord."
        )
        parser.add_argument("--out", required=True, help="Folder to write to (created if missing).")
        parser.add_argument(
            "--cut", help="ISO 8601 date-time: the data as they were then (default: now)."
        )
        parser.add_argument("--user", help="Export what this user may see (default: everything).")

    def handle(self, *args, **options):
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        cut = None
        if options["cut"]:
            try:
                cut = parse_cut(options["cut"], now=timezone.now())
            except ValueError as error:
                raise CommandError(f"--cut: {error}") from None
        user = self._user(options["user"])
        fmt = options["format"]
        if fmt == "audit":
            with (out / "audit_trail.csv").open("w", newline="") as handle:
                csv.writer(handle, lineterminator="\n").writerows(audit_lines(user=user, until=cut))
            self.stdout.write(f"wrote {out / 'audit_trail.csv'}")
            return
        if fmt in ("odm", "sdtm", "xpt"):
            study = Study.objects.order_by("registry_id").first()
            if study is None:
                raise CommandError("no study to export")
            if fmt == "odm":
                (out / "odm.xml").write_bytes(
                    odm_xml(user=user, study=study, audit=options["audit"], cut=cut)
                )
                self.stdout.write(f"wrote {out / 'odm.xml'}")
                return
            created, widths = cut or timezone.now(), Widths()
            for domain in tqdm(sdtm.DOMAINS, desc="SDTM domains", disable=not self.stdout.isatty()):
                records = sdtm.domain_rows(domain, user=user, study=study, cut=cut)
                if fmt == "xpt":
                    with (out / f"{domain.lower()}.xpt").open("wb") as handle:
                        for chunk in sdtm.xpt_stream(
                            domain, records, created=created, widths=widths.see
                        ):
                            handle.write(chunk)
                    continue
                with (out / f"{domain.lower()}.csv").open("w", newline="") as handle:
                    csv.writer(handle, lineterminator="\n").writerows(
                        sdtm.header_and_lines(records, domain)
                    )
            if fmt == "xpt":
                (out / "define.xml").write_bytes(
                    define_xml(study=study, widths=widths, created=created)
                )
            self.stdout.write(f"wrote {len(sdtm.DOMAINS)} SDTM domains ({fmt}) to {out}")
            return
        if fmt == "zip":
            cut = cut or timezone.now().replace(microsecond=0)
            path = out / f"datacut-{cut:%Y%m%dT%H%M%SZ}.zip"
            with path.open("wb") as handle:
                for chunk in datacut_chunks(user=user, cut=cut):
                    handle.write(chunk)
            self.stdout.write(f"wrote {path}")
            return
        for name in tqdm(sorted(DATASETS), desc="datasets", disable=not self.stdout.isatty()):
            with (out / f"{name}.csv").open("wb") as handle:
                for chunk in csv_chunks(DATASETS[name], user=user, as_of=cut):
                    handle.write(chunk.encode() if isinstance(chunk, str) else chunk)
        with (out / "data_dictionary.csv").open("w", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows(dictionary_lines())
        self.stdout.write(f"wrote {len(DATASETS)} datasets and the data dictionary to {out}")

    def _user(self, username):
        if username is None:
            return get_user_model()(is_superuser=True, is_active=True, username="export")
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"no user {username!r}") from None
