"""Reads for monitors: the study-wide audit trail (keyset-paginated over every history table),
queries, SDV progress, locks and signatures."""

import base64
import heapq
from collections import Counter, defaultdict
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from screening.models import Subject
from trial.audit import field_changes, history_models
from trial.models import User
from trial.selectors import scope_to_sites, site_ids_for, study_list

from .models import Lock, Query, SdvMark, SdvPlan, Signature

CHANGE_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


def audited_models() -> dict[str, type]:
    """label ("safety.adverseevent") -> the history model of that record type."""
    return {m.instance_type._meta.label_lower: m for m in history_models()}


def _visible(model, user):
    qs = model._default_manager.all()
    site_ids = site_ids_for(user)
    if site_ids is None:
        return qs
    if model.instance_type is User:
        return qs.none()  # user accounts: administrators only
    subjects = Subject.objects.filter(site_id__in=site_ids).values("id")
    return qs.filter(Q(audit_subject_id__in=subjects) | Q(audit_subject_id__isnull=True))


def encode_cursor(row: dict) -> str:
    """An opaque, URL-safe position: (time, record type, history id) of the last row shown."""
    text = f"{row['timestamp'].isoformat()}|{row['model']}|{row['history_id']}"
    return base64.urlsafe_b64encode(text.encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, str, int]:
    text = base64.urlsafe_b64decode(cursor.encode()).decode()
    when, label, history_id = text.split("|")
    return datetime.fromisoformat(when), label, int(history_id)


def audit_trail(
    *,
    user,
    subject: int | None = None,
    model: str | None = None,
    username: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[dict], str | None]:
    """Newest first: (rows, cursor of the next page). Each table is read with an index range
    scan of at most `limit` rows, so a page costs the same at a thousand or a million rows."""
    models = audited_models()
    if model:
        models = {model: models[model]} if model in models else {}
    after = decode_cursor(cursor) if cursor else None
    streams = []
    for label, history in sorted(models.items()):
        qs = _visible(history, user).select_related("history_user")
        if subject is not None:
            qs = qs.filter(audit_subject_id=subject)
        if username:
            qs = qs.filter(history_user__username=username)
        if since:
            qs = qs.filter(history_date__gte=since)
        if until:
            qs = qs.filter(history_date__lte=until)
        if after is not None:
            when, after_label, after_id = after
            older = Q(history_date__lt=when)
            if label < after_label:
                older |= Q(history_date=when)
            elif label == after_label:
                older |= Q(history_date=when, history_id__lt=after_id)
            qs = qs.filter(older)
        rows = list(qs.order_by("-history_date", "-history_id")[: limit + 1])
        streams.append(
            [((-r.history_date.timestamp(), _desc(label), -r.history_id), label, r) for r in rows]
        )
    merged = list(heapq.merge(*streams, key=lambda item: item[0]))[: limit + 1]
    page, more = merged[:limit], len(merged) > limit

    by_model: dict[str, list] = defaultdict(list)
    for _key, label, row in page:
        by_model[label].append(row)
    previous: dict[tuple[str, int], object] = {}
    for label, rows in by_model.items():
        history = models[label]
        ids = {r.id for r in rows}
        top = max(r.history_id for r in rows)
        earlier = defaultdict(list)
        for old in history._default_manager.filter(id__in=ids, history_id__lt=top).order_by(
            "history_id"
        ):
            earlier[old.id].append(old)
        for r in rows:
            candidates = [o for o in earlier[r.id] if o.history_id < r.history_id]
            previous[(label, r.history_id)] = candidates[-1] if candidates else None

    results = []
    for _key, label, row in page:
        results.append(
            {
                "timestamp": row.history_date,
                "model": label,
                "record_id": row.id,
                "history_id": row.history_id,
                "subject": row.audit_subject_id,
                "change_type": CHANGE_TYPES[row.history_type],
                "user": row.history_user.get_username() if row.history_user else None,
                "reason": row.history_change_reason,
                "changes": field_changes(previous[(label, row.history_id)], row),
            }
        )
    return results, (encode_cursor(results[-1]) if more and results else None)


def _desc(label: str) -> tuple[int, ...]:
    """Sort key that orders labels descending inside an ascending merge."""
    return (*tuple(-ord(c) for c in label), 1)


def query_list(*, user) -> QuerySet[Query]:
    qs = Query.objects.select_related(
        "content_type", "subject__site", "opened_by", "answered_by", "closed_by"
    )
    return _scoped(qs, user)


def _scoped(qs, user):
    site_ids = site_ids_for(user)
    if site_ids is None:
        return qs
    return qs.filter(Q(subject__site__in=site_ids) | Q(subject__isnull=True))


def query_counts(*, user) -> dict:
    """Open (not closed) queries per site and per subject."""
    open_queries = query_list(user=user).exclude(status=Query.Status.CLOSED)
    by_subject = Counter()
    by_site = Counter()
    for subject_id, number, site in open_queries.values_list(
        "subject_id", "subject__screening_number", "subject__site__code"
    ):
        by_subject[(subject_id, number)] += 1
        by_site[site or "study"] += 1
    return {
        "total": sum(by_site.values()),
        "sites": [{"site": s, "open": n} for s, n in sorted(by_site.items())],
        "subjects": [
            {"subject": sid, "screening_number": num, "open": n}
            for (sid, num), n in sorted(by_subject.items(), key=lambda i: str(i[0][1]))
            if sid
        ],
    }


def sdv_plan_list(*, user) -> QuerySet[SdvPlan]:
    return SdvPlan.objects.filter(study__in=study_list(user=user)).select_related("crf")


def sdv_mark_list(*, user) -> QuerySet[SdvMark]:
    return _scoped(SdvMark.objects.select_related("content_type", "subject", "verified_by"), user)


def sdv_progress(*, user) -> list[dict]:
    """Per site and subject: records under an SDV plan, and how many are verified as they are now."""
    plans = [p for p in sdv_plan_list(user=user) if p.level != SdvPlan.Level.NONE]
    verified = set(
        sdv_mark_list(user=user).filter(is_current=True).values_list("content_type_id", "object_id")
    )
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for plan in plans:
        model = plan.crf.model_class()
        if model is None or not hasattr(model, "subject"):
            continue
        rows = scope_to_sites(model._default_manager.all(), user, site_path="subject__site")
        if hasattr(model, "is_voided"):
            rows = rows.filter(is_voided=False)
        for pk, number, site in rows.values_list(
            "pk", "subject__screening_number", "subject__site__code"
        ):
            counts = totals[(site, number)]
            counts[0] += 1
            counts[1] += (plan.crf_id, pk) in verified
    return [
        {"site": site, "screening_number": number, "records": n, "verified": v}
        for (site, number), (n, v) in sorted(totals.items())
    ]


def lock_list(*, user) -> QuerySet[Lock]:
    return Lock.objects.filter(study__in=study_list(user=user)).select_related(
        "subject", "content_type", "locked_by"
    )


def signature_list(*, user) -> QuerySet[Signature]:
    return _scoped(Signature.objects.select_related("content_type", "subject", "signer"), user)


def content_type_for(label: str) -> ContentType:
    app_label, _, model = label.partition(".")
    return ContentType.objects.get_by_natural_key(app_label, model)
