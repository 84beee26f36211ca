"""The CSV datasets: one per CRF, one row per record (voided ones included and marked), stable
column names (the model's field names; foreign keys as `<name>_id`), ISO 8601 dates, codes as
stored (their labels are in the data dictionary)."""

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.db.models import Case, Exists, F, Func, OuterRef, Q, TextField, Value, When
from django.db.models.functions import Cast, NullIf

from dosing import selectors as dosing
from dosing.models import Cohort, DltEvaluation, Enrollment, EscalationDecision, Infusion
from followup import selectors as followup
from followup.models import Disposition, ProtocolDeviation, ResponseAssessment, Visit
from monitoring import selectors as monitoring
from monitoring.models import Query
from safety import selectors as safety
from safety.models import AdverseEvent, ConMed, CrsAssessment, IcansAssessment, LabResult
from screening import selectors as screening
from screening.models import Consent, EligibilityAssessment, MedicalHistory, Subject
from screening.rules import CODES
from trial.selectors import site_ids_for


@dataclass(frozen=True)
class Dataset:
    name: str
    model: type[models.Model]
    rows: Any  # selector(user=...) -> queryset of the records the user may see
    subject_path: str | None  # how a history row of the dataset reaches its subject (as-of cuts)
    label: str

    def fields(self) -> list[models.Field]:
        return [
            f
            for f in self.model._meta.concrete_fields
            if f.name not in JSON_FLATTENED.get(self.name, ())
        ]

    def columns(self) -> list[str]:
        return [f.attname for f in self.fields()] + list(EXTRA_COLUMNS.get(self.name, ()))


DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in [
        Dataset("subjects", Subject, screening.subject_list, "subject", "Subjects"),
        Dataset("consents", Consent, screening.consent_list, "subject", "Informed consent"),
        Dataset(
            "eligibility",
            EligibilityAssessment,
            screening.assessment_list,
            "subject",
            "Eligibility assessments with every criterion",
        ),
        Dataset(
            "medical_history",
            MedicalHistory,
            screening.medical_history_list,
            "subject",
            "AML history",
        ),
        Dataset("cohorts", Cohort, dosing.cohort_list, None, "Cohorts"),
        Dataset("enrollments", Enrollment, dosing.enrollment_list, "subject", "Enrollments"),
        Dataset("infusions", Infusion, dosing.infusion_list, "subject", "CAR-NK infusions"),
        Dataset(
            "dlt_evaluations",
            DltEvaluation,
            dosing.dlt_evaluation_list,
            "subject",
            "DLT evaluations",
        ),
        Dataset(
            "escalation_decisions",
            EscalationDecision,
            dosing.decision_list,
            None,
            "Escalation decisions",
        ),
        Dataset(
            "adverse_events", AdverseEvent, safety.adverse_event_list, "subject", "Adverse events"
        ),
        Dataset("crs", CrsAssessment, safety.crs_assessment_list, "subject", "CRS assessments"),
        Dataset(
            "icans", IcansAssessment, safety.icans_assessment_list, "subject", "ICANS assessments"
        ),
        Dataset("labs", LabResult, safety.lab_list, "subject", "Laboratory results"),
        Dataset("conmeds", ConMed, safety.conmed_list, "subject", "Concomitant medications"),
        Dataset("visits", Visit, followup.visit_list, "subject", "Visits"),
        Dataset(
            "response",
            ResponseAssessment,
            followup.response_list,
            "subject",
            "Response assessments (ELN 2022)",
        ),
        Dataset("disposition", Disposition, followup.disposition_list, "subject", "End of study"),
        Dataset(
            "deviations",
            ProtocolDeviation,
            followup.deviation_list,
            "subject",
            "Protocol deviations",
        ),
        Dataset("queries", Query, monitoring.query_list, "subject", "Data queries"),
    ]
}

# JSON fields written as one column per item
JSON_FLATTENED = {"eligibility": ("criteria", "reasons")}
EXTRA_COLUMNS = {"eligibility": (*tuple(f"criterion_{code}" for code in CODES), "failing_criteria")}


def csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, list | dict):
        return json.dumps(value, sort_keys=True)
    return str(value)


