"""Cost of one API request in-process (no server, no network): CPU milliseconds and queries per
request for each endpoint of the load benchmark, and where the time goes (cProfile, the
functions with the most cumulative time of the CRF read).

    python benchmarks/profile_request.py [--requests 300] [--top 25]

SQLite by default; $BENCH_DATABASE_URL for PostgreSQL.
"""

import argparse
import cProfile
import io
import os
import pstats
import time

parser = argparse.ArgumentParser()
parser.add_argument("--requests", type=int, default=300)
parser.add_argument("--top", type=int, default=25)
parser.add_argument("--subjects", type=int, default=120)
args = parser.parse_args()

os.environ.setdefault("API_RATE_LIMIT", "100000000/10m")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.bench_settings"  # with the bare view
from _setup import django_ready

ctx = django_ready()
from datetime import date

from django.db import connection
from django.test import Client

from screening import services as screening
from trial.services import api_token_create

for n in range(args.subjects - 1):
    screening.subject_save(
        user=ctx["nurse"],
        data={"site": ctx["site"], "date_of_birth": date(1960 + n % 40, 1, 1), "sex": "MF"[n % 2]},
    )
token = api_token_create(user=ctx["nurse"], name="profile")[1]
subject = ctx["subject"].pk
client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_ACCEPT="application/json")
ENDPOINTS = {
    "bare": f"/bench/bare/subjects/{subject}/",
    "detail": f"/api/v1/subjects/{subject}/",
    "list": "/api/v1/subjects/?page=2",
    "history": f"/api/v1/subjects/{subject}/history/",
}

print(
    f"{args.requests} requests per endpoint (least CPU of 3 batches), {args.subjects} subjects, {connection.vendor}"
)
for name, path in ENDPOINTS.items():
    assert client.get(path).status_code == 200, path
    queries = []

    def count(execute, sql, *rest, queries=queries):
        queries.append(sql)
        return execute(sql, *rest)

    with connection.execute_wrapper(count):
        client.get(path)
    batches = []
    for _ in range(3):  # the least of three batches: other work on the machine only adds
        cpu = time.process_time()
        for _ in range(args.requests):
            client.get(path)
        batches.append((time.process_time() - cpu) / args.requests * 1000)
    cpu = min(batches)
    print(f"{name:8} {cpu:6.2f} ms CPU/request  {len(queries):2} queries")

profile = cProfile.Profile()
profile.enable()
for _ in range(args.requests):
    client.get(ENDPOINTS["detail"])
profile.disable()
out = io.StringIO()
pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(args.top)
print(out.getvalue())
out = io.StringIO()
pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(args.top)
print(out.getvalue())
