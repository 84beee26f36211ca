"""An upgrade of a populated database: the demo study loaded by the last release (its code, from
git), then this version's migrations applied to it, as the README's upgrade step does. The
audit trail must come through intact (hash chains, append-only triggers) and nothing be lost.
PostgreSQL only (CI runs it there); about a minute."""

import os
import secrets
import subprocess
import sys

from tests.test_deploy import ROOT

# The last release whose migrations this version's run on top of (update on each release).
LAST_RELEASE = "f42e41e"


# Runs a checkout's manage.py with only that checkout's code: the virtualenv's editable install
# of this version (pip install -e .) adds an import finder that would otherwise supply modules
# the older checkout does not have (a new app's demo.py, say) from this version's tree.
ONLY_THIS_CHECKOUT = (
    "import runpy, sys; "
    "sys.meta_path[:] = [f for f in sys.meta_path if '__editable__' not in "
    "getattr(f, '__module__', '')]; "
    "sys.argv = ['manage.py', *sys.argv[1:]]; "
    "runpy.run_path('manage.py', run_name='__main__')"
)


def _manage(where, env, *args) -> str:
    done = subprocess.run(
        [sys.executable, "-c", ONLY_THIS_CHECKOUT, *args],
        cwd=where,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-2000:])
    return done.stdout


def _counts(env, where) -> str:
    """Subjects, AEs and their history rows (the last line: the shell first says what it
    imported, which differs between versions)."""
    return _last_line(
        _manage(
            where,
            env,
            "shell",
            "-c",
            "from screening.models import Subject; from safety.models import AdverseEvent; "
            "print(Subject.objects.count(), AdverseEvent.objects.count(), "
            "Subject.history.count(), AdverseEvent.history.count())",
        )
    )


def _last_line(output: str) -> str:
    """Commands print JSON log lines on stdout too (a job's run is logged): their own output is
    the last line."""
    return output.strip().splitlines()[-1]


def test_this_versions_migrations_upgrade_the_last_releases_demo_study(tmp_path, scratch_database):
    release = tmp_path / "release"
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(release), LAST_RELEASE],
        check=True,
        capture_output=True,
    )
    try:
        env = {
            **{k: v for k, v in os.environ.items() if k not in ("DEBUG", "DATABASE_URL")},
            "DATABASE_URL": scratch_database,
            "SECRET_KEY": secrets.token_urlsafe(50),
        }
        _manage(release, env, "migrate", "--noinput")
        _manage(release, env, "seed_demo")
        before = _counts(env, release)

        _manage(ROOT, env, "migrate", "--noinput")

        assert "[ ]" not in _manage(ROOT, env, "showmigrations")
        assert _counts(env, ROOT) == before
        assert _last_line(_manage(ROOT, env, "verify_audit")).startswith("audit trail intact: ")
        # the history tables are still append-only after the upgrade
        refused = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "dbshell",
                "--",
                "-c",
                "DELETE FROM screening_historicalsubject",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        assert refused.returncode != 0 and "append-only" in refused.stderr
    finally:
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(release)],
            capture_output=True,
        )
