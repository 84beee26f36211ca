"""CDISC ODM 1.3.2 XML of the study: metadata (the study event, one form per dataset, item groups,
items and code lists, generated from the models) and the clinical data of the subjects the user
may see, with each form's last change as an AuditRecord when asked (who, when, why)."""

import xml.etree.ElementTree as ET
from datetime import UTC

from django.utils import timezone

from screening.models import Subject
from screening.selectors import subject_list
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


# how each dataset's records reach their subject (None: study-level records, in ReferenceData)
SUBJECT_PATH = {"subjects": "id", "infusions": "enrollment__subject_id",
                "dlt_evaluations": "enrollment__subject_id"}  # fmt: skip


def _subject_path(name, dataset) -> str | None:
    if name in SUBJECT_PATH:
        return SUBJECT_PATH[name]
    fields = {f.name for f in dataset.model._meta.concrete_fields}
    return "subject_id" if "subject" in fields else None


def _forms():
    """Every dataset is a form: subject forms go in SubjectData, the others (cohorts,
    escalation decisions) in ReferenceData."""
    return dict(DATASETS)


def _items(dataset):
    return [f for f in dataset.fields() if f.attname not in SKIP]


def odm_chunks(*, user, study: Study, audit: bool = False, created=None, cut=None):
    """The ODM file in pieces: metadata first, then one SubjectData at a time, read in batches of
    subjects. `cut`: the data as of then (and the file dated then, so the same cut gives the same bytes)."""
    created = created or cut
    ET.register_namespace("", NS)
    created = (created or timezone.now()).astimezone(UTC).replace(microsecond=0)
    root = ET.Element(
        f"{{{NS}}}ODM",
        {
            "FileType": "Transactional" if audit else "Snapshot",
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

    forms_list = list(forms.items())
    subject_ids = _subject_ids(user, study, cut)
    users = _users(forms_list, subject_ids, cut, study) if audit else {}
    if audit:  # AdminData precedes ClinicalData
        admin = _el(root, "AdminData")
        for who, oid in users.items():
            user_el = _el(admin, "User", OID=oid)
            _el(user_el, "LoginName").text = who
        study_location = _el(admin, "Location", OID=STUDY_LOCATION, Name="Study level")
        _el(
            study_location,
            "MetaDataVersionRef",
            StudyOID=study.registry_id,
            MetaDataVersionOID="MDV.1",
            EffectiveDate=study.created_at.date().isoformat(),
        )
        for site in study.sites.order_by("code"):
            location = _el(admin, "Location", OID=f"LOC.{site.code}", Name=site.name)
            _el(
                location,
                "MetaDataVersionRef",
                StudyOID=study.registry_id,
                MetaDataVersionOID="MDV.1",
                EffectiveDate=study.created_at.date().isoformat(),
            )
    _reference_data(root, study, forms_list, users, audit, cut)
    clinical = _el(root, "ClinicalData", StudyOID=study.registry_id, MetaDataVersionOID="MDV.1")
    clinical.append(ET.Comment(MARKER))
    head, _, tail = ET.tostring(root, encoding="utf-8", xml_declaration=True).partition(
        f"<!--{MARKER}-->".encode()
    )
    yield head
    for start in range(0, len(subject_ids), BATCH):
        batch = subject_ids[start : start + BATCH]
        for element in _subject_data(forms_list, batch, users, audit, cut):
            yield ET.tostring(element, encoding="utf-8")
    yield tail


MARKER = "SUBJECTS"
BATCH = 200


def _records(name, dataset, subject_ids, cut):
    qs = dataset.model._default_manager.all() if cut is None else as_of_rows(dataset.model, cut)
    path = _subject_path(name, dataset)
    if path.startswith("enrollment__"):
        qs = qs.select_related("enrollment")
    return qs.filter(**{f"{path}__in": subject_ids}).order_by("id"), path


def _of_study(qs, name, dataset, study):
    if any(f.name == "study" for f in dataset.model._meta.concrete_fields):
        return qs.filter(study=study)
    return qs.filter(cohort__study=study)  # escalation decisions


def _owner(record, path: str) -> int:
    value = record
    for part in path.split("__"):
        value = getattr(value, part)
    return value


def _versions(dataset, records, cut) -> dict[int, list]:
    """Each record's versions, oldest first (up to the cut)."""
    versions: dict[int, list] = {}
    qs = dataset.model.history.filter(id__in=[r.id for r in records])
    if cut is not None:
        qs = qs.filter(history_date__lte=cut)
    for version in qs.select_related("history_user").order_by("id", "history_id"):
        versions.setdefault(version.id, []).append(version)
    return versions


STUDY_LOCATION = "LOC.STUDY"  # study-level records (cohorts, decisions) belong to no site
TRANSACTION = {"+": "Insert", "~": "Update", "-": "Remove"}


def _audit_record(parent, version, users, location: str | None) -> None:
    who = version.history_user.get_username() if version.history_user else "system"
    record_el = _el(parent, "AuditRecord")
    _el(record_el, "UserRef", UserOID=users[who])
    _el(record_el, "LocationRef", LocationOID=location)
    _el(record_el, "DateTimeStamp").text = version.history_date.astimezone(UTC).isoformat()
    if version.history_change_reason:
        _el(record_el, "ReasonForChange").text = version.history_change_reason


def _item_data(group, name, dataset, record, previous=None) -> None:
    """The record's values; after a previous version only what changed (an emptied value as
    IsNull), so replaying the versions gives every old value."""
    for field in _items(dataset):
        value = csv_value(getattr(record, field.attname))
        oid = f"IT.{name.upper()}.{field.attname.upper()}"
        if previous is None:
            if value != "":
                _el(group, "ItemData", ItemOID=oid, Value=value)
            continue
        if value == csv_value(getattr(previous, field.attname)):
            continue
        if value == "":
            _el(group, "ItemData", ItemOID=oid, IsNull="Yes")
        else:
            _el(group, "ItemData", ItemOID=oid, Value=value)


def _form_versions(parent, name, dataset, record, versions, users, location, audit):
    """FormData for the record: its current values, or with `audit` one per version (Insert,
    then Update with what changed), each with its AuditRecord."""
    if not audit or not versions:
        form = _el(parent, "FormData", FormOID=f"F.{name.upper()}", FormRepeatKey=record.id)
        group = _el(form, "ItemGroupData", ItemGroupOID=f"IG.{name.upper()}")
        _item_data(group, name, dataset, record)
        return
    previous = None
    for version in versions:
        form = _el(parent, "FormData", FormOID=f"F.{name.upper()}", FormRepeatKey=record.id,
                   TransactionType=TRANSACTION[version.history_type])  # fmt: skip
        _audit_record(form, version, users, location)
        group = _el(form, "ItemGroupData", ItemGroupOID=f"IG.{name.upper()}")
        _item_data(group, name, dataset, version, previous)
        previous = version


def _subject_ids(user, study, cut) -> list[int]:
    if cut is None:
        subjects = subject_list(user=user)
    else:
        subjects = as_of_rows(Subject, cut)
        site_ids = site_ids_for(user)
        if site_ids is not None:
            subjects = subjects.filter(site_id__in=site_ids)
    return list(subjects.filter(site__study=study).order_by("id").values_list("id", flat=True))


def _users(forms_list, subject_ids, cut, study) -> dict[str, str]:
    names = set()
    for name, dataset in forms_list:
        path = _subject_path(name, dataset)
        history = dataset.model.history.all()
        if path is not None:
            history = history.filter(**{f"{path}__in": subject_ids})
        else:
            history = _of_study(history, name, dataset, study)
        if cut is not None:
            history = history.filter(history_date__lte=cut)
        names |= {
            n or "system"
            for n in history.values_list("history_user__username", flat=True).distinct()
        }
    return {name: f"USR.{i}" for i, name in enumerate(sorted(names), start=1)}


def _subject_data(forms_list, batch, users, audit, cut):
    """SubjectData elements for a batch of subjects, in subject order."""
    subjects = {s.id: s for s in Subject.objects.filter(id__in=batch).select_related("site")}
    events: dict[int, ET.Element] = {}
    elements: dict[int, ET.Element] = {}
    for name, dataset in forms_list:
        if _subject_path(name, dataset) is None:
            continue
        qs, path = _records(name, dataset, batch, cut)
        records = sorted(qs, key=lambda r: (_owner(r, path), r.id))
        versions = _versions(dataset, records, cut) if audit and records else {}
        for record in records:
            subject = subjects[_owner(record, path)]
            if subject.id not in events:
                elements[subject.id] = ET.Element(
                    f"{{{NS}}}SubjectData", {"SubjectKey": subject.screening_number}
                )
                events[subject.id] = _el(
                    elements[subject.id], "StudyEventData", StudyEventOID=EVENT
                )
            _form_versions(events[subject.id], name, dataset, record,
                           versions.get(record.id, []), users, f"LOC.{subject.site.code}", audit)  # fmt: skip
    return [elements[sid] for sid in batch if sid in elements]


def _reference_data(root, study, forms_list, users, audit, cut) -> None:
    """Study-level records (cohorts, escalation decisions) as ReferenceData item groups."""
    reference = _el(root, "ReferenceData", StudyOID=study.registry_id, MetaDataVersionOID="MDV.1")
    for name, dataset in forms_list:
        if _subject_path(name, dataset) is not None:
            continue
        qs = dataset.model._default_manager.all() if cut is None else as_of_rows(dataset.model, cut)
        qs = _of_study(qs, name, dataset, study)
        records = list(qs.order_by("id"))
        versions = _versions(dataset, records, cut) if audit and records else {}
        for record in records:
            history = versions.get(record.id) if audit else None
            previous = None
            for version in history or [None]:
                group = _el(reference, "ItemGroupData", ItemGroupOID=f"IG.{name.upper()}",
                            ItemGroupRepeatKey=record.id)  # fmt: skip
                if version is None:
                    _item_data(group, name, dataset, record)
                    continue
                group.set("TransactionType", TRANSACTION[version.history_type])
                _audit_record(group, version, users, STUDY_LOCATION)
                _item_data(group, name, dataset, version, previous)
                previous = version


def odm_xml(*, user, study: Study, audit: bool = False, created=None, cut=None) -> bytes:
    return b"".join(odm_chunks(user=user, study=study, audit=audit, created=created, cut=cut))
