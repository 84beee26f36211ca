"""The audit trail as a dataset: every change to every record the user may see -- record type,
record id, subject, change type, user, time, reason, and per field the old and the new value --
streamed page by page (`monitoring.selectors.audit_trail`, newest first), so memory stays flat
whatever the size of the history."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime

from monitoring.selectors import audit_trail
from screening.models import Subject

COLUMNS = [
    "time",
    "record_type",
    "record_id",
    "subject",
    "change_type",
    "user",
    "reason",
    "field",
    "old",
    "new",
]
PAGE = 1000


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, sort_keys=True)
    return str(value)


def audit_lines(
    *,
    user,
    since: datetime | None = None,
    until: datetime | None = None,
    username: str | None = None,
    subject: int | None = None,
    model: str | None = None,
) -> Iterator[list[str]]:
    """The header, then one line per field changed (a change with no field: one line)."""
    yield COLUMNS
    numbers: dict[int, str] = {}
    cursor = None
    while True:
        rows, cursor = audit_trail(
            user=user,
            since=since,
            until=until,
            username=username,
            subject=subject,
            model=model,
            cursor=cursor,
            limit=PAGE,
        )
        missing = {r["subject"] for r in rows if r["subject"] and r["subject"] not in numbers}
        if missing:
            numbers.update(
                Subject.objects.filter(id__in=missing).values_list("id", "screening_number")
            )
        for row in rows:
            base = [
                row["timestamp"].astimezone(UTC).isoformat(timespec="microseconds"),
                row["model"],
                str(row["record_id"]),
                numbers.get(row["subject"], "") if row["subject"] else "",
                row["change_type"],
                row["user"] or "system",
                row["reason"] or "",
            ]
            for change in row["changes"] or [{"field": "", "old": None, "new": None}]:
                yield [*base, change["field"], _text(change["old"]), _text(change["new"])]
        if cursor is None:
            return