def _flatten_eligibility(row: list, criteria: dict, reasons: list) -> list:
    def met(code):
        value = (criteria or {}).get(code)
        return None if value is None else bool(value)

    return row + [met(code) for code in CODES] + [";".join(reasons or [])]


def as_of_rows(model, cut: datetime):
    """Each record's last version at `cut` (ties on the timestamp broken by insertion order)."""
    history = model.history.model._default_manager
    later = history.filter(
        id=OuterRef("id"), history_date__lte=cut, history_id__gt=OuterRef("history_id")
    )
    return history.filter(history_date__lte=cut).filter(~Exists(later)).exclude(history_type="-")


def rows(dataset: Dataset, *, user, as_of: datetime | None = None) -> Iterator[list[str]]:
    """The header, then one row per record (ordered by id), streamed from a database cursor."""
    fields = [f.attname for f in dataset.fields()]
    flattened = JSON_FLATTENED.get(dataset.name, ())
    yield dataset.columns()
    if as_of is None:
        qs = dataset.rows(user=user).order_by("pk")
    else:
        qs = as_of_rows(dataset.model, as_of)
        site_ids = site_ids_for(user)
        if site_ids is not None and dataset.subject_path:
            visible = Subject.objects.filter(site_id__in=site_ids).values("id")
            qs = qs.filter(Q(audit_subject_id__in=visible))
        qs = qs.order_by("id")
    for values in qs.values_list(*fields, *flattened).iterator(chunk_size=2000):
        row = list(values[: len(fields)])
        if flattened:
            row = _flatten_eligibility(row, *values[len(fields) :])
        yield [csv_value(v) for v in row]


# --- the CSV itself ---------------------------------------------------------------------------


def _copy_expression(field):
    """The column formatted by PostgreSQL exactly as `csv_value` formats it in Python."""
    column = F(field.attname)
    if isinstance(field, models.BooleanField):
        return Case(
            When(**{field.attname: True}, then=Value("true")),
            When(**{field.attname: False}, then=Value("false")),
            default=Value(None),
            output_field=TextField(),
        )
    if isinstance(field, models.DateTimeField):
        utc = Func(Value("UTC"), column, function="timezone")
        return Func(
            utc,
            Value('YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'),
            function="to_char",
            output_field=TextField(),
        )
    if isinstance(field, models.CharField | models.TextField):
        return NullIf(Cast(column, TextField()), Value(""), output_field=TextField())
    return Cast(column, TextField())


def _copy_ready(dataset: Dataset, as_of) -> bool:
    return (
        connection.vendor == "postgresql"
        and as_of is None
        and dataset.name not in JSON_FLATTENED
        and not any(isinstance(f, models.JSONField) for f in dataset.fields())
    )


def _header_line(dataset: Dataset) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(dataset.columns())
    return buffer.getvalue()


def csv_chunks(dataset: Dataset, *, user, as_of: datetime | None = None) -> Iterator[str | bytes]:
    """The dataset as CSV text, streamed. On PostgreSQL the rows come from COPY of the same
    (site-scoped) query, formatted in SQL as `csv_value` formats them."""
    if not _copy_ready(dataset, as_of):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        for line in rows(dataset, user=user, as_of=as_of):
            writer.writerow(line)
            if buffer.tell() > 65536:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()
        return
    fields = dataset.fields()
    names = [f"c{i}" for i in range(len(fields))]
    qs = (
        dataset.rows(user=user)
        .order_by("pk")
        .annotate(**{n: _copy_expression(f) for n, f in zip(names, fields, strict=True)})
        .values_list(*names)
    )
    sql, params = qs.query.sql_with_params()
    yield _header_line(dataset)
    connection.ensure_connection()
    from psycopg import ClientCursor  # PostgreSQL only: COPY takes no server-side parameters

    statement = ClientCursor(connection.connection).mogrify(
        f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params
    )
    block = bytearray()
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for chunk in copy:  # libpq hands over one row at a time: send blocks of 256 KiB
            block += chunk
            if len(block) >= 262144:
                yield bytes(block)
                block.clear()
    yield bytes(block)
