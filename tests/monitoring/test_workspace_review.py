"""What a new nurse and a new monitor stumbled on (a review of the screens), each pinned."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from monitoring.selectors import casebook, subject_matrix

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_an_impossible_date_in_the_audit_trail_filter_is_said_not_a_server_error(monitor_a):
    response = _client(monitor_a).get(
        "/admin/monitoring/query/audit-trail/?since=2026-11-31&until=2026-02-30"
    )
    assert response.status_code == 200
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Since '2026-11-31' is not a date: enter it as YYYY-MM-DD (or YYYY-MM-DD HH:MM). The "
        "changes below are not limited by it.",
        "Until '2026-02-30' is not a date: enter it as YYYY-MM-DD (or YYYY-MM-DD HH:MM). The "
        "changes below are not limited by it.",
    ]


def test_enrolling_a_subject_still_in_screening_says_why_it_cannot(
    consented_subject, coordinator_a
):
    response = _client(coordinator_a).get(
        f"/admin/dosing/enrollment/add/?subject={consented_subject.pk}"
    )
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"{consented_subject.screening_number} is screening: only a subject whose eligibility "
        "the investigator has confirmed is enrolled. Confirm the eligibility assessment first."
    ]


def test_no_entry_link_before_a_visits_window_opens(infused, schedule, coordinator_a, clock):
    clock.days(3)  # day 3: the day-7 window (day 7 only) has not opened
    matrix = subject_matrix(user=coordinator_a, can_add={"followup.visit", "safety.labresult"})
    (row,) = matrix["rows"]
    day7 = next(c for c in row["cells"] if c["key"] == "D7")
    assert day7["state"] == "not_started"
    assert [i["url"] for i in day7["items"]] == [None, None]
    book = casebook(subject=infused, back="/x/", can_add={"followup.visit", "safety.labresult"})
    visit = next(v for v in book["visits"] if v["definition"].code == "D7")
    assert [r["entry_url"] for r in visit["rows"] if r["record"] is None] == [None, None]
    clock.days(4)  # day 7: the window is open
    visit = next(
        v
        for v in casebook(subject=infused, back="/x/", can_add={"followup.visit"})["visits"]
        if v["definition"].code == "D7"
    )
    assert visit["rows"][0]["entry_url"].startswith("/admin/followup/visit/add/?")


def test_consent_is_obtained_by_the_sites_investigators_and_coordinators_only(
    consented_subject, coordinator_a, investigator_a, monitor_a, data_manager_a
):
    coordinator_a.first_name, coordinator_a.last_name = "Cora", "Chen"
    coordinator_a.save()
    form = _client(coordinator_a).get("/admin/screening/consent/add/").context["adminform"].form
    field = form.fields["obtained_by"]
    assert {u.username for u in field.queryset} == {"coord_a", "inv_a"}
    assert field.label_from_instance(coordinator_a) == "Cora Chen (coord_a)"


def test_an_add_form_shows_no_record_fields_and_no_verdict_yet(consented_subject, coordinator_a):
    client = _client(coordinator_a)
    for url in ("/admin/safety/adverseevent/add/", "/admin/screening/eligibilityassessment/add/"):
        admin_form = client.get(url).context["adminform"]
        shown = {f for fieldset in admin_form for line in fieldset for f in line.fields}
        assert not shown & {"created_at", "version", "is_voided", "voided_at", "void_reason"}, url
        assert "verdict" not in shown


def test_monitors_find_their_pages_from_the_dashboard(monitor_a, coordinator_a, site_a, clock):
    page = _client(monitor_a).get("/admin/").content.decode()
    for link in (
        'href="/admin/monitoring/sdvmark/to-verify/"',
        'href="/admin/monitoring/query/audit-trail/?since=last-visit"',
        'href="/admin/monitoring/monitoringvisit/"',
    ):
        assert link in page
    assert "with a link to enter each" not in page
    nurse = _client(coordinator_a).get("/admin/").content.decode()
    assert 'id="monitoring-links"' not in nurse and "with a link to enter each" in nurse
    empty = _client(monitor_a).get("/admin/monitoring/sdvmark/to-verify/").content.decode()
    assert "No SDV plan yet" in empty


def test_an_sdv_plan_offers_the_studys_crf_types_by_name(data_manager_a):
    form = _client(data_manager_a).get("/admin/monitoring/sdvplan/add/").context["adminform"].form
    field = form.fields["crf"]
    labels = {field.label_from_instance(ct) for ct in field.queryset}
    assert {"Adverse event", "Lab result", "Eligibility assessment"} <= labels
    assert not {ct.app_label for ct in field.queryset} - {
        "screening",
        "dosing",
        "safety",
        "followup",
    }
    assert not [ct for ct in field.queryset if ct.model.startswith("historical")]
