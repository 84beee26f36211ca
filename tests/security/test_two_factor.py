"""Two-factor sign-in (21 CFR 11.300): a password opens only the second step; a code from an
authenticator app (TOTP) or a one-time recovery code opens the rest; a data manager resets a lost
one. Every step is in the device's history, with who and why."""

import re
from base64 import b32decode
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from trial import services

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-Horse-Battery-9"
MOMENT = datetime(2027, 3, 1, 9, 0, 5, tzinfo=UTC)  # 5 s into a 30-s time step

# Pages a password alone must not open: the dashboard, a list, a record, the study's custom
# pages, and the account pages that need both factors.
PAGES = (
    "/admin/",
    "/admin/matrix/",
    "/admin/overdue/",
    "/admin/screening/subject/",
    "/admin/trial/site/",
    "/admin/monitoring/query/audit-trail/",
    "/admin/api-tokens/",
    "/admin/two-factor/reset/",
    "/admin/trial/siterole/access-report/",
)


@pytest.fixture
def clock():
    """A moment 5 s into a TOTP time step, standing still (codes are computed for it); sessions
    are opened after the move (they end after 15 idle minutes)."""
    with time_machine.travel(MOMENT, tick=False) as traveller:
        yield traveller


def _with_password(user) -> Client:
    user.set_password(PASSWORD)
    user.save()
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/matrix/", {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/two-factor/?next=%2Fadmin%2Fmatrix%2F"
    return client


def _authenticator(user) -> TOTPDevice:
    device = TOTPDevice(user=user, name="Authenticator app", confirmed=True)
    device._history_user = user
    device._change_reason = "Two-factor set up"
    device.save()
    return device


def _code(device) -> str:
    return str(totp(device.bin_key, step=device.step, digits=device.digits)).zfill(6)


def _history(device):
    return [
        (h.history_type, h.history_user.username, h.history_change_reason, h.confirmed)
        for h in type(device).history.filter(id=device.pk).order_by("history_id")
    ]


@pytest.mark.parametrize("page", PAGES)
def test_a_password_alone_opens_no_page(page, data_manager_a):
    client = _with_password(data_manager_a)

    response = client.get(page)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=")
    assert client.get(response["Location"])["Location"].startswith("/admin/two-factor/")


def test_a_password_alone_reads_nothing_from_the_api_and_gets_no_token(coordinator_a):
    from trial.models import ApiToken

    client = _with_password(coordinator_a)

    listing = client.get("/api/v1/subjects/")
    created = client.post("/api/v1/tokens/", {"name": "export"}, content_type="application/json")

    assert listing.status_code in (401, 403)
    assert created.status_code in (401, 403)
    assert ApiToken.objects.count() == 0


def test_the_control_both_factors_open_the_pages(data_manager_a):
    """The same pages open once the second factor is given (tests/conftest.py's force_login)."""
    client = Client()
    client.force_login(data_manager_a)
    assert {page: client.get(page).status_code for page in PAGES} == dict.fromkeys(PAGES, 200)


