"""The password re-entered for an electronic signature is guarded like a login: after
LOGIN_FAILURE_LIMIT (5) wrong passwords the user cannot sign for LOGIN_COOLOFF_MINUTES (15),
even with the right password, and each wrong password is logged."""

from datetime import timedelta

import pytest

from monitoring.models import Signature
from tests.monitoring.test_workflow import _complete

pytestmark = pytest.mark.django_db

PASSWORD = "pw-investigator-9"
BLOCKED = {"password": ["Too many wrong passwords: signing is blocked for 15 minutes."]}
WRONG = {"password": ["The password is not correct: the signature is not applied."]}


@pytest.fixture
def sign(api, consented_subject, investigator_a, coordinator_a):
    investigator_a.set_password(PASSWORD)
    investigator_a.save()
    _complete(consented_subject, coordinator_a)
    body = {
        "record": "screening.subject",
        "object_id": consented_subject.pk,
        "meaning": "reviewed_approved",
    }

    def _sign(password):
        return api(investigator_a).post("/api/v1/signatures/", {**body, "password": password})

    return _sign


def test_five_wrong_passwords_block_signing_even_with_the_right_one(sign, caplog):
    answers = [sign(f"guess-{n}") for n in range(5)]
    assert [(a.status_code, a.json()) for a in answers] == [(400, WRONG)] * 4 + [(400, BLOCKED)]
    right = sign(PASSWORD)
    assert (right.status_code, right.json()) == (400, BLOCKED)
    assert Signature.objects.count() == 0
    assert [r.getMessage() for r in caplog.records if r.name == "monitoring.services"] == [
        f"Wrong signature password for inv_a ({n} of 5)" for n in range(1, 6)
    ]


def test_the_block_ends_after_the_cool_off(sign, time_machine):
    time_machine.move_to("2026-11-25 10:00:00Z")
    for n in range(5):
        sign(f"guess-{n}")
    time_machine.move_to("2026-11-25 10:14:00Z")
    assert sign(PASSWORD).json() == BLOCKED
    time_machine.shift(timedelta(minutes=2))
    assert sign(PASSWORD).status_code == 201
    assert Signature.objects.count() == 1


def test_a_right_password_resets_the_count(sign, api, investigator_a):
    for n in range(4):
        sign(f"guess-{n}")
    assert sign(PASSWORD).status_code == 201
    Signature.objects.update(is_valid=False)  # as a later change of the casebook would
    for n in range(4):
        assert sign(f"again-{n}").json() == WRONG
