"""The monitor's new pages cost the same number of queries for 10 records as for 100."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from monitoring import services
from safety import services as safety
from safety.models import LabResult

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    client.get(url)  # session, permissions and content types are warm
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("records", [10, 100])
def test_to_verify_audit_trail_and_query_pages(
    records, infused, coordinator_a, monitor_a, data_manager_a, study, clock
):
    services.sdv_plan_save(
        user=data_manager_a,
        data={"study": study, "crf": ContentType.objects.get_for_model(LabResult), "level": "full"},
    )
    for n in range(records):
        safety.lab_result_record(
            user=coordinator_a,
            data={
                "subject": infused,
                "collected_on": date(2026, 4, 1) - timedelta(days=n % 5),
                "test": "platelets",
                "value": Decimal(100 + n),
                "unit": "10^9/L",
                "lln": Decimal("150"),
            },
        )
    lab = LabResult.objects.order_by("pk").first()
    query = services.query_open(
        user=monitor_a,
        data={
            "content_type": ContentType.objects.get_for_model(LabResult),
            "object_id": lab.pk,
            "field_name": "value",
            "text": "Value?",
        },
    )
    for n in range(records // 10):
        services.query_answer(user=coordinator_a, query=query, answer=f"Answer {n}")
        services.query_reopen(user=monitor_a, query=query, reason=f"Not yet {n}")
    client = Client()
    client.force_login(monitor_a)
    costs = {
        "to verify": _queries(client, "/admin/monitoring/sdvmark/to-verify/"),
        "audit trail": _queries(
            client,
            f"/admin/monitoring/query/audit-trail/?subject={infused.pk}&model=safety.labresult",
        ),
        "query page": _queries(client, f"/admin/monitoring/query/{query.pk}/change/"),
        "lab form": _queries(client, f"/admin/safety/labresult/{lab.pk}/change/"),
    }
    # one query per history table for the audit trail (the unfiltered page reads them all:
    # bounded by the number of record types on the page, not by the number of records)
    # each counts the second factor's device (django-otp reads it on every request); the roles
    # come from the cache (trial.selectors.active_roles), Django's permission tables are not read
    assert costs == {"to verify": 12, "audit trail": 10, "query page": 14, "lab form": 9}
