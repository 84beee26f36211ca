"""Reads for monitors: the study-wide audit trail (keyset-paginated over every history table),
queries, SDV progress, locks and signatures."""

import base64
import heapq
from collections import Counter, defaultdict
from datetime import date, datetime

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from dosing.models import Enrollment
from dosing.selectors import cohort_list, decision_table, escalation_state
from followup.models import CRF_TYPES
from followup.selectors import deviation_list, overdue_forms, response_summary, visit_calendar
from safety.selectors import adverse_event_list
from screening.models import Subject
from screening.selectors import subject_list
from trial.audit import field_changes, history_models
from trial.models import SiteRole, User
from trial.selectors import job_status, scope_to_sites, site_ids_for, study_list, user_has_role

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


def _subject_path(model) -> str | None:
    """The lookup prefix from a record to its subject's fields ("" for a subject itself,
    "enrollment__subject__" for an infusion), or None for study-level records."""
    if model is Subject:
        return ""
    if any(f.name == "subject" for f in model._meta.get_fields()):
        return "subject__"
    path = getattr(model, "audit_subject_path", None)
    return f"{path}__" if path else None


def sdv_progress(*, user) -> list[dict]:
    """Per site and subject: records under an SDV plan, and how many are verified as they are now."""
    plans = [p for p in sdv_plan_list(user=user) if p.level != SdvPlan.Level.NONE]
    verified = set(
        sdv_mark_list(user=user).filter(is_current=True).values_list("content_type_id", "object_id")
    )
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for plan in plans:
        model = plan.crf.model_class()
        path = _subject_path(model) if model is not None else None
        if path is None:
            continue
        rows = scope_to_sites(model._default_manager.all(), user, site_path=f"{path}site")
        if hasattr(model, "is_voided"):
            rows = rows.filter(is_voided=False)
        for pk, number, site in rows.values_list(
            "pk", f"{path}screening_number", f"{path}site__code"
        ):
            counts = totals[(site, number)]
            counts[0] += 1
            counts[1] += (plan.crf_id, pk) in verified
    return [
        {"site": site, "screening_number": number, "records": n, "verified": v}
        for (site, number), (n, v) in sorted(totals.items())
    ]


def lock_list(*, user) -> QuerySet[Lock]:
    """The study's locks; a subject's or a record's only to users of the subject's site."""
    return _scoped(
        Lock.objects.filter(study__in=study_list(user=user)).select_related(
            "subject", "content_type", "locked_by"
        ),
        user,
    )


def signature_list(*, user) -> QuerySet[Signature]:
    return _scoped(Signature.objects.select_related("content_type", "subject", "signer"), user)


def content_type_for(label: str) -> ContentType:
    app_label, _, model = label.partition(".")
    return ContentType.objects.get_by_natural_key(app_label, model)


# --- the study dashboard (admin index) -------------------------------------------------------


def dashboard(*, user, today: date | None = None, limit: int = 10) -> dict:
    """What the admin index shows: per study, enrollment against target, cohorts with their
    dose, slots, DLTs and the design's recommendation beside its decision table, the response
    summary per dose level; for the user's sites, subjects by status per site, open queries,
    SAEs with their report deadline and overdue forms. A fixed number of queries, whatever the
    number of subjects."""
    today = today or timezone.localdate()
    now = timezone.now()
    sees_escalation = user.has_perm("dosing.view_cohort")
    studies = []
    for study in study_list(user=user).order_by("registry_id"):
        enrolled = Enrollment.objects.filter(cohort__study=study).count()
        block = {
            "study": study,
            "enrolled": enrolled,
            "target": study.target_enrollment,
            "percent": min(round(100 * enrolled / study.target_enrollment), 100)
            if study.target_enrollment
            else 0,
            "escalation": None,
        }
        if sees_escalation:
            block["escalation"] = escalation_state(study=study, today=today)
            block["cohorts"] = list(cohort_list(user=user).filter(study=study).order_by("sequence"))
            block["decision_table"] = decision_table(study)
        if user.has_perm("followup.view_responseassessment"):
            block["response"] = response_summary(user=user, study=study)
        studies.append(block)

    statuses = Subject.Status.choices
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for site, status, number in (
        subject_list(user=user)
        .filter(is_voided=False)
        .values_list("site__code", "status")
        .annotate(number=Count("pk"))
        .order_by("site__code", "status")
    ):
        counts[site][status] = number
    sites = [
        {
            "site": site,
            "counts": [by_status.get(value, 0) for value, _label in statuses],
            "total": sum(by_status.values()),
        }
        for site, by_status in sorted(counts.items())
    ]

    saes = list(
        adverse_event_list(user=user)
        .filter(serious=True, is_voided=False, report_deadline__isnull=False)
        .order_by(
            F("reported_at").asc(nulls_first=True), "report_deadline", "pk"
        )  # unreported first
        .select_related("subject")[:limit]
    )
    sae_rows = [
        {
            "ae": ae,
            "deadline": ae.report_deadline,
            "reported_at": ae.reported_at,
            "state": (
                ("on time" if ae.reported_at <= ae.report_deadline else "late")
                if ae.reported_at
                else ("OVERDUE" if now > ae.report_deadline else "due")
            ),
        }
        for ae in saes
    ]
    overdue = overdue_forms(user=user, today=today)
    deviations = deviation_list(user=user).filter(is_voided=False)
    unreported = deviations.filter(sponsor_reported_on__isnull=True).order_by(
        "deviation_date", "pk"
    )
    return {
        "deviations": {
            "total": deviations.count(),
            "major": deviations.filter(severity="major").count(),
            "unreported": list(unreported[:limit]),
            "unreported_total": unreported.count(),
        },
        "as_of": today,
        # the deployment's scheduled jobs: what data managers look after
        "jobs": job_status(now=now) if user_has_role(user, SiteRole.Role.DATA_MANAGER) else None,
        "studies": studies,
        "statuses": [label for _value, label in statuses],
        "sites": sites,
        "queries": query_counts(user=user),
        "saes": sae_rows,
        "overdue": overdue[:limit],
        "overdue_total": len(overdue),
    }


