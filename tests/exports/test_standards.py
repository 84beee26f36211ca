"""SDTM-shaped datasets and CDISC ODM, read back by external libraries."""

import csv
import io
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from odmlib.odm_parser import ODMSchemaValidator

from exports import sdtm
from exports.sdtm_spec import DOMAINS as SPEC
from safety.services import ae_save, lab_result_record

pytestmark = [pytest.mark.django_db, pytest.mark.slow(9)]


@pytest.fixture
def data(infused, coordinator_a, investigator_a, schedule, register, consent, assess, clock):
    """One infused subject with a record in every SDTM domain, and one screen failure (IE)."""
    from followup.services import deviation_record, response_assessment_record, visit_record
    from safety.services import conmed_save
    from screening.services import eligibility_confirm, medical_history_save

    failed = register()
    consent(failed)
    eligibility_confirm(user=investigator_a, assessment=assess(failed, ecog=3))
    clock.days(30)
    medical_history_save(
        user=coordinator_a,
        data={
            "subject": infused,
            "diagnosis_date": date(2025, 1, 1),
            "classification_system": "who_2022",
            "classification": "AML with NPM1 mutation",
            "eln_risk": "favorable",
            "disease_status": "relapsed",
        },
    )
    conmed_save(
        user=coordinator_a,
        data={
            "subject": infused,
            "name": "Tocilizumab",
            "category": "tocilizumab",
            "indication": "CRS",
            "route": "iv",
            "start_date": date(2026, 4, 2),
        },
    )
    visit_record(
        user=coordinator_a,
        data={"subject": infused, "definition": schedule["D7"], "actual_date": date(2026, 4, 8)},
    )
    response_assessment_record(
        user=coordinator_a,
        data={
            "subject": infused,
            "assessment_date": date(2026, 4, 29),
            "marrow_assessment_date": date(2026, 4, 29),
            "marrow_blasts_pct": Decimal("2"),
            "baseline_marrow_blasts_pct": Decimal("40"),
            "circulating_blasts": False,
            "auer_rods": False,
            "extramedullary_disease": False,
            "baseline_extramedullary_disease": False,
            "anc": Decimal("1.5"),
            "platelets": Decimal("120"),
            "investigator_response": "CR",
        },
    )
    ae_save(
        user=coordinator_a,
        data={
            "subject": infused,
            "term": "Hypoxia",
            "onset_date": date(2026, 4, 2),
            "grade": 3,
            "relation_car_nk": "possible",
        },
    )
    lab_result_record(
        user=coordinator_a,
        data={
            "subject": infused,
            "collected_on": date(2026, 4, 2),
            "test": "hemoglobin",
            "value": Decimal("8.5"),
            "unit": "g/dL",
            "lln": Decimal("12"),
        },
    )
    deviation_record(
        user=coordinator_a,
        data={
            "subject": infused,
            "category": "procedure",
            "deviation_date": date(2026, 4, 3),
            "description": "Day 2 ICE score not done",
            "severity": "minor",
        },
    )
    return infused


def _csv(response):
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_sdtm_domains_follow_the_ig_names(api, data, monitor_a):
    client = api(monitor_a)
    dm = {r["SUBJID"]: r for r in _csv(client.get("/api/v1/exports/sdtm/dm"))}[
        data.screening_number
    ]
    usubjid = f"NCT05734898-{data.screening_number}"
    assert (dm["STUDYID"], dm["DOMAIN"], dm["USUBJID"], dm["ARMCD"], dm["RFSTDTC"]) == (
        "NCT05734898",
        "DM",
        usubjid,
        "DL1",
        "2026-04-01T09:00",  # the precision of EXSTDTC
    )
    (ae,) = _csv(client.get("/api/v1/exports/sdtm/ae"))
    assert (
        ae["AESEQ"],
        ae["AEDECOD"],
        ae["AETOXGR"],
        ae["AESTDTC"],
        ae["AESTDY"],
        ae["AEREL"],
    ) == ("1", "Hypoxia", "3", "2026-04-02", "2", "POSSIBLE")  # SDTMIG: infusion day is 1
    assert (ae["AEBODSYS"], ae["AELLTCD"]) == (
        "Respiratory, thoracic and mediastinal disorders",
        "10021143",
    )
    (lb,) = _csv(client.get("/api/v1/exports/sdtm/lb"))
    assert (
        lb["LBTESTCD"],
        lb["LBORRES"],
        lb["LBORRESU"],
        lb["LBSTRESN"],
        lb["LBSTRESU"],
        lb["LBTOXGR"],
    ) == ("HGB", "8.5", "g/dL", "85.0", "g/L", "2")
    (ex,) = _csv(client.get("/api/v1/exports/sdtm/ex"))
    assert (ex["EXTRT"], ex["EXDOSE"], ex["EXSTDY"]) == ("NKG2D CAR-NK CELLS", "2.0", "1")
    ds = _csv(client.get("/api/v1/exports/sdtm/ds"))
    assert [(r["DSDECOD"], r["DSCAT"]) for r in ds] == [
        ("INFORMED CONSENT OBTAINED", "PROTOCOL MILESTONE"),
        ("INFORMED CONSENT OBTAINED", "PROTOCOL MILESTONE"),
        ("SCREEN FAILURE", "DISPOSITION EVENT"),
    ]
    (ie,) = _csv(client.get("/api/v1/exports/sdtm/ie"))
    assert (ie["IETESTCD"], ie["IECAT"], ie["IEORRES"]) == ("I5", "INCLUSION", "N")
    dv = _csv(client.get("/api/v1/exports/sdtm/dv"))
    assert [
        (r["DVSEQ"], r["DVTERM"], r["DVDECOD"], r["DVCAT"], r["DVSCAT"], r["DVSTDTC"], r["DVSTDY"])
        for r in dv
    ] == [("1", "Day 2 ICE score not done", "", "PROCEDURE", "MINOR", "2026-04-03", "3")]

    rs = _csv(client.get("/api/v1/exports/sdtm/rs"))
    assert [(r["RSEVAL"], r["RSORRES"], r["RSDY"]) for r in rs] == [
        ("INVESTIGATOR", "CR", "29"),
        ("ALGORITHM (ELN 2022)", "CR", "29"),
    ]


