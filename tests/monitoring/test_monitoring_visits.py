"""The monitoring visit log: recorded by the site's monitor, audited, listed per site, voided
with a reason, never deleted."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from monitoring import services
from monitoring.models import MonitoringVisit

pytestmark = pytest.mark.django_db

VISIT = {
    "visit_date": date(2026, 3, 30),
    "kind": "on_site",
    "reviewed": "Consent forms and eligibility source documents.",
    "findings": "Consent of 01-S-001 signed after screening labs.",
    "follow_up_actions": "Report the consent deviation to the ethics committee.",
    "follow_up_due": date(2026, 4, 15),
}


def test_a_monitor_records_a_visit_and_corrects_it_with_a_reason(site_a, monitor_a, api, clock):
    created = api(monitor_a).post(
        "/api/v1/monitoring-visits/",
        {**VISIT, "site": site_a.pk, "visit_date": "2026-03-30", "follow_up_due": "2026-04-15"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["monitor"], body["kind"], body["version"]) == ("monitor_a", "on_site", 1)
    visit = MonitoringVisit.objects.get()
    services.monitoring_visit_save(
        user=monitor_a,
        instance=visit,
        data={"findings": "Consent of 01-S-001 signed after the screening labs were drawn."},
        reason="Wording of the finding",
    )
    (changed, first) = visit.history.all()
    assert (first.history_user, first.history_change_reason) == (monitor_a, None)
    assert (changed.history_user, changed.history_change_reason) == (
        monitor_a,
        "Wording of the finding",
    )
    services.monitoring_visit_void(user=monitor_a, instance=visit, reason="Entered twice")
    assert MonitoringVisit.objects.get().is_voided  # still there


def test_only_the_sites_monitor_records_its_visits(
    site_a, coordinator_a, monitor_a, site_b, api, clock
):
    with pytest.raises(PermissionDenied):
        services.monitoring_visit_save(user=coordinator_a, data={**VISIT, "site": site_a})
    with pytest.raises(PermissionDenied):
        services.monitoring_visit_save(user=monitor_a, data={**VISIT, "site": site_b})
    with pytest.raises(ValidationError) as future:
        services.monitoring_visit_save(
            user=monitor_a,
            data={**VISIT, "site": site_a, "visit_date": clock.today() + timedelta(days=1)},
        )
    assert future.value.message_dict == {"visit_date": ["The visit date is in the future."]}
    assert not MonitoringVisit.objects.exists()

    services.monitoring_visit_save(user=monitor_a, data={**VISIT, "site": site_a})
    assert [
        v["site"] for v in api(coordinator_a).get("/api/v1/monitoring-visits/").json()["results"]
    ] == [site_a.pk]
    refused = api(coordinator_a).post(
        "/api/v1/monitoring-visits/", {**VISIT, "site": site_a.pk}, format="json"
    )
    assert refused.status_code == 403
