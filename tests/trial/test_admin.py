import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from trial.models import DoseLevel, Site

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _form(level, **changes):
    data = {
        "study": level.study_id,
        "number": level.number,
        "label": level.label,
        "cells_per_kg_million": str(level.cells_per_kg_million),
        "schedule": level.schedule,
        "is_placeholder": "on" if level.is_placeholder else "",
        **changes,
    }
    return {k: v for k, v in data.items() if v != ""}


def _errors(response):
    form = response.context["adminform"].form
    return {field: list(errors) for field, errors in form.errors.items()}


def test_editing_without_a_reason_shows_the_error_on_the_form(data_manager_a, dose_levels):
    level = dose_levels[0]
    url = f"/admin/trial/doselevel/{level.pk}/change/"

    response = _client(data_manager_a).post(url, _form(level, label="2 M/kg"))

    assert response.status_code == 200
    assert _errors(response) == {"change_reason": ["This field is required."]}
    level.refresh_from_db()
    assert (level.label, level.history.count()) == ("level 1", 1)


def test_editing_with_a_reason_saves_through_the_service(data_manager_a, dose_levels):
    level = dose_levels[0]
    url = f"/admin/trial/doselevel/{level.pk}/change/"

    response = _client(data_manager_a).post(
        url, _form(level, label="2 M/kg", change_reason="Label per protocol v2")
    )

    assert response.status_code == 302
    (update, create) = level.history.all()
    assert (update.label, update.history_user, update.history_change_reason) == (
        "2 M/kg",
        data_manager_a,
        "Label per protocol v2",
    )
    assert (create.label, update.version) == ("level 1", 2)


def test_a_service_rule_shows_on_the_add_form_and_writes_nothing(
    data_manager_a, study, dose_levels
):
    new = DoseLevel(study=study, number=6, label="L6", cells_per_kg_million=60)

    response = _client(data_manager_a).post("/admin/trial/doselevel/add/", _form(new))

    assert response.status_code == 200
    assert _errors(response) == {
        "number": ["Dose levels are numbered 1..K without gaps: the next is 4."]
    }
    assert DoseLevel.objects.count() == 3
    assert DoseLevel.history.count() == 3


def test_adding_a_dose_level_in_the_admin_writes_one_history_row(
    data_manager_a, study, dose_levels
):
    new = DoseLevel(study=study, number=4, label="L4", cells_per_kg_million=54)

    response = _client(data_manager_a).post("/admin/trial/doselevel/add/", _form(new))

    assert response.status_code == 302
    level = DoseLevel.objects.get(number=4)
    (create,) = level.history.all()
    assert (create.history_user, create.label, create.version) == (data_manager_a, "L4", 1)


def test_nobody_can_delete_in_the_admin(dose_levels):
    root = get_user_model().objects.create(username="root", is_superuser=True, is_staff=True)
    client = _client(root)
    level = dose_levels[0]

    assert client.get(f"/admin/trial/doselevel/{level.pk}/delete/").status_code == 403
    assert (
        client.post(f"/admin/trial/doselevel/{level.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    changelist = client.get("/admin/trial/doselevel/")
    assert (
        "delete_selected"
        not in changelist.context["action_form"].fields["action"].choices.__repr__()
    )
    assert DoseLevel.objects.count() == 3


def test_a_monitor_reads_but_cannot_change(monitor_a, dose_levels):
    level = dose_levels[0]
    client = _client(monitor_a)
    url = f"/admin/trial/doselevel/{level.pk}/change/"

    page = client.get(url)
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert client.post(url, _form(level, label="x", change_reason="y")).status_code == 403
    assert client.get(f"/admin/trial/doselevel/{level.pk}/history/").status_code == 200
    level.refresh_from_db()
    assert level.label == "level 1"


def test_voiding_in_the_admin_asks_for_a_reason(data_manager_a, dose_levels):
    level = dose_levels[2]
    client = _client(data_manager_a)
    action = {"action": "void_selected", "_selected_action": [level.pk]}

    confirm = client.post("/admin/trial/doselevel/", action)
    assert confirm.status_code == 200
    assert b"Reason for voiding" in confirm.content
    empty = client.post("/admin/trial/doselevel/", {**action, "post": "yes", "reason": ""})
    assert empty.status_code == 200
    level.refresh_from_db()
    assert level.is_voided is False

    done = client.post(
        "/admin/trial/doselevel/", {**action, "post": "yes", "reason": "Dropped by sponsor"}
    )

    assert done.status_code == 302
    level.refresh_from_db()
    assert (level.is_voided, level.void_reason) == (True, "Dropped by sponsor")
    (void, _create) = level.history.all()
    assert (void.history_user, void.history_change_reason) == (
        data_manager_a,
        "Voided: Dropped by sponsor",
    )


def test_a_coordinator_sees_only_their_sites_in_the_admin(coordinator_a, site_a, site_b):
    client = _client(coordinator_a)
    listing = client.get("/admin/trial/site/")
    assert [s.code for s in listing.context["cl"].result_list] == ["01"]
    other = client.get(f"/admin/trial/site/{site_b.pk}/change/")
    assert other.status_code == 302  # the admin's "does not exist" redirect
    assert Site.objects.count() == 2


@pytest.mark.parametrize("model", ["study", "site", "siterole", "doselevel", "user"])
def test_every_admin_page_renders_for_a_superuser(model, site_a, dose_levels, coordinator_a):
    root = get_user_model().objects.create(username="root", is_superuser=True, is_staff=True)
    client = _client(root)
    obj = {
        "study": site_a.study,
        "site": site_a,
        "siterole": coordinator_a.site_roles.get(),
        "doselevel": dose_levels[0],
        "user": coordinator_a,
    }[model]
    for url in (
        f"/admin/trial/{model}/",
        f"/admin/trial/{model}/add/",
        f"/admin/trial/{model}/{obj.pk}/change/",
        f"/admin/trial/{model}/{obj.pk}/history/",
    ):
        assert client.get(url).status_code == 200, url
