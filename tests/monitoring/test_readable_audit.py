"""The audit trail as a monitor reads it: labels, display values, names and screening numbers,
filtered by subject (screening number), user and time, and downloadable as CSV."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from safety import services as safety
from safety.models import LabResult

pytestmark = pytest.mark.django_db


def test_a_change_reads_with_labels_display_values_and_names(
    infused, coordinator_a, monitor_a, clock
):
    coordinator_a.first_name, coordinator_a.last_name = "Cora", "Chen"
    coordinator_a.save()
    lab = safety.lab_result_record(
        user=coordinator_a,
        data={
            "subject": infused,
            "collected_on": date(2026, 4, 1),
            "test": "alt",
            "value": Decimal("30"),
            "unit": "U/L",
            "uln": Decimal("40"),
        },
    )
    clock.days(1)
    safety.lab_result_record(
        user=coordinator_a,
        instance=LabResult.objects.get(pk=lab.pk),
        data={"value": Decimal("130")},
        reason="Report re-read: 130",
    )
    client = Client()
    client.force_login(monitor_a)
    page = client.get(
        f"/admin/monitoring/query/audit-trail/?subject={infused.screening_number}"
        "&model=safety.labresult&since=2026-04-02"
    )
    (changed,) = page.context["rows"]
    assert (
        changed["record_type"],
        changed["screening_number"],
        changed["user_name"],
        changed["reason"],
    ) == ("lab result", infused.screening_number, "Cora Chen", "Report re-read: 130")
    assert changed["record_label"] == str(LabResult.objects.get(pk=lab.pk))
    fields = {f["label"]: (f["old"], f["new"]) for f in changed["fields"]}
    assert fields["value"] == ("30.000", "130.000")
    assert fields["CTCAE grade"] == ("0", "2")  # ALT 130, ULN 40: over 3 x ULN, grade 2
    body = page.content.decode()
    assert "<strong>Value</strong>" in body and "Cora Chen" in body

    created = client.get(
        f"/admin/monitoring/query/audit-trail/?subject={infused.screening_number}"
        "&model=safety.labresult&until=2026-04-01"
    ).context["rows"]
    (first,) = created
    shown = {f["label"]: f["new"] for f in first["fields"]}
    assert shown["test"] == "ALT"  # the choice's label, not the stored "alt"
    assert shown["subject"] == infused.screening_number  # what the foreign key points to

    download = client.get(
        f"/admin/monitoring/query/audit-trail/?subject={infused.screening_number}"
        "&model=safety.labresult&since=2026-04-02&format=csv"
    )
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    lines = list(csv.DictReader(io.StringIO(b"".join(download.streaming_content).decode())))
    value = next(line for line in lines if line["field"] == "value")
    assert (value["subject"], value["user"], value["old"], value["new"], value["reason"]) == (
        infused.screening_number,
        "Cora Chen",
        "30.000",
        "130.000",
        "Report re-read: 130",
    )
    assert {line["record type"] for line in lines} == {"lab result"}


def test_what_changed_since_my_last_monitoring_visit(
    infused, coordinator_a, monitor_a, site_a, clock
):
    from monitoring import services as monitoring

    clock.days(2)
    monitoring.monitoring_visit_save(
        user=monitor_a,
        data={
            "site": site_a,
            "visit_date": clock.today(),
            "kind": "remote",
            "reviewed": "All CRFs.",
        },
    )
    clock.days(3)
    lab = safety.lab_result_record(
        user=coordinator_a,
        data={
            "subject": infused,
            "collected_on": clock.today(),
            "test": "platelets",
            "value": Decimal("90"),
            "unit": "10^9/L",
            "lln": Decimal("150"),
        },
    )
    client = Client()
    client.force_login(monitor_a)
    page = client.get(f"/admin/monitoring/query/audit-trail/?site={site_a.pk}&since=last-visit")
    assert page.context["last_visit"].visit_date == date(2026, 4, 3)
    records = {(r["model"], r["record_id"]) for r in page.context["rows"]}
    assert ("safety.labresult", lab.pk) in records
    assert all(r["timestamp"].date() >= date(2026, 4, 3) for r in page.context["rows"])
    assert ("screening.subject", infused.pk) not in records  # registered before the visit
    assert "Changes since your remote visit of 2026-04-03 (site 01)." in page.content.decode()


def test_a_records_history_page_reads_as_people_do(infused, coordinator_a, monitor_a, clock):
    from safety.services import ae_save

    ae = ae_save(
        user=coordinator_a,
        data={
            "subject": infused,
            "term": "Hypoxia",
            "onset_date": date(2026, 4, 1),
            "grade": 3,
            "relation_car_nk": "possible",
        },
    )
    from safety.models import AdverseEvent

    ae_save(
        user=coordinator_a,
        instance=AdverseEvent.objects.get(pk=ae.pk),
        data={"relation_car_nk": "probable", "outcome": "recovering"},
        reason="Investigator's causality review",
    )
    client = Client()
    client.force_login(monitor_a)
    html = client.get(f"/admin/safety/adverseevent/{ae.pk}/history/").content.decode()
    page = " ".join(html.replace("&nbsp;", " ").replace("&rarr;", "→").split())
    assert "Relation to NKG2D CAR-NK cells:</strong> Possible → Probable" in page
    assert "Outcome:</strong> Not recovered/not resolved → Recovering/resolving" in page
    assert "possible → probable" not in page
