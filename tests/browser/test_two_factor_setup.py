"""A new user's first sign-in in a real browser: password, then setting up an authenticator app
from the page's QR code (the key typed in, as a phone would read it), the recovery codes shown
once, then the dashboard. Screenshots of both pages go to `artifacts/`."""

from base64 import b32decode

import pytest

from .conftest import ARTIFACTS
from .test_site_staff_and_monitor import PASSWORD, demo_study  # noqa: F401

pytestmark = pytest.mark.usefixtures("allow_history_flush")


def test_first_sign_in_sets_up_the_second_factor(
    demo_study,  # noqa: F811
    browser,
    live_server,
):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(20_000)
    ARTIFACTS.mkdir(exist_ok=True)

    page.goto(f"{live_server.url}/admin/login/?next=/admin/matrix/")
    page.fill("#id_username", "investigator")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")

    page.wait_for_selector("#two-factor-qr svg")
    assert page.inner_text("h1") == "Set up two-factor sign-in"
    box = page.locator("#two-factor-qr svg").bounding_box()
    assert box["width"] > 150 and box["height"] > 150  # big enough for a phone to read
    page.screenshot(path=ARTIFACTS / "two_factor_setup.png", full_page=True)
    secret = page.inner_text("#two-factor-secret")
    code = str(totp(b32decode(secret))).zfill(6)

    page.fill("#id_otp_token", code)
    page.click("#two-factor-form input[type=submit]")

    page.wait_for_selector("#recovery-codes")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    page.screenshot(path=ARTIFACTS / "two_factor_recovery_codes.png", full_page=True)
    with page.expect_navigation():
        page.click("#two-factor-continue")
    page.wait_for_selector("#subject-matrix")
    assert page.url.endswith("/admin/matrix/")
    assert TOTPDevice.objects.get(user__username="investigator", confirmed=True)
    context.close()
