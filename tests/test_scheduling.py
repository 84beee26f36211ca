"""How `make test` spends its 2 cores (issue 21): which test files the workers take first, and
what the tests change about the settings to save time, without production seeing it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import pytest_collection_modifyitems

ROOT = Path(__file__).resolve().parent.parent


class Item:
    """What the ordering hook reads of a collected test."""

    def __init__(self, nodeid: str, seconds: int | None = None):
        self.nodeid = nodeid
        self.mark = pytest.mark.slow(seconds).mark if seconds else None

    def get_closest_marker(self, name):
        return self.mark if name == "slow" else None

    def __repr__(self):
        return self.nodeid


def test_slow_files_go_first_longest_first_then_the_rest_by_number_of_tests():
    items = [
        Item("tests/a.py::one"),
        Item("tests/b.py::one"),
        Item("tests/b.py::two"),
        Item("tests/test_migrations.py::migrate", seconds=33),
        Item("tests/a.py::two[x]"),
        Item("tests/browser/test_day.py::walk", seconds=12),
        Item("tests/b.py::three"),
        Item("tests/a.py::two[y]"),
        Item("tests/c.py::one"),
        Item("tests/a.py::transactional_last"),  # pytest-django put it last: it stays after
    ]

    pytest_collection_modifyitems(config=None, items=items)

    assert [item.nodeid for item in items] == [
        "tests/test_migrations.py::migrate",
        "tests/browser/test_day.py::walk",
        "tests/a.py::one",
        "tests/a.py::two[x]",
        "tests/a.py::two[y]",
        "tests/a.py::transactional_last",
        "tests/b.py::one",
        "tests/b.py::two",
        "tests/b.py::three",
        "tests/c.py::one",
    ]


def test_xdist_takes_the_files_in_that_order(request):
    assert request.config.option.loadscopereorder is False


def test_only_the_tests_hash_passwords_cheaply(settings):
    """The test run's MD5 (tests/conftest.py) saves 0.23 s of CPU per password; the project's
    settings keep Django's PBKDF2 first."""
    from django.contrib.auth.hashers import get_hasher

    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]
    assert get_hasher().algorithm == "md5"
    env = {**os.environ, "SECRET_KEY": "scheduling-test"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    production = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; "
            "django.setup(); from django.contrib.auth.hashers import get_hasher; "
            "print(get_hasher().algorithm)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert production.stdout.split()[-1] == "pbkdf2_sha256"
