"""The audit endpoint at 10 thousand and at 1 million history rows: first page, a deep page
(cursor), and pages filtered by subject + record type, by user, and by user + time window, median
of 7 requests each; prints the times and the ratios. Rows are inserted straight into one history
table (the listing does not read their hashes), by two users in turn."""

import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

from _setup import django_ready

ctx = django_ready()

from django.db import connection, transaction
from rest_framework.test import APIClient

from safety.models import LabResult

History = LabResult.history.model
BIG = int(os.environ.get("BENCH_ROWS", "1000000"))
client = APIClient()
client.force_authenticate(ctx["admin"])
subject = ctx["subject"]
users = (ctx["admin"].pk, ctx["nurse"].pk)


def fill(total: int) -> None:
    have = History.objects.count()
    start = datetime(2026, 2, 1, tzinfo=UTC)
    table = History._meta.db_table
    columns = (
        "id",
        "created_at",
        "version",
        "is_voided",
        "void_reason",
        "collected_on",
        "test",
        "value",
        "unit",
        "value_standard",
        "grading_note",
        "subject_id",
        "history_date",
        "history_type",
        "history_change_reason",
        "audit_subject_id",
        "row_hash",
        "history_user_id",
    )
    sql = (
        f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({", ".join(["%s"] * len(columns))})'
    )
    with transaction.atomic(), connection.cursor() as cursor:
        batch = []
        for i in range(have, total):
            when = start + timedelta(seconds=i)
            batch.append(
                (
                    i + 1,
                    when,
                    1,
                    False,
                    "",
                    "2026-02-01",
                    "alt",
                    "50",
                    "U/L",
                    "50",
                    "",
                    subject.pk,
                    when,
                    "+",
                    None,
                    subject.pk,
                    "",
                    users[i % 2],
                )
            )
            if len(batch) == 20000:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def timed(url: str) -> float:
    runs = []
    for _ in range(7):
        start = time.perf_counter()
        response = client.get(url)
        runs.append(time.perf_counter() - start)
        assert response.status_code == 200, response.content
    return statistics.median(runs) * 1000


def measure(label: str) -> tuple[float, ...]:
    first = client.get("/api/v1/audit/?page_size=50").json()
    deep_cursor = first["next"]
    for _ in range(20):  # twenty pages in
        deep_cursor = client.get(f"/api/v1/audit/?page_size=50&cursor={deep_cursor}").json()["next"]
    a = timed("/api/v1/audit/?page_size=50")
    b = timed(f"/api/v1/audit/?page_size=50&cursor={deep_cursor}")
    c = timed(f"/api/v1/audit/?page_size=50&subject={subject.pk}&model=safety.labresult")
    d = timed("/api/v1/audit/?page_size=50&user=bench-nurse")
    e = timed(
        "/api/v1/audit/?page_size=50&user=bench-nurse&since=2026-02-01T01:00:00Z"
        "&until=2026-02-01T02:00:00Z"
    )
    print(
        f"{label:>10} rows: first page {a:7.1f} ms, page 21 {b:7.1f} ms, subject+model "
        f"{c:7.1f} ms, user {d:7.1f} ms, user+hour {e:7.1f} ms",
        flush=True,
    )
    return a, b, c, d, e


fill(10_000)
small = measure("10,000")
started = time.perf_counter()
fill(BIG)
print(f"(inserted up to {BIG:,} rows in {time.perf_counter() - started:.0f} s)", file=sys.stderr)
large = measure(f"{BIG:,}")
names = ("first page", "page 21", "subject+model", "user", "user+hour")
print(
    f"ratio {BIG:,} / 10,000 rows: "
    + ", ".join(f"{n} {b / a:.2f}x" for n, a, b in zip(names, small, large, strict=True))
)
