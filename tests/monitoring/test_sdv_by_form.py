"""Source data verification by form: the monitor verifies a whole CRF from its page in one
action; what the plan requires and is not verified as it is now is listed per site; after a
change the form and the list name the fields changed since the verified version."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from monitoring import services
from monitoring.models import SdvMark
from safety import services as safety
from safety.models import LabResult

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def lab(infused, coordinator_a, data_manager_a, study):
    services.sdv_plan_save(
        user=data_manager_a,
        data={"study": study, "crf": ContentType.objects.get_for_model(LabResult), "level": "full"},
    )
    return safety.lab_result_record(
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


def test_a_monitor_verifies_a_whole_form_and_sees_it_return_after_a_change(
    lab, monitor_a, coordinator_a, clock
):
    form = f"/admin/safety/labresult/{lab.pk}/change/"
    monitor = _client(monitor_a)
    before = monitor.get(form).context["record_sdv"]
    assert (before["level"], before["verified"], before["can_verify"]) == ("100%", False, True)
    listed = monitor.get("/admin/monitoring/sdvmark/to-verify/").context["rows"]
    assert [(r["record"], r["verified_version"], r["changed"]) for r in listed] == [
        (str(LabResult.objects.get(pk=lab.pk)), None, [])
    ]

    verified = monitor.post(
        "/admin/monitoring/sdvmark/verify/",
        {"record": "safety.labresult", "object_id": lab.pk, "next": form},
    )
    assert verified["Location"] == form
    mark = SdvMark.objects.get()
    assert (mark.verified_by, mark.verified_version, mark.is_current) == (monitor_a, 1, True)
    page = monitor.get(form)
    assert page.context["record_sdv"]["verified"] and not page.context["record_sdv"]["can_verify"]
    assert "verified at version 1 by monitor_a" in page.content.decode()
    assert monitor.get("/admin/monitoring/sdvmark/to-verify/").context["rows"] == []

    safety.lab_result_record(
        user=coordinator_a,
        instance=LabResult.objects.get(pk=lab.pk),
        data={"value": Decimal("80")},
        reason="Transcription error: the report says 80",
    )
    (row,) = monitor.get("/admin/monitoring/sdvmark/to-verify/").context["rows"]
    assert (row["version"], row["verified_version"]) == (2, 1)
    assert "value" in row["changed"] and "CTCAE grade" in row["changed"]
    assert "unit" not in row["changed"]
    state = monitor.get(form).context["record_sdv"]
    assert (state["verified"], state["can_verify"]) == (False, True)
    assert state["changed"] == row["changed"]


def test_only_the_sites_monitor_verifies(lab, coordinator_a, coordinator_b, monitor_a):
    form = f"/admin/safety/labresult/{lab.pk}/change/"
    site_view = _client(coordinator_a).get(form).context["record_sdv"]
    assert (site_view["verified"], site_view["can_verify"]) == (False, False)
    for user in (coordinator_a, coordinator_b):
        response = _client(user).post(
            "/admin/monitoring/sdvmark/verify/",
            {"record": "safety.labresult", "object_id": lab.pk, "next": form},
        )
        assert response.status_code == 302
    assert not SdvMark.objects.exists()
    assert _client(coordinator_b).get("/admin/monitoring/sdvmark/to-verify/").context["rows"] == []
    assert len(_client(monitor_a).get("/admin/monitoring/sdvmark/to-verify/").context["rows"]) == 1


def test_a_key_field_plan_verifies_its_key_fields(
    infused, coordinator_a, data_manager_a, monitor_a, study, clock
):
    services.sdv_plan_save(
        user=data_manager_a,
        data={
            "study": study,
            "crf": ContentType.objects.get_for_model(LabResult),
            "level": "key",
            "key_fields": ["value", "unit"],
        },
    )
    lab = safety.lab_result_record(
        user=coordinator_a,
        data={
            "subject": infused,
            "collected_on": date(2026, 4, 1),
            "test": "platelets",
            "value": Decimal("90"),
            "unit": "10^9/L",
            "lln": Decimal("150"),
        },
    )
    form = f"/admin/safety/labresult/{lab.pk}/change/"
    monitor = _client(monitor_a)
    state = monitor.get(form).context["record_sdv"]
    assert (state["level"], state["key_fields"]) == ("Key fields", ["value", "unit"])
    monitor.post(
        "/admin/monitoring/sdvmark/verify/",
        {"record": "safety.labresult", "object_id": lab.pk, "next": form},
    )
    assert SdvMark.objects.get().fields == ["value", "unit"]