@pytest.mark.parametrize("domain", sdtm.DOMAINS)
def test_every_domain_is_written_as_xpt_v5_and_read_back(api, data, monitor_a, domain):
    response = api(monitor_a).get(f"/api/v1/exports/sdtm/{domain.lower()}?format=xpt")
    assert response.status_code == 200
    assert response.streaming  # written as it goes, not built in memory
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{domain.lower()}.xpt"
        path.write_bytes(b"".join(response.streaming_content))
        frame, meta = pyreadstat.read_xport(str(path))
        # pandas cannot read a dataset without rows (StopIteration): pyreadstat can
        other = pd.read_sas(str(path), format="xport", encoding="utf-8") if len(frame) else frame
    assert meta.table_name == domain
    assert list(frame.columns) == list(other.columns) == SPEC[domain].names
    assert meta.file_label == SPEC[domain].label
    assert [meta.column_names_to_labels[v.name] for v in SPEC[domain].variables] == [
        v.label for v in SPEC[domain].variables
    ]
    assert len(frame) == len(other)
    if "DOMAIN" in frame.columns:
        assert set(frame["DOMAIN"]) <= {domain}
    assert set(frame["STUDYID"]) <= {"NCT05734898"}

    # the same values as the domain's CSV, cell by cell
    response = api(monitor_a).get(f"/api/v1/exports/sdtm/{domain.lower()}")
    text = b"".join(response.streaming_content).decode()
    assert text.splitlines()[0].split(",") == SPEC[domain].names  # also when empty
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(frame)
    for index, row in enumerate(rows):
        for column, text in row.items():
            value = frame.at[index, column]
            if meta.readstat_variable_types[column] == "double":
                assert (text == "" and pd.isna(value)) or float(text) == value, (column, text)
            else:
                assert value == text, (index, column)


def test_the_odm_export_validates_against_the_odm_1_3_2_schema(api, data, monitor_a):
    validator = ODMSchemaValidator(standard="odm", version="1.3.2")
    for query in ("", "?audit=true"):
        response = api(monitor_a).get(f"/api/v1/exports/odm.xml{query}")
        assert response.status_code == 200
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "odm.xml"
            body = b"".join(response.streaming_content)
            path.write_bytes(body)
            validator.validate_file(str(path))  # raises when the file does not validate
        body = body.decode()
        assert f'SubjectKey="{data.screening_number}"' in body
        assert 'ItemOID="IT.ADVERSE_EVENTS.TERM" Value="Hypoxia"' in body
        assert ("<AuditRecord>" in body) == (query == "?audit=true")


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/exports/sdtm/xx", 404),
        ("/api/v1/exports/sdtm/ae?format=sas7bdat", 400),
        ("/api/v1/exports/odm.xml?audit=maybe", 400),
        ("/api/v1/exports/odm.xml?study=NCT00000000", 404),
    ],
)
def test_bad_standard_export_requests(api, monitor_a, study, url, status):
    assert api(monitor_a).get(url).status_code == status


def test_the_export_command_writes_sdtm_xpt_and_odm(tmp_path, data):
    from django.core.management import call_command

    for fmt in ("sdtm", "xpt", "odm"):
        call_command("export", "--format", fmt, "--out", str(tmp_path / fmt))
    assert sorted(p.name for p in (tmp_path / "xpt").iterdir()) == sorted(
        [f"{d.lower()}.xpt" for d in sdtm.DOMAINS] + ["define.xml"]
    )
    assert (tmp_path / "sdtm" / "dm.csv").read_text().startswith("STUDYID,DOMAIN,USUBJID,SUBJID")
    assert (tmp_path / "odm" / "odm.xml").read_bytes().startswith(b"<?xml")
