"""A query is a conversation: raised from the field on the record's form with only its text,
flagged on that field for everyone who sees the record, answered by the site, the queried
field's correction (with its reason) joining the thread, closed or re-opened by the monitor;
every step with its author, time and text, in order."""

import json
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from monitoring import services
from monitoring.models import Query, QueryMessage
from monitoring.selectors import query_thread
from screening import services as screening
from screening.models import EligibilityAssessment

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(consented_subject, assess):
    return assess(consented_subject)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _field_queries(response) -> dict:
    found = re.search(
        r'<script id="field-queries" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    return json.loads(found.group(1)) if found else {}


def _raise(client, assessment, text, field="ecog"):
    page = f"/admin/screening/eligibilityassessment/{assessment.pk}/change/"
    return client.post(
        "/admin/monitoring/query/raise/",
        {
            "record": "screening.eligibilityassessment",
            "object_id": assessment.pk,
            "field_name": field,
            "text": text,
            "next": page,
        },
    )


def test_the_whole_conversation_in_order_with_the_data_change(assessment, monitor_a, coordinator_a):
    page = f"/admin/screening/eligibilityassessment/{assessment.pk}/change/"
    monitor = _client(monitor_a)

    form = _field_queries(monitor.get(page))
    assert form["record"] == "screening.eligibilityassessment"
    assert form["fields"]["ecog"] == "ECOG performance status"
    assert form["raise"] == {"url": "/admin/monitoring/query/raise/", "next": page}
    assert form["queries"] == {}

    raised = _raise(monitor, assessment, "ECOG 1 here, the clinic note says 2?")
    assert (raised.status_code, raised["Location"]) == (302, page)
    query = Query.objects.get()
    assert (query.field_name, query.subject, query.opened_by) == (
        "ecog",
        assessment.subject,
        monitor_a,
    )

    # the site sees the flag on the field, and no control to raise queries
    coordinator = _client(coordinator_a)
    site_view = _field_queries(coordinator.get(page))
    assert site_view["raise"] is None
    assert site_view["queries"] == {
        "ecog": [
            {
                "id": query.pk,
                "status": "New",
                "text": "ECOG 1 here, the clinic note says 2?",
                "url": f"/admin/monitoring/query/{query.pk}/change/",
            }
        ]
    }

    thread_page = f"/admin/monitoring/query/{query.pk}/change/"
    answered = coordinator.post(
        f"/admin/monitoring/query/{query.pk}/step/",
        {"action": "answer", "text": "The note is right: ECOG 2. Corrected on the form."},
    )
    assert answered["Location"] == thread_page
    screening.eligibility_assessment_save(
        user=coordinator_a,
        instance=EligibilityAssessment.objects.get(pk=assessment.pk),
        data={"ecog": 2},
        reason="Clinic note of the screening visit: ECOG 2",
    )

    view = monitor.get(thread_page)
    assert view.context["can_close"] and view.context["can_reopen"]
    assert not view.context["can_answer"]
    body = view.content.decode()
    assert 'Status: <span class="status" id="query-status">Resolution proposed</span>' in body
    closed = monitor.post(
        f"/admin/monitoring/query/{query.pk}/step/",
        {"action": "close", "text": "Thank you."},
    )
    assert closed.status_code == 302

    steps = [(s["kind"], s["author"], s["text"]) for s in query_thread(Query.objects.get())]
    assert steps == [
        ("raised", "monitor_a", "ECOG 1 here, the clinic note says 2?"),
        ("answered", "coord_a", "The note is right: ECOG 2. Corrected on the form."),
        (
            "data_changed",
            "coord_a",
            "ECOG performance status changed: 1 -> 2. Reason for change: Clinic note of the "
            "screening visit: ECOG 2",
        ),
        ("closed", "monitor_a", "Thank you."),
    ]
    times = list(QueryMessage.objects.order_by("pk").values_list("at", flat=True))
    assert times == sorted(times)
    # each message has its own history row, by its author
    assert [m.history.get().history_user for m in QueryMessage.objects.order_by("pk")] == [
        monitor_a,
        coordinator_a,
        coordinator_a,
        monitor_a,
    ]
    # a closed query no longer flags the field
    assert _field_queries(coordinator.get(page)) == {}


def test_a_reopened_query_tells_the_site_why(assessment, monitor_a, coordinator_a, api):
    query = services.query_open(
        user=monitor_a,
        data={
            "content_type": ContentType.objects.get_for_model(EligibilityAssessment),
            "object_id": assessment.pk,
            "field_name": "tbil",
            "text": "Unit of bilirubin?",
        },
    )
    services.query_answer(user=coordinator_a, query=query, answer="umol/L")
    refused = _client(monitor_a).post(
        f"/admin/monitoring/query/{query.pk}/step/", {"action": "reopen", "text": " "}
    )
    assert refused.status_code == 302
    assert Query.objects.get().status == "answered"  # a re-opening needs its reason
    services.query_reopen(user=monitor_a, query=query, reason="The ULN is in mg/dL")

    page = _client(coordinator_a).get(f"/admin/monitoring/query/{query.pk}/change/")
    assert page.context["can_answer"] and not page.context["can_close"]
    assert "The ULN is in mg/dL" in page.content.decode()

    listed = api(coordinator_a).get(f"/api/v1/queries/{query.pk}/").json()
    assert listed["status_name"] == "Updated"  # re-opened
    assert [(m["kind"], m["author"], m["text"]) for m in listed["messages"]] == [
        ("raised", "monitor_a", "Unit of bilirubin?"),
        ("answered", "coord_a", "umol/L"),
        ("reopened", "monitor_a", "The ULN is in mg/dL"),
    ]


def test_only_the_records_monitors_raise_queries_and_nothing_else_changes(
    assessment, monitor_a, coordinator_a, coordinator_b
):
    page = f"/admin/screening/eligibilityassessment/{assessment.pk}/change/"
    refused = _raise(_client(coordinator_a), assessment, "Can I raise one?")
    assert refused["Location"] == page
    other_site = _raise(_client(coordinator_b), assessment, "And me?")
    assert other_site.status_code == 302
    empty = _raise(_client(monitor_a), assessment, "   ")
    unknown_field = _raise(_client(monitor_a), assessment, "What?", field="no_such_field")
    assert (empty.status_code, unknown_field.status_code) == (302, 302)
    assert not Query.objects.exists() and not QueryMessage.objects.exists()

    away = _client(monitor_a).post(
        "/admin/monitoring/query/raise/",
        {
            "record": "screening.eligibilityassessment",
            "object_id": assessment.pk,
            "field_name": "ecog",
            "text": "Fine",
            "next": "https://evil.example/",
        },
    )
    assert away["Location"] == "/admin/"
    assert Client().post("/admin/monitoring/query/raise/").status_code == 302  # to login


def test_a_list_row_shows_the_open_queries_of_its_record(assessment, monitor_a, coordinator_a):
    services.query_open(
        user=monitor_a,
        data={
            "content_type": ContentType.objects.get_for_model(EligibilityAssessment),
            "object_id": assessment.pk,
            "field_name": "ecog",
            "text": "ECOG?",
        },
    )
    page = _client(coordinator_a).get("/admin/screening/eligibilityassessment/")
    rows = page.context["cl"].result_list
    assert [(r.pk, r.open_query_count) for r in rows] == [(assessment.pk, 1)]
    assert '<span class="open-query-flag">? 1 open</span>' in page.content.decode()
    other = _client(coordinator_a).get("/admin/screening/subject/").context["cl"].result_list
    assert [r.open_query_count for r in other] == [0]


def test_a_query_waiting_too_long_is_marked_on_the_dashboard(
    assessment, monitor_a, coordinator_a, settings, clock
):
    settings.QUERY_OVERDUE_DAYS = 14
    query = services.query_open(
        user=monitor_a,
        data={
            "content_type": ContentType.objects.get_for_model(EligibilityAssessment),
            "object_id": assessment.pk,
            "field_name": "ecog",
            "text": "ECOG?",
        },
    )
    clock.days(14)
    assert (
        _client(coordinator_a).get("/admin/").context["dashboard"]["todo"]["old_queries"] == set()
    )
    clock.days(1)
    client = _client(coordinator_a)  # a new login: a session does not last two weeks
    page = client.get("/admin/")
    assert page.context["dashboard"]["todo"]["old_queries"] == {query.pk}
    body = page.content.decode()
    assert "(over 14 days)" in body
    number = assessment.subject.screening_number
    assert (
        f'Open queries in all: 1 (site 01: 1); per subject: <a href="/admin/casebook/'
        f'{assessment.subject_id}/">{number}</a> 1.'
    ) in body
    overdue = client.get("/admin/monitoring/query/?age=overdue").context["cl"].result_list
    assert [q.pk for q in overdue] == [query.pk]
