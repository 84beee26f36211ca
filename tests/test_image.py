"""The production image, without a Docker engine (these machines have none): the files its COPY
lines send (read from the Dockerfile and .dockerignore) go into a folder, its RUN steps for
Python (pip install, collectstatic) run in a fresh virtualenv, and its CMD (deploy/start.sh:
migrate, check --deploy, gunicorn) runs against a new PostgreSQL database with production
settings. The login page and /healthz must answer 200, and the request is logged as JSON with
its request id. About two minutes; PostgreSQL only (CI runs it there)."""

import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.test_deploy import ROOT, image_files


def _dockerfile_steps():
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    copies = [line.split()[1:] for line in text.splitlines() if line.startswith("COPY ")]
    runs = [line[4:].strip() for line in text.splitlines() if line.startswith("RUN ")]
    (cmd,) = [json.loads(line[4:]) for line in text.splitlines() if line.startswith("CMD ")]
    env = dict(
        pair.split("=", 1)
        for line in text.splitlines()
        if line.startswith("ENV ")
        for pair in shlex.split(line[4:])
    )
    return copies, runs, cmd, env


def build_file_set(target: Path) -> None:
    """What the image's COPY lines put in its WORKDIR (`COPY <source>... <dest>`, paths of the
    build context after .dockerignore)."""
    copies, *_ = _dockerfile_steps()
    context = image_files()
    for *sources, dest in copies:
        into = target / dest
        for source in (s.rstrip("/") for s in sources):
            if source == ".":
                placed = {f: into / f for f in context}
            elif source in context:  # a file: into a folder (dest ends in /) or as dest
                placed = {source: into / source if dest.endswith("/") else into}
            else:  # a folder: its files under dest
                prefix = source + "/"
                placed = {f: into / f[len(prefix) :] for f in context if f.startswith(prefix)}
            for relative, where in placed.items():
                where.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / relative, where)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, **headers) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_the_image_starts_and_serves_the_login_page_and_health(tmp_path, scratch_database):
    app, venv = tmp_path / "app", tmp_path / "venv"
    build_file_set(app)
    assert (app / "followup" / "models.py").is_file()
    assert not (app / "tests").exists()

    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    _, runs, cmd, image_env = _dockerfile_steps()
    env = {
        **image_env,
        "PATH": f"{venv / 'bin'}:{os.environ['PATH']}",
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "DATABASE_URL": scratch_database,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "HTTPS": "1",
        # a real host name, as README's install step says: the health check still answers
        "ALLOWED_HOSTS": "edc.hospital.example",
        "CACHE": "database",
        "TIME_ZONE": "Asia/Shanghai",
        "WEB_CONCURRENCY": "2",
        # the audit trail's protection, as production sets it (check --deploy asks for both)
        "AUDIT_HMAC_KEYS": f"1={secrets.token_urlsafe(48)}",
        "AUDIT_CHECKPOINT_FILE": str(tmp_path / "audit-checkpoints.jsonl"),
    }
    env.pop("PIP_NO_CACHE_DIR", None)  # the image drops pip's cache; here it saves downloads
    for step in runs:
        if not re.match(r"(\w+=\S+ )*(pip|python) ", step):
            continue  # apt-get and useradd: the operating system's part of the image
        words = shlex.split(step)
        assignments = dict(w.split("=", 1) for w in words if re.match(r"^\w+=", w))
        command = [w for w in words if not re.match(r"^\w+=", w) and w != "--no-cache-dir"]
        done = subprocess.run(
            command, cwd=app, env={**env, **assignments}, capture_output=True, text=True
        )
        assert done.returncode == 0, (step, done.stdout[-2000:], done.stderr[-2000:])
    assert (app / "staticfiles").is_dir()

    port = _free_port()
    log = (tmp_path / "stdout.log").open("w+")
    server = subprocess.Popen(
        cmd,
        cwd=app,
        env={**env, "BIND": f"127.0.0.1:{port}"},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 180
        status = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status, headers, body = _get(f"{base}/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            time.sleep(1)
        log.seek(0)
        output = log.read()
        assert status == 200, output[-3000:]
        assert json.loads(body) == {"status": "ok"}
        served = {"X-Forwarded-Proto": "https", "Host": "edc.hospital.example"}
        login, _, page = _get(f"{base}/admin/login/", **served)
        assert login == 200
        assert b"EDC-lite" in page
        # collected at build time, served by whitenoise
        static, _, _ = _get(f"{base}/static/admin/css/base.css", **served)
        assert static == 200
        request_id = headers["X-Request-ID"]
        time.sleep(0.5)
        log.seek(0)
        lines = [json.loads(line) for line in log.read().splitlines() if line.startswith("{")]
        (entry,) = [line for line in lines if line.get("request_id") == request_id]
        assert (entry["path"], entry["status"], entry["level"]) == ("/healthz", 200, "INFO")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
