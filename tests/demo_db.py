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


def _post(user, url, body):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    response = client.post(url, body, format="json")
    assert response.status_code == 201, (url, response.json())
    return response.json()


def add_monitoring_records(study, *, monitor, data_manager, safety_reviewer, password) -> None:
    """One record of each kind the demo does not make (a query, an SDV mark and plan, DLT
    criteria, a record lock, a signature, a scheduled job's run), made as users (and the
    scheduler) make them. The safety
    reviewer's password becomes `password` (a signature asks for it)."""
    from django.utils import timezone

    from dosing.models import EscalationDecision
    from safety.models import LabResult
    from screening.models import Subject
    from trial.services import job_run_record

    job_run_record(job="backup", started_at=timezone.now(), ok=True, summary="wrote a backup")
    safety_reviewer.set_password(password)
    safety_reviewer.save()
    subject = Subject.objects.order_by("pk").first()
    record = {"record": "screening.subject", "object_id": subject.pk}
    _post(monitor, "/api/v1/queries/", {**record, "text": "Date of birth?"})
    _post(monitor, "/api/v1/sdv-marks/", record)
    _post(data_manager, "/api/v1/sdv-plans/", {"study": study.pk, "crf": "safety.adverseevent"})
    _post(data_manager, "/api/v1/dlt-criteria/", {"study": study.pk})
    _post(
        data_manager,
        "/api/v1/locks/",
        {
            "scope": "record",
            "study": study.pk,
            "record": "safety.labresult",
            "object_id": LabResult.objects.order_by("pk").last().pk,
            "reason": "Test lock",
        },
    )
    _post(
        safety_reviewer,
        "/api/v1/signatures/",
        {
            "record": "dosing.escalationdecision",
            "object_id": EscalationDecision.objects.first().pk,
            "meaning": "decision",
            "password": password,
        },
    )
