"""Reads for monitors: the study-wide audit trail (keyset-paginated over every history table),
queries, SDV progress, locks and signatures."""

import base64
import heapq
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from dosing.models import Cohort, DltEvaluation, Enrollment, LymphodepletionRegimen
from dosing.selectors import cohort_list, decision_table, escalation_state
from followup.models import CRF_TYPES, VisitDefinition
from followup.selectors import deviation_list, overdue_forms, response_summary, visit_calendar
from safety.models import DltCandidate
from safety.selectors import adverse_event_list, dlt_candidate_list
from screening.models import Subject
from screening.selectors import subject_list
from trial.audit import field_changes, history_models
from trial.models import Site, SiteRole, User
from trial.selectors import job_status, scope_to_sites, site_ids_for, study_list, user_has_role

from .models import Lock, MonitoringVisit, Query, QueryMessage, SdvMark, SdvPlan, Signature

CHANGE_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


def audited_models() -> dict[str, type]:
    """label ("safety.adverseevent") -> the history model of that record type."""
    return {m.instance_type._meta.label_lower: m for m in history_models()}


def _visible(model, user):
    qs = model._default_manager.all()
    site_ids = site_ids_for(user)
    if site_ids is None:
        return qs
    record = model.instance_type
    if record is User:
        return qs.none()  # user accounts: administrators only
    if record is Site:
        return qs.filter(id__in=site_ids)
    fields = {f.name for f in record._meta.concrete_fields}
    if "site" in fields:  # a site's records (roles, monitoring visits, subjects): that site's
        return qs.filter(site_id__in=site_ids)
    subjects = Subject.objects.filter(site_id__in=site_ids).values("id")
    study_level = Q(audit_subject_id__isnull=True)
    if "study" in fields:
        study_level &= Q(study_id__in=Site.objects.filter(id__in=site_ids).values("study_id"))
    return qs.filter(Q(audit_subject_id__in=subjects) | study_level)


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
    site: int | None = None,
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
        if site is not None:
            qs = qs.filter(audit_subject_id__in=Subject.objects.filter(site_id=site).values("id"))
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


def signature_manifest(record) -> list[dict]:
    """The record's electronic signatures as 21 CFR 11.50 wants them shown with it: the signer's
    printed name, the date and time, and the meaning; invalidated ones say so and why."""
    signatures = Signature.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk
    ).select_related("signer")
    return [
        {
            "name": s.signer.get_full_name() or s.signer.get_username(),
            "username": s.signer.get_username(),
            "signed_at": s.signed_at,
            "meaning": s.get_meaning_display(),
            "valid": s.is_valid,
            "invalidated_at": s.invalidated_at,
            "invalidation_reason": s.invalidation_reason,
        }
        for s in signatures.order_by("signed_at", "pk")
    ]


def query_list(*, user) -> QuerySet[Query]:
    qs = Query.objects.select_related(
        "content_type", "subject__site", "opened_by", "answered_by", "closed_by"
    ).prefetch_related(Prefetch("messages", queryset=QueryMessage.objects.select_related("author")))
    return _scoped(qs, user)


def query_thread(query: Query) -> list[dict]:
    """The query's conversation in order, each step with its author, time and text. A query
    raised before conversations were kept has its steps rebuilt from its own fields."""
    steps = [
        {
            "kind": m.kind,
            "kind_name": m.get_kind_display(),
            "text": m.text,
            "author": m.author.get_username(),
            "at": m.at,
        }
        for m in query.messages.all()
    ]
    if steps:
        return steps
    Kind = QueryMessage.Kind
    rebuilt = [(Kind.RAISED, query.text, query.opened_by, query.created_at)]
    if query.answered_at:
        rebuilt.append((Kind.ANSWERED, query.answer, query.answered_by, query.answered_at))
    if query.closed_at:
        rebuilt.append((Kind.CLOSED, "Closed.", query.closed_by, query.closed_at))
    return [
        {
            "kind": kind,
            "kind_name": kind.label,
            "text": text,
            "author": author.get_username() if author else "",
            "at": at,
        }
        for kind, text, author, at in rebuilt
    ]


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


