"""Optimistic concurrency on every update: ETag from the record's version, If-Match required."""

import pytest

from screening.models import Subject
from tests.factories import SiteRoleFactory, UserFactory
from trial.models import SiteRole

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_coordinator_a(site_a):
    user = UserFactory(username="coord_a2")
    SiteRoleFactory(user=user, site=site_a, role=SiteRole.Role.COORDINATOR)
    return user


def test_a_record_carries_its_version_as_etag(api, register, coordinator_a):
    subject = register()
    response = api(coordinator_a).get(f"/api/v1/subjects/{subject.pk}/")

    assert response["ETag"] == '"1"'


def test_the_second_of_two_editors_gets_412_and_overwrites_nothing(
    api, register, coordinator_a, second_coordinator_a
):
    subject = register()
    url = f"/api/v1/subjects/{subject.pk}/"
    first, second = api(coordinator_a), api(second_coordinator_a)
    read_by_both = first.get(url)["ETag"]
    assert second.get(url)["ETag"] == read_by_both

    saved = first.patch(
        url, {"sex": "M", "change_reason": "Sex transcribed wrongly"}, HTTP_IF_MATCH=read_by_both
    )
    assert saved.status_code == 200
    assert (read_by_both, saved["ETag"]) == ('"1"', '"2"')

    stale = second.patch(
        url,
        {"date_of_birth": "1981-05-17", "change_reason": "DOB typo"},
        HTTP_IF_MATCH=read_by_both,
    )

    assert stale.status_code == 412
    assert stale.json() == {
        "detail": "The record was changed since you read it (its ETag differs): reload it, "
        "check the change and try again."
    }
    subject.refresh_from_db()
    assert (subject.sex, subject.date_of_birth.isoformat()) == ("M", "1980-05-17")
    assert [(h.history_user.username, h.history_change_reason) for h in subject.history.all()] == [
        ("coord_a", "Sex transcribed wrongly"),
        ("coord_a", None),
    ]

    # reloaded, the second editor's change applies on top of the first
    retry = second.patch(
        url,
        {"date_of_birth": "1981-05-17", "change_reason": "DOB typo"},
        HTTP_IF_MATCH=second.get(url)["ETag"],
    )
    assert retry.status_code == 200
    subject.refresh_from_db()
    assert (subject.sex, subject.date_of_birth.isoformat()) == ("M", "1981-05-17")


@pytest.mark.parametrize("method", ["patch", "put"])
def test_an_update_without_if_match_gets_428(api, register, coordinator_a, site_a, method):
    subject = register()
    body = {"site": site_a.pk, "date_of_birth": "1980-05-17", "sex": "M", "change_reason": "x"}

    response = getattr(api(coordinator_a), method)(f"/api/v1/subjects/{subject.pk}/", body)

    assert response.status_code == 428
    assert response.json()["detail"].startswith("Send the ETag you read in If-Match")
    assert Subject.history.filter(id=subject.pk).count() == 1


@pytest.mark.parametrize("condition", ['"0"', '"2"', "1", "*", 'W/"1"', "garbage"])
def test_only_the_current_etag_matches(api, register, coordinator_a, condition):
    subject = register()
    response = api(coordinator_a).patch(
        f"/api/v1/subjects/{subject.pk}/",
        {"sex": "M", "change_reason": "x"},
        HTTP_IF_MATCH=condition,
    )
    assert response.status_code == 412
    subject.refresh_from_db()
    assert subject.sex == "F"


def test_a_void_changes_the_version(api, register, coordinator_a):
    subject = register()
    client = api(coordinator_a)
    url = f"/api/v1/subjects/{subject.pk}/"
    before = client.get(url)["ETag"]
    void = client.post(f"{url}void/", {"reason": "Registered twice"})
    assert void.status_code == 200, void.content

    assert client.get(url)["ETag"] != before
    assert (
        client.patch(url, {"sex": "M", "change_reason": "x"}, HTTP_IF_MATCH=before).status_code
        == 412
    )


def test_another_sites_record_is_404_whatever_the_headers(api, register, coordinator_b):
    subject = register()
    client = api(coordinator_b)
    url = f"/api/v1/subjects/{subject.pk}/"
    assert client.patch(url, {"sex": "M", "change_reason": "x"}).status_code == 404
    assert (
        client.patch(url, {"sex": "M", "change_reason": "x"}, HTTP_IF_MATCH='"1"').status_code
        == 404
    )


