"""Load: the app under gunicorn on 127.0.0.1 (PostgreSQL), driven by closed-loop API clients, one
workload at a time, each against the stack's own limit measured in the same run.

Workloads (each for --seconds, all clients on it):
  bare     the bare Django view of `bench_urls` (same server, middleware and token check, one
           indexed query, the subject detail's JSON shape, no DRF): the reference
  detail   GET /api/v1/subjects/<id>/            (a CRF read)
  list     GET /api/v1/subjects/?page=<1-5>      (50 rows a page)
  history  GET /api/v1/subjects/<id>/history/
  mixed    40 % list, 35 % detail, 15 % history, 10 % POST /api/v1/subjects/

Prints, per run and as the median of --runs: throughput, its ratio to the bare view's, p50/p95/
p99 latency and errors (any answer but 200/201, or a failed connection); and the share of the
machine's CPU used by the load client (its processes' CPU time over wall time x cores), so a
saturated client shows. The clients run in --procs processes (threads inside), apart from the
server's workers. The API rate limit is lifted: all clients share one user's token.

    python benchmarks/load.py [--clients 50] [--seconds 10] [--runs 3] [--workers 4] [--procs 2]
"""

import argparse
import http.client
import json
import multiprocessing
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time

WORKLOADS = ("bare", "detail", "list", "history", "mixed")
PORT = 8765


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


def pick(workload, rng, subject_ids, site_id):
    """(kind, method, path, body) of the next request."""
    subject = rng.choice(subject_ids)
    if workload == "bare":
        return "read", "GET", f"/bench/bare/subjects/{subject}/", None
    if workload == "detail":
        return "read", "GET", f"/api/v1/subjects/{subject}/", None
    if workload == "list":
        return "read", "GET", f"/api/v1/subjects/?page={rng.randint(1, 5)}", None
    if workload == "history":
        return "read", "GET", f"/api/v1/subjects/{subject}/history/", None
    roll = rng.random()
    if roll < 0.10:
        body = {"site": site_id, "date_of_birth": "1970-01-01", "sex": "F"}
        return "write", "POST", "/api/v1/subjects/", body
    if roll < 0.50:
        return pick("list", rng, subject_ids, site_id)
    if roll < 0.85:
        return pick("detail", rng, subject_ids, site_id)
    return pick("history", rng, subject_ids, site_id)


def client_thread(job, seed, out):
    workload, stop_at, token, subject_ids, site_id = job
    rng = random.Random(seed)
    headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    while time.perf_counter() < stop_at:
        kind, method, path, body = pick(workload, rng, subject_ids, site_id)
        sent = dict(headers)
        payload = None
        if body is not None:
            payload = json.dumps(body)
            sent["Content-Type"] = "application/json"
        started = time.perf_counter()
        try:
            conn.request(method, path, body=payload, headers=sent)
            response = conn.getresponse()
            response.read()
            ok = response.status == (201 if method == "POST" else 200)
        except (OSError, http.client.HTTPException):
            ok = False
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        out.append((kind, time.perf_counter() - started, ok))


