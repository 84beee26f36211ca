"""Queries, source data verification, locks and signatures on the main CRFs."""

from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from followup.services import disposition_record
from monitoring import services
from monitoring.models import Lock, Signature
from safety.services import ae_save
from screening import services as screening
from screening.models import EligibilityAssessment, Subject
from tests.http import if_match
from trial.services import Conflict

pytestmark = pytest.mark.django_db


def ct(model):
    return ContentType.objects.get_for_model(model)


@pytest.fixture
def assessment(consented_subject, assess):
    return assess(consented_subject)


def test_a_query_is_opened_answered_closed_and_reopened_with_history(
    assessment, monitor_a, coordinator_a, api
):
    query = services.query_open(
        user=monitor_a,
        data={
            "content_type": ct(EligibilityAssessment),
            "object_id": assessment.pk,
            "field_name": "ecog",
            "text": "ECOG 1 but the note says 2?",
        },
    )
    assert (query.subject, query.status) == (assessment.subject, "open")
    with pytest.raises(PermissionDenied):
        services.query_answer(user=monitor_a, query=query, answer="x")
    services.query_answer(
        user=coordinator_a, query=query, answer="Note corrected: ECOG 1 confirmed"
    )
    services.query_close(user=monitor_a, query=query)
    services.query_reopen(user=monitor_a, query=query, reason="Source still shows 2")

    (reopened, closed, answered, opened) = query.history.all()
    assert [h.status for h in (opened, answered, closed, reopened)] == [
        "open",
        "answered",
        "closed",
        "open",
    ]
    assert [h.history_user for h in (opened, answered, closed, reopened)] == [
        monitor_a,
        coordinator_a,
        monitor_a,
        monitor_a,
    ]
    assert reopened.history_change_reason == "Query re-opened: Source still shows 2"
    counts = api(monitor_a).get("/api/v1/query-counts/").json()
    assert counts["total"] == 1 and counts["subjects"][0]["open"] == 1


def test_site_staff_cannot_open_queries_and_fields_must_exist(assessment, coordinator_a, monitor_a):
    with pytest.raises(PermissionDenied):
        services.query_open(
            user=coordinator_a,
            data={
                "content_type": ct(EligibilityAssessment),
                "object_id": assessment.pk,
                "text": "?",
            },
        )
    with pytest.raises(ValidationError):
        services.query_open(
            user=monitor_a,
            data={
                "content_type": ct(EligibilityAssessment),
                "object_id": assessment.pk,
                "field_name": "nope",
                "text": "?",
            },
        )


def test_queries_through_the_api(api, assessment, monitor_a, coordinator_a, coordinator_b):
    response = api(monitor_a).post(
        "/api/v1/queries/",
        {
            "record": "screening.eligibilityassessment",
            "object_id": assessment.pk,
            "text": "Check ALT",
        },
    )
    assert response.status_code == 201, response.json()
    query_id = response.json()["id"]
    assert api(coordinator_b).get(f"/api/v1/queries/{query_id}/").status_code == 404
    answered = api(coordinator_a).post(
        f"/api/v1/queries/{query_id}/answer/", {"answer": "ALT 30 U/L confirmed"}
    )
    assert (answered.status_code, answered.json()["status"]) == (200, "answered")
    closed = api(monitor_a).post(f"/api/v1/queries/{query_id}/close/", {})
    assert closed.json()["status"] == "closed"
    again = api(monitor_a).post(f"/api/v1/queries/{query_id}/close/", {})
    assert (again.status_code, again.json()) == (409, {"detail": "This query is already closed."})