def test_the_admin_refuses_a_save_on_top_of_a_newer_version(
    client, coordinator_a, second_coordinator_a, consented_subject, assess
):
    from screening import services as screening
    from tests.screening.test_admin import _post_data

    assessment = assess(consented_subject)
    url = f"/admin/screening/eligibilityassessment/{assessment.pk}/change/"
    client.force_login(coordinator_a)
    page = client.get(url)
    assert page.context["adminform"].form["seen_version"].value() == 1
    assert b'name="seen_version" value="1"' in page.content

    # meanwhile a colleague saves a change
    screening.eligibility_assessment_save(
        user=second_coordinator_a, instance=assessment, data={"ecog": 2}, reason="ECOG re-scored"
    )

    stale = client.post(
        url, {**_post_data(consented_subject, ecog=3), "change_reason": "mine", "seen_version": 1}
    )

    assert stale.status_code == 200
    errors = stale.context["adminform"].form.non_field_errors()
    assert len(errors) == 1
    assert errors[0].startswith("coord_a2 changed this record at ")
    assert errors[0].endswith(
        "since you opened it (version 1, now 2). Your changes are not saved: open the record "
        "again, check their change and enter yours again."
    )
    assessment.refresh_from_db()
    assert (assessment.ecog, assessment.version, assessment.history.count()) == (2, 2, 2)

    fresh = client.post(
        url, {**_post_data(consented_subject, ecog=3), "change_reason": "mine", "seen_version": 2}
    )
    assert fresh.status_code == 302
    assessment.refresh_from_db()
    assert (assessment.ecog, assessment.version) == (3, 3)


def test_a_detail_action_with_a_stale_if_match_is_412_and_changes_nothing(
    api, data_manager_a, dose_levels
):
    client = api(data_manager_a)
    top = dose_levels[-1]
    url = f"/api/v1/dose-levels/{top.pk}/"
    stale = client.get(url)["ETag"]
    client.patch(url, {"label": "18 x10^6/kg", "change_reason": "typo"}, HTTP_IF_MATCH=stale)
    refused = client.post(f"{url}void/", {"reason": "entered in error"}, HTTP_IF_MATCH=stale)
    assert refused.status_code == 412
    top.refresh_from_db()
    assert top.is_voided is False
    current = client.get(url)["ETag"]
    done = client.post(f"{url}void/", {"reason": "entered in error"}, HTTP_IF_MATCH=current)
    assert done.status_code == 200
    top.refresh_from_db()
    assert top.is_voided is True


def test_a_detail_action_without_if_match_still_works(api, data_manager_a, dose_levels):
    top = dose_levels[-1]
    response = api(data_manager_a).post(
        f"/api/v1/dose-levels/{top.pk}/void/", {"reason": "entered in error"}
    )
    assert response.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_of_two_simultaneous_updates_with_one_etag_exactly_one_wins(
    register, coordinator_a, second_coordinator_a, monkeypatch, allow_history_flush
):
    """Both editors read version 1 and send it in If-Match at the same moment; the first to hold
    the row writes version 2, the other must then be compared with version 2 and get 412 (the
    ETag compared with the row read before the lock let both through)."""
    import threading
    import time

    from django.db import connection, connections
    from rest_framework.test import APIClient

    from screening.api import SubjectViewSet

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks (SELECT ... FOR UPDATE); CI runs it on PostgreSQL")
    subject = register()
    save = SubjectViewSet.update_service

    def slow_save(**kwargs):  # hold the row long enough for the other request to read it
        saved = save(**kwargs)
        time.sleep(0.3)
        return saved

    monkeypatch.setattr(SubjectViewSet, "update_service", staticmethod(slow_save))
    barrier = threading.Barrier(2)
    codes = []

    def edit(user, sex):
        client = APIClient()
        client.force_authenticate(user)
        try:
            barrier.wait(timeout=30)
            response = client.patch(
                f"/api/v1/subjects/{subject.pk}/",
                {"sex": sex, "change_reason": "Transcription"},
                HTTP_IF_MATCH='"1"',
            )
            codes.append(response.status_code)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=edit, args=(coordinator_a, "M")),
        threading.Thread(target=edit, args=(second_coordinator_a, "F")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(codes) == [200, 412]
    subject.refresh_from_db()
    assert subject.version == 2
    assert subject.history.count() == 2
