"""A monitor's and a coordinator's work on one adverse event, in a real browser, on the demo.

The monitor opens the "to verify" list, verifies the AE form in one action, and raises a query
on one of its fields with only its text. The coordinator sees the query on the subject's row of
the matrix and on the field, corrects the field with a reason and answers; the monitor reads the
answer and the correction in the query's conversation, closes it, and finds the AE back on the
"to verify" list with the changed field named. Page loads are counted per person and pinned;
screenshots of the form with its query flag, the query's conversation and the SDV list go to
`artifacts/`."""

import pytest

from .conftest import ARTIFACTS
from .test_coordinator_day import Counted
from .test_site_staff_and_monitor import PASSWORD, demo_study  # noqa: F401

pytestmark = [pytest.mark.usefixtures("allow_history_flush"), pytest.mark.slow(12)]

MONITOR_LOADS = 8
COORDINATOR_LOADS = 6


def test_verify_query_correct_answer_close_and_verify_again(
    demo_study,  # noqa: F811
    open_page,
    live_server,
):
    from django.contrib.contenttypes.models import ContentType

    from monitoring import services
    from monitoring.models import Query
    from safety.models import AdverseEvent
    from trial.models import Study, User

    ae = AdverseEvent.objects.filter(is_voided=False).order_by("pk").first()
    number = ae.subject.screening_number
    services.sdv_plan_save(
        user=User.objects.get(username="datamanager"),
        data={
            "study": Study.objects.get(registry_id="NCT05734898"),
            "crf": ContentType.objects.get_for_model(AdverseEvent),
            "level": "full",
        },
    )
    form_url = f"/admin/safety/adverseevent/{ae.pk}/change/"
    ARTIFACTS.mkdir(exist_ok=True)

    # --- the monitor verifies the AE form, then queries one of its fields ------------------
    monitor = Counted(open_page("monitor", PASSWORD))
    page = monitor.page
    page.goto(f"{live_server.url}/admin/monitoring/sdvmark/to-verify/")  # 1
    assert page.locator(f"#to-verify a[href='{form_url}']").count() == 1
    with page.expect_navigation():
        page.click(f"#to-verify a[href='{form_url}']")  # 2
    assert page.inner_text("#sdv-state") == "not verified yet"
    with page.expect_navigation():
        page.click("#sdv-verify input[type=submit]")  # 3
    assert page.inner_text("#sdv-state").startswith(f"verified at version {ae.version} by monitor")

    field = page.locator(".form-row.field-relation_lymphodepletion")
    field.locator("button.raise").click()
    before = ae.relation_lymphodepletion
    after = "possible" if before != "possible" else "unlikely"
    page.fill("#raise-query-text", f"The investigator's note says '{after}': please check.")
    with page.expect_navigation():
        page.click("dialog#raise-query input[type=submit]")  # 4
    query = Query.objects.get()
    assert "Query raised on relation to lymphodepletion" in page.inner_text(".messagelist")
    assert field.locator("a.flag").inner_text() == "? Query: New"
    field.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "query-flag-on-form.png"))

    # --- the coordinator: the matrix, the casebook, the field, the answer -----------------
    coordinator = Counted(open_page("coordinator", PASSWORD))
    site = coordinator.page
    site.goto(f"{live_server.url}/admin/matrix/")  # 1
    flag = site.locator(f"tr[data-subject='{number}'] a.subject-queries")
    assert flag.inner_text() == "? 1"
    with site.expect_navigation():
        flag.click()  # 2: the casebook
    row = site.locator(f"tr[id='safety.adverseevent:{ae.pk}']")
    assert row.locator("a.open-queries").inner_text() == "1 open"
    with site.expect_navigation():
        row.locator("td:nth-child(2) a").click()  # 3: the AE form
    coordinator_field = site.locator(".form-row.field-relation_lymphodepletion")
    assert coordinator_field.locator("a.flag").inner_text() == "? Query: New"
    assert coordinator_field.locator("button.raise").count() == 0  # the site answers only
    assert site.input_value("#id_relation_lymphodepletion") == before
    site.select_option("#id_relation_lymphodepletion", after)
    site.fill("#id_change_reason", f"Investigator's assessment in the clinic note: {after}")
    with site.expect_navigation():
        site.click("input[name=_save]")  # 4: back to the casebook
    assert site.url.split("?")[0].endswith(f"/admin/casebook/{ae.subject_id}/")
    with site.expect_navigation():
        site.locator(f"tr[id='safety.adverseevent:{ae.pk}'] a.open-queries").click()  # 5
    assert "Data corrected by coordinator" in site.inner_text("#query-thread")
    site.fill("#id_answer_text", f"Corrected to '{after}' as in the clinic note.")
    with site.expect_navigation():
        site.click("#answer-query input[type=submit]")  # 6
    assert site.inner_text("#query-status") == "Resolution proposed"

    # --- the monitor reads the answer and the correction, closes, re-verifies -------------
    page.goto(f"{live_server.url}/admin/")  # 5
    link = page.locator(f"#open-queries a[href='/admin/monitoring/query/{query.pk}/change/']")
    with page.expect_navigation():
        link.click()  # 6
    thread = page.inner_text("#query-thread")
    for text in (
        "Raised by monitor",
        "Data corrected by coordinator",
        f"Reason for change: Investigator's assessment in the clinic note: {after}",
        "Answered by coordinator",
        f"Corrected to '{after}' as in the clinic note.",
    ):
        assert text in thread
    page.screenshot(path=str(ARTIFACTS / "query-thread.png"))
    with page.expect_navigation():
        page.click("#close-query input[type=submit]")  # 7
    assert page.inner_text("#query-status") == "Closed"

    page.goto(f"{live_server.url}/admin/monitoring/sdvmark/to-verify/")  # 8
    returned = page.locator("#to-verify tr", has=page.locator(f"a[href='{form_url}']"))
    assert (
        f"changed since version {ae.version}: relation to lymphodepletion" in returned.inner_text()
    )
    page.screenshot(path=str(ARTIFACTS / "sdv-to-verify.png"))

    print(  # noqa: T201 (the pinned counts, shown with -s)
        f"monitor's day: {monitor.loads} page loads; coordinator's answer: {coordinator.loads}"
    )
    assert (monitor.loads, coordinator.loads) == (MONITOR_LOADS, COORDINATOR_LOADS)
