"""define.xml (Define-XML 2.1) of the SDTM package, written from `exports.sdtm_spec` -- the same
metadata the datasets, the XPT files and the data dictionary are written from -- and the lengths
of the values actually written. No stylesheet reference: the plain XML, valid against the
Define-XML 2.1 schema (tests validate it with lxml against the XSDs odmlib ships)."""

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from datetime import UTC, datetime

from screening.rules import CRITERIA
from trial.models import Study

from . import sdtm
from .sdtm_spec import (
    CODELISTS,
    CT_VERSION,
    DOMAINS,
    METHODS,
    SDTMIG_VERSION,
    SUPPAE_QUALIFIERS,
    VALUE_LEVEL,
    Domain,
    Variable,
    Widths,
)

ODM = "http://www.cdisc.org/ns/odm/v1.3"
DEF = "http://www.cdisc.org/ns/def/v2.1"
XLINK = "http://www.w3.org/1999/xlink"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
TRIAL_DESIGN = {"TS", "TA", "TE", "TV", "TI"}
INTEGERS = {"AGE", "VISITNUM", "VISITDY", "TAETORD", "TSSEQ", "AELLTCD"}


def _o(tag: str) -> str:
    return f"{{{ODM}}}{tag}"


def _d(tag: str) -> str:
    return f"{{{DEF}}}{tag}"


def _el(parent, tag, attrs=None, text=None):
    element = ET.SubElement(parent, tag, {k: str(v) for k, v in (attrs or {}).items() if v != ""})
    if text is not None:
        element.text = text
    return element


def _description(parent, text: str) -> None:
    description = _el(parent, _o("Description"))
    _el(description, _o("TranslatedText"), {XML_LANG: "en"}, text)


def data_type(variable: Variable) -> str:
    if not variable.numeric:
        return "datetime" if variable.name.endswith("DTC") else "text"
    if variable.name in INTEGERS or variable.name.endswith(("SEQ", "DY")):
        return "integer"
    return "float"


def _origin(parent, variable_origin: str) -> None:
    source = {"Collected": "Investigator", "Derived": "Sponsor", "Assigned": "Sponsor"}
    _el(parent, _d("Origin"), {"Type": variable_origin, "Source": source.get(variable_origin, "")})


def _oid(domain: Domain, variable: Variable) -> str:
    return f"IT.{domain.code}.{variable.name}"


