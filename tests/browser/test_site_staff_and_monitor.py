"""A research nurse's and a monitor's day in a real browser, on the demo study.

The coordinator screens a new subject through consent and eligibility (the investigator
confirms it), enrolls them in the open cohort, records lymphodepletion, the infusion and a CRS
assessment (the grade is computed, and the CRS adverse event opened from it), then corrects the
AE with a reason. The monitor opens the AE's history, sees the old and the new value with the
reason, and raises a query that then shows in the subject's casebook. Each step checks what the
page shows. Screenshots of the dashboard, the casebook and the escalation plot go to
`artifacts/`."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from .conftest import ARTIFACTS

pytestmark = [pytest.mark.usefixtures("allow_history_flush"), pytest.mark.slow(30)]

PASSWORD = "browser-password-1"
# an eligible patient's performance status and organ function on the eligibility form (I5, I7)
ORGAN_FUNCTION = {
    "ecog": "1",
    "cardiac_function_grade": "1",
    "tbil": "12",
    "tbil_uln": "21",
    "ast": "35",
    "ast_uln": "40",
    "alt": "28",
    "alt_uln": "40",
    "creatinine": "68",
    "creatinine_uln": "97",
}


def _day(days_ago: int) -> str:
    return (timezone.localdate() - timedelta(days=days_ago)).isoformat()


def _choose(page, selector: str, text: str) -> None:
    """Select the option of a <select> whose label contains `text`."""
    value = page.eval_on_selector(
        selector,
        "(el, text) => [...el.options].find(o => o.textContent.includes(text))?.value ?? null",
        text,
    )
    assert value is not None, f"no option with {text!r} in {selector}"
    page.select_option(selector, value)


def _save(page) -> str:
    page.click("input[name=_save]")
    page.wait_for_load_state()
    errors = page.locator(".errornote, .errorlist")
    assert errors.count() == 0, errors.all_inner_texts()
    return page.inner_text(".messagelist")


def _readonly(page, field: str) -> str:
    return page.inner_text(f".field-{field} .readonly").strip()


@pytest.fixture
def demo_study(transactional_db):
    from io import StringIO

    from trial.models import User

    call_command("seed_demo", stdout=StringIO())
    for name in ("coordinator", "investigator", "monitor"):
        user = User.objects.get(username=name)
        user.set_password(PASSWORD)
        user.save()


def test_screen_enroll_treat_grade_then_monitor_history_and_query(
    demo_study, open_page, live_server
):
    from monitoring.models import Query
    from safety.models import AdverseEvent, CrsAssessment
    from screening.models import EligibilityAssessment, Subject

    nurse = open_page("coordinator", PASSWORD)
    assert nurse.inner_text("#enrollment-NCT05734898 .enrolled") == "7 of 30"
    assert "Recommendation: stay" in nurse.inner_text("#escalation .recommendation")

    # --- screening: register, consent, eligibility ---------------------------------------
    nurse.goto(f"{live_server.url}/admin/screening/subject/add/")
    _choose(nurse, "#id_site", "01 ")
    nurse.fill("#id_date_of_birth", "1972-03-04")
    nurse.select_option("#id_sex", "F")
    message = _save(nurse)
    number = re.search(r"\d\d-S-\d{3}", message).group(0)
    assert number == "01-S-012"
    subject = Subject.objects.get(screening_number=number)
    assert subject.status == "screening"

    nurse.goto(f"{live_server.url}/admin/screening/consent/add/")
    _choose(nurse, "#id_subject", number)
    nurse.fill("#id_form_version", "1.0")
    nurse.fill("#id_form_version_date", _day(60))
    nurse.fill("#id_consent_date", _day(20))
    nurse.select_option("#id_signed_by", "patient")
    _choose(nurse, "#id_obtained_by", "coordinator")
    assert "was added successfully" in _save(nurse)

    nurse.goto(f"{live_server.url}/admin/screening/eligibilityassessment/add/")
    _choose(nurse, "#id_subject", number)
    nurse.fill("#id_assessment_date", _day(18))
    answers = {"i2": "true", "i3": "false", "i4": "true", "i6": "true", "i8": "true"}
    answers |= dict.fromkeys(("i9", "i10", "i11", "i13"), "true")
    answers |= {f"e{n}": "false" for n in range(1, 20)}
    for name, value in answers.items():  # yes / no / unknown radio buttons
        nurse.check(f"input[name={name}][value={value}]")
    nurse.select_option("#id_childbearing_potential", "false")
    numbers = {**ORGAN_FUNCTION, "nkg2d_ligand_positive_pct": "62.5"}
    for name, value in numbers.items():
        nurse.fill(f"#id_{name}", value)
    nurse.fill("#id_nkg2d_test_date", _day(19))
    _save(nurse)
    assessment = EligibilityAssessment.objects.get(subject=subject)
    nurse.goto(f"{live_server.url}/admin/screening/eligibilityassessment/{assessment.pk}/change/")
    assert _readonly(nurse, "verdict") == "Eligible"
    assert "NKG2D" in nurse.inner_text(".field-criteria_table")

    investigator = open_page("investigator", PASSWORD)
    investigator.goto(f"{live_server.url}/admin/screening/eligibilityassessment/")
    investigator.check(f"input[name=_selected_action][value='{assessment.pk}']")
    _choose(investigator, "select[name=action]", "Confirm eligibility")
    investigator.click("button[name=index]")
    assert f"{number} eligibility #1: confirmed." in investigator.inner_text(".messagelist")
    subject.refresh_from_db()
    assert subject.status == "eligible"

    # --- enrollment and treatment ---------------------------------------------------------
    nurse.goto(f"{live_server.url}/admin/screening/subject/{subject.pk}/change/")
    nurse.click("text=Enroll in the open cohort")
    nurse.wait_for_url(f"**/admin/dosing/enrollment/add/?subject={subject.pk}")
    assert (
        nurse.eval_on_selector("#id_subject", "el => el.selectedOptions[0].textContent") == number
    )
    _choose(nurse, "#id_cohort", "Cohort 3")
    nurse.fill("#id_enrollment_date", _day(15))
    _save(nurse)
    subject.refresh_from_db()
    assert (subject.status, subject.enrollment.cohort.sequence) == ("enrolled", 3)

    nurse.goto(f"{live_server.url}/admin/dosing/lymphodepletion/add/")
    _choose(nurse, "#id_enrollment", number)
    _choose(nurse, "#id_regimen", "Flu")
    nurse.fill(
        "#id_agents_and_doses", "Fludarabine 30 mg/m2/day and cyclophosphamide 500 mg/m2/day"
    )
    nurse.fill("#id_start_date", _day(14))
    nurse.fill("#id_end_date", _day(12))
    nurse.check("#id_completed")
    _save(nurse)

    nurse.goto(f"{live_server.url}/admin/dosing/infusion/add/")
    _choose(nurse, "#id_enrollment", number)
    nurse.fill("#id_started_at_0", _day(10))
    nurse.fill("#id_started_at_1", "10:00")
    _choose(nurse, "#id_dose_level", "DL2")
    nurse.fill("#id_planned_cells_per_kg_million", "6")
    nurse.fill("#id_actual_cells_per_kg_million", "6")
    _save(nurse)
    infusion = subject.enrollment.infusions.get()
    nurse.goto(f"{live_server.url}/admin/dosing/infusion/{infusion.pk}/change/")
    assert _readonly(nurse, "number") == "1"

    # --- a CRS assessment: fever and hypotension without vasopressors is grade 2 ----------
    nurse.goto(f"{live_server.url}/admin/safety/crsassessment/add/")
    _choose(nurse, "#id_subject", number)
    nurse.fill("#id_assessed_at_0", _day(9))
    nurse.fill("#id_assessed_at_1", "14:00")
    nurse.fill("#id_max_temp_c", "39.2")
    nurse.check("#id_hypotension")
    nurse.fill("#id_vasopressors", "0")
    nurse.select_option("#id_oxygen_device", "none")
    _save(nurse)
    crs = CrsAssessment.objects.get(subject=subject)
    nurse.goto(f"{live_server.url}/admin/safety/crsassessment/{crs.pk}/change/")
    assert _readonly(nurse, "grade") == "2"
    assert "computed from the findings above" in nurse.inner_text(".field-grade")

    ae = AdverseEvent.objects.get(subject=subject, term="Cytokine release syndrome")
    nurse.goto(f"{live_server.url}/admin/safety/adverseevent/{ae.pk}/change/")
    assert _readonly(nurse, "worst_grade") == "2"
    nurse.select_option("#id_outcome", "recovering")
    nurse.fill("#id_change_reason", "Fever resolved on tocilizumab, per nursing notes")
    assert "was changed successfully" in _save(nurse)

    nurse.goto(f"{live_server.url}/admin/")
    assert nurse.inner_text("#enrollment-NCT05734898 .enrolled") == "8 of 30"
    nurse.wait_for_function(
        "() => { const i = document.querySelector('#escalation-plot img'); "
        "return i && i.complete && i.naturalWidth > 0; }"
    )
    ARTIFACTS.mkdir(exist_ok=True)
    nurse.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
    nurse.goto(f"{live_server.url}/api/v1/escalation/plot.svg")
    assert nurse.locator("svg text", has_text="C2: stay -> 2").count() == 1
    nurse.locator("svg").first.screenshot(path=str(ARTIFACTS / "escalation-plot.png"))

    # --- the monitor: the AE's history, then a query ---------------------------------------
    monitor = open_page("monitor", PASSWORD)
    monitor.goto(f"{live_server.url}/admin/safety/adverseevent/{ae.pk}/history/")
    history = " ".join(monitor.inner_text("#change-history").split())  # &nbsp; around the arrow
    assert "Outcome: Not recovered/not resolved → Recovering/resolving" in history
    assert "Fever resolved on tocilizumab, per nursing notes" in history
    assert "coordinator" in history

    monitor.goto(f"{live_server.url}/admin/safety/adverseevent/{ae.pk}/change/")
    assert monitor.locator("#id_outcome").count() == 0  # read-only for monitors
    monitor.goto(f"{live_server.url}/admin/monitoring/query/add/")
    _choose(monitor, "#id_content_type", "| adverse event")  # not its historical twin
    monitor.fill("#id_object_id", str(ae.pk))
    monitor.fill("#id_field_name", "outcome")
    monitor.fill("#id_text", "Please give the date the fever resolved.")
    assert "was added successfully" in _save(monitor)
    query = Query.objects.get()
    assert (query.status, query.object_id, query.subject_id) == ("open", ae.pk, subject.pk)

    monitor.goto(f"{live_server.url}/admin/casebook/{subject.pk}/")
    assert monitor.inner_text("#open-query-count") == "1"
    ae_row = monitor.locator("tr[data-crf='safety.adverseevent']")
    assert "1 open" in ae_row.inner_text()
    treatment = monitor.inner_text("#casebook")
    for form in ("Consent", "Eligibility assessment", "Enrollment", "Infusion", "CRS assessment"):
        assert form in treatment
    monitor.screenshot(path=str(ARTIFACTS / "casebook.png"), full_page=True)


def test_a_bad_entry_shows_on_the_form_and_another_sites_subject_is_not_found(
    demo_study, open_page, live_server
):
    from safety.models import CrsAssessment
    from screening.models import Subject
    from trial.models import Site, SiteRole, Study, User

    subject = Subject.objects.get(screening_number="01-S-005")
    before = CrsAssessment.objects.count()
    nurse = open_page("coordinator", PASSWORD)

    # a CRS assessment in the future: the service's error is on the form, nothing is saved
    nurse.goto(f"{live_server.url}/admin/safety/crsassessment/add/")
    _choose(nurse, "#id_subject", "01-S-005")
    nurse.fill("#id_assessed_at_0", (timezone.localdate() + timedelta(days=3)).isoformat())
    nurse.fill("#id_assessed_at_1", "09:00")
    nurse.fill("#id_max_temp_c", "38.5")
    nurse.fill("#id_vasopressors", "0")
    nurse.click("input[name=_save]")
    nurse.wait_for_load_state()
    assert "Please correct the error below." in nurse.inner_text(".errornote")
    assert nurse.inner_text(".field-assessed_at .errorlist") == "This is in the future."
    assert nurse.input_value("#id_max_temp_c") == "38.5"  # what was typed is kept
    assert CrsAssessment.objects.count() == before

    # a coordinator of another site: the subject and its casebook do not exist for them
    other = User.objects.create(username="othersite", is_staff=True)
    other.set_password(PASSWORD)
    other.save()
    site = Site.objects.create(study=Study.objects.get(), code="02", name="Second site")
    SiteRole.objects.create(user=other, site=site, role=SiteRole.Role.COORDINATOR)
    stranger = open_page("othersite", PASSWORD)
    assert "No subjects at your sites yet." in stranger.inner_text("#subjects-by-site")
    casebook = stranger.goto(f"{live_server.url}/admin/casebook/{subject.pk}/")
    assert casebook.status == 404
    stranger.goto(f"{live_server.url}/admin/screening/subject/{subject.pk}/change/")
    assert stranger.url == f"{live_server.url}/admin/"  # Django's answer to an unknown id
    assert f"Subject with ID “{subject.pk}” doesn’t exist" in stranger.inner_text(  # noqa: RUF001
        ".messagelist"
    )
    stranger.goto(f"{live_server.url}/admin/screening/subject/")
    assert stranger.inner_text(".paginator").strip() == "0 subjects"