def test_first_sign_in_sets_up_an_authenticator_with_a_qr_code_and_recovery_codes(
    coordinator_a, clock
):
    client = _with_password(coordinator_a)
    page = client.get("/admin/two-factor/?next=/admin/matrix/")
    assert page.context["mode"] == "setup"
    assert page.context["qr"].startswith("<svg") and "<path" in page.context["qr"]
    secret = page.context["secret"]
    device = TOTPDevice.objects.get(user=coordinator_a)
    assert b32decode(secret) == device.bin_key and device.confirmed is False
    assert secret in page.content.decode()
    assert client.get("/admin/matrix/").status_code == 302  # not yet

    wrong = client.post("/admin/two-factor/", {"otp_token": "12345"})
    assert wrong.context["form"].errors == {"otp_token": ["Enter the 6-digit code the app shows."]}

    done = client.post("/admin/two-factor/", {"otp_token": _code(device), "next": "/admin/matrix/"})

    assert done.context["mode"] == "codes"
    codes = done.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-7]{8}", code) for code in codes)
    assert all(code in done.content.decode() for code in codes)
    assert client.get("/admin/matrix/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed is True
    assert _history(device) == [
        ("+", "coord_a", "Two-factor set-up started", False),
        ("~", "coord_a", "Two-factor set-up: first code checked", False),
        ("~", "coord_a", "Two-factor set up", True),
    ]
    (recovery,) = StaticDevice.objects.filter(user=coordinator_a, confirmed=True)
    assert sorted(recovery.token_set.values_list("token", flat=True)) == sorted(codes)
    # the secret is not in the audit trail
    assert "key" not in {f.name for f in TOTPDevice.history.model._meta.fields}


def test_the_set_up_page_keeps_its_secret_until_the_first_code(coordinator_a):
    client = _with_password(coordinator_a)
    first = client.get("/admin/two-factor/").context["secret"]
    again = client.get("/admin/two-factor/").context["secret"]
    assert first == again
    assert TOTPDevice.objects.filter(user=coordinator_a).count() == 1


def test_each_sign_in_asks_for_a_code_and_a_wrong_one_is_refused_and_counted(coordinator_a, clock):
    device = _authenticator(coordinator_a)
    client = _with_password(coordinator_a)
    page = client.get("/admin/two-factor/?next=/admin/matrix/")
    assert page.context["mode"] == "verify"
    good = _code(device)
    bad = str((int(good) + 1) % 1_000_000).zfill(6)

    refused = client.post("/admin/two-factor/", {"otp_token": bad, "next": "/admin/matrix/"})
    assert refused.status_code == 200
    assert "That code is not right" in refused.context["form"].errors["otp_token"][0]
    assert client.get("/admin/matrix/").status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 1

    clock.shift(timedelta(seconds=2))  # one failure: the next try waits a second
    accepted = client.post("/admin/two-factor/", {"otp_token": good, "next": "/admin/matrix/"})

    assert accepted.status_code == 302 and accepted["Location"] == "/admin/matrix/"
    assert client.get("/admin/matrix/").status_code == 200
    assert _history(device) == [
        ("+", "coord_a", "Two-factor set up", True),
        ("~", "coord_a", "Sign-in: authenticator code", True),  # refused: failure count 1
        ("~", "coord_a", "Sign-in: authenticator code", True),  # accepted
    ]
    rows = TOTPDevice.history.filter(id=device.pk).order_by("history_id")
    assert [r.throttling_failure_count for r in rows] == [0, 1, 0]


def test_a_used_code_does_not_sign_in_again(coordinator_a, clock):
    device = _authenticator(coordinator_a)
    code = _code(device)
    first = _with_password(coordinator_a)
    assert first.post("/admin/two-factor/", {"otp_token": code}).status_code == 302
    second = _with_password(coordinator_a)
    replay = second.post("/admin/two-factor/", {"otp_token": code})
    assert replay.status_code == 200
    assert second.get("/admin/").status_code == 302


def test_a_recovery_code_signs_in_once(coordinator_a):
    _authenticator(coordinator_a)
    codes = services.recovery_codes_renew(user=coordinator_a)

    client = _with_password(coordinator_a)
    assert client.post("/admin/two-factor/", {"otp_token": codes[0].upper()}).status_code == 302
    assert client.get("/admin/").status_code == 200

    again = _with_password(coordinator_a)
    assert again.post("/admin/two-factor/", {"otp_token": codes[0]}).status_code == 200
    assert again.get("/admin/").status_code == 302
    recovery = StaticDevice.objects.get(user=coordinator_a, confirmed=True)
    assert recovery.token_set.count() == 9


def test_new_recovery_codes_replace_the_old_ones(coordinator_a, clock):
    _authenticator(coordinator_a)
    old = services.recovery_codes_renew(user=coordinator_a)
    client = Client()
    client.force_login(coordinator_a)

    page = client.post("/admin/two-factor/", {"action": "renew"})

    new = page.context["codes"]
    assert set(new).isdisjoint(old)
    signing_in = _with_password(coordinator_a)
    assert signing_in.post("/admin/two-factor/", {"otp_token": old[0]}).status_code == 200
    clock.shift(timedelta(seconds=2))  # one failure: the next try waits a second
    assert signing_in.post("/admin/two-factor/", {"otp_token": new[0]}).status_code == 302


def test_a_data_manager_resets_a_lost_second_factor(coordinator_a, data_manager_a):
    device = _authenticator(coordinator_a)
    services.recovery_codes_renew(user=coordinator_a)
    nurse = Client()
    nurse.force_login(coordinator_a)
    assert nurse.get("/admin/").status_code == 200
    manager = Client()
    manager.force_login(data_manager_a)
    listed = manager.get("/admin/two-factor/reset/")
    row = next(r for r in listed.context["rows"] if r["member"] == coordinator_a)
    assert (row["authenticator"], row["recovery_codes"]) == (True, 10)

    response = manager.post(
        "/admin/two-factor/reset/", {"user": coordinator_a.pk, "reason": "Phone lost, ticket 42"}
    )

    assert response.status_code == 302
    assert nurse.get("/admin/").status_code == 302  # the open session lost its second factor
    assert _history(device)[-1] == ("~", "dm_a", "Two-factor reset: Phone lost, ticket 42", False)
    recovery = StaticDevice.history.filter(user=coordinator_a).latest("history_id")
    assert (recovery.history_user, recovery.confirmed) == (data_manager_a, False)
    assert _with_password(coordinator_a).get("/admin/two-factor/").context["mode"] == "setup"


def test_a_reset_needs_a_reason_and_a_data_manager_of_the_users_site(
    coordinator_a, coordinator_b, data_manager_a
):
    _authenticator(coordinator_b)
    with pytest.raises(services.PermissionDenied):
        services.two_factor_reset(user=data_manager_a, member=coordinator_b, reason="lost")
    with pytest.raises(services.ValidationError) as error:
        services.two_factor_reset(user=data_manager_a, member=coordinator_a, reason=" ")
    assert error.value.message_dict == {"change_reason": ["Say why the second factor is reset."]}
    with pytest.raises(services.ValidationError):
        services.two_factor_reset(user=data_manager_a, member=data_manager_a, reason="lost")
    manager = Client()
    manager.force_login(data_manager_a)
    other = manager.post("/admin/two-factor/reset/", {"user": coordinator_b.pk, "reason": "x"})
    assert other.status_code == 404
    assert TOTPDevice.objects.get(user=coordinator_b).confirmed is True
    coordinator = Client()
    coordinator.force_login(coordinator_a)
    assert coordinator.get("/admin/two-factor/reset/").status_code == 403


def test_the_demo_bypass_needs_debug_and_fails_the_deployment_check(settings, coordinator_a):
    settings.OTP_DEMO_BYPASS = True
    settings.DEBUG = False
    assert _with_password(coordinator_a).get("/admin/").status_code == 302

    settings.DEBUG = True
    client = Client()
    client.force_login(coordinator_a, otp=False)
    assert client.get("/admin/").status_code == 200

    with pytest.raises(SystemCheckError, match=r"edc\.E004"):
        call_command("check", deploy=True, fail_level="ERROR")


def test_the_second_step_can_sign_out(coordinator_a):
    client = _with_password(coordinator_a)
    page = client.get("/admin/two-factor/").content.decode()
    assert 'action="/admin/logout/"' in page

    response = client.post("/admin/logout/")

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/two-factor/")["Location"].startswith("/admin/login/")


def test_the_second_step_goes_on_only_to_this_site(coordinator_a, clock):
    device = _authenticator(coordinator_a)
    client = _with_password(coordinator_a)
    response = client.post(
        "/admin/two-factor/", {"otp_token": _code(device), "next": "https://evil.example/admin/"}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    # signed in again later (both factors kept): straight on to where they were going
    assert client.get("/admin/two-factor/?next=/admin/matrix/")["Location"] == "/admin/matrix/"


def test_posted_ids_that_are_not_numbers_are_not_found(data_manager_a):
    client = Client()
    client.force_login(data_manager_a)
    for value in ("abc", "²", "1 OR 1=1", ""):
        reset = client.post("/admin/two-factor/reset/", {"user": value, "reason": "x"})
        revoke = client.post(
            "/admin/api-tokens/", {"action": "revoke", "token": value, "reason": "x"}
        )
        assert (reset.status_code, revoke.status_code) == (404, 404), value


def test_a_data_manager_resets_neither_an_administrator_nor_a_former_member(
    data_manager_a, coordinator_a, site_a
):
    from tests.factories import UserFactory
    from trial.models import SiteRole

    admin = UserFactory(username="root", is_superuser=True)
    SiteRole.objects.create(user=admin, site=site_a, role=SiteRole.Role.DATA_MANAGER)
    role = SiteRole.objects.get(user=coordinator_a)
    role.is_active = False
    role._change_reason = "Left the study"
    role.save()
    for member in (admin, coordinator_a):
        _authenticator(member)
        with pytest.raises(services.PermissionDenied):
            services.two_factor_reset(user=data_manager_a, member=member, reason="lost")
        assert TOTPDevice.objects.get(user=member).confirmed is True
    # an administrator resets anyone but themselves
    assert services.two_factor_reset(user=admin, member=coordinator_a, reason="lost") == 1
