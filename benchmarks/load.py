"""Load: the app under gunicorn on 127.0.0.1, driven by 50 concurrent API clients for a bounded
time with CRF-like traffic (lists, record pages, histories; one request in ten a write).

Prints throughput, p50/p95/p99 latency of reads and writes, and the error count (any answer
other than 200/201, or a failed connection). Runs against a fresh PostgreSQL database
($BENCH_DATABASE_URL, default a new database on 127.0.0.1). The API rate limit is lifted for
the run: 50 clients share one user token.

    python benchmarks/load.py [--clients 50] [--seconds 30] [--workers 4]
"""

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time

parser = argparse.ArgumentParser()
parser.add_argument("--clients", type=int, default=50)
parser.add_argument("--seconds", type=float, default=30)
parser.add_argument("--workers", type=int, default=4)
parser.add_argument("--subjects", type=int, default=300)
args = parser.parse_args()

PORT = 8765
os.environ["CACHE"] = "database"  # the workers share the rate counters, as in production
database = f"edc_load_{os.getpid()}"
if "BENCH_DATABASE_URL" not in os.environ:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{database}"')
    os.environ["BENCH_DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{database}"

from _setup import ROOT, django_ready

ctx = django_ready()
from datetime import date

from django.core.management import call_command

from screening import services as screening
from trial.services import api_token_create

call_command("createcachetable", verbosity=0)
subject_ids = [ctx["subject"].pk] + [
    screening.subject_save(
        user=ctx["nurse"],
        data={"site": ctx["site"], "date_of_birth": date(1960 + n % 40, 1, 1), "sex": "MF"[n % 2]},
    ).pk
    for n in range(args.subjects - 1)
]
token = api_token_create(user=ctx["nurse"], name="load benchmark")[1]
site_id = ctx["site"].pk

server = subprocess.Popen(
    [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{PORT}",
        "--workers",
        str(args.workers),
        "--log-level",
        "warning",
    ],
    cwd=ROOT,
    env={
        **os.environ,
        "DATABASE_URL": os.environ["BENCH_DATABASE_URL"],
        "DEBUG": "0",
        "SECRET_KEY": "load-benchmark-only-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "API_RATE_LIMIT": "100000000/10m",
        "CACHE": "database",
        "CONN_MAX_AGE": "60",
    },
)
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", PORT), timeout=0.2).close()
        break
    except OSError:
        time.sleep(0.1)

HEADERS = {"Authorization": f"Token {token}", "Accept": "application/json"}
results: list[tuple[str, float, bool]] = []
lock = threading.Lock()


def request(conn, method, path, body=None):
    headers = dict(HEADERS)
    payload = None
    if body is not None:
        payload = json.dumps(body)
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=payload, headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status


def client(stop_at: float, seed: int) -> None:
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    mine = []
    while time.perf_counter() < stop_at:
        roll = rng.random()
        if roll < 0.10:
            kind, method, path = "write", "POST", "/api/v1/subjects/"
            body = {"site": site_id, "date_of_birth": "1970-01-01", "sex": "F"}
        else:
            body, method, kind = None, "GET", "read"
            subject = rng.choice(subject_ids)
            if roll < 0.50:
                path = f"/api/v1/subjects/?page={rng.randint(1, 5)}"
            elif roll < 0.85:
                path = f"/api/v1/subjects/{subject}/"
            else:
                path = f"/api/v1/subjects/{subject}/history/"
        started = time.perf_counter()
        try:
            status = request(conn, method, path, body)
            ok = status == (201 if method == "POST" else 200)
        except (OSError, http.client.HTTPException):
            ok = False
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        mine.append((kind, time.perf_counter() - started, ok))
    with lock:
        results.extend(mine)


try:
    started = time.perf_counter()
    stop_at = started + args.seconds
    threads = [threading.Thread(target=client, args=(stop_at, n)) for n in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
finally:
    server.terminate()
    server.wait(timeout=30)


def pct(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


print(
    f"{args.clients} clients, {args.workers} gunicorn workers, {elapsed:.1f} s, "
    f"{len(subject_ids)} subjects at start, PostgreSQL"
)
print(f"requests: {len(results)}  throughput: {len(results) / elapsed:.1f} req/s")
for kind in ("read", "write"):
    times = [t for k, t, _ in results if k == kind]
    if times:
        print(
            f"{kind:5}: n={len(times):6}  p50={pct(times, 50):6.1f} ms  p95={pct(times, 95):6.1f} ms"
            f"  p99={pct(times, 99):6.1f} ms  mean={statistics.mean(times) * 1000:6.1f} ms"
        )
print(f"errors: {sum(1 for _, _, ok in results if not ok)}")

if os.environ["BENCH_DATABASE_URL"].endswith(f"/{database}"):
    from django.db import connections

    connections.close_all()
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
