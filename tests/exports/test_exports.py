import csv
import hashlib
import io
import json
import zipfile
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.management import call_command

from exports.datasets import DATASETS
from exports.dictionary import entries
from exports.sdtm_spec import DOMAINS as SDTM
from safety.models import LabResult
from safety.services import lab_result_record

pytestmark = pytest.mark.django_db


def _csv(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_every_column_is_in_the_dictionary_and_back():
    dictionary = {(e["dataset"], e["variable"]) for e in entries()}
    columns = {(name, column) for name, dataset in DATASETS.items() for column in dataset.columns()}
    sdtm_columns = {
        (f"sdtm/{code.lower()}", variable.name)
        for code, domain in SDTM.items()
        for variable in domain.variables
    }
    assert columns | sdtm_columns == dictionary
    labels = {(e["dataset"], e["variable"]): e for e in entries()}
    assert labels[("crs", "grade")]["derived_from"] == "safety.rules.crs_grade"
    assert labels[("labs", "test")]["allowed_values"].startswith("alt=ALT|ast=AST")
    assert (
        labels[("eligibility", "criterion_E1")]["label"]
        == "E1: Acute promyelocytic leukemia (type M3)."
    )
    assert labels[("crs", "max_temp_c")]["units"] == "C"


def test_a_dataset_round_trips(api, infused, coordinator_a, monitor_a, clock):
    lab = lab_result_record(
        user=coordinator_a,
        data={
            "subject": infused,
            "collected_on": date(2026, 4, 1),
            "test": "alt",
            "value": Decimal("121"),
            "unit": "U/L",
            "uln": Decimal("40"),
        },
    )
    (row,) = _csv(api(monitor_a).get("/api/v1/exports/labs.csv"))
    assert row["id"] == str(lab.pk) and row["subject_id"] == str(infused.pk)
    assert (row["value"], row["uln"], row["ctcae_grade"], row["collected_on"]) == (
        "121.000",
        "40.000",
        "2",
        "2026-04-01",
    )
    assert (row["is_voided"], row["lln"]) == ("false", "")
    stored = LabResult.objects.get()
    assert (
        Decimal(row["value"]) == stored.value
        and datetime.fromisoformat(row["created_at"]) == stored.created_at
    )


def test_eligibility_carries_every_criterion(api, consented_subject, assess, monitor_a):
    assess(consented_subject, e1=True)
    (row,) = _csv(api(monitor_a).get("/api/v1/exports/eligibility.csv"))
    assert (row["eligible"], row["criterion_E1"], row["criterion_I1"], row["failing_criteria"]) == (
        "false",
        "true",
        "true",
        "E1",
    )


def test_site_users_export_only_their_sites_and_site_staff_not_at_all(
    api, register, coordinator_b, site_b, monitor_a, coordinator_a
):
    mine = register()
    register(site=site_b, user=coordinator_b)
    rows = _csv(api(monitor_a).get("/api/v1/exports/subjects.csv"))
    assert [r["screening_number"] for r in rows] == [mine.screening_number]
    assert api(coordinator_a).get("/api/v1/exports/subjects.csv").status_code == 403
    assert api(None).get("/api/v1/exports/subjects.csv").status_code == 401


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/exports/nothing.csv", 404),
        ("/api/v1/exports/dictionary.xml", 404),
        ("/api/v1/exports/labs.csv?cut=yesterday", 400),
        ("/api/v1/exports/labs.csv?cut=2026-01-01T00:00:00", 400),
        ("/api/v1/exports/datacut.zip?cut=2999-01-01T00:00:00Z", 400),
        # found by the schema fuzzer: a ZIP cannot date its entries before 1980 (was a 500)
        ("/api/v1/exports/datacut.zip?cut=1979-12-31T23:59:59Z", 400),
        ("/api/v1/exports/labs.csv?cut=", 400),
    ],
)
def test_bad_export_requests(api, monitor_a, url, status):
    assert api(monitor_a).get(url).status_code == status


def test_the_earliest_data_cut_is_1980(api, monitor_a):
    response = api(monitor_a).get("/api/v1/exports/datacut.zip?cut=1979-12-31T23:59:59Z")
    assert response.json() == {"cut": ["A data cut cannot be earlier than 1980-01-01."]}
    assert (
        api(monitor_a).get("/api/v1/exports/datacut.zip?cut=1980-01-01T00:00:00Z").status_code
        == 200
    )


def test_a_cut_reads_the_data_as_they_were(
    api, infused, coordinator_a, monitor_a, clock, time_machine
):
    lab = lab_result_record(
        user=coordinator_a,
        data={
            "subject": infused,
            "collected_on": date(2026, 4, 1),
            "test": "alt",
            "value": Decimal("50"),
            "unit": "U/L",
            "uln": Decimal("40"),
        },
    )
    clock.days(1)
    lab_result_record(
        user=coordinator_a, instance=lab, data={"value": Decimal("130")}, reason="typo"
    )
    before = "2026-04-01T12:00:00Z"
    (old,) = _csv(api(monitor_a).get(f"/api/v1/exports/labs.csv?cut={before}"))
    (now,) = _csv(api(monitor_a).get("/api/v1/exports/labs.csv"))
    assert (old["value"], old["ctcae_grade"], now["value"], now["ctcae_grade"]) == (
        "50.000",
        "1",
        "130.000",
        "2",
    )