def _todo(*, user, limit: int) -> dict:
    """The dashboard's first row, what the user must act on: DLT candidates to adjudicate,
    queries waiting for them (the site answers open ones, the monitor closes answered ones) and
    cohorts waiting for the safety review committee's decision."""
    adjudicates = user_has_role(user, SiteRole.Role.INVESTIGATOR) or user_has_role(
        user, SiteRole.Role.SAFETY_REVIEWER
    )
    candidates = (
        dlt_candidate_list(user=user)
        .filter(status=DltCandidate.Status.OPEN)
        .order_by("flagged_at", "pk")
        if adjudicates
        else DltCandidate.objects.none()
    )
    reviews = user_has_role(user, SiteRole.Role.MONITOR) or user_has_role(
        user, SiteRole.Role.DATA_MANAGER
    )
    waiting = Query.Status.ANSWERED if reviews else Query.Status.OPEN
    queries = query_list(user=user).filter(status=waiting).order_by("created_at", "pk")
    shown = list(queries[:limit])
    old = timezone.now() - timedelta(days=settings.QUERY_OVERDUE_DAYS)
    decisions = (
        cohort_list(user=user).filter(status=Cohort.Status.AWAITING_REVIEW).order_by("sequence")
        if user.has_perm("dosing.view_cohort")
        else Cohort.objects.none()
    )
    return {
        "adjudicates": adjudicates,
        "reviews": reviews,
        "dlt_candidates": list(candidates[:limit]),
        "dlt_candidates_total": candidates.count(),
        "queries": shown,
        "queries_total": queries.count(),
        "old_queries": {q.pk for q in shown if q.created_at < old},
        "query_overdue_days": settings.QUERY_OVERDUE_DAYS,
        "queries_title": _("Answers to review and close") if reviews else _("Queries to answer"),
        "decisions": list(decisions),
    }


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
    todo = _todo(user=user, limit=limit)
    deviations = deviation_list(user=user).filter(is_voided=False)
    unreported = deviations.filter(sponsor_reported_on__isnull=True).order_by(
        "deviation_date", "pk"
    )
    return {
        "todo": {**todo, "saes_due": [row for row in sae_rows if row["reported_at"] is None]},
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

# the casebook's section titles (keys here; translated where shown: casebook.html)
SECTIONS = [
    gettext_noop("Screening"),
    gettext_noop("Enrollment and treatment"),
    gettext_noop("Visits"),
    gettext_noop("Adverse events, DLTs and medications"),
    gettext_noop("End of study"),
]

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


def casebook(
    *,
    subject: Subject,
    today: date | None = None,
    back: str | None = None,
    can_add: set[str] | None = None,
) -> dict:
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
    first_open: dict[tuple[int, int], int] = {}
    for query_id, ct, pk, status in (
        Query.objects.filter(subject=subject)
        .order_by("created_at", "pk")
        .values_list("pk", "content_type_id", "object_id", "status")
    ):
        queries[(ct, pk)][status] += 1
        if status != Query.Status.CLOSED:
            first_open.setdefault((ct, pk), query_id)

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
            "query_url": (
                reverse("admin:monitoring_query_change", args=[first_open[key]])
                if count[Query.Status.OPEN] + count[Query.Status.ANSWERED] == 1
                else f"{reverse('admin:monitoring_query_changelist')}?object_id={obj.pk}"
                f"&content_type__id__exact={key[0]}"
            )
            if key in first_open
            else None,
            "change_url": _change_url(label, obj.pk, back),
            "ref": f"{label}:{obj.pk}",
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

    enrollment = next(iter(records["dosing.enrollment"]), None)
    entry = {
        "today": today,
        "back": back,
        "can_add": can_add or set(),
        "open_cohort": Cohort.objects.filter(study=study, status=Cohort.Status.OPEN)
        .values_list("pk", flat=True)
        .first(),
        "regimen": LymphodepletionRegimen.objects.filter(study=study)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first(),
        "own": {
            "dosing.enrollment": [
                {
                    "pk": enrollment.pk,
                    "cohort__dose_level_id": enrollment.cohort.dose_level_id,
                    "cohort__dose_level__cells_per_kg_million": (
                        enrollment.cohort.dose_level.cells_per_kg_million
                    ),
                }
            ]
            if enrollment
            else []
        },
    }

    def missing_row(label: str, completion: str, visit=None) -> dict:
        initial = _entry_initial(label, subject, entry["own"], entry, visit)
        return {
            "form": apps.get_model(label)._meta.verbose_name,
            "record": None,
            "completion": completion,
            "entry_url": crf_entry_url(label, initial, back=back)
            if initial
            and label in entry["can_add"]
            and completion in ("missing", "due")
            and (visit is None or visit["window"][0] <= today)  # not before the window opens
            else None,
        }

    def with_missing(rows: list[dict], labels: tuple[str, ...]) -> list[dict]:
        live = {r["label"] for r in rows if r["completion"] != "voided"}
        enrolled = enrollment is not None
        return rows + [
            missing_row(label, "missing")
            for label in labels
            if label not in live and _expected_before(label, subject, enrolled)
        ]

    before = [
        {
            "title": "Screening",
            "anchor": "screening",
            "rows": with_missing(
                [row("screening.subject", subject, "created_at"), *rows_of("Screening")],
                MATRIX_BEFORE[0][2],
            ),
        },
        {
            "title": "Enrollment and treatment",
            "anchor": "treatment",
            "rows": with_missing(
                rows_of("Enrollment and treatment"),
                ("dosing.enrollment", "dosing.lymphodepletion", "dosing.infusion"),
            ),
        },
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
                completion = (
                    "not done (visit missed)"
                    if missed
                    else "missing"
                    if planned["window_end"] < today
                    else "due"
                )
                window = (planned["window_start"], planned["planned_date"], planned["window_end"])
                rows.append(
                    {
                        **missing_row(
                            label, completion, {"definition": definition, "window": window}
                        ),
                        "form": CRF_TYPES[code],
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
        {"title": title, "anchor": anchor, "rows": rows_of(title)}
        for title, anchor in (
            ("Adverse events, DLTs and medications", "logs"),
            ("End of study", "end-of-study"),
        )
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


# --- the subject matrix: one row per subject, one column per visit ---------------------------

# the CRFs the matrix reads: record type -> (path to the subject, date attribute)
MATRIX_FORMS = {
    "screening.consent": ("subject", "consent_date"),
    "screening.eligibilityassessment": ("subject", "assessment_date"),
    "screening.medicalhistory": ("subject", "diagnosis_date"),
    "dosing.enrollment": ("subject", "enrollment_date"),
    "dosing.lymphodepletion": ("enrollment__subject", "start_date"),
    "dosing.infusion": ("enrollment__subject", "started_at"),
    "followup.visit": ("subject", "planned_date"),
    "safety.labresult": ("subject", "collected_on"),
    "safety.crsassessment": ("subject", "assessed_at"),
    "safety.icansassessment": ("subject", "assessed_at"),
    "followup.responseassessment": ("subject", "assessment_date"),
    "followup.disposition": ("subject", "end_of_study_date"),
}

# (key, title, CRFs always expected there) of the columns before and after the visit schedule;
# a scheduled visit before day -7 joins "Screening", from day -7 to -1 "Lymphodepletion", on
# day 0 "Infusion (day 0)": one column per step a coordinator knows, not two
MATRIX_BEFORE = (
    (
        "SCR",
        _("Screening"),
        ("screening.consent", "screening.eligibilityassessment", "screening.medicalhistory"),
    ),
    ("ENR", _("Enrollment"), ("dosing.enrollment",)),
    ("LD", _("Lymphodepletion"), ("dosing.lymphodepletion",)),
    ("D0", _("Infusion (day 0)"), ("dosing.infusion",)),
)
MATRIX_AFTER = (("EOS", _("End of study"), ("followup.disposition",)),)
LYMPHODEPLETION_FROM_DAY = -7
# where each column's CRFs are in the casebook
CASEBOOK_ANCHORS = {"SCR": "screening", "ENR": "treatment", "LD": "treatment", "D0": "treatment"}
CASEBOOK_ANCHORS["EOS"] = "end-of-study"

# state -> (icon, words): the icon says it at a glance, the words say it without colour
CELL_STATES = {
    "not_started": ("○", _("Not started")),
    "due": ("◔", _("Due")),
    "incomplete": ("◐", _("Incomplete")),
    "complete": ("●", _("Complete")),
    "verified": ("✔", _("Verified")),
    "locked": ("🔒", _("Locked")),
    "overdue": ("⚠", _("Overdue")),
    "not_expected": ("\u2014", _("Not expected")),
}


def crf_entry_url(label: str, initial: dict, *, back: str | None = None) -> str:
    """The add form of a CRF with its fields prefilled (subject, visit, dates, dose) and where
    to come back to after saving."""
    app_label, model_name = label.split(".")
    params = {k: v for k, v in initial.items() if v is not None}
    if back:
        params["next"] = back
    return f"{reverse(f'admin:{app_label}_{model_name}_add')}?{urlencode(params)}"


def _matrix_columns(definitions) -> list[dict]:
    """The matrix's columns: the steps before day 0, each scheduled visit after it, the end."""
    columns = [
        {"key": key, "title": title, "forms": forms, "definitions": []}
        for key, title, forms in MATRIX_BEFORE
    ]
    by_key = {c["key"]: c for c in columns}
    for definition in sorted(definitions, key=lambda d: (d.target_day, d.order)):
        if definition.target_day < LYMPHODEPLETION_FROM_DAY:
            by_key["SCR"]["definitions"].append(definition)
        elif definition.target_day < 0:
            by_key["LD"]["definitions"].append(definition)
        elif definition.target_day == 0:
            by_key["D0"]["definitions"].append(definition)
        else:
            columns.append(
                {
                    "key": definition.code,
                    "title": definition.label.split(":")[0],
                    "forms": (),
                    "definitions": [definition],
                }
            )
    columns.extend(
        {"key": key, "title": title, "forms": forms, "definitions": []}
        for key, title, forms in MATRIX_AFTER
    )
    return columns


def _matrix_records(subject_ids: list[int]) -> dict[tuple[int, str], list[dict]]:
    """Each matrix CRF's live (not voided) records of these subjects as plain values, one query
    per record type; with the SDV marks, plans, locks and open queries that decide a cell."""
    types = {label: apps.get_model(label) for label in MATRIX_FORMS}
    content_types = ContentType.objects.get_for_models(*types.values())
    records: dict[tuple[int, str], list[dict]] = defaultdict(list)
    for label, (path, date_attr) in MATRIX_FORMS.items():
        model = types[label]
        extra = ["definition_id", "missed"] if label == "followup.visit" else []
        if label == "dosing.enrollment":
            extra += [
                "cohort__dose_level_id",
                "cohort__dose_level__number",
                "cohort__dose_level__cells_per_kg_million",
            ]
        qs = model._default_manager.filter(**{f"{path}__in": subject_ids})
        if any(f.name == "is_voided" for f in model._meta.concrete_fields):
            qs = qs.filter(is_voided=False)
        for row in qs.values("pk", "version", date_attr, f"{path}_id", *extra):
            moment = row[date_attr]
            records[(row[f"{path}_id"], label)].append(
                {
                    **row,
                    "label": label,
                    "ct": content_types[model].pk,
                    "date": _as_date(moment),
                    "form": model._meta.verbose_name,
                }
            )
    return records


def _matrix_status(subject_ids: list[int], study) -> dict:
    """SDV plans and current marks, active locks and open queries, one query each."""
    plans = dict(SdvPlan.objects.filter(study=study).values_list("crf_id", "level"))
    verified = {
        (ct, pk, version)
        for ct, pk, version in SdvMark.objects.filter(
            subject_id__in=subject_ids, is_current=True
        ).values_list("content_type_id", "object_id", "verified_version")
    }
    locks = list(
        Lock.objects.filter(study=study, is_active=True).values_list(
            "scope", "study_id", "subject_id", "content_type_id", "object_id"
        )
    )
    queries = Counter(
        Query.objects.filter(subject_id__in=subject_ids)
        .exclude(status=Query.Status.CLOSED)
        .values_list("content_type_id", "object_id")
    )
    return {
        "plans": plans,
        "verified": verified,
        "study_locked": any(scope == Lock.Scope.STUDY for scope, *_ in locks),
        "subject_locked": {sub for scope, _s, sub, *_ in locks if scope == Lock.Scope.SUBJECT},
        "record_locked": {
            (ct, pk) for scope, _s, _sub, ct, pk in locks if scope == Lock.Scope.RECORD
        },
        "queries": queries,
    }


def _entry_date(window_start: date, planned: date, window_end: date, today: date) -> date:
    """The date a missing visit CRF's form starts with: today inside the window, else the
    planned day."""
    return today if window_start <= today <= window_end else planned


def _cell_state(slots: list[dict], *, window, today: date, status: dict, subject_id: int) -> str:
    """not expected / not started / due / incomplete / overdue / complete / verified / locked."""
    present = [r for slot in slots for r in slot["records"]]
    missing = [s for s in slots if s["expected"] and not s["records"]]
    if missing:
        if window and window[1] < today:
            return "overdue"
        if present:
            return "incomplete"
        return "due" if window and window[0] <= today else "not_started"
    if not present:
        return "not_expected"
    if status["study_locked"] or subject_id in status["subject_locked"]:
        return "locked"
    if all((r["ct"], r["pk"]) in status["record_locked"] for r in present):
        return "locked"
    planned = [
        r for r in present if status["plans"].get(r["ct"], SdvPlan.Level.NONE) != SdvPlan.Level.NONE
    ]
    if planned and all((r["ct"], r["pk"], r["version"]) in status["verified"] for r in planned):
        return "verified"
    return "complete"


def _expected_before(label: str, subject: Subject, enrolled: bool) -> bool:
    """Whether a CRF of the columns around the schedule is expected of this subject."""
    if label.startswith("screening."):
        return True
    if label == "dosing.enrollment":
        return enrolled or subject.status in (Subject.Status.SCREENING, Subject.Status.ELIGIBLE)
    if label == "followup.disposition":
        return enrolled or subject.status == Subject.Status.WITHDRAWN
    return enrolled


def _entry_initial(label: str, subject: Subject, own: dict, context: dict, visit=None) -> dict:
    """What a missing CRF's add form starts with: the subject (or enrollment), the visit and
    its date, the open cohort, the cohort's dose level."""
    today = context["today"]
    enrollment = next(iter(own["dosing.enrollment"]), None)
    day = _entry_date(*visit["window"], today) if visit else None
    if label in ("dosing.lymphodepletion", "dosing.infusion"):
        if enrollment is None:
            return {}
        if label == "dosing.lymphodepletion":
            return {"enrollment": enrollment["pk"], "regimen": context["regimen"]}
        return {
            "enrollment": enrollment["pk"],
            "dose_level": enrollment["cohort__dose_level_id"],
            "planned_cells_per_kg_million": enrollment["cohort__dose_level__cells_per_kg_million"],
            "started_at": today,
        }
    if label == "screening.consent":
        return {"subject": subject.pk, "obtained_by": context.get("user_id")}
    initial = {"subject": subject.pk}
    if label == "screening.eligibilityassessment":
        initial["assessment_date"] = today
    elif label == "dosing.enrollment":
        initial.update(cohort=context["open_cohort"], enrollment_date=today)
    elif visit is not None:
        field = {
            "followup.visit": "actual_date",
            "safety.labresult": "collected_on",
            "safety.crsassessment": "assessed_at",
            "safety.icansassessment": "assessed_at",
            "followup.responseassessment": "assessment_date",
        }[label]
        initial[field] = day
        if label == "followup.visit":
            initial["definition"] = visit["definition"].pk
    return initial


def _matrix_cell(subject, column, own, *, start, context, status, placed) -> dict:
    """One cell: the CRFs the column expects of the subject, what is there, its state."""
    enrolled = bool(own["dosing.enrollment"])
    slots = [
        {
            "label": label,
            "records": own[label],
            "expected": _expected_before(label, subject, enrolled),
            "visit": None,
        }
        for label in column["forms"]
    ]
    window = None
    missed = False
    end = next(iter(own["followup.disposition"]), None)
    for definition in column["definitions"]:
        codes = [code for code in definition.expected_crfs if code in VISIT_CRFS]
        if start is None:  # the schedule is dated from day 0, the first infusion
            slots += [
                {"label": VISIT_CRFS[c], "records": [], "expected": enrolled, "visit": None}
                for c in codes
                if not column["forms"]
            ]
            continue
        planned = start + timedelta(days=definition.target_day)
        if end is not None and planned > end["date"]:
            continue
        span = (
            planned - timedelta(days=definition.window_before),
            planned,
            planned + timedelta(days=definition.window_after),
        )
        window = (
            (min(window[0], span[0]), max(window[1], span[2])) if window else (span[0], span[2])
        )
        visit = next(
            (v for v in own["followup.visit"] if v["definition_id"] == definition.pk), None
        )
        missed = missed or bool(visit and visit["missed"])
        for code in codes:
            label = VISIT_CRFS[code]
            if code == "visit":
                found = [visit] if visit else []
            else:
                found = [
                    r
                    for r in own[label]
                    if (label, r["pk"]) not in placed and span[0] <= r["date"] <= span[2]
                ]
            placed.update((label, r["pk"]) for r in found)
            slots.append(
                {
                    "label": label,
                    "records": found,
                    "expected": not (visit and visit["missed"]),
                    "visit": {"definition": definition, "window": span},
                }
            )
    today = context["today"]
    state = _cell_state(slots, window=window, today=today, status=status, subject_id=subject.pk)
    recorded = [r for slot in slots for r in slot["records"] if not r.get("missed")]
    if missed and not recorded and state in ("complete", "verified", "not_expected"):
        state = "not_expected"  # the visit's record says it did not happen: nothing else is due
    icon, text = CELL_STATES[state]
    if state == "not_expected" and missed:
        text = _("Visit missed")
    items = []
    for slot in slots:
        for record in slot["records"]:
            label = record["label"]
            items.append(
                {
                    "form": record["form"],
                    "date": record["date"],
                    "url": _change_url(label, record["pk"], context["back"]),
                    "ref": f"{label}:{record['pk']}",
                    "missing": False,
                }
            )
        if slot["expected"] and not slot["records"]:
            label = slot["label"]
            initial = _entry_initial(label, subject, own, context, slot["visit"])
            opened = slot["visit"] is None or slot["visit"]["window"][0] <= context["today"]
            can_enter = (
                label in context["can_add"]
                and initial
                and opened  # a visit's forms are entered once its window has opened
                and (slot["visit"] is not None or start is None or not column["definitions"])
            )
            items.append(
                {
                    "form": apps.get_model(label)._meta.verbose_name,
                    "date": None,
                    "url": crf_entry_url(label, initial, back=context["back"])
                    if can_enter
                    else None,
                    "missing": True,
                }
            )
    queries = sum(status["queries"][(r["ct"], r["pk"])] for s in slots for r in s["records"])
    return {
        "key": column["key"],
        "title": column["title"],
        "anchor": CASEBOOK_ANCHORS.get(column["key"], f"visit-{column['key']}"),
        "state": state,
        "icon": icon,
        "text": text,
        "window": window,
        "items": items,
        "queries": queries,
    }


def _change_url(label: str, pk: int, back: str | None) -> str:
    app_label, model_name = label.split(".")
    url = reverse(f"admin:{app_label}_{model_name}_change", args=[pk])
    return f"{url}?{urlencode({'next': back})}" if back else url


def subject_matrix(
    *,
    user,
    site: int | None = None,
    status: str | None = None,
    cohort: int | None = None,
    study=None,
    today: date | None = None,
    back: str | None = None,
    can_add: set[str] | None = None,
) -> dict:
    """The coordinator's home: one row per subject of the user's sites, one column per step of
    the schedule (screening, enrollment, lymphodepletion, infusion, each visit, end of study).
    Each cell: its state, its CRFs (a link to each record; a prefilled add form for each missing
    one, coming back to `back`) and its open queries. A fixed number of queries, whatever the
    number of subjects."""
    today = today or timezone.localdate()
    study = study or study_list(user=user).order_by("pk").first()
    subjects = (
        subject_list(user=user)
        .filter(is_voided=False, site__study=study)
        .select_related("site")
        .order_by("site__code", "screening_number")
    )
    if site:
        subjects = subjects.filter(site_id=site)
    if status:
        subjects = subjects.filter(status=status)
    if cohort:
        subjects = subjects.filter(enrollment__cohort_id=cohort)
    subjects = list(subjects)
    ids = [s.pk for s in subjects]
    columns = _matrix_columns(VisitDefinition.objects.filter(study=study))
    records = _matrix_records(ids)
    state_of = _matrix_status(ids, study)
    day0 = dict(
        DltEvaluation.objects.filter(enrollment__subject_id__in=ids).values_list(
            "enrollment__subject_id", "day0"
        )
    )
    subject_queries = dict(
        Query.objects.filter(subject_id__in=ids)
        .exclude(status=Query.Status.CLOSED)
        .order_by()
        .values("subject_id")
        .annotate(n=Count("pk"))
        .values_list("subject_id", "n")
    )
    context = {
        "today": today,
        "back": back,
        "user_id": user.pk,
        "can_add": can_add or set(),
        "study": study.pk if study else None,
        "open_cohort": Cohort.objects.filter(study=study, status=Cohort.Status.OPEN)
        .values_list("pk", flat=True)
        .first(),
        "regimen": LymphodepletionRegimen.objects.filter(study=study)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first(),
    }
    rows = []
    for subject in subjects:
        own = {label: records[(subject.pk, label)] for label in MATRIX_FORMS}
        placed: set[tuple[str, int]] = set()
        cells = [
            _matrix_cell(
                subject,
                column,
                own,
                start=day0.get(subject.pk),
                context=context,
                status=state_of,
                placed=placed,
            )
            for column in columns
        ]
        enrollment = next(iter(own["dosing.enrollment"]), None)
        rows.append(
            {
                "subject": subject.pk,
                "screening_number": subject.screening_number,
                "site": subject.site.code,
                "status": subject.get_status_display(),
                "dose_level": enrollment["cohort__dose_level__number"] if enrollment else None,
                "day0": day0.get(subject.pk),
                "casebook_url": reverse("admin:casebook", args=[subject.pk]),
                "cells": cells,
                # every open query of the subject, also on records outside the schedule (AEs)
                "open_queries": subject_queries.get(subject.pk, 0),
            }
        )
    totals = Counter(cell["state"] for row in rows for cell in row["cells"])
    return {
        "today": today,
        "columns": [
            {"key": c["key"], "title": c["title"], "days": [d.target_day for d in c["definitions"]]}
            for c in columns
        ],
        "rows": rows,
        "states": [
            {"key": key, "icon": icon, "text": text, "count": totals[key]}
            for key, (icon, text) in CELL_STATES.items()
        ],
    }


# --- source data verification by form --------------------------------------------------------


def _changed_since(record, version: int) -> list[str]:
    """The labels of the fields whose value differs between the record's saved `version` and
    now (what a monitor re-verifies after a change)."""
    then = record.history.filter(version=version).order_by("-history_id").first()
    if then is None:
        return []
    skip = {"id", "version", "created_at"}
    return [
        str(f.verbose_name)
        for f in record._meta.concrete_fields
        if f.name not in skip and getattr(then, f.attname) != getattr(record, f.attname)
    ]


def sdv_state(record, *, study_id: int | None) -> dict | None:
    """A record's source data verification as its form shows it: what the study's SDV plan
    asks (whole form, key fields, nothing), the current verification, or, after a change, the
    fields changed since the verified version."""
    ct = ContentType.objects.get_for_model(type(record))
    plan = SdvPlan.objects.filter(study_id=study_id, crf=ct).first() if study_id else None
    if plan is None or plan.level == SdvPlan.Level.NONE:
        return None
    marks = list(
        SdvMark.objects.filter(content_type=ct, object_id=record.pk)
        .select_related("verified_by")
        .order_by("-verified_at", "-pk")[:1]
    )
    mark = marks[0] if marks else None
    key_fields = (
        [str(type(record)._meta.get_field(n).verbose_name) for n in plan.key_fields]
        if plan.level == SdvPlan.Level.KEY
        else []
    )
    state = {
        "level": plan.get_level_display(),
        "key_fields": key_fields,
        "verified": mark is not None and mark.is_current,
        "mark": mark,
        "changed": [],
    }
    if mark is not None and not mark.is_current:
        state["changed"] = _changed_since(record, mark.verified_version)
    return state


def sdv_to_verify(*, user, site: int | None = None) -> list[dict]:
    """Per site and subject, every record the SDV plan covers that is not verified as it is
    now (never verified, or changed since), with the fields changed since its last
    verification. One query per CRF type under the plan, whatever the number of records."""
    plans = [p for p in sdv_plan_list(user=user) if p.level != SdvPlan.Level.NONE]
    current = set(
        sdv_mark_list(user=user).filter(is_current=True).values_list("content_type_id", "object_id")
    )
    earlier = {
        (ct, pk): version
        for ct, pk, version in sdv_mark_list(user=user)
        .filter(is_current=False)
        .order_by("verified_at", "pk")
        .values_list("content_type_id", "object_id", "verified_version")
    }
    rows = []
    for plan in plans:
        model = plan.crf.model_class()
        path = _subject_path(model) if model is not None else None
        if path is None:
            continue
        records = scope_to_sites(model._default_manager.all(), user, site_path=f"{path}site")
        if site:
            records = records.filter(**{f"{path}site_id": site})
        if hasattr(model, "is_voided"):
            records = records.filter(is_voided=False)
        for record in records.select_related(f"{path}site").order_by("pk"):
            if (plan.crf_id, record.pk) in current:
                continue
            subject = record if model is Subject else _follow(record, path)
            before = earlier.get((plan.crf_id, record.pk))
            rows.append(
                {
                    "site": subject.site.code,
                    "subject": subject.pk,
                    "screening_number": subject.screening_number,
                    "form": model._meta.verbose_name,
                    "record": str(record),
                    "url": reverse(
                        f"admin:{model._meta.app_label}_{model._meta.model_name}_change",
                        args=[record.pk],
                    ),
                    "version": record.version,
                    "verified_version": before,
                    "changed": _changed_since(record, before) if before else [],
                    "level": plan.get_level_display(),
                }
            )
    rows.sort(key=lambda r: (r["site"], r["screening_number"], str(r["form"]), r["record"]))
    return rows


def _follow(record, path: str):
    """The subject at the end of a lookup path such as "enrollment__subject__"."""
    obj = record
    for hop in path.strip("_").split("__"):
        obj = getattr(obj, hop)
    return obj


# --- the audit trail as people read it -------------------------------------------------------


def _display(field, value, related: dict) -> str:
    """A stored value as a person reads it: a choice's label, yes/no, what a foreign key
    points to, empty as "(empty)"."""
    if value is None or value == "":
        return "(empty)"
    if field.is_relation and field.many_to_one:
        return related.get((field.related_model, value), f"#{value}")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def readable_audit(rows: list[dict]) -> list[dict]:
    """Audit-trail rows (`audit_trail`) with what a reader needs instead of codes: the record
    type's name, the subject's screening number, the user's name, each field's label and the
    display value of choices, booleans and foreign keys. A fixed number of queries per page:
    one per kind of record a foreign key points to, one for subjects, one for users. The raw
    codes stay in the API and the exports."""
    types = {label: history.instance_type for label, history in audited_models().items()}
    wanted: dict[type, set] = defaultdict(set)
    for row in rows:
        model = types[row["model"]]
        for change in row["changes"]:
            field = model._meta.get_field(change["field"])
            if field.is_relation and field.many_to_one:
                for value in (change["old"], change["new"]):
                    if value is not None:
                        wanted[field.related_model].add(value)
    related = {}
    for model, ids in wanted.items():
        if model is User:
            names = {
                u.pk: u.get_full_name() or u.get_username() for u in User.objects.filter(pk__in=ids)
            }
            related.update({(model, pk): name for pk, name in names.items()})
            continue
        manager = model._default_manager
        if model is Subject:
            objects = manager.filter(pk__in=ids).only("pk", "screening_number")
            related.update({(model, s.pk): s.screening_number for s in objects})
            continue
        related.update({(model, pk): str(obj) for pk, obj in manager.in_bulk(ids).items()})
    numbers = dict(
        Subject.objects.filter(pk__in={r["subject"] for r in rows if r["subject"]}).values_list(
            "pk", "screening_number"
        )
    )
    # each record's own label ("01-S-008 Cytokine release syndrome (grade 4)"): one query per
    # record type on the page, with what the labels name
    by_type: dict[str, set] = defaultdict(set)
    for row in rows:
        by_type[row["model"]].add(row["record_id"])
    labels = {}
    for label, ids in by_type.items():
        model = types[label]
        manager = model._default_manager.all()
        path = _subject_path(model)
        if path:
            manager = manager.select_related(path.rstrip("_"))
        labels.update({(label, pk): str(obj) for pk, obj in manager.in_bulk(ids).items()})
    users = {
        u.get_username(): u.get_full_name() or u.get_username()
        for u in User.objects.filter(username__in={r["user"] for r in rows if r["user"]})
    }
    readable = []
    for row in rows:
        model = types[row["model"]]
        readable.append(
            {
                **row,
                "record_type": model._meta.verbose_name,
                "record_label": labels.get((row["model"], row["record_id"]), ""),
                "screening_number": numbers.get(row["subject"]),
                "user_name": users.get(row["user"], row["user"]),
                "fields": [
                    {
                        "label": str(model._meta.get_field(c["field"]).verbose_name),
                        "old": _display(model._meta.get_field(c["field"]), c["old"], related),
                        "new": _display(model._meta.get_field(c["field"]), c["new"], related),
                    }
                    for c in row["changes"]
                ],
            }
        )
    return readable


def monitoring_visit_list(*, user) -> QuerySet[MonitoringVisit]:
    return scope_to_sites(
        MonitoringVisit.objects.select_related("site", "monitor"), user, site_path="site"
    )


def query_message_list(*, user) -> QuerySet[QueryMessage]:
    return QueryMessage.objects.filter(query__in=query_list(user=user).values("pk")).select_related(
        "query__content_type", "author"
    )


def open_query_counts(user, model, ids: list) -> dict:
    """Queries not yet closed per record of one type (for a list page's rows): one query."""
    if not ids:
        return {}
    ct = ContentType.objects.get_for_model(model)
    return dict(
        query_list(user=user)
        .filter(content_type=ct, object_id__in=ids)
        .exclude(status=Query.Status.CLOSED)
        .order_by()
        .values("object_id")
        .annotate(n=Count("pk"))
        .values_list("object_id", "n")
    )
