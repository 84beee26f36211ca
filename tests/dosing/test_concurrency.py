"""Enrollment slots under real concurrent transactions (PostgreSQL row locks)."""

import threading
import time

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from dosing import services
from dosing.models import Enrollment

THREADS = 20


@pytest.fixture
def slow_slot_check(monkeypatch):
    """Widen the race: every enrollment pauses after reading the cohort's slots, so without a
    row lock all twenty would see three free slots."""
    original = services.cohort_windows_refresh

    def slow(**kwargs):
        cohort = original(**kwargs)
        time.sleep(0.05)
        return cohort

    monkeypatch.setattr(services, "cohort_windows_refresh", slow)


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_enrollments_fill_a_three_slot_cohort_exactly(
    eligible, first_cohort, coordinator_a, slow_slot_check, allow_history_flush
):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks (SELECT ... FOR UPDATE); CI runs it on PostgreSQL")
    subjects = [eligible() for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    responses: list[tuple[int, dict]] = []
    lock = threading.Lock()

    def enroll(subject):
        client = APIClient()
        client.force_authenticate(coordinator_a)
        try:
            barrier.wait(timeout=30)
            response = client.post(
                "/api/v1/enrollments/", {"subject": subject.pk, "cohort": first_cohort.pk}
            )
            with lock:
                responses.append((response.status_code, response.json()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=enroll, args=(s,)) for s in subjects]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    codes = sorted(code for code, _body in responses)
    assert codes == [201] * 3 + [409] * (THREADS - 3)
    refusals = {body["detail"] for code, body in responses if code == 409}
    assert refusals == {
        (
            "Cohort 1 has all its patients enrolled; it waits for 3 of them to be infused and to "
            "finish the DLT window. No slot is open until then."
        )
    }
    assert Enrollment.objects.filter(cohort=first_cohort).count() == 3
    first_cohort.refresh_from_db()
    assert first_cohort.status == "full"
