"""Tamper evidence and the audit trail."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from safety.models import AeGrade
from safety.services import ae_save
from trial import services as trial_services
from trial.audit import history_models, verify_chain
from trial.models import DoseLevel

pytestmark = pytest.mark.django_db


def _verify():
    out, err = StringIO(), StringIO()
    call_command("verify_audit", stdout=out, stderr=err)
    return out.getvalue()


def test_every_history_row_is_chained_and_verified(dose_levels, data_manager_a):
    level = dose_levels[0]
    trial_services.dose_level_save(
        user=data_manager_a, instance=level, data={"label": "2 M/kg"}, reason="relabel"
    )
    (update, create) = level.history.all()
    assert len(create.row_hash) == len(update.row_hash) == 64
    assert update.row_hash != create.row_hash
    assert verify_chain(DoseLevel.history.model) == (4, None)
    assert "audit trail intact" in _verify()


def test_a_history_row_altered_behind_the_applications_back_is_caught(dose_levels, data_manager_a):
    trial_services.dose_level_save(
        user=data_manager_a, instance=dose_levels[0], data={"label": "x"}, reason="r"
    )
    table = DoseLevel.history.model._meta.db_table
    victim = DoseLevel.history.filter(history_type="~").get()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f'DROP TRIGGER edc_append_only_rows ON "{table}"'
            )  # undone with the test's transaction
        cursor.execute(
            f'UPDATE "{table}" SET history_change_reason = %s WHERE history_id = %s',
            ["nothing to see", victim.history_id],
        )
    with pytest.raises(CommandError) as excinfo:
        _verify()
    assert str(excinfo.value) == f"audit trail altered: {table}: history_id {victim.history_id}"


def test_history_tables_refuse_update_delete_and_truncate_on_postgresql(dose_levels):
    if connection.vendor != "postgresql":
        pytest.skip("append-only triggers are PostgreSQL's; SQLite relies on the hash chain")
    table = DoseLevel.history.model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('edc.audit_maintenance', 'off', true)")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses pending deferred checks
    for statement in (
        f"UPDATE \"{table}\" SET label = 'x'",
        f'DELETE FROM "{table}"',
        f'TRUNCATE "{table}"',
    ):
        with (
            pytest.raises(DatabaseError, match="audit history is append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    assert DoseLevel.history.count() == 3


def test_every_history_table_is_chained():
    assert all(
        hasattr(model, "row_hash") and hasattr(model, "audit_subject_id")
        for model in history_models()
    )
    assert len(history_models()) >= 30


def test_history_rows_know_their_subject_through_parents(infused, coordinator_a, clock):
    from datetime import date

    clock.days(3)
    ae = ae_save(
        user=coordinator_a,
        data={"subject": infused, "term": "Hypoxia", "onset_date": date(2026, 4, 2), "grade": 2},
    )
    (episode,) = AeGrade.history.all()
    assert episode.audit_subject_id == infused.pk
    assert ae.history.get().audit_subject_id == infused.pk
    evaluation_history = infused.enrollment.dlt_evaluation.history.first()
    assert evaluation_history.audit_subject_id == infused.pk


def test_the_audit_endpoint_shows_every_change_with_field_diffs(
    api, dose_levels, data_manager_a, monitor_a
):
    trial_services.dose_level_save(
        user=data_manager_a,
        instance=dose_levels[0],
        data={"cells_per_kg_million": Decimal("2.5")},
        reason="Protocol amendment 2",
    )
    page = api(monitor_a).get("/api/v1/audit/?model=trial.doselevel").json()
    newest = page["results"][0]
    assert (newest["model"], newest["record_id"], newest["change_type"]) == (
        "trial.doselevel",
        dose_levels[0].pk,
        "changed",
    )
    assert (newest["user"], newest["reason"]) == ("dm_a", "Protocol amendment 2")
    assert {"field": "cells_per_kg_million", "old": "2.000", "new": "2.500"} in newest["changes"]
    assert [r["change_type"] for r in page["results"]] == [
        "changed",
        "created",
        "created",
        "created",
    ]


def test_the_audit_endpoint_pages_by_keyset_without_gaps(api, dose_levels, data_manager_a):
    for i in range(7):
        trial_services.dose_level_save(
            user=data_manager_a,
            instance=dose_levels[i % 3],
            data={"label": f"label {i}"},
            reason=f"edit {i}",
        )
    client = api(data_manager_a)
    seen, url = [], "/api/v1/audit/?model=trial.doselevel&page_size=4"
    while url:
        page = client.get(url).json()
        seen += [(r["model"], r["history_id"]) for r in page["results"]]
        url = (
            f"/api/v1/audit/?model=trial.doselevel&page_size=4&cursor={page['next']}"
            if page["next"]
            else None
        )
    assert len(seen) == len(set(seen)) == 10
    assert [h for _m, h in seen] == sorted((h for _m, h in seen), reverse=True)


def test_the_audit_endpoint_filters_by_subject_and_user_and_hides_other_sites(
    api, register, coordinator_a, coordinator_b, site_b, monitor_a
):
    mine = register()
    register(site=site_b, user=coordinator_b)
    rows = api(monitor_a).get(f"/api/v1/audit/?subject={mine.pk}").json()["results"]
    assert {(r["model"], r["user"]) for r in rows} == {("screening.subject", "coord_a")}
    everything = api(monitor_a).get("/api/v1/audit/?model=screening.subject").json()["results"]
    assert [r["subject"] for r in everything] == [mine.pk]  # site B's subject is not shown
    assert api(monitor_a).get("/api/v1/audit/?user=coord_b").json()["results"] == []
    assert api(None).get("/api/v1/audit/").status_code == 401


@pytest.mark.parametrize(
    "query", ["subject=abc", "since=yesterday", "model=nope.nothing", "cursor=zz", "page_size=0"]
)
def test_bad_audit_filters_are_400(api, monitor_a, query):
    response = api(monitor_a).get(f"/api/v1/audit/?{query}")
    assert response.status_code == 400
    assert list(response.json()) == [query.split("=")[0]]


def test_the_audit_page_costs_a_bounded_number_of_queries_whatever_the_rows(
    api, dose_levels, data_manager_a, monitor_a, django_assert_max_num_queries
):
    # one index range scan per history table, plus one look-up of earlier versions per record
    # type on the page, plus authentication: independent of how many rows the tables hold
    bound = 2 * len(history_models()) + 6
    client = api(monitor_a)
    with django_assert_max_num_queries(bound):
        client.get("/api/v1/audit/?page_size=20")
    for i in range(60):
        trial_services.dose_level_save(
            user=data_manager_a, instance=dose_levels[i % 3], data={"label": f"l{i}"}, reason="r"
        )
    with django_assert_max_num_queries(bound):
        page = client.get("/api/v1/audit/?page_size=20").json()
    assert len(page["results"]) == 20 and page["next"]


def test_the_acting_user_is_never_taken_from_the_client(api, study, data_manager_a, coordinator_a):
    response = api(data_manager_a).post(
        "/api/v1/dose-levels/",
        {
            "study": study.pk,
            "number": 1,
            "label": "L1",
            "cells_per_kg_million": "2",
            "history_user": coordinator_a.pk,
            "created_at": "2000-01-01T00:00:00Z",
            "version": 9,
        },
    )
    assert response.status_code == 201
    level = DoseLevel.objects.get()
    (create,) = level.history.all()
    assert (create.history_user, level.version) == (data_manager_a, 1)
    assert level.created_at.year >= 2026
