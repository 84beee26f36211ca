"""A coordinator whose browser asks for Chinese (Accept-Language zh-CN), in a real browser on the
demo study (issue 22): the sign-in page, the dashboard, the subject matrix, the eligibility form
with its live verdict, a CRS assessment with its computed grade, and the casebook, each checked
for Chinese text and for English labels left on it, with a screenshot in artifacts/ (rendered
with Debian's Noto CJK font: look at them, the glyphs must not be boxes).

What may stay English on a Chinese page is listed in ALLOWED: units, codes, abbreviations that
Chinese clinicians use as they are, proper names and the data itself (screening numbers, user
names); everything else in a heading, label, table head, button, help text or message fails."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from .conftest import ARTIFACTS, recovery_code
from .test_site_staff_and_monitor import (  # noqa: F401
    ORGAN_FUNCTION,
    PASSWORD,
    _choose,
    demo_study,
)

pytestmark = [pytest.mark.usefixtures("allow_history_flush"), pytest.mark.slow(10)]

# where labels are: headings, table heads, form labels and help, buttons, links of the page's
# frame, messages and the verdict; not the data cells
LABELS = (
    "#content h1, #content h2, #content h3, th, label, legend, caption, button, .help, "
    ".helptext, .breadcrumbs, .object-tools a, .submit-row, .messagelist, #live-verdict, "
    "#header #site-name, .errornote, .errorlist, .readonly, .verdict"
)
# fmt: off
ALLOWED = {
    # abbreviations and codes used as they are in Chinese clinical writing
    "AML", "ALT", "AST", "ULN", "TBIL", "ECOG", "NYHA", "NKG", "CAR", "NK", "CRS", "ICANS", "ICE",
    "ELN", "ASTCT", "CTCAE", "BOIN", "MTD", "DLT", "SAE", "AE", "CR", "CRi", "CRh", "CRC", "ORR",
    "MLFS", "MRD", "HLA", "GVHD", "MedDRA", "SOC", "SDV", "CRF", "ID", "PDF", "CSV", "API",
    "UTC", "ISO", "YYYY", "MM", "DD", "HH", "CPAP", "BiPAP", "SpO", "FiO", "Lee", "et", "al", "IL",
    "HBV", "HCV", "HIV", "DNA", "RNA", "CMV", "EBV", "PCR", "CNS", "LVEF",
    # units
    "mg", "kg", "mmHg", "min", "mL", "umol", "mmol",
    # the system's and the study's names; the header's language switch names each language in
    # its own tongue (English / 简体中文)
    "EDC", "lite", "NCT", "English",
}
# fmt: on


def _day(days_ago: int) -> date:
    return timezone.localdate() - timedelta(days=days_ago)


def english_left(page, *data: str) -> list[str]:
    """English words in the page's labels, less the allowed ones and the page's own data."""
    texts = page.eval_on_selector_all(
        LABELS, "els => els.map(e => e.value && e.tagName === 'INPUT' ? e.value : e.innerText)"
    )
    allowed = ALLOWED | {word for value in data for word in re.findall(r"[A-Za-z]{2,}", value)}
    words = {word for text in texts for word in re.findall(r"[A-Za-z]{2,}", text)}
    return sorted(words - allowed)


def assert_no_english_label(page, *data: str) -> None:
    left = english_left(page, *data)
    assert left == [], f"English left on {page.url}: {left}"


def has_chinese(text: str) -> bool:
    return re.search(r"[\u4e00-\u9fff]", text) is not None


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"zh-{name}.png"), full_page=False)


def test_a_coordinator_works_in_chinese_from_sign_in_to_casebook(
    demo_study,  # noqa: F811
    browser,
    cjk_font,
    live_server,
):
    from followup.models import VisitDefinition
    from safety.models import CrsAssessment
    from screening import services as screening
    from screening.models import Subject
    from trial.models import Site, Study, User

    coordinator = User.objects.get(username="coordinator")
    assert coordinator.language == ""  # the browser's language decides
    site = Site.objects.get(code="01")
    subject = screening.subject_save(
        user=coordinator, data={"site": site, "date_of_birth": date(1980, 5, 6), "sex": "F"}
    )
    screening.consent_save(
        user=coordinator,
        data={
            "subject": subject,
            "form_version": "2.0",
            "form_version_date": _day(60),
            "consent_date": _day(5),
            "signed_by": "patient",
            "obtained_by": coordinator,
        },
    )
    infused = (
        Subject.objects.filter(site=site, enrollment__infusions__isnull=False)
        .order_by("pk")
        .first()
    )
    first_infusion = infused.enrollment.infusions.order_by("started_at").first().started_at
    # the data shown as it was entered: names, numbers, the registry's title of the study, site
    # names, the visit schedule's labels (study configuration, not the system's own words) and adverse
    # event terms (CTCAE v5.0 terms as coded and exported: AETERM)
    data = (
        coordinator.username,
        subject.screening_number,
        infused.screening_number,
        *Study.objects.values_list("title", flat=True),
        *VisitDefinition.objects.values_list("label", flat=True),
        *Site.objects.values_list("name", flat=True),
        "Cytokine release syndrome",
    )

    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(20_000)

    # --- sign in: the page follows the browser's language -------------------------------
    page.goto(f"{live_server.url}/admin/login/")
    assert page.get_attribute("html", "lang") == "zh-hans"
    assert page.inner_text("label[for=id_username]").startswith("用户名")
    assert_no_english_label(page)
    shot(page, "login")
    page.fill("#id_username", "coordinator")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.fill("#id_otp_token", recovery_code("coordinator"))
    page.click("#two-factor-form input[type=submit]")
    page.wait_for_selector("#study-dashboard")

    # --- dashboard --------------------------------------------------------------------
    assert page.inner_text("#todo-title") == "待办事项"
    assert_no_english_label(page, *data)
    shot(page, "dashboard")

    # --- subject matrix ---------------------------------------------------------------
    page.goto(f"{live_server.url}/admin/matrix/")
    assert has_chinese(page.inner_text("#matrix thead"))
    assert_no_english_label(page, *data)
    shot(page, "subject-matrix")

    # --- eligibility form: the live verdict in Chinese --------------------------------
    page.goto(f"{live_server.url}/admin/screening/eligibilityassessment/add/?subject={subject.pk}")
    page.fill("#id_assessment_date", _day(3).isoformat())
    for name in ("i2", "i4", "i6", "i8", "i9", "i10", "i11", "i13"):
        page.check(f"input[name={name}][value=true]")
    page.check("input[name=i3][value=false]")
    page.select_option("#id_childbearing_potential", "false")
    for name, value in {**ORGAN_FUNCTION, "ecog": "3"}.items():  # ECOG 3 fails I5 (0-2)
        page.fill(f"#id_{name}", value)
    page.check("#id_no_exclusion_applies")
    page.click("#all-exclusions-no")
    page.wait_for_function(
        "() => document.querySelector('#live-verdict .verdict').textContent === '不符合入选资格'"
    )
    failing = page.inner_text("#live-verdict .failing")
    assert "未满足的标准" in failing and "I5: ECOG 体能状态 0-2。" in failing
    assert page.inner_text("#all-exclusions-no") == "将所有排除标准回答为“否”"
    assert_no_english_label(page, *data)
    page.locator("#live-verdict").scroll_into_view_if_needed()
    shot(page, "eligibility-form")

    # --- a CRS assessment: the computed grade and its help in Chinese -----------------
    page.goto(f"{live_server.url}/admin/safety/crsassessment/add/")
    assert_no_english_label(page, *data)
    _choose(page, "#id_subject", infused.screening_number)
    assessed = timezone.localtime(first_infusion) + timedelta(days=1)
    page.fill("#id_assessed_at_0", assessed.date().isoformat())
    page.fill("#id_assessed_at_1", "14:00")
    page.fill("#id_max_temp_c", "39.2")
    page.check("#id_hypotension")
    page.fill("#id_vasopressors", "0")
    page.select_option("#id_oxygen_device", "none")
    page.click("input[name=_continue]")
    page.wait_for_load_state()
    assert page.locator(".errornote, .errorlist").count() == 0, page.inner_text("#content")
    crs = CrsAssessment.objects.filter(subject=infused).latest("pk")
    assert crs.grade == 2
    assert has_chinese(page.inner_text(".messagelist"))
    assert page.inner_text(".field-grade .readonly") == "2"
    grade_row = page.inner_text(".field-grade")
    assert "分级" in grade_row and "不可手工录入" in grade_row
    assert_no_english_label(page, *data)
    page.locator(".field-grade").scroll_into_view_if_needed()
    shot(page, "crs-form")
    # the saved record's dates come back in the form as it takes them: a correction saves
    assert page.input_value("#id_assessed_at_0") == assessed.date().isoformat()
    page.fill("#id_max_temp_c", "39.5")
    page.fill("#id_change_reason", "核对护理记录后更正体温")
    page.click("input[name=_save]")
    page.wait_for_load_state()
    assert page.locator(".errornote, .errorlist").count() == 0, page.inner_text("#content")
    crs.refresh_from_db()
    assert (str(crs.max_temp_c), crs.grade) == ("39.5", 2)
    assert has_chinese(page.inner_text(".messagelist"))

    # --- casebook ---------------------------------------------------------------------
    page.goto(f"{live_server.url}/admin/casebook/{infused.pk}/")
    assert "病例集" in page.inner_text("#content h1")
    assert_no_english_label(page, *data)
    shot(page, "casebook")
    context.close()
