"""Admin logins: guessing a password is stopped after a few tries (django-axes)."""

import pytest
from axes.models import AccessAttempt
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-Horse-Battery-9"


@pytest.fixture
def nurse(db):
    user = UserFactory(username="nurse")
    user.set_password(PASSWORD)
    user.save()
    return user


def _login(client, password, username="nurse"):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


def test_five_wrong_passwords_lock_the_login_even_for_the_right_one(nurse, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    client = Client(REMOTE_ADDR="10.0.0.7")
    statuses = [_login(client, f"guess-{n}").status_code for n in range(4)]
    assert statuses == [200, 200, 200, 200]  # the form again, with its error

    fifth = _login(client, "guess-4")
    locked = _login(client, PASSWORD)

    assert fifth.status_code == 429
    assert locked.status_code == 429
    assert b"There were 5 failed login attempts for\n  <strong>nurse</strong>" in locked.content
    assert b"paused for\n  0:15:00" in locked.content
    assert "_auth_user_id" not in client.session
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address, attempt.failures_since_start) == (
        "nurse",
        "10.0.0.7",
        6,  # the try while locked is counted too
    )


def test_the_lockout_is_per_username_and_address(nurse):
    guesser = Client(REMOTE_ADDR="10.0.0.7")
    for n in range(5):
        _login(guesser, f"guess-{n}")

    ward = Client(REMOTE_ADDR="10.0.0.8")
    response = _login(ward, PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/admin/two-factor/?next=%2Fadmin%2F"  # the second step
    assert int(ward.session["_auth_user_id"]) == nurse.pk


def test_a_successful_login_resets_the_count(nurse):
    client = Client(REMOTE_ADDR="10.0.0.7")
    for n in range(4):
        _login(client, f"guess-{n}")

    assert _login(client, PASSWORD).status_code == 302
    client.logout()
    for n in range(4):
        assert _login(client, f"again-{n}").status_code == 200
    assert _login(client, PASSWORD).status_code == 302
