"""Playwright driving the system's Chromium (Debian's `chromium` package) against the live
test server. The setup installs Chromium with apt-get when it is missing and it can (root,
apt-get present); the tests skip, saying why, only when no Chromium can be found after that.
Never `playwright install`: it downloads a browser, which hospital networks (and CI) refuse."""

import fcntl
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _find_chromium() -> str | None:
    for candidate in (
        os.environ.get("CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def _install_chromium() -> str:
    """apt-get install -y chromium (after an update when the first attempt fails)."""
    if not shutil.which("apt-get") or os.geteuid() != 0:
        return "apt-get is not available to this user"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]
    # pytest-xdist workers may get here together: one installs, the others wait for it
    with open(Path(tempfile.gettempdir()) / "edc-chromium-install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _find_chromium():
            return ""
        done = subprocess.run(install, capture_output=True, text=True, env=env, check=False)
        if done.returncode != 0:
            subprocess.run(["apt-get", "update"], capture_output=True, env=env, check=False)
            done = subprocess.run(install, capture_output=True, text=True, env=env, check=False)
    return done.stderr[-500:] if done.returncode else ""


def _has_cjk_font() -> bool:
    if not shutil.which("fc-list"):
        return False
    found = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True)
    return bool(found.stdout.strip())


@pytest.fixture(scope="session")
def cjk_font() -> None:
    """A font with Chinese glyphs (Debian's fonts-noto-cjk), installed like Chromium when
    missing: without one, Chinese pages render as boxes and their screenshots prove nothing."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", "fonts-noto-cjk"]
    if not _has_cjk_font() and shutil.which("apt-get") and os.geteuid() == 0:
        with open(Path(tempfile.gettempdir()) / "edc-chromium-install.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not _has_cjk_font():
                done = subprocess.run(install, capture_output=True, env=env, check=False)
                if done.returncode != 0:
                    subprocess.run(["apt-get", "update"], capture_output=True, env=env)
                    subprocess.run(install, capture_output=True, env=env, check=False)
    if not _has_cjk_font():
        pytest.skip("No CJK font found and apt-get install -y fonts-noto-cjk failed")
    # matplotlib (the escalation plot) reads its font list from a cache made before the install
    import matplotlib.font_manager

    known = {font.name for font in matplotlib.font_manager.fontManager.ttflist}
    if not known & {"Noto Sans CJK SC", "Noto Sans CJK JP"}:
        found = subprocess.run(
            ["fc-match", "-f", "%{file}", "Noto Sans CJK SC"], capture_output=True, text=True
        )
        matplotlib.font_manager.fontManager.addfont(found.stdout)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = _find_chromium()
    if path is None:
        why = _install_chromium()
        path = _find_chromium()
        if path is None:
            pytest.skip(f"No Chromium found and apt-get install -y chromium failed: {why}")
    return path


@pytest.fixture(scope="module")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread, which Django takes for an async
    # context; the tests' own ORM calls are plain synchronous ones between browser steps. Only
    # for this module: the rest of the suite keeps Django's check.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=chromium_path, headless=True, args=CHROMIUM_FLAGS
            )
            yield chromium
            chromium.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


def recovery_code(username: str) -> str:
    """A new one-time recovery code for `username`, whose authenticator is set up."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from trial.models import User

    user = User.objects.get(username=username)
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    device, _ = StaticDevice.objects.get_or_create(user=user, name="Recovery codes", confirmed=True)
    code = StaticToken.random_token()
    device.token_set.create(token=code)
    return code


@pytest.fixture
def open_page(browser, live_server):
    """A logged-in page for a user, in its own browser context (its own cookies)."""
    contexts = []

    def _open(username: str, password: str):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("input[type=submit]")
        # the second step: a one-time recovery code (an authenticator's code can be used once
        # per 30 s, and a test may sign the same person in twice)
        page.fill("#id_otp_token", recovery_code(username))
        page.click("#two-factor-form input[type=submit]")
        page.wait_for_selector("#study-dashboard")
        return page

    yield _open
    for context in contexts:
        context.close()
