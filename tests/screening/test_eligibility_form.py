"""The eligibility form as a coordinator fills it in: yes/no/unknown radios, the explicit
"no exclusion applies" confirmation, and the verdict from the server's rule before saving."""

import pytest
from django.test import Client

from screening import services
from screening.models import EligibilityAssessment
from screening.rules import CRITERIA, EXCLUSION_CODES
from tests.screening.test_admin import _errors, _post_data

pytestmark = pytest.mark.django_db

VERDICT = "/admin/screening/eligibilityassessment/verdict/"
ADD = "/admin/screening/eligibilityassessment/add/"


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _without_exclusions(data):
    return {k: v for k, v in data.items() if k not in {c.lower() for c in EXCLUSION_CODES}}


def test_every_answer_is_three_radio_buttons(coordinator_a, consented_subject):
    page = _client(coordinator_a).get(f"{ADD}?subject={consented_subject.pk}").content.decode()
    for name in ("i2", "i13", "e1", "e19"):
        for value in ("true", "false", "unknown"):
            assert f'type="radio" name="{name}" value="{value}"' in page
    assert '<select name="e1"' not in page
    assert 'name="no_exclusion_applies"' in page
    assert 'id="live-verdict"' in page and "screening/eligibility" in page


def test_the_verdict_is_the_rules_before_anything_is_saved(coordinator_a, consented_subject):
    client = _client(coordinator_a)
    eligible = client.post(VERDICT, _post_data(consented_subject)).json()
    assert eligible == {"verdict": "Eligible", "eligible": True, "failing": [], "unknown": []}

    excluded = client.post(VERDICT, _post_data(consented_subject, e5=True, ecog=3)).json()
    assert excluded["eligible"] is False
    assert excluded["failing"] == [
        {"code": "I5", "text": CRITERIA["I5"]},
        {"code": "E5", "text": CRITERIA["E5"]},
    ]

    partial = client.post(
        VERDICT, {"subject": consented_subject.pk, "assessment_date": "2026-03-10", "i2": "true"}
    ).json()
    assert partial["eligible"] is None
    assert partial["verdict"] == "Not decided yet: answer the criteria listed as unknown"
    assert partial["unknown"][:3] == ["I3", "I4", "I5"] and "E19" in partial["unknown"]

    ticked = client.post(
        VERDICT,
        {**_without_exclusions(_post_data(consented_subject)), "no_exclusion_applies": "on"},
    ).json()
    assert ticked["eligible"] is True
    assert not EligibilityAssessment.objects.exists()  # nothing saved by asking


def test_the_verdict_of_another_sites_subject_is_not_given(coordinator_b, consented_subject):
    answer = _client(coordinator_b).post(VERDICT, _post_data(consented_subject)).json()
    assert answer == {"verdict": "Choose the subject to see the verdict.", "eligible": None}
    assert Client().post(VERDICT, _post_data(consented_subject)).status_code == 302  # login
    assert _client(coordinator_b).get(VERDICT).status_code == 405


def test_none_applies_answers_every_exclusion_no_only_when_ticked(coordinator_a, consented_subject):
    client = _client(coordinator_a)
    data = _without_exclusions(_post_data(consented_subject))

    unticked = client.post(ADD, data)
    assert unticked.status_code == 302  # saved, but undecided: the exclusions are unknown
    first = EligibilityAssessment.objects.get()
    assert (first.eligible, first.e1, first.e19) == (None, None, None)
    services.eligibility_assessment_void(
        user=coordinator_a, instance=first, reason="Entered to try the form"
    )

    refused = client.post(ADD, {**data, "no_exclusion_applies": "on", "e7": "true"})
    assert refused.status_code == 200
    assert _errors(refused) == {
        "no_exclusion_applies": ["E7 answered Yes: untick this box or correct the answer."]
    }
    assert EligibilityAssessment.objects.count() == 1

    saved = client.post(ADD, {**data, "no_exclusion_applies": "on"})
    assert saved.status_code == 302
    second = EligibilityAssessment.objects.exclude(pk=first.pk).get()
    assert second.eligible is True
    assert all(getattr(second, code.lower()) is False for code in EXCLUSION_CODES)
