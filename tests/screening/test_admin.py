import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from screening.models import EligibilityAssessment, Subject
from tests.screening.fixtures import ELIGIBLE_INPUTS

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _post_data(subject, **changes):
    data = {"subject": subject.pk, **ELIGIBLE_INPUTS, **changes}
    out = {}
    for key, value in data.items():
        if value is None:
            out[key] = "unknown"
        elif value is True:
            out[key] = "true"
        elif value is False:
            out[key] = "false"
        else:
            out[key] = str(value)
    return out


def _errors(response):
    return {f: list(e) for f, e in response.context["adminform"].form.errors.items()}


def test_a_coordinator_registers_a_subject_in_the_admin(coordinator_a, site_a):
    response = _client(coordinator_a).post(
        "/admin/screening/subject/add/",
        {"site": site_a.pk, "date_of_birth": "1980-05-17", "sex": "F"},
    )
    assert response.status_code == 302
    subject = Subject.objects.get()
    assert (subject.screening_number, subject.status) == ("01-S-001", "screening")
    (create,) = subject.history.all()
    assert create.history_user == coordinator_a


def test_the_site_choice_offers_only_the_users_sites(coordinator_a, site_a, site_b):
    page = _client(coordinator_a).get("/admin/screening/subject/add/")
    choices = [label for _value, label in page.context["adminform"].form.fields["site"].choices]
    assert choices == ["---------", "01 Site A"]


def test_the_assessment_form_computes_the_verdict(coordinator_a, consented_subject):
    client = _client(coordinator_a)
    response = client.post(
        "/admin/screening/eligibilityassessment/add/", _post_data(consented_subject, e7=None)
    )

    assert response.status_code == 302
    assessment = EligibilityAssessment.objects.get()
    assert (assessment.eligible, assessment.criteria["E7"]) == (None, None)
    page = client.get(f"/admin/screening/eligibilityassessment/{assessment.pk}/change/")
    assert b"Not decidable yet: unknown E7" in page.content
    assert b"Acute promyelocytic leukemia (type M3)." in page.content


def test_a_service_error_shows_on_the_assessment_form(coordinator_a, consented_subject):
    response = _client(coordinator_a).post(
        "/admin/screening/eligibilityassessment/add/",
        _post_data(consented_subject, assessment_date="2026-02-01"),
    )
    assert response.status_code == 200
    assert _errors(response) == {
        "assessment_date": ["The assessment date (2026-02-01) is before consent (2026-03-02)."]
    }
    assert EligibilityAssessment.objects.count() == 0
    assert EligibilityAssessment.history.count() == 0


def test_editing_the_assessment_in_the_admin_needs_a_reason_and_recomputes(
    coordinator_a, consented_subject, assess
):
    assessment = assess(consented_subject)
    url = f"/admin/screening/eligibilityassessment/{assessment.pk}/change/"
    client = _client(coordinator_a)

    missing = client.post(url, _post_data(consented_subject, ecog=3))
    assert _errors(missing) == {"change_reason": ["This field is required."]}

    done = client.post(
        url, {**_post_data(consented_subject, ecog=3), "change_reason": "ECOG re-scored"}
    )

    assert done.status_code == 302
    (update, create) = assessment.history.all()
    assert (create.eligible, update.eligible, update.reasons) == (True, False, ["I5"])
    assert (update.history_user, update.history_change_reason) == (coordinator_a, "ECOG re-scored")


def test_the_investigator_confirms_from_the_list(investigator_a, consented_subject, assess):
    assessment = assess(consented_subject)
    response = _client(investigator_a).post(
        "/admin/screening/eligibilityassessment/",
        {"action": "confirm_eligibility", "_selected_action": [assessment.pk]},
    )
    assert response.status_code == 302
    consented_subject.refresh_from_db()
    assert consented_subject.status == "eligible"


def test_a_coordinators_confirmation_is_refused_with_a_message(
    coordinator_a, consented_subject, assess
):
    assessment = assess(consented_subject)
    response = _client(coordinator_a).post(
        "/admin/screening/eligibilityassessment/",
        {"action": "confirm_eligibility", "_selected_action": [assessment.pk]},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [f"{assessment}: Only an investigator of this site can confirm eligibility."]
    assessment.refresh_from_db()
    assert assessment.confirmed_at is None


def test_consent_withdrawal_from_the_admin(coordinator_a, consented_subject):
    record = consented_subject.consents.get()
    action = {"action": "withdraw_consent", "_selected_action": [record.pk]}
    client = _client(coordinator_a)
    assert b"Date consent was withdrawn" in client.post("/admin/screening/consent/", action).content

    client.post(
        "/admin/screening/consent/",
        {**action, "post": "yes", "withdrawn_date": "2026-03-05", "reason": "Moved"},
    )

    consented_subject.refresh_from_db()
    record.refresh_from_db()
    assert (consented_subject.status, record.withdrawal_reason) == ("withdrawn", "Moved")


def test_the_screening_log_page(monitor_a, consented_subject, assess, investigator_a):
    from screening.services import eligibility_confirm

    eligibility_confirm(user=investigator_a, assessment=assess(consented_subject, e1=True))
    page = _client(monitor_a).get("/admin/screening/subject/screening-log/")
    assert page.status_code == 200
    assert page.context["log"]["overall"]["screen_failed_by_criterion"] == {"E1": 1}
    assert b"Acute promyelocytic leukemia" in page.content


def test_another_sites_subject_is_not_in_the_admin(coordinator_b, register):
    subject = register()
    client = _client(coordinator_b)
    assert list(client.get("/admin/screening/subject/").context["cl"].result_list) == []
    assert client.get(f"/admin/screening/subject/{subject.pk}/change/").status_code == 302


@pytest.mark.parametrize("model", ["subject", "consent", "eligibilityassessment"])
def test_every_screening_admin_page_renders(
    model, consented_subject, assess, django_assert_max_num_queries
):
    root = get_user_model().objects.create(username="root", is_superuser=True, is_staff=True)
    client = _client(root)
    assessment = assess(consented_subject)
    obj = {
        "subject": consented_subject,
        "consent": consented_subject.consents.get(),
        "eligibilityassessment": assessment,
    }[model]
    for url in (
        f"/admin/screening/{model}/",
        f"/admin/screening/{model}/add/",
        f"/admin/screening/{model}/{obj.pk}/change/",
        f"/admin/screening/{model}/{obj.pk}/history/",
    ):
        assert client.get(url).status_code == 200, url


def test_correcting_a_subject_in_the_admin_keeps_its_records(
    coordinator_a, consented_subject, assess
):
    assess(consented_subject)
    url = f"/admin/screening/subject/{consented_subject.pk}/change/"
    client = _client(coordinator_a)
    page = client.get(url)
    management = {}
    for formset in page.context["inline_admin_formsets"]:
        form = formset.formset.management_form
        management.update({f"{form.prefix}-{name}": form[name].value() for name in form.fields})

    response = client.post(
        url,
        {"date_of_birth": "1981-05-17", "sex": "F", "change_reason": "Wrong year", **management},
    )

    assert response.status_code == 302
    consented_subject.refresh_from_db()
    assert (consented_subject.date_of_birth.year, consented_subject.consents.count()) == (1981, 1)
    (update, _create) = consented_subject.history.all()
    assert update.history_change_reason == "Wrong year"
