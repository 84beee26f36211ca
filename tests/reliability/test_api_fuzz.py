"""Schema fuzzing: schemathesis generates valid and invalid input for every operation of
`/api/schema/` and sends it in-process to the WSGI app, authenticated as a data manager and as
a coordinator of the demo study. No answer may be a 5xx or contradict the schema (status code,
content type, headers, body), and input the schema forbids must not be accepted.

Path ids are mapped onto the records that exist (the demo study), so most requests reach a
record rather than a 404; an update that carries If-Match carries the record's current ETag (one
without it must get 428). Stale ETags are tested in test_concurrent_edits.py.
"""

import os

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from django.urls import resolve
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.config._checks import NEGATIVE_DATA_REJECTION_EXPECTED_STATUSES

from trial.api_base import version_etag
from trial.models import User
from trial.services import api_token_create

pytestmark = [pytest.mark.django_db, pytest.mark.slow(55)]

ROLES = ("datamanager", "coordinator")
# generated examples per operation and role, beside the schema's own: 5 in every run (8 took
# half a minute more of `make test`), more on request: `FUZZ_EXAMPLES=50 pytest ...`
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
# The coverage phase (every boundary and negative case the schema defines for every parameter,
# ~5 s per operation) takes about 35 minutes for both roles: too long for each CI run, so it
# runs on request: `FUZZ_DEEP=1 pytest tests/reliability/test_api_fuzz.py`.
DEEP = os.environ.get("FUZZ_DEEP") == "1"
CONFIG = SchemathesisConfig.from_dict(
    {
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": DEEP},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
        "checks": {
            # A schema cannot say which ids exist: a well-typed id of no record is rightly a 400.
            "positive_data_acceptance": {"enabled": False},
            # Rejections beyond schemathesis' list: 412, an update on a version not read.
            "negative_data_rejection": {
                "expected-statuses": [*NEGATIVE_DATA_REJECTION_EXPECTED_STATUSES, "412"]
            },
        },
    }
)


@pytest.fixture(scope="module")
def demo_study(demo_db):
    """API tokens of the demo users the fuzzer acts as, in the module's demo study."""
    with demo_db.unblock():
        return {
            username: api_token_create(user=User.objects.get(username=username), name="fuzz")[1]
            for username in ROLES
        }


@pytest.fixture(autouse=True)
def connection_kept_across_requests():
    """As Django's test client does: the WSGI handler would close the database connection
    after each request, and with it the test's transaction (PostgreSQL)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def unthrottled():
    """The fuzzer sends far more than a user's hourly share; throttling has its own tests."""
    rates = {**django_settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": None}}
    with override_settings(REST_FRAMEWORK=rates):
        yield


with override_settings(ALLOWED_HOSTS=["*"]):
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application(), config=CONFIG)


def existing_record(case):
    """The model behind `/.../{id}/...` and one of its records, chosen by the generated id, or
    None when the generated id is not a positive integer (then it is sent as generated)."""
    generated = str(case.path_parameters.get("id", "")) if case.path_parameters else ""
    if not generated.isascii() or not generated.isdigit() or int(generated) < 1:
        return None
    model = resolve(case.operation.path.replace("{id}", "1")).func.cls.queryset.model
    ids = list(model._base_manager.order_by("pk").values_list("pk", flat=True))
    return model._base_manager.get(pk=ids[int(generated) % len(ids)]) if ids else None


@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,  # the same cases on every run; no example database is kept
    database=None,
)
def test_api_operation(case, role, demo_study):
    record = existing_record(case)
    if record is not None:
        case.path_parameters["id"] = record.pk
        if case.headers and "If-Match" in case.headers:  # a missing one must still get 428
            case.headers["If-Match"] = version_etag(record)
    case.call_and_validate(headers={"Authorization": f"Token {demo_study[role]}"})
