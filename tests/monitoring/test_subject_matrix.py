"""The subject matrix (the coordinator's home): one row per subject, one column per step of the
schedule; each cell's state from the CRFs there (missing, present, verified, locked, queried),
one-click entry of what is missing with the form prefilled, and the way back to the matrix."""

from datetime import UTC, date, datetime
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from followup import services as followup
from monitoring import services as monitoring
from monitoring.selectors import subject_matrix
from safety import services as safety
from safety.models import LabResult
from screening.models import Subject
from tests.followup.fixtures import SCHEDULE

pytestmark = pytest.mark.django_db

DAY0 = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)  # the `infused` fixture's first infusion


def _cells(matrix, screening_number):
    row = next(r for r in matrix["rows"] if r["screening_number"] == screening_number)
    return {cell["key"]: cell for cell in row["cells"]}


def _lab(subject, user, day):
    return safety.lab_result_record(
        user=user,
        data={
            "subject": subject,
            "collected_on": day,
            "test": "alt",
            "value": Decimal("30"),
            "unit": "U/L",
            "uln": Decimal("40"),
        },
    )


def test_each_step_of_a_subject_has_its_state(
    infused, schedule, register, consent, coordinator_a, monitor_a, data_manager_a, study, clock
):
    """In screening -> incomplete; the day-7 visit: due in its window, overdue after it,
    complete with its visit and labs, verified after SDV, locked with the casebook; its open
    query counted; steps a subject will not reach are not expected."""
    in_screening = register()
    consent(in_screening)
    failed = register()
    Subject.objects.filter(pk=failed.pk).update(status=Subject.Status.SCREEN_FAILED)
    clock.days(7)  # day 7: the visit's window (0 days either side) is today

    cells = _cells(subject_matrix(user=coordinator_a), in_screening.screening_number)
    assert [cells[k]["state"] for k in ("SCR", "ENR", "LD", "D0", "D7", "EOS")] == [
        "incomplete",  # consent, but no eligibility assessment or medical history
        "not_started",
        "not_expected",
        "not_expected",
        "not_expected",
        "not_expected",
    ]
    assert _cells(subject_matrix(user=coordinator_a), failed.screening_number)["ENR"]["state"] == (
        "not_expected"
    )

    number = infused.screening_number
    cells = _cells(subject_matrix(user=coordinator_a), number)
    assert cells["D7"]["state"] == "due"
    assert cells["D7"]["window"] == (date(2026, 4, 8), date(2026, 4, 8))
    assert cells["ENR"]["state"] == "complete"
    assert cells["M2"]["state"] == "not_started"

    clock.days(1)  # the window is past
    assert _cells(subject_matrix(user=coordinator_a), number)["D7"]["state"] == "overdue"

    visit = followup.visit_record(
        user=coordinator_a,
        data={"subject": infused, "definition": schedule["D7"], "actual_date": date(2026, 4, 8)},
    )
    assert _cells(subject_matrix(user=coordinator_a), number)["D7"]["state"] == "overdue"
    lab = _lab(infused, coordinator_a, date(2026, 4, 8))
    cell = _cells(subject_matrix(user=coordinator_a), number)["D7"]
    assert cell["state"] == "complete"
    assert [(item["form"], item["date"], item["missing"]) for item in cell["items"]] == [
        ("visit", date(2026, 4, 8), False),
        ("lab result", date(2026, 4, 8), False),
    ]

    ct = ContentType.objects.get_for_model
    for model in (type(visit), LabResult):
        monitoring.sdv_plan_save(
            user=data_manager_a, data={"study": study, "crf": ct(model), "level": "full"}
        )
    monitoring.sdv_verify(user=monitor_a, data={"content_type": ct(LabResult), "object_id": lab.pk})
    assert _cells(subject_matrix(user=coordinator_a), number)["D7"]["state"] == "complete"
    monitoring.sdv_verify(
        user=monitor_a, data={"content_type": ct(type(visit)), "object_id": visit.pk}
    )
    assert _cells(subject_matrix(user=coordinator_a), number)["D7"]["state"] == "verified"

    monitoring.query_open(
        user=monitor_a,
        data={
            "content_type": ct(LabResult),
            "object_id": lab.pk,
            "field_name": "value",
            "text": "ALT 30 or 80 on the lab report?",
        },
    )
    matrix = subject_matrix(user=coordinator_a)
    assert _cells(matrix, number)["D7"]["queries"] == 1
    assert next(r for r in matrix["rows"] if r["screening_number"] == number)["open_queries"] == 1

    monitoring.lock_create(
        user=data_manager_a,
        data={"scope": "subject", "study": study, "subject": infused, "reason": "Data cut"},
    )
    assert _cells(subject_matrix(user=coordinator_a), number)["D7"]["state"] == "locked"


def test_a_missed_visit_is_not_expected_and_says_so(infused, schedule, coordinator_a, clock):
    clock.days(9)
    followup.visit_record(
        user=coordinator_a,
        data={
            "subject": infused,
            "definition": schedule["D7"],
            "missed": True,
            "missed_reason": "Patient admitted elsewhere",
        },
    )
    cell = _cells(subject_matrix(user=coordinator_a), infused.screening_number)["D7"]
    assert (cell["state"], str(cell["text"])) == ("not_expected", "Visit missed")


def _entry_link(cell, form):
    return next(item["url"] for item in cell["items"] if item["form"] == form and item["missing"])