def test_the_same_cut_gives_the_same_bytes_with_a_true_manifest(
    api, infused, coordinator_a, monitor_a, clock
):
    lab_result_record(
        user=coordinator_a,
        data={
            "subject": infused,
            "collected_on": date(2026, 4, 1),
            "test": "alt",
            "value": Decimal("50"),
            "unit": "U/L",
            "uln": Decimal("40"),
        },
    )
    clock.days(1)
    url = "/api/v1/exports/datacut.zip?cut=2026-04-01T12:00:00Z"
    first, second = (b"".join(api(monitor_a).get(url).streaming_content) for _ in range(2))
    assert first == second
    archive = zipfile.ZipFile(io.BytesIO(first))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["cut"] == "2026-04-01T12:00:00+00:00"
    rows_of = {}
    for entry in manifest["files"]:
        payload = archive.read(entry["file"])
        assert hashlib.sha256(payload).hexdigest() == entry["sha256"]
        if entry["file"].endswith(".csv"):
            assert payload.decode().count("\n") - 1 == entry["rows"]
        elif entry["file"].endswith(".xpt"):  # as many rows as the domain's CSV
            assert entry["rows"] == rows_of[entry["file"].replace(".xpt", ".csv")]
        elif entry["file"] == "odm.xml":  # the ODM file counts its subjects
            assert payload.decode().count("<SubjectData ") == entry["rows"]
        rows_of[entry["file"]] = entry["rows"]
    rows = {e["file"]: e["rows"] for e in manifest["files"]}
    assert {
        "sdtm/dm.csv",
        "sdtm/lb.csv",
        "sdtm/lb.xpt",
        "sdtm/define.xml",
        "sdtm/findings.csv",
        "audit_trail.csv",
        "odm.xml",
        "data_dictionary.csv",
    } <= set(rows)
    assert (rows["sdtm/lb.csv"], rows["sdtm/dm.csv"], rows["odm.xml"]) == (1, 1, 1)
    assert (rows["labs.csv"], rows["subjects.csv"], rows["enrollments.csv"]) == (1, 1, 1)


def test_export_query_count_does_not_grow_with_subjects(
    api, eligible, monitor_a, django_assert_max_num_queries
):
    client = api(monitor_a)
    eligible()
    with django_assert_max_num_queries(8):
        assert len(_csv(client.get("/api/v1/exports/consents.csv"))) == 1
    for _ in range(5):
        eligible()
    with django_assert_max_num_queries(8):
        assert len(_csv(client.get("/api/v1/exports/consents.csv"))) == 6


def test_the_export_command_writes_every_dataset(tmp_path, infused, clock):
    call_command("export", "--out", str(tmp_path))
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted([f"{name}.csv" for name in DATASETS] + ["data_dictionary.csv"])
    subjects = list(csv.DictReader((tmp_path / "subjects.csv").open()))
    assert [s["screening_number"] for s in subjects] == [infused.screening_number]
    call_command(
        "export", "--format", "zip", "--out", str(tmp_path), "--cut", "2026-04-01T08:00:00Z"
    )
    assert (tmp_path / "datacut-20260401T080000Z.zip").exists()


def test_the_data_cut_builds_sdtm_and_odm_as_of_the_cut(
    api, infused, coordinator_a, monitor_a, clock, tmp_path
):
    from odmlib.odm_parser import ODMSchemaValidator

    lab = lab_result_record(
        user=coordinator_a,
        data={
            "subject": infused,
            "collected_on": date(2026, 4, 1),
            "test": "alt",
            "value": Decimal("50"),
            "unit": "U/L",
            "uln": Decimal("40"),
        },
    )
    clock.days(1)
    lab_result_record(
        user=coordinator_a, instance=lab, data={"value": Decimal("130")}, reason="typo"
    )
    archive = zipfile.ZipFile(
        io.BytesIO(
            b"".join(
                api(monitor_a)
                .get("/api/v1/exports/datacut.zip?cut=2026-04-01T12:00:00Z")
                .streaming_content
            )
        )
    )
    (lb,) = csv.DictReader(io.StringIO(archive.read("sdtm/lb.csv").decode()))
    assert (lb["LBORRES"], lb["LBTOXGR"]) == ("50", "1")
    odm = archive.read("odm.xml")
    assert b'ItemOID="IT.LABS.VALUE" Value="50.000"' in odm
    (tmp_path / "odm.xml").write_bytes(odm)
    ODMSchemaValidator(standard="odm", version="1.3.2").validate_file(str(tmp_path / "odm.xml"))


@pytest.mark.parametrize(
    ("url", "accept"),
    [
        ("/api/v1/exports/subjects.csv", "text/csv"),
        ("/api/v1/exports/dictionary.csv", "text/csv"),
        ("/api/v1/exports/sdtm/dm", "text/csv"),
        ("/api/v1/exports/odm.xml", "application/xml"),
        ("/api/v1/exports/datacut.zip", "application/zip"),
    ],
)
def test_a_client_may_ask_for_the_files_media_type(api, monitor_a, url, accept):
    response = api(monitor_a).get(url, HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(accept)


def test_an_error_asked_for_as_csv_still_comes_as_json(api, monitor_a):
    response = api(monitor_a).get("/api/v1/exports/nothing.csv", HTTP_ACCEPT="text/csv")
    assert (response.status_code, response["Content-Type"]) == (404, "application/json")
    assert response.json() == {"detail": "No such dataset."}
