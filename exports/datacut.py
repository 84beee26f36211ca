"""A data cut: every dataset, the data dictionary, the SDTM domains (CSV) and the ODM file in one
ZIP with a manifest (file, rows, SHA-256) and the cut's timestamp. Everything is read as of the
cut from the append-only history, so the same cut gives the same bytes however often it is taken."""

import csv
import hashlib
import io
import json
import zipfile
from datetime import UTC, datetime

from trial.selectors import study_list

from . import sdtm
from .datasets import DATASETS, rows
from .dictionary import COLUMNS, entries
from .odm import odm_xml


def _csv_bytes(lines) -> tuple[bytes, int]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    count = -1
    for line in lines:
        writer.writerow(line)
        count += 1
    return buffer.getvalue().encode(), count


def datacut_zip(*, user, cut: datetime) -> bytes:
    stamp = cut.astimezone(UTC).timetuple()[:6]
    files: list[tuple[str, bytes, int]] = []
    for name, dataset in sorted(DATASETS.items()):
        data, count = _csv_bytes(rows(dataset, user=user, as_of=cut))
        files.append((f"{name}.csv", data, count))
    dictionary = entries()
    data, count = _csv_bytes(
        [
            COLUMNS,
            *(
                [
                    str(e[c]) if not isinstance(e[c], bool) else ("true" if e[c] else "false")
                    for c in COLUMNS
                ]
                for e in dictionary
            ),
        ]
    )
    files.append(("data_dictionary.csv", data, count))
    study = study_list(user=user).first()
    if study is not None:
        for domain in sdtm.DOMAINS:
            records = sdtm.domain_rows(domain, user=user, study=study, cut=cut)
            data, count = _csv_bytes(sdtm.header_and_lines(records))
            files.append((f"sdtm/{domain.lower()}.csv", data, count))
        odm = odm_xml(user=user, study=study, audit=True, cut=cut)
        files.append(("odm.xml", odm, odm.count(b"<SubjectData ")))
    manifest = {
        "study": "NCT05734898",
        "cut": cut.isoformat(),
        "files": [
            {"file": f, "rows": n, "sha256": hashlib.sha256(b).hexdigest()} for f, b, n in files
        ],
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, payload, _n in [
            *files,
            ("manifest.json", json.dumps(manifest, indent=2).encode(), 0),
        ]:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, payload)
    return out.getvalue()