# --- a subject's casebook ----------------------------------------------------------------------

# (section, model, path to the subject, date attribute, related rows its name needs)
CASEBOOK_FORMS = (
    ("Screening", "screening.consent", "subject", "consent_date", ("subject",)),
    ("Screening", "screening.eligibilityassessment", "subject", "assessment_date", ("subject",)),
    ("Screening", "screening.medicalhistory", "subject", "diagnosis_date", ("subject",)),
    (
        "Screening",
        "screening.priortherapy",
        "medical_history__subject",
        "start_date",
        ("medical_history__subject",),
    ),
    (
        "Enrollment and treatment",
        "dosing.enrollment",
        "subject",
        "enrollment_date",
        ("subject", "cohort__dose_level"),
    ),
    (
        "Enrollment and treatment",
        "dosing.lymphodepletion",
        "enrollment__subject",
        "start_date",
        ("enrollment__subject",),
    ),
    (
        "Enrollment and treatment",
        "dosing.infusion",
        "enrollment__subject",
        "started_at",
        ("enrollment__subject",),
    ),
    (
        "Enrollment and treatment",
        "dosing.dltevaluation",
        "enrollment__subject",
        "day0",
        ("enrollment__subject",),
    ),
    ("Visits", "followup.visit", "subject", "actual_date", ("subject", "definition")),
    ("Visits", "safety.labresult", "subject", "collected_on", ("subject",)),
    ("Visits", "safety.crsassessment", "subject", "assessed_at", ("subject",)),
    ("Visits", "safety.icansassessment", "subject", "assessed_at", ("subject",)),
    ("Visits", "followup.responseassessment", "subject", "assessment_date", ("subject",)),
    (
        "Adverse events, DLTs and medications",
        "safety.adverseevent",
        "subject",
        "onset_date",
        ("subject",),
    ),
    (
        "Adverse events, DLTs and medications",
        "safety.dltcandidate",
        "subject",
        "flagged_at",
        ("subject", "adverse_event__subject"),
    ),
    (
        "Adverse events, DLTs and medications",
        "safety.conmed",
        "subject",
        "start_date",
        ("subject",),
    ),
    (
        "Adverse events, DLTs and medications",
        "followup.protocoldeviation",
        "subject",
        "deviation_date",
        ("subject",),
    ),
    ("End of study", "followup.disposition", "subject", "end_of_study_date", ("subject",)),
)

# the visit schedule's CRF codes (followup.models.CRF_TYPES) -> record type
VISIT_CRFS = {
    "visit": "followup.visit",
    "labs": "safety.labresult",
    "crs": "safety.crsassessment",
    "icans": "safety.icansassessment",
    "response": "followup.responseassessment",
}


def _as_date(value):
    if isinstance(value, datetime):
        return timezone.localdate(value)
    return value


