"""From a casebook's "+ Enter" link back to the casebook, the saved record highlighted."""

from datetime import date

import pytest
from django.test import Client

from monitoring.selectors import casebook
from safety.models import LabResult

pytestmark = pytest.mark.django_db


def test_saving_a_missing_crf_from_the_casebook_comes_back_to_it_highlighted(
    infused, schedule, coordinator_a, clock
):
    clock.days(7)
    book = casebook(
        subject=infused, back=f"/admin/casebook/{infused.pk}/", can_add={"safety.labresult"}
    )
    day7 = next(v for v in book["visits"] if v["definition"].code == "D7")
    (missing,) = [r for r in day7["rows"] if r["record"] is None and r["entry_url"]]
    assert missing["entry_url"] == (
        f"/admin/safety/labresult/add/?subject={infused.pk}&collected_on=2026-04-08"
        f"&next=%2Fadmin%2Fcasebook%2F{infused.pk}%2F"
    )

    client = Client()
    client.force_login(coordinator_a)
    saved = client.post(
        missing["entry_url"],
        {
            "subject": infused.pk,
            "collected_on": "2026-04-08",
            "test": "platelets",
            "value": "150",
            "unit": "10^9/L",
            "lln": "150",
        },
    )
    lab = LabResult.objects.get()
    assert saved["Location"] == (
        f"/admin/casebook/{infused.pk}/?highlight=safety.labresult:{lab.pk}"
    )
    page = client.get(saved["Location"]).content.decode()
    assert f'id="safety.labresult:{lab.pk}" class=" highlight"' in page
    assert lab.collected_on == date(2026, 4, 8)
