"""What the audit trail costs a user: the same API write (create a lab result, then update it
with a reason) timed with history + hash chain on, with history on but the chain off, and with
history off, interleaved in one run. Prints the medians and the ratios (target: <= 1.3x)."""

import statistics
import time
from contextlib import contextmanager
from unittest import mock

from _setup import django_ready

ctx = django_ready()

from rest_framework.test import APIClient
from simple_history.models import HistoricalRecords

from trial.models import HistoryAudit

client = APIClient()
client.force_authenticate(ctx["nurse"])
subject = ctx["subject"]


def write_pair() -> None:
    created = client.post(
        "/api/v1/labs/",
        {
            "subject": subject.pk,
            "collected_on": "2026-02-01",
            "test": "alt",
            "value": "50",
            "unit": "U/L",
            "uln": "40",
        },
    )
    assert created.status_code == 201, created.content
    updated = client.patch(
        f"/api/v1/labs/{created.json()['id']}/", {"value": "130", "change_reason": "typo"}
    )
    assert updated.status_code == 200, updated.content


@contextmanager
def mode(name):
    if name == "history off":
        with mock.patch.object(HistoricalRecords, "create_historical_record", lambda *a, **k: None):
            yield
    elif name == "chain off":
        with (
            mock.patch("trial.audit.chain_new_row", lambda row: None),
            mock.patch.object(
                HistoryAudit, "save", lambda self, *a, **k: super(HistoryAudit, self).save(*a, **k)
            ),
        ):
            yield
    else:
        yield


MODES = ["history + chain", "chain off", "history off"]
timings = {m: [] for m in MODES}
for _ in range(3):
    write_pair()  # warm up
for _round in range(6):
    for name in MODES:
        with mode(name):
            start = time.perf_counter()
            for _ in range(25):
                write_pair()
            timings[name].append((time.perf_counter() - start) / 25)

median = {m: statistics.median(v) * 1000 for m, v in timings.items()}
for name in MODES:
    print(f"{name:16s} {median[name]:7.2f} ms per create+update")
print(
    f"ratio history+chain / history off: {median['history + chain'] / median['history off']:.2f}x"
)
print(f"ratio history+chain / chain off:   {median['history + chain'] / median['chain off']:.2f}x")
