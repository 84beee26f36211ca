"""CDISC ODM 1.3.2 XML of the study: metadata (the study event, one form per dataset, item groups,
items and code lists, generated from the models) and the clinical data of the subjects the user
may see, with each form's last change as an AuditRecord when asked (who, when, why)."""

import xml.etree.ElementTree as ET
from datetime import UTC

from django.utils import timezone

from trial.models import Study
from trial.selectors import site_ids_for

from .datasets import DATASETS, as_of_rows, csv_value
from .dictionary import _type

NS = "http://www.cdisc.org/ns/odm/v1.3"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DATA_TYPES = {
    "boolean": "boolean",
    "decimal": "float",
    "float": "float",
    "integer": "integer",
    "integer (id)": "integer",
    "date": "date",
    "datetime": "datetime",
    "json": "text",
    "text": "text",
}
SKIP = {"id", "subject_id"}
EVENT = "SE.STUDY"


def _el(parent, tag, **attrs):
    return ET.SubElement(parent, f"{{{NS}}}{tag}", {k: str(v) for k, v in attrs.items()})


def _text(parent, tag, text):
    element = _el(parent, tag)
    translated = _el(element, "TranslatedText")
    translated.set(XML_LANG, "en")
    translated.text = text
    return element


def _forms():
    return {
        name: d
        for name, d in DATASETS.items()
        if d.subject_path == "subject" and hasattr(d.model, "subject")
    }


def _items(dataset):
    return [f for f in dataset.fields() if f.attname not in SKIP]


def odm_xml(*, user, study: Study, audit: bool = False, created=None, cut=None) -> bytes:
    """`cut`: the data as of then (and the file dated then, so the same cut gives the same bytes)."""
    created = created or cut
    ET.register_namespace("", NS)
    created = (created or timezone.now()).astimezone(UTC).replace(microsecond=0)
    root = ET.Element(
        f"{{{NS}}}ODM",
        {
            "FileType": "Snapshot",
            "FileOID": f"{study.registry_id}.{created:%Y%m%dT%H%M%SZ}",
            "CreationDateTime": created.isoformat(),
            "ODMVersion": "1.3.2",
            "Granularity": "All",
            "Description": "EDC-lite export",
        },
    )
    odm_study = _el(root, "Study", OID=study.registry_id)
    globals_ = _el(odm_study, "GlobalVariables")
    _el(globals_, "StudyName").text = study.short_title or study.registry_id
    _el(globals_, "StudyDescription").text = study.title
    _el(globals_, "ProtocolName").text = study.registry_id
    mdv = _el(odm_study, "MetaDataVersion", OID="MDV.1", Name="EDC-lite metadata")
    protocol = _el(mdv, "Protocol")
    _el(protocol, "StudyEventRef", StudyEventOID=EVENT, OrderNumber=1, Mandatory="Yes")
    event = _el(mdv, "StudyEventDef", OID=EVENT, Name="Study", Repeating="No", Type="Common")
    forms = _forms()
    for order, name in enumerate(forms, start=1):
        _el(event, "FormRef", FormOID=f"F.{name.upper()}", OrderNumber=order, Mandatory="No")
    for name, dataset in forms.items():
        form = _el(mdv, "FormDef", OID=f"F.{name.upper()}", Name=dataset.label, Repeating="Yes")
        _el(form, "ItemGroupRef", ItemGroupOID=f"IG.{name.upper()}", Mandatory="Yes")
    for name, dataset in forms.items():
        group = _el(
            mdv, "ItemGroupDef", OID=f"IG.{name.upper()}", Name=dataset.label, Repeating="No"
        )
        for order, field in enumerate(_items(dataset), start=1):
            _el(
                group,
                "ItemRef",
                ItemOID=f"IT.{name.upper()}.{field.attname.upper()}",
                OrderNumber=order,
                Mandatory="No",
            )
    code_lists = []
    for name, dataset in forms.items():
        for field in _items(dataset):
            item = _el(
                mdv,
                "ItemDef",
                OID=f"IT.{name.upper()}.{field.attname.upper()}",
                Name=field.attname,
                DataType=DATA_TYPES[_type(field)],
            )
            _text(item, "Description", str(field.verbose_name))
            if field.choices:
                oid = f"CL.{name.upper()}.{field.attname.upper()}"
                _el(item, "CodeListRef", CodeListOID=oid)
                code_lists.append((oid, field))
    for oid, field in code_lists:
        code_list = _el(mdv, "CodeList", OID=oid, Name=field.attname, DataType="text")
        for code, label in field.choices:
            entry = _el(code_list, "CodeListItem", CodedValue=code)
            _text(entry, "Decode", str(label))

    admin = _el(root, "AdminData") if audit else None  # AdminData precedes ClinicalData
    clinical = _el(root, "ClinicalData", StudyOID=study.registry_id, MetaDataVersionOID="MDV.1")
    subjects: dict[int, ET.Element] = {}
    users: dict[str, str] = {}
    for name, dataset in forms.items():
        if cut is None:
            records = dataset.rows(user=user)
        else:  # each record's last version at the cut, for the subjects the user may see
            records = as_of_rows(dataset.model, cut)
            site_ids = site_ids_for(user)
            if site_ids is not None:
                records = records.filter(subject__site__in=site_ids)
        records = records.filter(subject__site__study=study).order_by("subject_id", "id")
        for record in records.select_related("subject"):
            subject = record.subject
            if subject.pk not in subjects:
                data = _el(clinical, "SubjectData", SubjectKey=subject.screening_number)
                subjects[subject.pk] = _el(data, "StudyEventData", StudyEventOID=EVENT)
            form = _el(
                subjects[subject.pk],
                "FormData",
                FormOID=f"F.{name.upper()}",
                FormRepeatKey=record.id,
            )
            if audit:
                versions = dataset.model.history.filter(id=record.id)
                if cut is not None:
                    versions = versions.filter(history_date__lte=cut)
                last = versions.select_related("history_user").order_by("-history_id").first()
                if last is not None:
                    who = last.history_user.get_username() if last.history_user else "system"
                    users.setdefault(who, f"USR.{len(users) + 1}")
                    record_el = _el(form, "AuditRecord")
                    _el(record_el, "UserRef", UserOID=users[who])
                    _el(record_el, "LocationRef", LocationOID=f"LOC.{subject.site.code}")
                    _el(record_el, "DateTimeStamp").text = last.history_date.astimezone(
                        UTC
                    ).isoformat()
                    if last.history_change_reason:
                        _el(record_el, "ReasonForChange").text = last.history_change_reason
            group = _el(form, "ItemGroupData", ItemGroupOID=f"IG.{name.upper()}")
            for field in _items(dataset):
                value = csv_value(getattr(record, field.attname))
                if value != "":
                    _el(
                        group,
                        "ItemData",
                        ItemOID=f"IT.{name.upper()}.{field.attname.upper()}",
                        Value=value,
                    )
    if admin is not None:
        for who, oid in users.items():
            user_el = _el(admin, "User", OID=oid)
            _el(user_el, "LoginName").text = who
        for site in study.sites.order_by("code"):
            location = _el(admin, "Location", OID=f"LOC.{site.code}", Name=site.name)
            _el(
                location,
                "MetaDataVersionRef",
                StudyOID=study.registry_id,
                MetaDataVersionOID="MDV.1",
                EffectiveDate=study.created_at.date().isoformat(),
            )
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
