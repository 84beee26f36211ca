"""The parts of the SDTM/ODM package around the datasets: study days and text splitting (pure),
data cuts honoured by every format, ODM with every version, the audit trail export, MedDRA
coding by a data manager, the data dictionary's one text."""

import csv
import io
import os
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from exports.datacut import datacut_zip
from exports.sdtm import split_text, study_day
from safety.models import AdverseEvent
from safety.services import ae_code, ae_save, lab_result_record
from trial.models import SiteRole

ODM = "{http://www.cdisc.org/ns/odm/v1.3}"


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 3, 30), -2),
        (date(2026, 3, 31), -1),  # the day before RFSTDTC
        (date(2026, 4, 1), 1),  # RFSTDTC itself: day 1, there is no day 0
        (date(2026, 4, 2), 2),
        (date(2026, 4, 29), 29),  # the protocol's day 28
        (None, None),
    ],
)
def test_study_days_have_no_day_zero(day, expected):
    assert study_day(day, date(2026, 4, 1)) == expected
    assert study_day(date(2026, 4, 1), None) is None


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ("a" * 200, 1),  # exactly 200 bytes: kept whole
        ("a" * 201, 2),
        ("word " * 80, 3),  # 400 characters, broken between words (each space starts a piece)
        ("é" * 150, 2),  # 300 bytes: never cut inside a character
        ("", 1),
    ],
)
def test_text_over_200_bytes_is_split_and_joins_back(text, pieces):
    parts = split_text(text)
    assert len(parts) == pieces
    assert "".join(parts) == text
    assert all(len(p.encode()) <= 200 for p in parts)
    if text.startswith("word"):  # broken before a space: SAS would drop a trailing one
        assert parts[0].endswith("word") and parts[1].startswith(" ")


def _csv(response):
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.fixture
def lab_changed(infused, coordinator_a, clock):
    """A lab value entered on day 1 (ALT 50 U/L) and corrected the next day (130)."""
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
    return lab_result_record(
        user=coordinator_a, instance=lab, data={"value": Decimal("130")}, reason="typo"
    )


CUT = "2026-04-01T12:00:00Z"


@pytest.mark.django_db
def test_sdtm_csv_xpt_and_odm_honour_the_cut(api, lab_changed, monitor_a, tmp_path):
    import pyreadstat

    client = api(monitor_a)
    (now,) = _csv(client.get("/api/v1/exports/sdtm/lb"))
    (then,) = _csv(client.get(f"/api/v1/exports/sdtm/lb?cut={CUT}"))
    assert (now["LBORRES"], then["LBORRES"]) == ("130", "50")
    path = tmp_path / "lb.xpt"
    path.write_bytes(
        b"".join(client.get(f"/api/v1/exports/sdtm/lb?format=xpt&cut={CUT}").streaming_content)
    )
    frame, _meta = pyreadstat.read_xport(str(path))
    assert list(frame["LBORRES"]) == ["50"]
    odm = b"".join(client.get(f"/api/v1/exports/odm.xml?cut={CUT}").streaming_content)
    assert b'ItemOID="IT.LABS.VALUE" Value="50.000"' in odm
    assert b'Value="130.000"' not in odm
    assert client.get("/api/v1/exports/sdtm/lb?cut=yesterday").status_code == 400
    assert client.get("/api/v1/exports/odm.xml?cut=2999-01-01T00:00:00Z").status_code == 400


@pytest.mark.django_db
def test_odm_with_audit_has_every_version_and_the_old_values(api, lab_changed, monitor_a):
    body = b"".join(api(monitor_a).get("/api/v1/exports/odm.xml?audit=true").streaming_content)
    root = ET.fromstring(body)
    assert root.get("FileType") == "Transactional"
    forms = [
        f
        for f in root.iter(f"{ODM}FormData")
        if f.get("FormOID") == "F.LABS" and f.get("FormRepeatKey") == str(lab_changed.id)
    ]
    assert [f.get("TransactionType") for f in forms] == ["Insert", "Update"]
    values = [{i.get("ItemOID"): i.get("Value") for i in f.iter(f"{ODM}ItemData")} for f in forms]
    assert values[0]["IT.LABS.VALUE"] == "50.000"
    assert values[1]["IT.LABS.VALUE"] == "130.000"
    assert "IT.LABS.TEST" not in values[1]  # an update carries what changed
    reasons = [f.find(f"{ODM}AuditRecord").findtext(f"{ODM}ReasonForChange") for f in forms]
    assert reasons[1] == "typo"
    # every form, also those reaching the subject through the enrollment, and the study's
    form_oids = {f.get("FormOID") for f in root.iter(f"{ODM}FormData")}
    assert {"F.SUBJECTS", "F.INFUSIONS", "F.DLT_EVALUATIONS", "F.ENROLLMENTS"} <= form_oids
    reference = root.find(f"{ODM}ReferenceData")
    groups = {g.get("ItemGroupOID") for g in reference.iter(f"{ODM}ItemGroupData")}
    assert "IG.COHORTS" in groups


