"""The data dictionary, generated from the models: dataset, variable, label, type, allowed values,
units, whether the value is derived and from what rule."""

import re

from django.db import models

from screening.rules import CODES, CRITERIA

from .datasets import DATASETS, EXTRA_COLUMNS
from .sdtm_spec import CODELISTS, METHODS
from .sdtm_spec import DOMAINS as SDTM

TYPES = [
    (models.BooleanField, "boolean"),
    (models.DateTimeField, "datetime"),
    (models.DateField, "date"),
    (models.DecimalField, "decimal"),
    (models.FloatField, "float"),
    (models.IntegerField, "integer"),
    (models.BigAutoField, "integer"),
    (models.AutoField, "integer"),
    (models.JSONField, "json"),
    (models.ForeignKey, "integer (id)"),
    (models.OneToOneField, "integer (id)"),
]
# derived fields and the rule that computes them
RULES = {
    ("eligibility", "eligible"): "screening.rules.assess_eligibility",
    ("eligibility", "attempt"): "system: screening attempt number",
    ("subjects", "screening_number"): "system: site code + sequence",
    ("subjects", "status"): "screening/dosing services",
    ("cohorts", "status"): "dosing.services.cohort_refresh_status",
    ("dlt_evaluations", "status"): "dosing.rules.dlt_status",
    ("dlt_evaluations", "replace"): "dosing.rules.dlt_status",
    ("dlt_evaluations", "day0"): "first CAR-NK infusion",
    ("dlt_evaluations", "window_end"): "dosing.rules.dlt_window_end",
    (
        "escalation_decisions",
        "recommended_action",
    ): "dosing.rules.three_plus_three / dosing.rules.boin",
    (
        "escalation_decisions",
        "recommended_next_dose",
    ): "dosing.rules.three_plus_three / dosing.rules.boin",
    (
        "escalation_decisions",
        "recommended_mtd",
    ): "dosing.rules.three_plus_three / dosing.rules.boin",
    ("escalation_decisions", "agrees"): "decision == recommendation",
    ("infusions", "partial_dose"): "actual below planned by more than the study tolerance",
    ("adverse_events", "worst_grade"): "max of the grade episodes (CRS/ICANS: of the assessments)",
    ("adverse_events", "report_deadline"): "aware_at + 24 h",
    ("crs", "grade"): "safety.rules.crs_grade",
    ("icans", "grade"): "safety.rules.icans_grade",
    ("labs", "ctcae_grade"): "safety.rules.ctcae_grade",
    ("labs", "value_standard"): "value converted to the grading unit",
    ("visits", "planned_date"): "day 0 + target day",
    ("visits", "out_of_window"): "actual date outside the visit window",
    ("response", "response"): "followup.rules.aml_response",
    ("response", "mrd_negative"): "followup.rules.aml_response",
    ("response", "in_remission"): "an earlier assessment was CR, CRh or CRi",
    ("response", "disagreement"): "response != investigator_response",
}
SYSTEM = {"id", "created_at", "version", "is_voided", "voided_at", "void_reason"}


def _type(field) -> str:
    for cls, name in TYPES:
        if isinstance(field, cls):
            return name
    return "text"


def _units(label: str) -> str:
    found = re.search(r"\(([^)]*(?:%|/|C\b|10\^)[^)]*)\)\s*$", label)
    return found.group(1) if found else ""


def entries() -> list[dict]:
    rows = []
    for name, dataset in DATASETS.items():
        for field in dataset.fields():
            label = str(field.verbose_name)
            derived = (name, field.name) in RULES or (
                not field.editable and field.name not in SYSTEM
            )
            rows.append(
                {
                    "dataset": name,
                    "variable": field.attname,
                    "label": label,
                    "type": _type(field),
                    "allowed_values": "|".join(
                        f"{code}={text}" for code, text in field.choices or []
                    ),
                    "units": _units(label),
                    "derived": derived,
                    "derived_from": RULES.get((name, field.name), "system" if derived else ""),
                }
            )
        for column in EXTRA_COLUMNS.get(name, ()):
            code = column.removeprefix("criterion_")
            rows.append(
                {
                    "dataset": name,
                    "variable": column,
                    "label": f"{code}: {CRITERIA[code]}"
                    if code in CODES
                    else "failing criteria, in protocol order",
                    "type": "boolean" if code in CODES else "text",
                    "allowed_values": "",
                    "units": "",
                    "derived": True,
                    "derived_from": "screening.rules.assess_eligibility",
                }
            )
    return rows + sdtm_entries()


def sdtm_entries() -> list[dict]:
    """The SDTM variables, from the metadata that writes the datasets, XPT and define.xml."""
    rows = []
    for domain in SDTM.values():
        for variable in domain.variables:
            codelist = CODELISTS.get(variable.codelist)
            rows.append(
                {
                    "dataset": f"sdtm/{domain.code.lower()}",
                    "variable": variable.name,
                    "label": variable.label,
                    "type": variable.type,
                    "allowed_values": "|".join(t for t, _ in codelist.terms) if codelist else "",
                    "units": "",
                    "derived": variable.origin == "Derived",
                    "derived_from": METHODS.get(variable.method, "")
                    if variable.origin == "Derived"
                    else "",
                }
            )
    return rows


def _cell(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def dictionary_lines():
    """The dictionary as CSV lines: the same text from the command, the API and the data cut."""
    yield COLUMNS
    for entry in entries():
        yield [_cell(entry[c]) for c in COLUMNS]


COLUMNS = [
    "dataset",
    "variable",
    "label",
    "type",
    "allowed_values",
    "units",
    "derived",
    "derived_from",
]