def define_xml(*, study: Study, widths: Widths, created: datetime) -> bytes:
    """The define.xml of `study`'s SDTM datasets; `widths` gives each text variable's Length."""
    for prefix, uri in (("", ODM), ("def", DEF), ("xlink", XLINK)):
        ET.register_namespace(prefix, uri)
    created = created.astimezone(UTC).replace(microsecond=0)
    root = ET.Element(
        _o("ODM"),
        {
            "ODMVersion": "1.3.2",
            "FileType": "Snapshot",
            "FileOID": f"DEFINE.{study.registry_id}.{created:%Y%m%dT%H%M%SZ}",
            "CreationDateTime": created.isoformat(),
            "Originator": study.sponsor or study.registry_id,
            "SourceSystem": "EDC-lite",
            "SourceSystemVersion": "1",
            _d("Context"): "Submission",
        },
    )
    odm_study = _el(root, _o("Study"), {"OID": study.registry_id})
    globals_ = _el(odm_study, _o("GlobalVariables"))
    _el(globals_, _o("StudyName"), text=study.registry_id)
    _el(globals_, _o("StudyDescription"), text=study.title)
    _el(globals_, _o("ProtocolName"), text=study.registry_id)
    mdv = _el(
        odm_study,
        _o("MetaDataVersion"),
        {
            "OID": f"MDV.{study.registry_id}.SDTMIG.{SDTMIG_VERSION}",
            "Name": f"{study.registry_id} SDTM",
            "Description": f"SDTM datasets of {study.registry_id} (SDTMIG {SDTMIG_VERSION})",
            _d("DefineVersion"): "2.1.0",
        },
    )
    standards = _el(mdv, _d("Standards"))
    _el(standards, _d("Standard"), {"OID": "STD.IG", "Name": "SDTMIG", "Type": "IG",
                                    "Version": SDTMIG_VERSION, "Status": "Final"})  # fmt: skip
    _el(standards, _d("Standard"), {"OID": "STD.CT", "Name": "CDISC/NCI", "Type": "CT",
                                    "PublishingSet": "SDTM", "Version": CT_VERSION,
                                    "Status": "Final"})  # fmt: skip

    value_lists = _value_lists()
    for (domain, variable), entries in value_lists.items():
        vl = _el(mdv, _d("ValueListDef"), {"OID": f"VL.{domain}.{variable}"})
        for order, (testcd, _meta) in enumerate(entries, start=1):
            ref = _el(vl, _o("ItemRef"), {"ItemOID": f"IT.{domain}.{variable}.{testcd}",
                      "OrderNumber": order, "Mandatory": "No",
                      "MethodOID": f"MT.{_meta['method']}" if _meta.get("method") else ""})  # fmt: skip
            _el(ref, _d("WhereClauseRef"), {"WhereClauseOID": _where_oid(domain, variable, testcd)})
    for (domain, variable), entries in value_lists.items():
        test_variable = _test_variable(domain, variable)
        for testcd, _meta in entries:
            where = _el(mdv, _d("WhereClauseDef"), {"OID": _where_oid(domain, variable, testcd)})
            check = _el(where, _o("RangeCheck"), {"Comparator": "EQ", "SoftHard": "Soft",
                        _d("ItemOID"): f"IT.{domain}.{test_variable}"})  # fmt: skip
            _el(check, _o("CheckValue"), text=_meta.get("value", testcd))

    for domain in DOMAINS.values():
        group = _el(
            mdv,
            _o("ItemGroupDef"),
            {
                "OID": f"IG.{domain.code}",
                "Name": domain.code,
                "Repeating": "No" if domain.code == "DM" else "Yes",
                "IsReferenceData": "Yes" if domain.code in TRIAL_DESIGN else "No",
                "SASDatasetName": domain.code,
                "Domain": domain.parent or domain.code,
                "Purpose": "Tabulation",
                _d("Structure"): domain.structure,
                _d("ArchiveLocationID"): f"LF.{domain.code}",
                _d("StandardOID"): "STD.IG",
                _d("CommentOID"): f"COM.{domain.code}" if domain.comment else "",
            },
        )
        _description(group, domain.label)
        for order, variable in enumerate(domain.variables, start=1):
            key = domain.keys.index(variable.name) + 1 if variable.name in domain.keys else ""
            _el(group, _o("ItemRef"), {
                "ItemOID": _oid(domain, variable), "OrderNumber": order,
                "Mandatory": "Yes" if variable.core == "Req" else "No", "KeySequence": key,
                "MethodOID": f"MT.{variable.method}" if variable.method else ""})  # fmt: skip
        _el(group, _d("Class"), {"Name": domain.cls})
        leaf = _el(group, _d("leaf"), {"ID": f"LF.{domain.code}",
                                       f"{{{XLINK}}}href": f"{domain.code.lower()}.xpt"})  # fmt: skip
        _el(leaf, _d("title"), text=f"{domain.code.lower()}.xpt")

    for domain in DOMAINS.values():
        for variable in domain.variables:
            length = widths.of(domain.code, variable.name) if not variable.numeric else 8
            attrs = {"OID": _oid(domain, variable), "Name": variable.name,
                     "DataType": data_type(variable), "SASFieldName": variable.name}  # fmt: skip
            if data_type(variable) != "datetime":
                attrs["Length"] = length
            item = _el(mdv, _o("ItemDef"), attrs)
            _description(item, variable.label)
            if variable.codelist:
                _el(item, _o("CodeListRef"), {"CodeListOID": CODELISTS[variable.codelist].oid})
            _origin(item, variable.origin)
            if (domain.code, variable.name) in value_lists:
                _el(item, _d("ValueListRef"), {"ValueListOID": f"VL.{domain.code}.{variable.name}"})
    for (domain, variable), entries in value_lists.items():
        spec = DOMAINS[domain].variable(variable)
        for testcd, meta in entries:
            attrs = {"OID": f"IT.{domain}.{variable}.{testcd}", "Name": variable,
                     "DataType": "text", "SASFieldName": variable,
                     "Length": widths.of(domain, variable),
                     _d("CommentOID"): meta.get("comment", "")}  # fmt: skip
            item = _el(mdv, _o("ItemDef"), attrs)
            _description(item, f"{spec.label} ({meta.get('value', testcd)})")
            if meta.get("codelist"):
                _el(item, _o("CodeListRef"), {"CodeListOID": CODELISTS[meta["codelist"]].oid})
            _origin(item, meta["origin"])

    for codelist in CODELISTS.values():
        attrs = {"OID": codelist.oid, "Name": codelist.label, "DataType": codelist.data_type}
        if codelist.sponsor:
            attrs[_d("IsNonStandard")] = "Yes"
        else:
            attrs[_d("StandardOID")] = "STD.CT"
        element = _el(mdv, _o("CodeList"), attrs)
        decoded = any(decode for _, decode in codelist.terms)
        for order, (value, decode) in enumerate(codelist.terms, start=1):
            if decoded:
                item = _el(element, _o("CodeListItem"), {"CodedValue": value, "OrderNumber": order})
                decode_el = _el(item, _o("Decode"))
                _el(decode_el, _o("TranslatedText"), {XML_LANG: "en"}, decode or value)
            else:
                _el(element, _o("EnumeratedItem"), {"CodedValue": value, "OrderNumber": order})

    for key, text in METHODS.items():
        method = _el(mdv, _o("MethodDef"), {"OID": f"MT.{key}", "Name": f"Algorithm for {key}",
                                           "Type": "Computation"})  # fmt: skip
        _description(method, text)
    for domain in DOMAINS.values():
        if domain.comment:
            _description(_el(mdv, _d("CommentDef"), {"OID": f"COM.{domain.code}"}), domain.comment)
    for code, text in CRITERIA.items():
        _description(_el(mdv, _d("CommentDef"), {"OID": f"COM.IE.{code}"}), f"{code}: {text}")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _test_variable(domain: str, variable: str) -> str:
    if DOMAINS[domain].parent:
        return "QNAM"
    if variable == "IETEST":
        return "IETESTCD"
    if variable == "DSDECOD":
        return "DSCAT"
    return DOMAINS[domain].value_level