@pytest.mark.django_db
def test_the_audit_trail_exports_every_change_with_old_and_new_values(
    api, lab_changed, monitor_a, coordinator_a, coordinator_b, infused
):
    client = api(monitor_a)
    rows = _csv(client.get("/api/v1/exports/audit_trail.csv?model=safety.labresult"))
    changes = [(r["change_type"], r["field"], r["old"], r["new"], r["reason"]) for r in rows]
    assert ("changed", "value", "50.000", "130.000", "typo") in changes
    assert ("changed", "version", "1", "2", "typo") in changes
    assert ("created", "value", "", "50.000", "") in changes
    assert {r["user"] for r in rows} == {coordinator_a.username}
    assert {r["subject"] for r in rows} == {infused.screening_number}
    # filters: by subject, user and time
    subject = f"/api/v1/exports/audit_trail.csv?subject={infused.screening_number}"
    assert {r["subject"] for r in _csv(client.get(subject))} == {infused.screening_number}
    nobody = _csv(client.get("/api/v1/exports/audit_trail.csv?user=nobody"))
    assert nobody == []
    later = _csv(
        client.get(
            "/api/v1/exports/audit_trail.csv?model=safety.labresult&since=2026-04-02T00:00:00Z"
        )
    )
    assert {r["change_type"] for r in later} == {"changed"}
    for bad in ("since=today", "model=nope.nothing", "subject=99-S-999"):
        response = client.get(f"/api/v1/exports/audit_trail.csv?{bad}")
        assert response.status_code == 400, bad
        assert bad.split("=")[0] in response.json()
    # another site's monitor sees none of site A's changes
    other = api(coordinator_b).get("/api/v1/exports/audit_trail.csv")
    assert other.status_code == 403  # exports are for data managers and monitors


@pytest.mark.django_db
def test_a_monitor_of_another_site_does_not_see_the_changes(api, lab_changed, site_b):
    from tests.factories import SiteRoleFactory, UserFactory

    monitor_b = UserFactory(username="monitor_b")
    SiteRoleFactory(user=monitor_b, site=site_b, role=SiteRole.Role.MONITOR)
    rows = _csv(api(monitor_b).get("/api/v1/exports/audit_trail.csv?model=safety.labresult"))
    assert rows == []


@pytest.fixture
def icans_event(infused, coordinator_a, clock):
    clock.days(2)
    return ae_save(
        user=coordinator_a,
        data={
            "subject": infused,
            "term": "Immune effector cell-associated neurotoxicity syndrome",
            "onset_date": date(2026, 4, 2),
            "grade": 1,
        },
    )


