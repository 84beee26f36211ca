"""A data cut: every dataset, the data dictionary, the audit trail, the SDTM package (each domain
as CSV and SAS transport, define.xml, and the package's findings: non-ASCII text, terms to code)
and the ODM file with every version in one ZIP with a manifest (file, rows, SHA-256) and the cut's
timestamp. Everything is read as of the cut from the append-only history, so the same cut gives
the same bytes however often it is taken. The ZIP is streamed: each file is compressed as it is
read, the manifest comes last."""

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from trial.selectors import study_list

from . import sdtm
from .audit import audit_lines
from .datasets import DATASETS, rows
from .define import define_xml
from .dictionary import dictionary_lines
from .odm import odm_chunks
from .sdtm_spec import Widths


class _Sink:
    """A write-only, unseekable file for `zipfile`: what it writes is collected and handed on."""

    def __init__(self):
        self.parts: list[bytes] = []
        self.offset = 0

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        self.offset += len(data)
        return len(data)

    def tell(self) -> int:
        return self.offset

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def _csv_chunks(lines: Iterable[list]) -> Iterator[tuple[bytes, int]]:
    """CSV text in blocks, with the number of data rows in each block (the header not counted)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    count = -1
    for line in lines:
        writer.writerow(line)
        count += 1
        if buffer.tell() > 65536:
            yield buffer.getvalue().encode(), count
            buffer.seek(0)
            buffer.truncate()
            count = 0
    yield buffer.getvalue().encode(), count


def _counted(records, counter: list[int]):
    for record in records:
        counter[0] += 1
        yield record


def _sdtm_sources(*, user, cut: datetime, study):
    """The SDTM package: CSV (with the findings the rows show), then XPT (learning each text
    variable's length), then define.xml and the findings."""
    findings: list[list] = []
    for domain in sdtm.DOMAINS:
        records = sdtm.domain_rows(domain, user=user, study=study, cut=cut)
        checked = sdtm.with_findings(domain, records, findings)
        yield f"sdtm/{domain.lower()}.csv", _csv_chunks(sdtm.header_and_lines(checked, domain))
    widths = Widths()
    for domain in sdtm.DOMAINS:
        counter = [0]
        records = _counted(sdtm.domain_rows(domain, user=user, study=study, cut=cut), counter)

        def chunks(domain=domain, records=records, counter=counter):
            for chunk in sdtm.xpt_stream(domain, records, created=cut, widths=widths.see):
                yield chunk, 0
            yield b"", counter[0]

        yield f"sdtm/{domain.lower()}.xpt", chunks()
    yield "sdtm/define.xml", iter([(define_xml(study=study, widths=widths, created=cut), 0)])
    yield "sdtm/findings.csv", _csv_chunks([sdtm.FINDING_COLUMNS, *findings])


def _sources(*, user, cut: datetime, study):
    for name, dataset in sorted(DATASETS.items()):
        yield f"{name}.csv", _csv_chunks(rows(dataset, user=user, as_of=cut))
    yield "data_dictionary.csv", _csv_chunks(dictionary_lines())
    yield "audit_trail.csv", _csv_chunks(audit_lines(user=user, until=cut))
    if study is not None:
        yield from _sdtm_sources(user=user, cut=cut, study=study)
        yield (
            "odm.xml",
            (
                (chunk, chunk.count(b"<SubjectData "))
                for chunk in odm_chunks(user=user, study=study, audit=True, cut=cut)
            ),
        )


# ZIP entry timestamps (the cut's) cannot be earlier; no record of this study is either
EARLIEST_CUT = datetime(1980, 1, 1, tzinfo=UTC)


def parse_cut(raw: str, *, now: datetime) -> datetime:
    """A data cut from ISO 8601 text, in UTC (PostgreSQL takes offsets up to 15:59 only);
    ValueError says what is wrong."""
    try:
        cut = parse_datetime(raw)
    except ValueError:  # well formed, but no such date (2026-02-30)
        cut = None
    if cut is None or cut.tzinfo is None:
        raise ValueError(_("Use an ISO 8601 date-time with its offset, e.g. 2026-11-25T12:00:00Z."))
    if cut > now:
        raise ValueError(_("A data cut cannot be in the future."))
    if cut < EARLIEST_CUT:
        raise ValueError(_("A data cut cannot be earlier than 1980-01-01."))
    return cut.astimezone(UTC)


def datacut_chunks(*, user, cut: datetime, study=None) -> Iterator[bytes]:
    """The data cut as ZIP chunks: the CSV datasets, the dictionary, and the SDTM and ODM files
    of `study` (default: the user's only or first study), with a manifest naming it."""
    study = study or study_list(user=user).first()
    stamp = cut.astimezone(UTC).timetuple()[:6]
    sink = _Sink()
    manifest = {
        "study": study.registry_id if study else None,
        "cut": cut.isoformat(),
        "files": [],
    }

    def member(name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        return info

    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, chunks in _sources(user=user, cut=cut, study=study):
            digest, count = hashlib.sha256(), 0
            with archive.open(member(name), "w", force_zip64=True) as handle:
                for data, rows_in_block in chunks:
                    handle.write(data)
                    digest.update(data)
                    count += rows_in_block
                    yield sink.drain()
            manifest["files"].append({"file": name, "rows": count, "sha256": digest.hexdigest()})
            yield sink.drain()
        archive.writestr(member("manifest.json"), json.dumps(manifest, indent=2).encode())
    yield sink.drain()


def datacut_zip(*, user, cut: datetime, study=None) -> bytes:
    return b"".join(datacut_chunks(user=user, cut=cut, study=study))
