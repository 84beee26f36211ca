"""The sponsor's access review: who held which role at which site and when, from the role
history (grants, revocations with their reasons, re-grants), scoped to the data manager's sites."""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.test import Client

from tests.factories import UserFactory
from trial import services
from trial.models import SiteRole
from trial.selectors import role_periods

pytestmark = pytest.mark.django_db


@pytest.fixture
def history_of_a_nurse(data_manager_a, site_a, time_machine):
    nurse = UserFactory(username="nurse_x", first_name="Wang", last_name="Fang")
    time_machine.move_to(datetime(2026, 3, 1, 9, 0, tzinfo=UTC), tick=False)
    role = services.site_role_grant(
        user=data_manager_a, member=nurse, site=site_a, role=SiteRole.Role.COORDINATOR
    )
    time_machine.move_to(datetime(2026, 5, 1, 9, 0, tzinfo=UTC), tick=False)
    services.site_role_save(
        user=data_manager_a, instance=role, data={"is_active": False}, reason="left the unit"
    )
    time_machine.move_to(datetime(2026, 9, 1, 9, 0, tzinfo=UTC), tick=False)
    services.site_role_grant(
        user=data_manager_a, member=nurse, site=site_a, role=SiteRole.Role.COORDINATOR,
        reason="back from leave",
    )  # fmt: skip
    nurse.is_active = False  # the account is deactivated, never deleted
    nurse.save()
    return nurse


def test_each_period_a_role_was_held_comes_from_the_role_history(
    history_of_a_nurse, data_manager_a
):
    periods = [p for p in role_periods(user=data_manager_a) if p["username"] == "nurse_x"]
    assert [
        (p["role"], p["from"], p["granted_by"], p["until"], p["ended_by"], p["end_reason"])
        for p in periods
    ] == [
        (
            "Coordinator (research nurse)",
            datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
            "dm_a",
            datetime(2026, 5, 1, 9, 0, tzinfo=UTC),
            "dm_a",
            "left the unit",
        ),
        (
            "Coordinator (research nurse)",
            datetime(2026, 9, 1, 9, 0, tzinfo=UTC),
            "dm_a",
            None,
            "",
            "",
        ),
    ]
    assert {(p["name"], p["site"], p["account"]) for p in periods} == {
        ("Wang Fang", "01", "deactivated")
    }


def test_the_report_page_and_its_csv_for_data_managers_only(
    history_of_a_nurse, data_manager_a, coordinator_a, site_b
):
    client = Client()
    client.force_login(data_manager_a)
    page = client.get("/admin/trial/siterole/access-report/")
    assert page.status_code == 200
    assert "left the unit" in page.content.decode()
    listing = client.get("/admin/trial/siterole/").content.decode()
    assert 'href="/admin/trial/siterole/access-report/"' in listing
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get("/admin/trial/siterole/access-report/?format=csv").content.decode()
            )
        )
    )
    nurse = [r for r in rows if r["username"] == "nurse_x"]
    assert [(r["from"], r["until"], r["end_reason"], r["account"]) for r in nurse] == [
        ("2026-03-01T09:00:00+00:00", "2026-05-01T09:00:00+00:00", "left the unit", "deactivated"),
        ("2026-09-01T09:00:00+00:00", "", "", "deactivated"),
    ]
    # a coordinator has no access review; another site's data manager sees none of site A
    client.force_login(coordinator_a)
    assert client.get("/admin/trial/siterole/access-report/").status_code == 403
    other = UserFactory(username="dm_b")
    SiteRole.objects.create(user=other, site=site_b, role=SiteRole.Role.DATA_MANAGER)
    assert {p["site"] for p in role_periods(user=other)} == {site_b.code}
