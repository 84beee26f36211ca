"""The streamed XPT writer (`exports.xpt.xpt_chunks`) against pyreadstat writing the same rows
from memory, side by side in one run; no database.

Builds ROWS rows shaped like the SDTM LB domain (the metadata's variables, names, labels and
types; text, numbers, dates as ISO text, missing values), then times:
  - pyreadstat.write_xport from a pandas DataFrame already in memory (version 5);
  - xpt_chunks over the same rows (through its spool file), bytes counted;
and prints MB/s of each, their ratio, the peak Python memory of the streamed writer for ROWS and
for ROWS/4 (a bound that does not grow with the rows), and checks that pyreadstat reads the
streamed file back to the same values.

    python benchmarks/xpt_writer.py [--rows 200000] [--repeat 3]
"""

import argparse
import os
import statistics
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

parser = argparse.ArgumentParser()
parser.add_argument("--rows", type=int, default=200_000)
parser.add_argument("--repeat", type=int, default=3, help="timed runs of each; the median counts")
args = parser.parse_args()

from _setup import ROOT  # noqa: F401  (puts the project on the path)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")
import django

django.setup()
import pandas as pd
import pyreadstat

from exports.sdtm_spec import DOMAINS as SPEC
from exports.xpt import xpt_chunks

spec = SPEC["LB"]
VARIABLES = [(v.name, v.label, v.numeric) for v in spec.variables]
TESTS = [("ALT", "Alanine Aminotransferase", "U/L"), ("NEUT", "Neutrophils", "10^9/L"),
         ("PLAT", "Platelets", "10^9/L"), ("CREAT", "Creatinine", "umol/L")]  # fmt: skip


def value(name, numeric, n):
    test, label, unit = TESTS[n % len(TESTS)]
    if numeric:
        if name.endswith("SEQ"):
            return n + 1
        if n % 17 == 0:
            return None  # missing
        return round(20 + (n * 7919 % 900) / 10, 1)
    if name == "STUDYID":
        return "NCT05734898"
    if name == "DOMAIN":
        return "LB"
    if name == "USUBJID":
        return f"NCT05734898-01-S-{n // 100:05d}"
    if name.endswith("DTC"):
        return (date(2026, 1, 1) + timedelta(days=n % 400)).isoformat()
    if name == "LBTESTCD":
        return test
    if name == "LBTEST":
        return label
    if name.endswith("U"):
        return unit
    if n % 13 == 0:
        return ""
    return f"{name[-4:]} {n % 50}"


rows = [{name: value(name, numeric, n) for name, _, numeric in VARIABLES} for n in range(args.rows)]
frame = pd.DataFrame(rows, columns=[name for name, _, _ in VARIABLES])
for name, _, numeric in VARIABLES:
    if numeric:
        frame[name] = frame[name].astype("float64")
    else:
        frame[name] = frame[name].fillna("")
labels = [label for _, label, _ in VARIABLES]
created = datetime(2026, 11, 30, tzinfo=UTC)
folder = Path(tempfile.mkdtemp(prefix="edc-xpt-"))


def streamed(rows, path=None):
    size = 0
    out = open(path, "wb") if path else None  # noqa: SIM115
    for chunk in xpt_chunks("LB", rows, created=created, variables=VARIABLES, label=spec.label):
        size += len(chunk)
        if out:
            out.write(chunk)
    if out:
        out.close()
    return size


def timed(function):
    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


pyreadstat_seconds, _ = timed(
    lambda: pyreadstat.write_xport(
        frame, folder / "pyreadstat.xpt", file_format_version=5, table_name="LB",
        column_labels=labels,
    )
)  # fmt: skip
pyreadstat_size = (folder / "pyreadstat.xpt").stat().st_size
streamed_seconds, size = timed(lambda: streamed(rows))

print(f"{args.rows:,} rows x {len(VARIABLES)} variables (SDTM LB), median of {args.repeat} runs")
print(
    f"pyreadstat (DataFrame in memory): {pyreadstat_size / 1e6:6.1f} MB in "
    f"{pyreadstat_seconds:5.2f} s = {pyreadstat_size / 1e6 / pyreadstat_seconds:6.1f} MB/s"
)
print(
    f"xpt_chunks (streamed, spooled):   {size / 1e6:6.1f} MB in {streamed_seconds:5.2f} s = "
    f"{size / 1e6 / streamed_seconds:6.1f} MB/s"
)
print(
    f"time ratio streamed / pyreadstat: {streamed_seconds / pyreadstat_seconds:.2f} "
    f"(pyreadstat's file: {pyreadstat_size / 1e6:.1f} MB; streamed widths are the longest value)"
)

peaks = []
for count in (args.rows // 4, args.rows):
    part = rows[:count]
    tracemalloc.start()
    streamed(iter(part))
    peaks.append(tracemalloc.get_traced_memory()[1])
    tracemalloc.stop()
print(
    f"peak Python memory of the streamed writer (rows already in memory not counted): "
    f"{peaks[0] / 2**20:.2f} MiB for {args.rows // 4:,} rows, {peaks[1] / 2**20:.2f} MiB for "
    f"{args.rows:,}"
)

streamed(rows, folder / "streamed.xpt")
back, meta = pyreadstat.read_xport(folder / "streamed.xpt")
assert list(back.columns) == [name for name, _, _ in VARIABLES]
assert len(back) == args.rows
for name, _, numeric in VARIABLES:
    mine = back[name].tolist()
    theirs = frame[name].tolist()
    if numeric:
        assert all(
            (a != a and b != b) or abs(a - b) < 1e-9 for a, b in zip(mine, theirs, strict=True)
        ), name
    else:
        assert mine == theirs, name
print("read back by pyreadstat: the same values")