def client_process(args):
    """One load process: `threads` closed-loop clients; returns their samples and its CPU time."""
    job, threads, seed = args
    cpu = time.process_time()
    samples: list = []
    workers = [
        threading.Thread(target=client_thread, args=(job, seed * 1000 + n, samples))
        for n in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return samples, time.process_time() - cpu


def machine_cpu_seconds():
    """Busy CPU seconds of the whole machine so far (all cores), from /proc/stat."""
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def run_workload(pool, workload, args, token, subject_ids, site_id):
    stop_at = time.perf_counter() + args.seconds
    job = (workload, stop_at, token, subject_ids, site_id)
    per_process = [args.clients // args.procs] * args.procs
    for n in range(args.clients % args.procs):
        per_process[n] += 1
    busy = machine_cpu_seconds()
    started = time.perf_counter()
    results = pool.map(client_process, [(job, t, n) for n, t in enumerate(per_process)])
    elapsed = time.perf_counter() - started
    busy = machine_cpu_seconds() - busy
    samples = [s for part, _ in results for s in part]
    client_cpu = sum(cpu for _, cpu in results)
    cores = os.cpu_count() or 1
    reads = [t for kind, t, _ in samples if kind == "read"]
    writes = [t for kind, t, _ in samples if kind == "write"]
    return {
        "throughput": len(samples) / elapsed,
        "p50": percentile(reads, 50),
        "p95": percentile(reads, 95),
        "p99": percentile(reads, 99),
        "write_p95": percentile(writes, 95) if writes else None,
        "errors": sum(1 for *_, ok in samples if not ok),
        "client_cpu": client_cpu / (elapsed * cores),
        "machine_cpu": busy / (elapsed * cores),
    }


def show(name, figures, bare):
    ratio = figures["throughput"] / bare if bare else float("nan")
    write = f"  write p95 {figures['write_p95']:6.1f}" if figures["write_p95"] else ""
    print(
        f"  {name:8} {figures['throughput']:7.1f} req/s  x{ratio:4.2f} of bare  "
        f"p50 {figures['p50']:6.1f}  p95 {figures['p95']:6.1f}  p99 {figures['p99']:6.1f} ms"
        f"{write}  errors {figures['errors']}  "
        f"client CPU {figures['client_cpu']:4.0%} / machine {figures['machine_cpu']:4.0%}"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--procs", type=int, default=2, help="load client processes")
    parser.add_argument("--subjects", type=int, default=300)
    parser.add_argument("--workloads", default=",".join(WORKLOADS))
    args = parser.parse_args()
    workloads = args.workloads.split(",")
    if "bare" not in workloads:
        workloads.insert(0, "bare")

    database = f"edc_load_{os.getpid()}"
    own_database = "BENCH_DATABASE_URL" not in os.environ
    if own_database:
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{database}"')
        os.environ["BENCH_DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{database}"
    os.environ["CACHE"] = os.environ.get("BENCH_CACHE", "redis")
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    from _setup import ROOT, django_ready

    ctx = django_ready()
    from datetime import date

    from django.core.management import call_command

    from screening import services as screening
    from trial.services import api_token_create

    if os.environ["CACHE"] == "database":
        call_command("createcachetable", verbosity=0)
    subject_ids = [ctx["subject"].pk] + [
        screening.subject_save(
            user=ctx["nurse"],
            data={
                "site": ctx["site"],
                "date_of_birth": date(1960 + n % 40, 1, 1),
                "sex": "MF"[n % 2],
            },
        ).pk
        for n in range(args.subjects - 1)
    ]
    token = api_token_create(user=ctx["nurse"], name="load benchmark")[1]
    site_id = ctx["site"].pk
    from django.db import connections

    connections.close_all()

    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "config.wsgi:application"),
            *("--bind", f"127.0.0.1:{PORT}", "--workers", str(args.workers)),
            *("--log-level", "warning"),
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "benchmarks.bench_settings",
            "DATABASE_URL": os.environ["BENCH_DATABASE_URL"],
            "DEBUG": "0",
            "SECRET_KEY": "load-benchmark-only-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1",
            "API_RATE_LIMIT": "100000000/10m",
            "CONN_MAX_AGE": "60",
        },
    )
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", PORT), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        same_shape(token, subject_ids[0])
        print(
            f"{args.clients} clients in {args.procs} processes, {args.workers} gunicorn workers, "
            f"{args.seconds:.0f} s per workload, {args.runs} runs, {len(subject_ids)} subjects, "
            f"PostgreSQL, cache {os.environ['CACHE']}, {os.cpu_count()} cores"
        )
        runs = []
        with multiprocessing.get_context("fork").Pool(args.procs) as pool:
            pool.map(
                client_process,
                [(("bare", time.perf_counter() + 2, token, subject_ids, site_id), 5, 0)]
                * args.procs,
            )
            for run in range(args.runs):
                figures = {
                    w: run_workload(pool, w, args, token, subject_ids, site_id) for w in workloads
                }
                print(f"run {run + 1}:")
                for name in workloads:
                    show(name, figures[name], figures["bare"]["throughput"])
                runs.append(figures)
        print(f"median of {args.runs} runs (each figure on its own):")
        bare = statistics.median(r["bare"]["throughput"] for r in runs)
        for name in workloads:
            medians = {
                key: statistics.median(r[name][key] for r in runs)
                if runs[0][name][key] is not None
                else None
                for key in runs[0][name]
            }
            ratios = statistics.median(
                r[name]["throughput"] / r["bare"]["throughput"] for r in runs
            )
            show(name, medians, bare)
            print(f"  {'':8} median of the per-run ratios: x{ratios:4.2f}")
    finally:
        server.terminate()
        server.wait(timeout=30)
        if own_database:
            connections.close_all()
            import psycopg

            with psycopg.connect(
                "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True
            ) as c:
                c.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def same_shape(token, subject):
    """The bare view answers what the API answers: same keys and values for the same subject."""
    answers = []
    for path in (f"/bench/bare/subjects/{subject}/", f"/api/v1/subjects/{subject}/"):
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        conn.request("GET", path, headers={"Authorization": f"Token {token}"})
        response = conn.getresponse()
        answers.append(json.loads(response.read()))
        assert response.status == 200, (path, response.status, answers[-1])
    bare, api = answers
    assert bare == api, f"the bare view's JSON differs from the API's: {bare} != {api}"


if __name__ == "__main__":
    main()
