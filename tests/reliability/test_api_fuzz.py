"""Schema fuzzing: schemathesis generates valid and invalid input for every operation of
`/api/schema/` and sends it in-process to the WSGI app, authenticated as a data manager and as
a coordinator of the demo study. No answer may be a 5xx or contradict the schema (status code,
content type, headers, body), and input the schema forbids must not be accepted.

Path ids are drawn from the records that exist (the demo study), so most requests reach the
record rather than a 404; updates carry the record's current ETag in If-Match (a few keep the
generated, stale one, which must get 412).
"""

from io import StringIO

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import transaction
from django.test import override_settings
from django.urls import resolve
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token

from trial.api_base import version_etag
from trial.models import User

pytestmark = pytest.mark.django_db

ROLES = ("datamanager", "coordinator")
EXAMPLES = 8


@pytest.fixture(scope="module")
def demo_study(django_db_setup, django_db_blocker):
    """The demo study loaded once for the module inside a transaction that is rolled back
    afterwards; each test runs in a savepoint within it (as Django's setUpTestData does)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=StringIO())
        tokens = {
            username: Token.objects.create(user=User.objects.get(username=username)).key
            for username in ROLES
        }
        yield tokens
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def unthrottled():
    """The fuzzer sends far more than a user's hourly share; throttling has its own tests."""
    rates = {**django_settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": None}}
    with override_settings(REST_FRAMEWORK=rates):
        yield


with override_settings(ALLOWED_HOSTS=["*"]):
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


def existing_record(case):
    """The model behind `/.../{id}/...` and one of its records, chosen by the generated id, or
    None when the generated id is not a positive integer (then it is sent as generated)."""
    generated = case.path_parameters.get("id") if case.path_parameters else None
    if not isinstance(generated, int) or isinstance(generated, bool) or generated < 1:
        return None
    model = resolve(case.formatted_path).func.cls.queryset.model
    ids = list(model._base_manager.order_by("pk").values_list("pk", flat=True))
    return model._base_manager.get(pk=ids[generated % len(ids)]) if ids else None


@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_operation(case, role, demo_study):
    record = existing_record(case)
    if record is not None:
        case.path_parameters["id"] = record.pk
        if case.headers and "If-Match" in case.headers:  # a missing one must still get 428
            case.headers["If-Match"] = version_etag(record)
    case.call_and_validate(
        headers={"Authorization": f"Token {demo_study[role]}"},
        # A schema cannot say which ids exist: a well-typed id of no record is rightly a 400.
        excluded_checks=[schemathesis.checks.positive_data_acceptance],
    )