def _where_oid(domain: str, variable: str, testcd: str) -> str:
    return f"WC.{domain}.{_test_variable(domain, variable)}.{testcd}"


def _value_lists() -> dict[tuple[str, str], list[tuple[str, dict]]]:
    """(domain, variable) -> [(test code, origin/method/comment)]: the result of each --TESTCD,
    each I/E criterion's full text, each SUPPAE qualifier."""
    lists: dict[tuple[str, str], list] = {}
    for domain, tests in VALUE_LEVEL.items():
        lists[(domain, f"{domain}ORRES")] = [
            (code, {"origin": origin, "method": method})
            for code, (_unit, _type, origin, method) in tests.items()
        ]
    for domain in ("TI", "IE"):
        origin = "Protocol" if domain == "TI" else "Assigned"
        lists[(domain, "IETEST")] = [
            (code, {"origin": origin, "comment": f"COM.IE.{code}"}) for code in CRITERIA
        ]
    # DSDECOD draws on two codelists, by category
    lists[("DS", "DSDECOD")] = [
        (
            "MILESTONE",
            {"origin": "Assigned", "codelist": "PROTMLST", "value": "PROTOCOL MILESTONE"},
        ),
        ("DISPOSITION", {"origin": "Derived", "codelist": "NCOMPLT", "value": "DISPOSITION EVENT"}),
    ]
    lists[("SUPPAE", "QVAL")] = [
        (qnam, {"origin": "Derived" if origin == "DERIVED" else "Collected"})
        for qnam, (_label, origin) in SUPPAE_QUALIFIERS.items()
    ]
    return lists


def widths_of(domains: Iterable[str], *, user, study: Study, cut=None) -> Widths:
    """The longest value of every variable, read from the datasets as they would be written."""
    widths = Widths()
    for domain in domains:
        for row in sdtm.domain_rows(domain, user=user, study=study, cut=cut):
            for name, value in row.items():
                if isinstance(value, str):
                    widths.see(domain, name, len(value.encode()))
    return widths
