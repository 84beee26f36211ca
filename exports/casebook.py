"""Archive copies (21 CFR 11.10(b)): a subject's casebook as a human-readable PDF -- the subject,
every CRF in visit order with every value, each record's audit trail, its queries and its
signatures (printed name, date and time, meaning) -- and a ZIP of them for a site or the study,
with a checksum manifest.

One subject's PDF is made at a time and written into the ZIP before the next is read, so the
memory used is bounded by the largest casebook, not by the number of subjects.
"""

import hashlib
import json
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext

from monitoring.models import Query
from monitoring.selectors import casebook, query_thread, signature_manifest
from screening.models import Subject

from .datacut import _Sink

HIDDEN_FIELDS = {"audit_subject_id", "row_hash"}


def _display(obj, field) -> str:
    """A field's value as a person reads it: a choice's label, yes/no, what a foreign key names,
    dates in ISO 8601, structured values as "key: value" lines."""
    value = getattr(obj, field.attname)
    if value is None or value == "":
        return ""
    if field.is_relation:
        related = getattr(obj, field.name)
        if hasattr(related, "get_full_name"):
            return related.get_full_name() or related.get_username()
        return str(related)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M %Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_plain(item)}" for key, item in value.items())
    if isinstance(value, list):
        return "; ".join(_plain(item) for item in value)
    return str(value)


def _yes_no(value: bool) -> str:
    return pgettext("value", "yes") if value else pgettext("value", "no")


def _plain(value) -> str:
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={_plain(v)}" for k, v in value.items())
    return "" if value is None else str(value)


def record_values(obj) -> list[tuple[str, str]]:
    """(label, value) for every field of the record, in the model's order."""
    return [
        (capfirst(field.verbose_name), _display(obj, field))
        for field in obj._meta.concrete_fields
        if field.name not in HIDDEN_FIELDS
    ]


def _history(obj) -> list[dict]:
    """Every version of the record, oldest first: when, who, what kind, why and what changed."""
    rows = list(obj.history.select_related("history_user").order_by("history_date", "history_id"))
    kinds = {
        "+": pgettext("change", "created"),
        "~": pgettext("change", "changed"),
        "-": pgettext("change", "deleted"),
    }
    versions, previous = [], None
    for row in rows:
        changes = []
        for field in row.tracked_fields:
            if field.name in HIDDEN_FIELDS:
                continue
            new = _display(row, field)
            old = _display(previous, field) if previous is not None else ""
            if previous is None or old != new:
                if previous is None and not new:
                    continue
                changes.append({"field": str(field.verbose_name), "old": old, "new": new})
        user = row.history_user
        versions.append(
            {
                "at": row.history_date,
                "user": (user.get_full_name() or user.get_username())
                if user
                else gettext("system"),
                "kind": kinds.get(row.history_type, row.history_type),
                "reason": row.history_change_reason or "",
                "changes": changes,
            }
        )
        previous = row
    return versions


def _entry(obj, queries: dict) -> dict:
    ct = ContentType.objects.get_for_model(obj)
    return {
        "title": f"{capfirst(obj._meta.verbose_name)} #{obj.pk}",
        "name": str(obj),
        "values": record_values(obj),
        "history": _history(obj),
        "queries": [
            {"query": q, "thread": query_thread(q)} for q in queries.get((ct.pk, obj.pk), [])
        ],
        "signatures": signature_manifest(obj),
    }


def casebook_document(subject: Subject, *, generated_by: str, now: datetime) -> dict:
    """What the PDF shows: the casebook's sections in visit order, each record in full."""
    book = casebook(subject=subject, today=timezone.localdate(now))
    queries: dict[tuple[int, int], list[Query]] = defaultdict(list)
    for query in (
        Query.objects.filter(subject=subject)
        .select_related("opened_by", "answered_by", "closed_by")
        .prefetch_related("messages__author")
        .order_by("created_at", "pk")
    ):
        queries[(query.content_type_id, query.object_id)].append(query)

    def section(title: str, rows: list[dict], note: str = "") -> dict:
        return {
            "title": title,
            "note": note,
            "records": [_entry(r["record"], queries) for r in rows if r.get("record")],
            "missing": [r["form"] for r in rows if not r.get("record")],
        }

    sections = [section(s["title"], s["rows"]) for s in book["before"]]
    for visit in book["visits"]:
        sections.append(
            section(
                visit["definition"].label,
                visit["rows"],
                note=f"planned {visit['planned_date']}, window {visit['window_start']} to "
                f"{visit['window_end']}: {visit['status']}",
            )
        )
    if book["unscheduled"]:
        sections.append(section("Unscheduled (outside every visit window)", book["unscheduled"]))
    sections += [section(s["title"], s["rows"]) for s in book["after"]]
    return {
        "subject": subject,
        "study": subject.site.study,
        "site": subject.site,
        "sections": sections,
        "lock": book["lock"],
        "generated_at": timezone.localtime(now),
        "generated_by": generated_by,
    }


def casebook_pdf(subject: Subject, *, generated_by: str, now: datetime | None = None) -> bytes:
    from weasyprint import HTML  # loads Pango: only when a PDF is made

    now = now or timezone.now()
    html = render_to_string(
        "exports/casebook.html", casebook_document(subject, generated_by=generated_by, now=now)
    )
    return HTML(string=html).write_pdf()


def archive_name(subject: Subject) -> str:
    """Study, site, subject: site codes are unique only within a study."""
    return f"{subject.site.study.registry_id}/{subject.site.code}/{subject.screening_number}.pdf"


def casebook_archive_chunks(
    subjects: Iterable[Subject], *, generated_by: str, now: datetime, scope: str
) -> Iterator[bytes]:
    """A ZIP of the subjects' casebook PDFs, streamed one subject at a time, ending with
    `SHA256SUMS` (checkable with `sha256sum -c`) and `manifest.json`."""
    stamp = now.astimezone(UTC).timetuple()[:6]
    sink = _Sink()
    files = []

    def member(name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        return info

    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for subject in subjects:
            pdf = casebook_pdf(subject, generated_by=generated_by, now=now)
            name = archive_name(subject)
            archive.writestr(member(name), pdf)
            files.append(
                {
                    "file": name,
                    "subject": subject.screening_number,
                    "site": subject.site.code,
                    "bytes": len(pdf),
                    "sha256": hashlib.sha256(pdf).hexdigest(),
                }
            )
            del pdf
            yield sink.drain()
        sums = "".join(f"{f['sha256']}  {f['file']}\n" for f in files)
        archive.writestr(member("SHA256SUMS"), sums.encode())
        manifest = {
            "scope": scope,
            "generated_at": now.isoformat(),
            "generated_by": generated_by,
            "subjects": len(files),
            "files": files,
        }
        archive.writestr(member("manifest.json"), json.dumps(manifest, indent=2).encode())
    yield sink.drain()


def subjects_for_archive(qs: models.QuerySet[Subject]) -> Iterator[Subject]:
    """The subjects in study, site and screening-number order, read in small batches."""
    return (
        qs.select_related("site__study")
        .order_by("site__study__registry_id", "site__code", "screening_number")
        .iterator(chunk_size=50)
    )