def test_a_missing_crf_opens_prefilled_and_saving_comes_back_to_the_matrix_highlighted(
    infused, schedule, coordinator_a, clock
):
    clock.days(7)
    client = Client()
    client.force_login(coordinator_a)
    page = client.get("/admin/matrix/?status=enrolled")
    assert page.status_code == 200
    cell = next(
        c
        for r in page.context["matrix"]["rows"]
        if r["screening_number"] == infused.screening_number
        for c in r["cells"]
        if c["key"] == "D7"
    )
    link = _entry_link(cell, "lab result")
    parts = urlsplit(link)
    assert parts.path == "/admin/safety/labresult/add/"
    assert parse_qs(parts.query) == {
        "subject": [str(infused.pk)],
        "collected_on": ["2026-04-08"],
        "next": ["/admin/matrix/?status=enrolled"],
    }
    assert link in page.content.decode().replace("&amp;", "&")

    form = client.get(link)
    assert form.status_code == 200
    initial = form.context["adminform"].form.initial
    assert (initial["subject"], initial["collected_on"]) == (str(infused.pk), date(2026, 4, 8))

    saved = client.post(
        link,
        {
            "subject": infused.pk,
            "collected_on": "2026-04-08",
            "test": "alt",
            "value": "30",
            "unit": "U/L",
            "uln": "40",
        },
    )
    lab = LabResult.objects.get()
    assert saved.status_code == 302
    assert (
        saved["Location"] == f"/admin/matrix/?status=enrolled&highlight=safety.labresult:{lab.pk}"
    )

    back = client.get(saved["Location"])
    highlighted = [
        (r["screening_number"], c["key"])
        for r in back.context["matrix"]["rows"]
        for c in r["cells"]
        if c["highlight"]
    ]
    assert highlighted == [(infused.screening_number, "D7")]
    assert "was added successfully" in back.content.decode()


def test_the_infusion_link_carries_the_cohort_dose_and_a_visit_link_its_visit(
    eligible, first_cohort, enroll, coordinator_a, schedule, clock
):
    subject = eligible()
    enrollment = enroll(subject, first_cohort)
    cells = _cells(
        subject_matrix(user=coordinator_a, can_add={"dosing.infusion"}), subject.screening_number
    )
    query = parse_qs(urlsplit(_entry_link(cells["D0"], "infusion")).query)
    assert query == {
        "enrollment": [str(enrollment.pk)],
        "dose_level": [str(first_cohort.dose_level_id)],
        "planned_cells_per_kg_million": [str(first_cohort.dose_level.cells_per_kg_million)],
        "started_at": [clock.today().isoformat()],
    }
    client = Client()
    client.force_login(coordinator_a)
    form = client.get(
        f"/admin/dosing/infusion/add/?{urlsplit(_entry_link(cells['D0'], 'infusion')).query}"
    )
    initial = form.context["adminform"].form.initial
    assert initial["started_at"] == [clock.today(), None]  # the date; the time is the nurse's
    assert initial["dose_level"] == str(first_cohort.dose_level_id)


def test_a_next_address_off_this_site_is_ignored(consented_subject, coordinator_a):
    client = Client()
    client.force_login(coordinator_a)
    for target in ("//evil.example/x", "https://evil.example/", "javascript:alert(1)"):
        response = client.post(
            f"/admin/screening/medicalhistory/add/?next={target}",
            {
                "subject": consented_subject.pk,
                "diagnosis_date": "2025-01-10",
                "classification_system": "who_2022",
                "classification": "AML with NPM1 mutation",
                "eln_risk": "adverse",
                "disease_status": "relapsed",
            },
        )
        assert response.status_code == 302
        assert response["Location"] == "/admin/screening/medicalhistory/"
        consented_subject.medical_histories.update(is_voided=True)


def test_users_see_their_sites_subjects_and_monitors_get_no_entry_links(
    infused, register, coordinator_b, site_b, monitor_a, coordinator_a, clock
):
    other = register(site=site_b, user=coordinator_b)
    mine = {r["screening_number"] for r in subject_matrix(user=coordinator_a)["rows"]}
    theirs = {r["screening_number"] for r in subject_matrix(user=coordinator_b)["rows"]}
    assert (mine, theirs) == ({infused.screening_number}, {other.screening_number})

    client = Client()
    client.force_login(monitor_a)
    page = client.get("/admin/matrix/")
    assert page.status_code == 200
    items = [i for r in page.context["matrix"]["rows"] for c in r["cells"] for i in c["items"]]
    assert any(i["missing"] for i in items)
    assert all(i["url"] is None for i in items if i["missing"])
    assert "/add/" not in page.content.decode()

    assert Client().get("/admin/matrix/").status_code == 302  # to the login page


@pytest.mark.parametrize("subjects", [10, 100])
def test_the_matrix_costs_the_same_queries_for_10_or_100_subjects(
    subjects, infused, schedule, register, consent, coordinator_a, clock
):
    _lab(infused, coordinator_a, date(2026, 4, 1))
    for n in range(subjects - 1):
        subject = register()
        if n % 2:
            consent(subject)
    client = Client()
    client.force_login(coordinator_a)
    client.get("/admin/matrix/")  # sessions, permissions and content types are warm
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/admin/matrix/")
    assert len(page.context["matrix"]["rows"]) == subjects
    # with the second factor's device (django-otp reads it on every request); the user's roles
    # come from the cache after the first request (trial.selectors.active_roles)
    assert len(queries) == 28, [q["sql"][:150] for q in queries.captured_queries]


def test_the_columns_follow_the_schedule(infused, schedule, coordinator_a):
    matrix = subject_matrix(user=coordinator_a)
    assert [(c["key"], str(c["title"])) for c in matrix["columns"]] == [
        ("SCR", "Screening"),
        ("ENR", "Enrollment"),
        ("LD", "Lymphodepletion"),
        ("D0", "Infusion (day 0)"),
        *[(code, label) for code, label, day, *_ in SCHEDULE if day > 0],
        ("EOS", "End of study"),
    ]