def test_an_edit_clears_source_data_verification_and_says_so(
    assessment, monitor_a, coordinator_a, data_manager_a, study
):
    services.sdv_plan_save(
        user=data_manager_a,
        data={"study": study, "crf": ct(EligibilityAssessment), "level": "full"},
    )
    mark = services.sdv_verify(
        user=monitor_a, data={"content_type": ct(EligibilityAssessment), "object_id": assessment.pk}
    )
    assert (mark.verified_version, mark.is_current) == (1, True)
    progress = services_progress(monitor_a)
    assert progress == [{"site": "01", "screening_number": "01-S-001", "records": 1, "verified": 1}]

    screening.eligibility_assessment_save(
        user=coordinator_a, instance=assessment, data={"ecog": 2}, reason="Source says 2"
    )

    mark.refresh_from_db()
    assert (mark.is_current, mark.cleared_at is not None) == (False, True)
    (cleared, verified) = mark.history.all()
    assert (verified.is_current, cleared.is_current) == (True, False)
    assert cleared.history_change_reason == "SDV cleared: the record changed (version 2)"
    assert cleared.history_user == coordinator_a
    assert services_progress(monitor_a)[0]["verified"] == 0


def services_progress(user):
    from monitoring.selectors import sdv_progress

    return sdv_progress(user=user)


def test_only_monitors_verify(assessment, coordinator_a):
    with pytest.raises(PermissionDenied):
        services.sdv_verify(
            user=coordinator_a,
            data={"content_type": ct(EligibilityAssessment), "object_id": assessment.pk},
        )


def test_a_locked_casebook_refuses_every_change_until_unlocked(
    assessment, data_manager_a, coordinator_a, study, api
):
    subject = assessment.subject
    lock = services.lock_create(
        user=data_manager_a,
        data={
            "scope": "subject",
            "study": study,
            "subject": subject,
            "reason": "Interim analysis data cut",
        },
    )
    with pytest.raises(Conflict) as excinfo:
        screening.eligibility_assessment_save(
            user=coordinator_a, instance=assessment, data={"ecog": 2}, reason="x"
        )
    assert "casebook is locked" in excinfo.value.messages[0]
    url = f"/api/v1/eligibility-assessments/{assessment.pk}/"
    response = api(coordinator_a).patch(
        url, {"ecog": 2, "change_reason": "x"}, format="json", **if_match(api(coordinator_a), url)
    )
    assert response.status_code == 409
    assert response.json()["detail"].startswith("A subject's casebook is locked since")
    client = Client()
    client.force_login(coordinator_a)
    page = client.post(
        f"/admin/screening/subject/{subject.pk}/change/",
        {"date_of_birth": "1980-05-17", "sex": "M", "change_reason": "typo"},
    )
    assert page.status_code == 200
    assert "casebook is locked" in str(page.context["adminform"].form.non_field_errors())
    with pytest.raises(Conflict):  # nor can new records be added to the casebook
        ae_save(
            user=coordinator_a,
            data={
                "subject": subject,
                "term": "Hypotension",
                "onset_date": date(2026, 3, 25),
                "grade": 1,
            },
        )
    assessment.refresh_from_db()
    assert assessment.ecog == 1

    services.lock_release(user=data_manager_a, lock=lock, reason="Data cut done")
    screening.eligibility_assessment_save(
        user=coordinator_a, instance=assessment, data={"ecog": 2}, reason="late"
    )
    assessment.refresh_from_db()
    assert assessment.ecog == 2
    (released, locked) = Lock.objects.get().history.all()
    assert (locked.history_change_reason, released.history_change_reason) == (
        "Locked: Interim analysis data cut",
        "Unlocked: Data cut done",
    )


def test_a_database_lock_also_freezes_configuration(study, dose_levels, data_manager_a):
    from trial.services import dose_level_save

    services.lock_create(
        user=data_manager_a, data={"scope": "study", "study": study, "reason": "Final analysis"}
    )
    with pytest.raises(Conflict):
        dose_level_save(
            user=data_manager_a, instance=dose_levels[0], data={"label": "x"}, reason="y"
        )


def test_a_record_lock_freezes_one_crf(
    assessment, consented_subject, data_manager_a, coordinator_a, study
):
    services.lock_create(
        user=data_manager_a,
        data={
            "scope": "record",
            "study": study,
            "content_type": ct(EligibilityAssessment),
            "object_id": assessment.pk,
            "reason": "Verified and frozen",
        },
    )
    with pytest.raises(Conflict):
        screening.eligibility_assessment_save(
            user=coordinator_a, instance=assessment, data={"ecog": 2}, reason="x"
        )
    screening.subject_save(
        user=coordinator_a, instance=consented_subject, data={"sex": "M"}, reason="typo"
    )


