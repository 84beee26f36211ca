"""Backup and restore of the PostgreSQL database with pg_dump / pg_restore (custom format).

The connection is the one Django uses (DATABASE_URL); the password travels in PGPASSWORD, never
on the command line.
"""

import os
import subprocess
from pathlib import Path

from django.db import connections


class BackupError(RuntimeError):
    pass


def _connection_args(alias: str) -> tuple[list[str], dict[str, str]]:
    connection = connections[alias]
    if connection.vendor != "postgresql":
        raise BackupError(
            "backup and restore work on PostgreSQL (the production database); with SQLite, "
            "stop the server and copy the database file."
        )
    params = connection.get_connection_params()
    args = [f"--dbname={params['dbname']}"]
    for option, key in (("--host", "host"), ("--port", "port"), ("--username", "user")):
        if params.get(key):
            args.append(f"{option}={params[key]}")
    env = {**os.environ}
    if params.get("password"):
        env["PGPASSWORD"] = str(params["password"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")


def backup(path: Path, *, alias: str = "default") -> Path:
    """Write the whole database (schema, data, audit triggers) to `path` in pg_dump's custom
    format."""
    args, env = _connection_args(alias)
    _run(["pg_dump", "--format=custom", "--no-owner", f"--file={path}", *args], env)
    return path


def restore(path: Path, *, alias: str = "default") -> None:
    """Replace the database's contents with the backup at `path`, in one transaction: a failed
    restore leaves the database as it was."""
    args, env = _connection_args(alias)
    if not Path(path).is_file():
        raise BackupError(f"no backup file at {path}")
    connections[alias].close()
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            *args,
            str(path),
        ],
        env,
    )