def casebook(*, subject: Subject, today: date | None = None) -> dict:
    """Every CRF of the subject in visit order: screening, enrollment and treatment, then each
    visit of the schedule with the CRFs recorded in its window (and the expected ones missing),
    unscheduled records, the logs (AEs, DLT candidates, medications) and the end of study. Each
    record with its completion, source data verification, lock and query status. A fixed number
    of queries, whatever the number of records."""
    today = today or timezone.localdate()
    study = subject.site.study
    labels = {"screening.subject", *(f[1] for f in CASEBOOK_FORMS)}
    types = {label: apps.get_model(label) for label in labels}
    content_types = ContentType.objects.get_for_models(*types.values())
    ct_id = {label: content_types[model].pk for label, model in types.items()}

    plans = {p.crf_id: p.level for p in SdvPlan.objects.filter(study=study)}
    verified = {
        (ct, pk): version
        for ct, pk, version in SdvMark.objects.filter(subject=subject, is_current=True).values_list(
            "content_type_id", "object_id", "verified_version"
        )
    }
    locks = list(Lock.objects.filter(study=study, is_active=True))
    casebook_lock = next(
        (
            lock
            for lock in locks
            if lock.scope == Lock.Scope.STUDY
            or (lock.scope == Lock.Scope.SUBJECT and lock.subject_id == subject.pk)
        ),
        None,
    )
    record_locks = {
        (lock.content_type_id, lock.object_id) for lock in locks if lock.scope == Lock.Scope.RECORD
    }
    queries: dict[tuple[int, int], Counter] = defaultdict(Counter)
    for ct, pk, status in Query.objects.filter(subject=subject).values_list(
        "content_type_id", "object_id", "status"
    ):
        queries[(ct, pk)][status] += 1

    def row(label: str, obj, date_attr: str) -> dict:
        model = types[label]
        key = (ct_id[label], obj.pk)
        level = plans.get(ct_id[label], SdvPlan.Level.NONE)
        voided = getattr(obj, "is_voided", False)
        count = queries.get(key, Counter())
        return {
            "form": model._meta.verbose_name,
            "record": obj,
            "label": label,
            "date": _as_date(getattr(obj, date_attr)),
            "completion": "voided" if voided else "complete",
            "sdv": (
                f"verified (version {verified[key]})"
                if key in verified
                else "not required"
                if level == SdvPlan.Level.NONE
                else "to verify"
            ),
            "locked": casebook_lock is not None or key in record_locks,
            "queries_open": count[Query.Status.OPEN] + count[Query.Status.ANSWERED],
            "queries_closed": count[Query.Status.CLOSED],
            "change_url": reverse(
                f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk]
            ),
            "history_url": reverse(
                f"admin:{model._meta.app_label}_{model._meta.model_name}_history", args=[obj.pk]
            ),
        }

    records: dict[str, list] = {}
    for _section, label, path, date_attr, related in CASEBOOK_FORMS:
        records[label] = list(
            types[label]
            ._default_manager.filter(**{path: subject})
            .select_related(*related)
            .order_by(date_attr, "pk")
        )

    def rows_of(title: str) -> list[dict]:
        return [
            row(label, obj, date_attr)
            for s, label, _p, date_attr, _r in CASEBOOK_FORMS
            if s == title
            for obj in records[label]
        ]

    before = [
        {
            "title": "Screening",
            "rows": [row("screening.subject", subject, "created_at"), *rows_of("Screening")],
        },
        {"title": "Enrollment and treatment", "rows": rows_of("Enrollment and treatment")},
    ]

    # visits: each of the schedule with what was recorded in its window
    date_attr_of = {f[1]: f[3] for f in CASEBOOK_FORMS}
    placed: set[tuple[str, int]] = set()
    visits = []
    for planned in visit_calendar(subject):
        definition = planned["definition"]
        rows = []
        for code in definition.expected_crfs or ["visit"]:
            label = VISIT_CRFS.get(code)
            if label is None:
                continue
            if code == "visit":
                found = [v for v in records[label] if v.definition_id == definition.pk]
            else:
                found = [
                    obj
                    for obj in records[label]
                    if (label, obj.pk) not in placed
                    and planned["window_start"]
                    <= _as_date(getattr(obj, date_attr_of[label]))
                    <= planned["window_end"]
                ]
            for obj in found:
                placed.add((label, obj.pk))
                rows.append(row(label, obj, date_attr_of[label]))
            if not any(not getattr(obj, "is_voided", False) for obj in found):
                missed = planned["visit"] is not None and planned["visit"].missed
                rows.append(
                    {
                        "form": CRF_TYPES[code],
                        "record": None,
                        "completion": (
                            "not done (visit missed)"
                            if missed
                            else "missing"
                            if planned["window_end"] < today
                            else "due"
                        ),
                    }
                )
        visits.append({**planned, "rows": rows})
    unscheduled = [
        row(label, obj, date_attr_of[label])
        for label in VISIT_CRFS.values()
        for obj in records[label]
        if (label, obj.pk) not in placed
    ]
    unscheduled.sort(key=lambda r: (r["date"] is None, r["date"] or today))
    after = [
        {"title": title, "rows": rows_of(title)}
        for title in ("Adverse events, DLTs and medications", "End of study")
    ]
    return {
        "subject": subject,
        "lock": casebook_lock,
        "before": before,
        "visits": visits,
        "unscheduled": unscheduled,
        "after": after,
        "open_queries": sum(
            c[Query.Status.OPEN] + c[Query.Status.ANSWERED] for c in queries.values()
        ),
    }