def test_only_data_managers_lock(study, coordinator_a):
    with pytest.raises(PermissionDenied):
        services.lock_create(
            user=coordinator_a, data={"scope": "study", "study": study, "reason": "x"}
        )


def _complete(subject, user):
    disposition_record(
        user=user,
        data={
            "subject": subject,
            "end_of_study_date": date(2026, 3, 28),
            "end_of_study_reason": "withdrew_consent",
        },
    )


def test_signing_a_casebook_needs_the_password_and_complete_data(
    consented_subject, investigator_a, coordinator_a
):
    investigator_a.set_password("correct horse battery")
    investigator_a.save()
    data = {
        "content_type": ct(Subject),
        "object_id": consented_subject.pk,
        "meaning": "reviewed_approved",
    }
    with pytest.raises(ValidationError) as excinfo:
        services.signature_sign(user=investigator_a, data={**data, "password": "wrong"})
    assert list(excinfo.value.message_dict) == ["password"]
    with pytest.raises(ValidationError) as excinfo:
        services.signature_sign(
            user=investigator_a, data={**data, "password": "correct horse battery"}
        )
    assert excinfo.value.message_dict == {
        "object_id": ["The casebook is not complete: no end-of-study record."]
    }
    with pytest.raises(PermissionDenied):
        coordinator_a.set_password("pw-coordinator-1")
        services.signature_sign(user=coordinator_a, data={**data, "password": "pw-coordinator-1"})

    _complete(consented_subject, coordinator_a)
    signature = services.signature_sign(
        user=investigator_a, data={**data, "password": "correct horse battery"}
    )
    assert (signature.is_valid, signature.signer, signature.get_meaning_display()) == (
        True,
        investigator_a,
        "Reviewed and approved",
    )


def test_a_change_after_signing_invalidates_the_signature_visibly(
    consented_subject, investigator_a, coordinator_a, api
):
    investigator_a.set_password("pw-investigator-1")
    investigator_a.save()
    _complete(consented_subject, coordinator_a)
    signature = services.signature_sign(
        user=investigator_a,
        data={
            "content_type": ct(Subject),
            "object_id": consented_subject.pk,
            "meaning": "reviewed_approved",
            "password": "pw-investigator-1",
        },
    )

    screening.consent_save(
        user=coordinator_a,
        instance=consented_subject.consents.get(),
        data={"form_version": "1.1"},
        reason="Version misread",
    )

    signature.refresh_from_db()
    assert signature.is_valid is False
    assert signature.invalidation_reason.startswith("Signed data changed: consent #")
    (invalidated, signed) = signature.history.all()
    assert (signed.is_valid, invalidated.is_valid, invalidated.history_user) == (
        True,
        False,
        coordinator_a,
    )
    listed = api(investigator_a).get("/api/v1/signatures/").json()["results"][0]
    assert (listed["is_valid"], listed["record"]) == (False, "screening.subject")


def test_signing_through_the_api(api, consented_subject, investigator_a, coordinator_a):
    investigator_a.set_password("pw-investigator-2")
    investigator_a.save()
    _complete(consented_subject, coordinator_a)
    body = {
        "record": "screening.subject",
        "object_id": consented_subject.pk,
        "meaning": "reviewed_approved",
    }
    wrong = api(investigator_a).post("/api/v1/signatures/", {**body, "password": "nope"})
    assert (wrong.status_code, list(wrong.json())) == (400, ["password"])
    right = api(investigator_a).post(
        "/api/v1/signatures/", {**body, "password": "pw-investigator-2"}
    )
    assert right.status_code == 201, right.json()
    assert "password" not in right.json()
    assert Signature.objects.get().signer == investigator_a


