"""21 CFR 11.50: wherever a signed record is shown, the signer's printed name, the date and time,
and the meaning of the signature appear with it (and an invalidated signature says so)."""

from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone

from followup.services import disposition_record
from monitoring import services
from screening import services as screening
from screening.models import Subject

pytestmark = pytest.mark.django_db


def _page(user, url) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.fixture
def signed_casebook(consented_subject, investigator_a, coordinator_a):
    investigator_a.first_name, investigator_a.last_name = "Li", "Wei"
    investigator_a.set_password("correct horse battery")
    investigator_a.save()
    disposition_record(
        user=coordinator_a,
        data={
            "subject": consented_subject,
            "end_of_study_date": date(2026, 3, 28),
            "end_of_study_reason": "withdrew_consent",
        },
    )
    return services.signature_sign(
        user=investigator_a,
        data={
            "content_type": ContentType.objects.get_for_model(Subject),
            "object_id": consented_subject.pk,
            "meaning": "reviewed_approved",
            "password": "correct horse battery",
        },
    )


def test_a_signed_casebook_shows_name_time_and_meaning(signed_casebook, monitor_a, investigator_a):
    subject = Subject.objects.get(pk=signed_casebook.object_id)
    when = timezone.localtime(signed_casebook.signed_at)
    expected = (
        f"Signed by <strong>Li Wei</strong> ({investigator_a.username}) on {when:%Y-%m-%d %H:%M}"
    )
    for url in (
        f"/admin/screening/subject/{subject.pk}/change/",
        f"/admin/casebook/{subject.pk}/",
    ):
        page = _page(monitor_a, url)
        assert expected in page, url
        assert "meaning: <em>Reviewed and approved</em>" in page
        assert "invalidated" not in page


def test_an_invalidated_signature_says_so_where_it_is_shown(
    signed_casebook, coordinator_a, monitor_a
):
    subject = Subject.objects.get(pk=signed_casebook.object_id)
    screening.subject_save(user=coordinator_a, instance=subject, data={"sex": "F"}, reason="typo")
    page = _page(monitor_a, f"/admin/screening/subject/{subject.pk}/change/")
    assert "Signed by <strong>Li Wei</strong>" in page
    assert "invalidated" in page


def test_an_escalation_decision_shows_who_signed_it_when_and_what_it_means(
    eligible, first_cohort, enroll, infuse, clock, safety_reviewer_a, dose_levels
):
    from dosing.models import EscalationDecision
    from dosing.services import cohort_windows_refresh

    for _ in range(3):
        infuse(enroll(eligible(), first_cohort))
    clock.days(29)
    cohort_windows_refresh(cohort=first_cohort, user=safety_reviewer_a)
    safety_reviewer_a.first_name, safety_reviewer_a.last_name = "Chen", "Jing"
    safety_reviewer_a.save()
    client = Client()
    client.force_login(safety_reviewer_a)
    client.post(
        "/admin/dosing/escalationdecision/add/",
        {"cohort": first_cohort.pk, "action": "escalate", "next_dose_level": dose_levels[1].pk},
    )
    decision = EscalationDecision.objects.get()
    when = timezone.localtime(decision.signed_at)
    expected = (
        f"Chen Jing ({safety_reviewer_a.username}), {when:%Y-%m-%d %H:%M} {when.tzname()}: "
        "the safety review committee&#x27;s escalation decision"
    )
    assert expected in _page(
        safety_reviewer_a, f"/admin/dosing/escalationdecision/{decision.pk}/change/"
    )
    assert expected in _page(safety_reviewer_a, "/admin/dosing/escalationdecision/")
