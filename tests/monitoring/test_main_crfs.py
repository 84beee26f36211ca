"""The monitoring guarantees on each app's main CRF: an edit with a reason clears SDV, a lock
blocks the edit, a query runs its course; history rows asserted exactly."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from dosing import services as dosing
from followup import services as followup
from monitoring import services
from safety import services as safety
from screening import services as screening
from trial.services import Conflict

pytestmark = pytest.mark.django_db


def _eligibility(subject, user):
    record = subject.assessments.get()
    return record, lambda: screening.eligibility_assessment_save(
        user=user, instance=record, data={"ecog": 2}, reason="Corrected from source"
    )


def _infusion(subject, user):
    record = subject.enrollment.infusions.get()
    return record, lambda: dosing.infusion_save(
        user=user,
        instance=record,
        data={"premedication": "Paracetamol"},
        reason="Corrected from source",
    )


def _adverse_event(subject, user):
    record = safety.ae_save(
        user=user,
        data={
            "subject": subject,
            "term": "Hypotension",
            "onset_date": date(2026, 4, 2),
            "grade": 2,
        },
    )
    return record, lambda: safety.ae_save(
        user=user, instance=record, data={"outcome": "recovered"}, reason="Corrected from source"
    )


def _response(subject, user):
    record = followup.response_assessment_record(
        user=user,
        data={
            "subject": subject,
            "assessment_date": date(2026, 4, 29),
            "marrow_assessment_date": date(2026, 4, 29),
            "marrow_blasts_pct": Decimal("2"),
            "baseline_marrow_blasts_pct": Decimal("40"),
            "circulating_blasts": False,
            "auer_rods": False,
            "extramedullary_disease": False,
            "baseline_extramedullary_disease": False,
            "anc": Decimal("1.5"),
            "platelets": Decimal("120"),
            "investigator_response": "CR",
        },
    )
    return record, lambda: followup.response_assessment_record(
        user=user,
        instance=record,
        data={"platelets": Decimal("130")},
        reason="Corrected from source",
    )


CRFS = {
    "eligibility": _eligibility,
    "infusion": _infusion,
    "adverse event": _adverse_event,
    "response": _response,
}


@pytest.mark.parametrize("crf", CRFS)
def test_each_main_crf(
    crf, infused, consented_subject, assess, coordinator_a, monitor_a, data_manager_a, study, clock
):
    clock.days(30)
    if (
        crf == "eligibility"
    ):  # an enrolled subject's eligibility is closed: take one still in screening
        assess(consented_subject)
        record, edit = _eligibility(consented_subject, coordinator_a)
    else:
        record, edit = CRFS[crf](infused, coordinator_a)
    content_type = ContentType.objects.get_for_model(type(record))
    ref = {"content_type": content_type, "object_id": record.pk}

    query = services.query_open(user=monitor_a, data={**ref, "text": "Please check against source"})
    services.query_answer(user=coordinator_a, query=query, answer="Checked: corrected")
    mark = services.sdv_verify(user=monitor_a, data=ref)
    lock = services.lock_create(
        user=data_manager_a,
        data={"scope": "record", "study": study, **ref, "reason": "Frozen for review"},
    )
    with pytest.raises(Conflict):
        edit()
    services.lock_release(user=data_manager_a, lock=lock, reason="Correction agreed")
    edit()
    services.query_close(user=monitor_a, query=query)

    record.refresh_from_db()
    (update, *_older) = record.history.all()
    assert (update.history_user, update.history_change_reason) == (
        coordinator_a,
        "Corrected from source",
    )
    (cleared, verified) = mark.history.all()
    assert (verified.is_current, cleared.is_current, cleared.history_user) == (
        True,
        False,
        coordinator_a,
    )
    assert (
        cleared.history_change_reason
        == f"SDV cleared: the record changed (version {record.version})"
    )
    assert [h.status for h in reversed(query.history.all())] == ["open", "answered", "closed"]
    assert [h.is_active for h in reversed(lock.history.all())] == [True, False]