def test_monitoring_admin_pages_render(assessment, monitor_a):
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create(username="root", is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(root)
    for url in (
        "/admin/monitoring/query/",
        "/admin/monitoring/query/add/",
        "/admin/monitoring/sdvplan/",
        "/admin/monitoring/sdvmark/",
        "/admin/monitoring/lock/",
        "/admin/monitoring/lock/add/",
        "/admin/monitoring/signature/",
        "/admin/monitoring/signature/add/",
        f"/admin/monitoring/query/audit-trail/?subject={assessment.subject_id}",
    ):
        assert client.get(url).status_code == 200, url
    monitor = Client()
    monitor.force_login(monitor_a)
    page = monitor.get(f"/admin/monitoring/query/audit-trail/?subject={assessment.subject_id}")
    assert {r["model"] for r in page.context["rows"]} >= {
        "screening.subject",
        "screening.eligibilityassessment",
    }


def test_a_casebook_is_not_signed_with_the_meaning_of_a_committee_decision(
    consented_subject, investigator_a, coordinator_a
):
    investigator_a.set_password("correct horse battery")
    investigator_a.save()
    _complete(consented_subject, coordinator_a)
    with pytest.raises(ValidationError) as excinfo:
        services.signature_sign(
            user=investigator_a,
            data={
                "content_type": ct(Subject),
                "object_id": consented_subject.pk,
                "meaning": "decision",
                "password": "correct horse battery",
            },
        )
    assert excinfo.value.message_dict == {
        "meaning": [
            "A subject is signed with the meaning “Reviewed and approved”, not “Committee "
            "decision confirmed”."
        ]
    }
    assert not Signature.objects.exists()


def test_a_query_cannot_be_locked_since_locking_does_not_protect_it(
    assessment, monitor_a, data_manager_a, study
):
    from monitoring.models import Query

    query = services.query_open(
        user=monitor_a,
        data={
            "content_type": ct(EligibilityAssessment),
            "object_id": assessment.pk,
            "field_name": "ecog",
            "text": "ECOG?",
        },
    )
    with pytest.raises(ValidationError) as excinfo:
        services.lock_create(
            user=data_manager_a,
            data={
                "scope": "record",
                "study": study,
                "content_type": ct(Query),
                "object_id": query.pk,
                "reason": "Freeze",
            },
        )
    assert list(excinfo.value.message_dict) == ["record"]
    assert not Lock.objects.exists()


def test_a_record_lock_is_seen_and_released_only_at_the_records_site(
    api, assessment, data_manager_a, study, site_b
):
    from tests.factories import SiteRoleFactory, UserFactory
    from trial.models import SiteRole

    lock = services.lock_create(
        user=data_manager_a,
        data={
            "scope": "record",
            "study": study,
            "content_type": ct(EligibilityAssessment),
            "object_id": assessment.pk,
            "reason": "Verified and frozen",
        },
    )
    other_dm = UserFactory(username="dm_b")
    SiteRoleFactory(user=other_dm, site=site_b, role=SiteRole.Role.DATA_MANAGER)
    client = api(other_dm)
    assert client.get("/api/v1/locks/").json()["results"] == []
    released = client.post(f"/api/v1/locks/{lock.pk}/release/", {"reason": "x"}, format="json")
    assert released.status_code == 404
    lock.refresh_from_db()
    assert (lock.is_active, lock.subject_id) == (True, assessment.subject_id)


def test_sdv_progress_counts_records_that_reach_their_subject_through_another(
    infused, monitor_a, data_manager_a, study
):
    """An infusion belongs to its subject through the enrollment: planned and verified, it is
    counted, and the infused subject is listed."""
    from dosing.models import Infusion

    services.sdv_plan_save(
        user=data_manager_a, data={"study": study, "crf": ct(Infusion), "level": "full"}
    )
    infusion = Infusion.objects.get(enrollment__subject=infused)
    assert services_progress(monitor_a) == [
        {"site": "01", "screening_number": infused.screening_number, "records": 1, "verified": 0}
    ]
    services.sdv_verify(
        user=monitor_a, data={"content_type": ct(Infusion), "object_id": infusion.pk}
    )
    assert services_progress(monitor_a) == [
        {"site": "01", "screening_number": infused.screening_number, "records": 1, "verified": 1}
    ]
