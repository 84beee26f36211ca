"""The admin index (the study dashboard) and the subject casebook page, on the demo study:
7 patients enrolled in 3 cohorts (3+3), one DLT at dose 2, two SAEs reported on time."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from dosing.models import Cohort, Enrollment
from followup.models import VisitDefinition
from followup.selectors import overdue_forms
from monitoring.selectors import casebook, dashboard
from safety.models import AdverseEvent, DltCandidate
from screening.models import Subject
from screening.services import subject_save
from trial.models import Site, SiteRole, Study, User

pytestmark = pytest.mark.django_db


def _client(username):
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _api(username):
    client = APIClient()
    client.force_authenticate(User.objects.get(username=username))
    return client


def _subject(number):
    return Subject.objects.get(screening_number=number)


def test_the_dashboard_shows_enrollment_cohorts_and_the_recommendation(demo_db):
    response = _client("coordinator").get("/admin/")

    assert response.status_code == 200
    (block,) = response.context["dashboard"]["studies"]
    assert (block["enrolled"], block["target"], block["percent"]) == (7, 30, 23)
    assert [(c.sequence, c.dose_level.number, c.n_enrolled, c.n_dlt) for c in block["cohorts"]] == [
        (1, 1, 3, 0),
        (2, 2, 3, 1),
        (3, 2, 1, 0),
    ]
    assert block["escalation"]["recommendation"]["action"] == "stay"
    page = response.content.decode()
    assert '<strong class="enrolled">7 of 30</strong>' in page
    assert "Recommendation: <strong>stay</strong>, next cohort at dose 2." in page
    assert "Dose escalation (3+3, with de-escalation)" in page


def test_the_plot_on_the_dashboard_is_served_to_the_same_session(demo_db):
    client = _client("coordinator")
    page = client.get("/admin/").content.decode()
    # the plot's words in the page's language (the user's, which the browser may not ask for)
    src = "/api/v1/escalation/plot.svg?study=NCT05734898&amp;lang=en"
    assert f'<img class="plot" src="{src}"' in page

    plot = client.get(src.replace("&amp;", "&"))

    assert (plot.status_code, plot["Content-Type"]) == (200, "image/svg+xml")
    assert b"C2: stay -&gt; 2" in plot.content


def test_the_decision_table_beside_the_plot_is_the_design_rule(demo_db):
    response = _client("datamanager").get("/admin/")
    (block,) = response.context["dashboard"]["studies"]

    assert block["decision_table"]["rows"] == [
        ["0 of 3", "escalate", "next cohort at the dose above"],
        ["1 of 3", "stay", "treat 3 more at the same dose"],
        ["2 of 3", "de-escalate", "treat 3 more at the dose below (MTD once it has 6 with at most 1 DLT)"],
        ["3 of 3", "de-escalate", "treat 3 more at the dose below (MTD once it has 6 with at most 1 DLT)"],
        ["1 of 6", "escalate", "next cohort at the dose above"],
        ["2 of 6", "de-escalate", "treat 3 more at the dose below (MTD once it has 6 with at most 1 DLT)"],
        ["3 or more of 6", "de-escalate", "treat 3 more at the dose below (MTD once it has 6 with at most 1 DLT)"],
    ]  # fmt: skip


def test_a_boin_study_shows_the_boin_table(demo_db):
    study = Study.objects.get()
    study.escalation_design = Study.Design.BOIN
    study.save()

    response = _client("datamanager").get("/admin/")
    (block,) = response.context["dashboard"]["studies"]

    # target 0.3: the published BOIN table (Liu and Yuan 2015) for n = 3 and n = 6
    rows = {row[0]: row[1:] for row in block["decision_table"]["rows"]}
    assert rows[3] == [0, 2, 3]
    assert rows[6] == [1, 3, 4]
    assert "BOIN decision table (target 0.300)" in response.content.decode()


def test_subjects_saes_and_overdue_forms_are_those_of_the_users_sites(demo_db):
    data = dashboard(user=User.objects.get(username="coordinator"))

    counts = {s: Subject.objects.filter(status=s, is_voided=False).count() for s in Subject.Status}
    assert data["sites"] == [
        {"site": "01", "counts": list(counts.values()), "total": sum(counts.values())}
    ]
    assert [(r["ae"].subject.screening_number, r["state"]) for r in data["saes"]] == [
        (ae.subject.screening_number, "on time")
        for ae in AdverseEvent.objects.filter(serious=True).order_by("report_deadline")
    ]
    assert data["overdue_total"] == len(
        overdue_forms(user=User.objects.get(username="coordinator"))
    )
    assert data["overdue_total"] > 0

    other = User.objects.create(username="elsewhere")
    site = Site.objects.create(study=Study.objects.get(), code="02", name="Second site")
    SiteRole.objects.create(user=other, site=site, role=SiteRole.Role.COORDINATOR)
    theirs = dashboard(user=other)
    assert (theirs["sites"], theirs["saes"], theirs["overdue_total"]) == ([], [], 0)
    assert theirs["queries"]["total"] == 0


def test_an_unreported_sae_past_its_deadline_shows_as_overdue(demo_db):
    ae = AdverseEvent.objects.filter(serious=True).order_by("pk").first()
    AdverseEvent.objects.filter(pk=ae.pk).update(reported_at=None)  # test set-up only

    data = dashboard(user=User.objects.get(username="coordinator"))

    assert (data["saes"][0]["ae"].pk, data["saes"][0]["state"]) == (ae.pk, "OVERDUE")
    assert '<td class="overdue">OVERDUE</td>' in _client("coordinator").get(
        "/admin/"
    ).content.decode().replace("\n", "")


def test_the_dashboard_costs_the_same_queries_with_more_subjects(demo_db):
    dashboard(user=User.objects.get(username="datamanager"))  # roles cached, as after a request
    with CaptureQueriesContext(connection) as before:
        dashboard(user=User.objects.get(username="datamanager"))
    coordinator = User.objects.get(username="coordinator")
    for _ in range(5):
        subject_save(
            user=coordinator,
            data={
                "site": Site.objects.get(code="01"),
                "date_of_birth": date(1970, 1, 1),
                "sex": "F",
            },
        )
    with CaptureQueriesContext(connection) as after:
        data = dashboard(user=User.objects.get(username="datamanager"))

    assert data["sites"][0]["counts"][0] == Subject.objects.filter(status="screening").count()
    assert len(after) == len(before)


def test_anonymous_users_get_the_login_page():
    response = Client().get("/admin/")
    assert (response.status_code, response["Location"]) == (302, "/admin/login/?next=/admin/")


# --- casebook ----------------------------------------------------------------------------------


def test_the_casebook_lists_every_crf_in_visit_order(demo_db):
    subject = _subject("01-S-005")
    response = _client("monitor").get(f"/admin/casebook/{subject.pk}/")

    assert response.status_code == 200
    book = response.context["book"]
    screening, treatment = book["before"]
    assert [r["label"] for r in screening["rows"]][:3] == [
        "screening.subject",
        "screening.consent",
        "screening.eligibilityassessment",
    ]
    assert [r["label"] for r in treatment["rows"]] == [
        "dosing.enrollment",
        "dosing.lymphodepletion",
        "dosing.infusion",
        "dosing.dltevaluation",
    ]
    scheduled = [
        d.label for d in VisitDefinition.objects.filter(study=subject.site.study).order_by("order")
    ]
    assert [v["definition"].label for v in book["visits"]] == scheduled[: len(book["visits"])]
    day28 = next(v for v in book["visits"] if v["definition"].code == "D28")
    found = {r["form"]: r["completion"] for r in day28["rows"]}
    assert found["visit"] == "complete"
    assert found["response assessment"] == "complete"
    response_row = next(r for r in day28["rows"] if r.get("label") == "followup.responseassessment")
    # the demo dates everything back from today: the day-28 assessment is 28 days after day 0
    day0 = subject.enrollment.dlt_evaluation.day0
    assert response_row["date"] == day0 + timedelta(days=28)
    assert response_row["change_url"] == (
        f"/admin/followup/responseassessment/{response_row['record'].pk}/change/"
        f"?next=%2Fadmin%2Fcasebook%2F{subject.pk}%2F"
    )
    assert response_row["history_url"] == (
        f"/admin/followup/responseassessment/{response_row['record'].pk}/history/"
    )
    day1 = next(v for v in book["visits"] if v["definition"].code == "D1")
    assert {r["form"]: r["completion"] for r in day1["rows"] if r["record"] is None} == {
        "Visit record": "missing",
        "Laboratory results": "missing",
        "CRS assessment": "missing",
        "ICANS assessment": "missing",
    }
    assert all(r["entry_url"] is None for r in day1["rows"] if r["record"] is None)  # monitor
    page = response.content.decode()
    assert f'href="{response_row["history_url"]}">history</a>' in page
    assert "+ Enter" not in page


def test_the_casebook_links_each_missing_crf_to_its_prefilled_form(demo_db):
    subject = _subject("01-S-005")
    response = _client("coordinator").get(f"/admin/casebook/{subject.pk}/")
    day1 = next(v for v in response.context["book"]["visits"] if v["definition"].code == "D1")
    links = {r["form"]: r["entry_url"] for r in day1["rows"] if r["record"] is None}
    day = (subject.enrollment.dlt_evaluation.day0 + timedelta(days=1)).isoformat()
    back = f"next=%2Fadmin%2Fcasebook%2F{subject.pk}%2F"
    assert links == {
        "Visit record": f"/admin/followup/visit/add/?subject={subject.pk}&actual_date={day}"
        f"&definition={day1['definition'].pk}&{back}",
        "Laboratory results": f"/admin/safety/labresult/add/?subject={subject.pk}"
        f"&collected_on={day}&{back}",
        "CRS assessment": f"/admin/safety/crsassessment/add/?subject={subject.pk}"
        f"&assessed_at={day}&{back}",
        "ICANS assessment": f"/admin/safety/icansassessment/add/?subject={subject.pk}"
        f"&assessed_at={day}&{back}",
    }
    page = response.content.decode()
    assert f'href="{links["Visit record"].replace("&", "&amp;")}">+ Enter Visit record</a>' in page


def test_the_casebook_shows_queries_verification_and_locks(demo_db):
    subject = _subject("01-S-005")
    enrollment = Enrollment.objects.get(subject=subject)
    monitor = _api("monitor")
    opened = monitor.post(
        "/api/v1/queries/",
        {"record": "dosing.enrollment", "object_id": enrollment.pk, "text": "Date?"},
        format="json",
    )
    assert opened.status_code == 201, opened.json()
    verified = monitor.post(
        "/api/v1/sdv-marks/",
        {"record": "screening.subject", "object_id": subject.pk},
        format="json",
    )
    assert verified.status_code == 201, verified.json()

    book = casebook(subject=subject)
    rows = {r["label"]: r for r in book["before"][0]["rows"] + book["before"][1]["rows"]}
    assert (rows["dosing.enrollment"]["queries_open"], book["open_queries"]) == (1, 1)
    assert rows["screening.subject"]["sdv"] == f"verified (version {subject.version})"
    assert not rows["dosing.enrollment"]["locked"]

    locked = _api("datamanager").post(
        "/api/v1/locks/",
        {"scope": "subject", "study": subject.site.study_id, "subject": subject.pk,
         "reason": "Casebook review done"},
        format="json",
    )  # fmt: skip
    assert locked.status_code == 201, locked.json()
    book = casebook(subject=subject)
    every = [r for s in book["before"] + book["after"] for r in s["rows"]]
    assert every and all(r["locked"] for r in every)
    page = _client("monitor").get(f"/admin/casebook/{subject.pk}/").content.decode()
    assert "Casebook review done" in page
    query_id = opened.json()["id"]
    assert (
        f'<a class="open-queries" href="/admin/monitoring/query/{query_id}/change/">1 open</a>'
        in page
    )


def test_the_casebook_costs_the_same_queries_for_a_bigger_casebook(demo_db):
    small, big = sorted(
        (Subject.objects.filter(status="enrolled")),
        key=lambda s: s.adverse_events.count() + s.visits.count(),
    )[:: len(Subject.objects.filter(status="enrolled")) - 1]
    counts = []
    for subject in (small, big):
        with CaptureQueriesContext(connection) as queries:
            casebook(subject=subject)
        counts.append(len(queries))
    assert small.visits.count() < big.visits.count()
    assert counts[0] == counts[1]


def test_another_sites_subject_has_no_casebook(demo_db):
    subject = _subject("01-S-005")
    other = User.objects.create(username="elsewhere", is_staff=True)
    site = Site.objects.create(study=Study.objects.get(), code="02", name="Second site")
    SiteRole.objects.create(user=other, site=site, role=SiteRole.Role.COORDINATOR)
    client = Client()
    client.force_login(other)

    assert client.get(f"/admin/casebook/{subject.pk}/").status_code == 404
    assert client.get("/admin/casebook/999999/").status_code == 404
    assert Client().get(f"/admin/casebook/{subject.pk}/").status_code == 302


def test_the_subject_page_links_to_its_casebook(demo_db):
    subject = _subject("01-S-005")
    page = _client("coordinator").get(f"/admin/screening/subject/{subject.pk}/change/")
    assert f'href="/admin/casebook/{subject.pk}/"'.encode() in page.content


def test_the_cohort_page_shows_the_plot_beside_the_decision_table(demo_db):
    page = _client("datamanager").get("/admin/dosing/cohort/").content.decode()

    src = "/api/v1/escalation/plot.svg?study=NCT05734898&amp;lang=en"
    assert f'<img class="plot" src="{src}"' in page
    assert "<caption>Decision table (3+3)</caption>" in page
    assert "<td>1 of 3</td><td>stay</td><td>treat 3 more at the same dose</td>" in page


def test_what_to_do_today_comes_before_the_study_overview(demo_db):
    coordinator = _client("coordinator").get("/admin/")
    page = coordinator.content.decode()
    order = [
        page.index(marker)
        for marker in (
            'id="todo-title"',
            'id="saes-due"',
            'id="open-queries"',
            'id="overdue-forms"',
            'id="overview-title"',
            'id="enrollment-NCT05734898"',
            'id="saes"',
        )
    ]
    assert order == sorted(order)
    todo = coordinator.context["dashboard"]["todo"]
    assert todo["queries_title"] == "Queries to answer"
    assert todo["saes_due"] == [
        r for r in coordinator.context["dashboard"]["saes"] if r["reported_at"] is None
    ]
    assert 'href="/admin/overdue/" id="all-overdue"' in page

    reviewer = _client("safetyreviewer").get("/admin/")
    todo = reviewer.context["dashboard"]["todo"]
    open_candidates = DltCandidate.objects.filter(status="open")
    assert todo["dlt_candidates_total"] == open_candidates.count()
    awaiting = Cohort.objects.filter(status=Cohort.Status.AWAITING_REVIEW)
    assert [c.pk for c in todo["decisions"]] == list(awaiting.values_list("pk", flat=True))
    assert 'id="dlt-candidates"' in reviewer.content.decode()
    assert 'id="dlt-candidates"' not in page  # the coordinator does not adjudicate

    monitor = _client("monitor").get("/admin/")
    assert monitor.context["dashboard"]["todo"]["queries_title"] == "Answers to review and close"


def test_the_overdue_list_links_each_missing_form_to_its_entry(demo_db):
    response = _client("coordinator").get("/admin/overdue/")
    rows = response.context["rows"]
    expected = overdue_forms(user=User.objects.get(username="coordinator"))
    assert [(r["subject"], r["visit"], r["crf"]) for r in rows] == [
        (r["subject"], r["visit"], r["crf"]) for r in expected
    ]
    labs = next(r for r in rows if r["crf"] == "labs")
    assert labs["entry_url"] == (
        f"/admin/safety/labresult/add/?subject={labs['subject']}"
        f"&collected_on={labs['planned_date'].isoformat()}&next=%2Fadmin%2Foverdue%2F"
    )
    assert all(
        r["entry_url"] is None for r in _client("monitor").get("/admin/overdue/").context["rows"]
    )