@pytest.mark.django_db
def test_a_data_manager_codes_a_term_the_ctcae_table_does_not(
    api, icans_event, data_manager_a, monitor_a
):
    (ae,) = _csv(api(monitor_a).get("/api/v1/exports/sdtm/ae"))
    assert (ae["AEDECOD"], ae["AEBODSYS"]) == ("", "")
    response = api(data_manager_a).post(
        f"/api/v1/adverse-events/{icans_event.id}/code/",
        {
            "term": "Immune effector cell-associated neurotoxicity syndrome",
            "soc": "Nervous system disorders",
            "reason": "initial coding",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["coding"] == {
        "term": "Immune effector cell-associated neurotoxicity syndrome",
        "soc": "Nervous system disorders",
        "llt_code": "",
        "by": "data manager",
    }
    (ae,) = _csv(api(monitor_a).get("/api/v1/exports/sdtm/ae"))
    assert (ae["AEDECOD"], ae["AEBODSYS"], ae["AELLTCD"]) == (
        "Immune effector cell-associated neurotoxicity syndrome",
        "Nervous system disorders",
        "",  # no code: NCI's CTCAE v5.0 file has no such term
    )
    coded, *_older = icans_event.history.all()
    assert (coded.history_user, coded.history_change_reason, coded.coded_soc) == (
        data_manager_a,
        "initial coding",
        "Nervous system disorders",
    )


@pytest.mark.django_db
def test_coding_is_refused_to_site_staff_and_for_table_terms(
    api, icans_event, coordinator_a, data_manager_a, infused
):
    body = {"term": "X", "soc": "Y", "reason": "r"}
    url = f"/api/v1/adverse-events/{icans_event.id}/code/"
    assert api(coordinator_a).post(url, body, format="json").status_code == 403
    with pytest.raises(PermissionDenied):
        ae_code(user=coordinator_a, instance=icans_event, term="X", soc="Y", reason="r")
    hypoxia = ae_save(
        user=coordinator_a,
        data={"subject": infused, "term": "Hypoxia", "onset_date": date(2026, 4, 2), "grade": 2},
    )
    response = api(data_manager_a).post(
        f"/api/v1/adverse-events/{hypoxia.id}/code/", body, format="json"
    )
    assert response.status_code == 400
    assert response.json()["term"] == ["Hypoxia is coded from the CTCAE v5.0 table."]
    with pytest.raises(ValidationError) as error:
        ae_code(user=data_manager_a, instance=icans_event, term=" ", soc="", reason="")
    assert set(error.value.message_dict) == {"term", "soc", "reason"}
    assert AdverseEvent.objects.get(pk=icans_event.pk).coded_term == ""
    assert icans_event.history.count() == 1


@pytest.mark.django_db
def test_the_admin_codes_selected_events_for_a_data_manager(client, icans_event, data_manager_a):
    client.force_login(data_manager_a)
    url = "/admin/safety/adverseevent/"
    listing = client.get(url + "?coding=to_code")
    assert listing.status_code == 200
    assert "code_selected" in listing.content.decode()
    response = client.post(
        url,
        {
            "action": "code_selected",
            "_selected_action": [icans_event.pk],
            "post": "yes",
            "term": "Immune effector cell-associated neurotoxicity syndrome",
            "soc": "Nervous system disorders",
            "reason": "initial coding",
        },
    )
    assert response.status_code == 302
    icans_event.refresh_from_db()
    assert icans_event.coded_soc == "Nervous system disorders"
    page = client.get(f"{url}{icans_event.pk}/change/").content.decode()
    assert "Nervous system disorders (data manager)" in page


@pytest.mark.django_db
def test_the_dictionary_is_the_same_text_from_the_command_and_the_api(
    api, monitor_a, study, tmp_path
):
    call_command("export", "--out", str(tmp_path))
    written = (tmp_path / "data_dictionary.csv").read_bytes()
    served = b"".join(api(monitor_a).get("/api/v1/exports/dictionary.csv").streaming_content)
    assert written == served
    assert b",false," in written and b",False," not in written


@pytest.mark.django_db
def test_define_xml_from_the_api_matches_the_xpt_lengths(api, lab_changed, monitor_a, tmp_path):
    import pyreadstat

    client = api(monitor_a)
    define = client.get("/api/v1/exports/define.xml")
    assert define.status_code == 200
    root = ET.fromstring(define.content)
    lengths = {
        i.get("Name"): int(i.get("Length"))
        for i in root.iter(f"{ODM}ItemDef")
        if i.get("OID", "").startswith("IT.LB.")
        and i.get("OID").count(".") == 2
        and i.get("Length")
    }
    path = tmp_path / "lb.xpt"
    path.write_bytes(b"".join(client.get("/api/v1/exports/sdtm/lb?format=xpt").streaming_content))
    _frame, meta = pyreadstat.read_xport(str(path))
    for name, width in meta.variable_storage_width.items():
        if name in lengths:  # text; dates (datetime) and numbers have no text length
            assert lengths[name] == width, name
    assert len(lengths) > 10
    assert lengths["LBTESTCD"] == 3 and lengths["LBORRES"] == 3  # "ALT", "130"


def test_define_dates_are_timestamped_by_the_cut():
    # the same cut gives the same define (data cuts are reproducible byte for byte)
    from exports.define import define_xml
    from exports.sdtm_spec import Widths
    from trial.models import Study

    study = Study(registry_id="NCT05734898", title="T", sponsor="S")
    moment = date(2026, 4, 1)
    from datetime import UTC, datetime

    created = datetime(moment.year, moment.month, moment.day, tzinfo=UTC) + timedelta(hours=1)
    first = define_xml(study=study, widths=Widths(), created=created)
    assert first == define_xml(study=study, widths=Widths(), created=created)
    assert b'CreationDateTime="2026-04-01T01:00:00+00:00"' in first


@pytest.mark.django_db
def test_non_ascii_text_is_reported_not_silently_written(infused, coordinator_a, monitor_a, clock):
    import pyreadstat
    from django.utils import timezone

    clock.days(3)
    ae_save(
        user=coordinator_a,
        data={
            "subject": infused,
            "term": "Other, specify",
            "other_term": "Céphalée",
            "onset_date": timezone.localdate() - timedelta(days=1),
            "grade": 1,
        },
    )
    archive = zipfile.ZipFile(
        # the next whole second: a cut rounded down could fall before a record of this second
        io.BytesIO(
            datacut_zip(
                user=monitor_a, cut=timezone.now().replace(microsecond=0) + timedelta(seconds=1)
            )
        )
    )
    findings = list(csv.DictReader(io.StringIO(archive.read("sdtm/findings.csv").decode())))
    assert [(f["domain"], f["variable"], f["finding"], f["value"]) for f in findings] == [
        ("AE", "AETERM", "non-ASCII text", "Céphalée"),
        ("AE", "AEDECOD", "term to be coded by a data manager", "Céphalée"),
    ]
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "ae.xpt")
        Path(path).write_bytes(archive.read("sdtm/ae.xpt"))
        frame, _meta = pyreadstat.read_xport(path)
    assert list(frame["AETERM"]) == ["Céphalée"]  # written as given (UTF-8), and reported


@pytest.mark.django_db
def test_offsets_postgresql_cannot_store_are_taken_as_utc(api, lab_changed, monitor_a):
    client = api(monitor_a)
    since = "0182-03-16T07%3A13%3A44.0-18%3A48"  # found by the API fuzzer: a 500 on PostgreSQL
    assert client.get(f"/api/v1/exports/audit_trail.csv?since={since}").status_code == 200
    response = client.get("/api/v1/exports/sdtm/lb?cut=2026-04-01T12:00:00-18%3A48")
    (row,) = _csv(response)  # 2026-04-02T06:48Z: before the correction at 09:00
    assert row["LBORRES"] == "50"
    assert client.get("/api/v1/exports/sdtm/lb?cut=2026-02-30T00:00:00Z").status_code == 400


@pytest.mark.django_db
def test_site_level_changes_of_another_site_are_not_in_the_audit_trail(
    api, data_manager_a, site_a, site_b
):
    from tests.factories import SiteRoleFactory, UserFactory
    from trial import services as trial_services

    nurse = UserFactory(username="nurse_a")
    trial_services.site_role_grant(
        user=data_manager_a, member=nurse, site=site_a, role=SiteRole.Role.COORDINATOR
    )
    monitor_b = UserFactory(username="monitor_b")
    SiteRoleFactory(user=monitor_b, site=site_b, role=SiteRole.Role.MONITOR)
    rows = _csv(api(monitor_b).get("/api/v1/exports/audit_trail.csv?model=trial.siterole"))
    assert rows and all(r["record_id"] != str(nurse.site_roles.get().pk) for r in rows)
    own = _csv(api(data_manager_a).get("/api/v1/exports/audit_trail.csv?model=trial.siterole"))
    assert str(nurse.site_roles.get().pk) in {r["record_id"] for r in own}


@pytest.mark.django_db
def test_a_corrected_term_drops_the_coding_of_the_old_one(
    api, icans_event, data_manager_a, coordinator_a, monitor_a
):
    ae_code(
        user=data_manager_a,
        instance=icans_event,
        term="Immune effector cell-associated neurotoxicity syndrome",
        soc="Nervous system disorders",
        reason="initial coding",
    )
    (ae,) = _csv(api(monitor_a).get("/api/v1/exports/sdtm/ae"))
    assert ae["AEDECOD"] and ae["AEACN"] == "NOT APPLICABLE"  # onset after the only infusion
    ae_save(
        user=coordinator_a,
        instance=AdverseEvent.objects.get(pk=icans_event.pk),
        data={"term": "Other, specify", "other_term": "Tinnitus"},
        reason="wrong term",
    )
    event = AdverseEvent.objects.get(pk=icans_event.pk)
    assert (event.coded_term, event.coded_soc) == ("", "")
    (ae,) = _csv(api(monitor_a).get("/api/v1/exports/sdtm/ae"))
    assert (ae["AETERM"], ae["AEDECOD"]) == ("Tinnitus", "")


@pytest.mark.django_db
def test_the_export_command_refuses_a_cut_that_is_no_date(tmp_path, study):
    with pytest.raises(CommandError, match="--cut: Use an ISO 8601"):
        call_command(
            "export", "--format", "zip", "--out", str(tmp_path), "--cut", "2026-02-30T00:00Z"
        )
