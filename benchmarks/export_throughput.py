"""CSV export throughput against PostgreSQL's own COPY, on a synthetic study.

Needs PostgreSQL: BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/edc_bench (created if
missing). Builds SUBJECTS subjects (default 10,000) with consents and LABS_PER_SUBJECT lab results
each (default 100: about a million rows and a million history rows, written with
simple-history's bulk helpers), then times in one run: the `labs` CSV export (the same code the
API streams) and `COPY safety_labresult TO STDOUT WITH CSV`; prints rows/s, the ratio and the
export's peak Python memory; then the SDTM LB domain written as XPT (streamed through a spool
file): its size, time and peak Python memory."""

import os
import sys
import time
import tracemalloc
from datetime import date
from decimal import Decimal

url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/edc_bench")
if not url.startswith("postgres"):
    sys.exit("BENCH_DATABASE_URL must point at PostgreSQL")
os.environ["BENCH_DATABASE_URL"] = url
name = url.rsplit("/", 1)[1]
os.system(
    f'psql "{url.rsplit("/", 1)[0]}/postgres" -q -c "DROP DATABASE IF EXISTS {name}" -c "CREATE DATABASE {name}"'
)

from _setup import django_ready

ctx = django_ready()

from django.db import connection
from simple_history.utils import bulk_create_with_history

from exports.datasets import DATASETS, csv_chunks
from safety.models import LabResult
from screening.models import Consent, Subject

SUBJECTS = int(os.environ.get("SUBJECTS", "10000"))
LABS = int(os.environ.get("LABS_PER_SUBJECT", "100"))
site, nurse = ctx["site"], ctx["nurse"]

started = time.perf_counter()
subjects = bulk_create_with_history(
    [
        Subject(
            site=site,
            sequence=i + 2,
            screening_number=f"01-S-{i + 2:05d}",
            date_of_birth=date(1970, 1, 1),
            sex="M",
        )
        for i in range(SUBJECTS)
    ],
    Subject,
    batch_size=5000,
    default_user=nurse,
)
subjects = list(Subject.objects.filter(sequence__gt=1).order_by("pk"))
bulk_create_with_history(
    [
        Consent(
            subject=s,
            form_version="1",
            form_version_date=date(2026, 1, 1),
            consent_date=date(2026, 1, 2),
            signed_by="patient",
            obtained_by=nurse,
        )
        for s in subjects
    ],
    Consent,
    batch_size=5000,
    default_user=nurse,
)
for start in range(0, len(subjects), 1000):
    chunk = subjects[start : start + 1000]
    bulk_create_with_history(
        [
            LabResult(
                subject=s,
                collected_on=date(2026, 2, 1 + i % 28),
                test="alt",
                value=Decimal(20 + i % 90),
                unit="U/L",
                uln=Decimal(40),
                value_standard=Decimal(20 + i % 90),
                ctcae_grade=i % 3,
            )
            for s in chunk
            for i in range(LABS)
        ],
        LabResult,
        batch_size=10000,
        default_user=nurse,
    )
total = LabResult.objects.count()
print(
    f"synthetic study: {SUBJECTS:,} subjects, {total:,} lab results, "
    f"{LabResult.history.count() + Subject.history.count() + Consent.history.count():,} history rows "
    f"(built in {time.perf_counter() - started:.0f} s)",
    flush=True,
)

admin = ctx["admin"]


def export_rows() -> int:
    count = -1  # the header
    for chunk in csv_chunks(DATASETS["labs"], user=admin):
        count += chunk.count(b"\n" if isinstance(chunk, bytes) else "\n")
    return count


started = time.perf_counter()
exported = export_rows()
export_seconds = time.perf_counter() - started
tracemalloc.start()  # a second pass for memory: tracing slows it down, so it is not timed
export_rows()
_current, peak = tracemalloc.get_traced_memory()
tracemalloc.stop()


started = time.perf_counter()
with (
    connection.cursor() as cursor,
    cursor.copy("COPY safety_labresult TO STDOUT WITH CSV HEADER") as copy,
):
    copied = sum(1 for _ in copy) - 1
copy_seconds = time.perf_counter() - started

print(
    f"CSV export: {exported:,} rows in {export_seconds:.1f} s ({exported / export_seconds:,.0f} rows/s), "
    f"peak Python memory {peak / 2**20:.1f} MiB"
)
print(f"COPY:       {copied:,} rows in {copy_seconds:.1f} s ({copied / copy_seconds:,.0f} rows/s)")
print(f"export throughput / COPY throughput: {copy_seconds / export_seconds:.2f}")

# The SDTM LB domain as SAS transport v5 (streamed through a spool file): peak Python memory.
from django.utils import timezone

from exports import sdtm

study = ctx["study"]


def xpt_bytes() -> int:
    rows = sdtm.domain_rows("LB", user=admin, study=study)
    return sum(len(chunk) for chunk in sdtm.xpt_stream("LB", rows, created=timezone.now()))


started = time.perf_counter()
xpt_size = xpt_bytes()
xpt_seconds = time.perf_counter() - started
tracemalloc.start()
xpt_bytes()
_current, xpt_peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
tracemalloc.start()  # the same rows without writing them: what the SDTM builder itself holds
for _row in sdtm.domain_rows("LB", user=admin, study=study):
    pass
_current, rows_peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
print(
    f"XPT (SDTM LB): {total:,} records, {xpt_size / 2**20:.1f} MiB in {xpt_seconds:.1f} s, "
    f"peak Python memory {xpt_peak / 2**20:.1f} MiB "
    f"(reading the rows alone: {rows_peak / 2**20:.1f} MiB)"
)
