"""The demo study as a module-scoped database fixture, for tests that sweep the whole API."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction


@pytest.fixture(scope="module")
def demo_db(django_db_setup, django_db_blocker):
    """The demo study loaded once per module inside a transaction rolled back afterwards; each
    test runs in a savepoint within it (as Django's setUpTestData does). Yields the blocker's
    unblock so module fixtures can add to it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=StringIO())
        yield django_db_blocker
        transaction.set_rollback(True)
