"""The one write path for monitoring: queries, source data verification, locks and electronic
signatures; plus the checks every audited write passes (locks) and what it triggers (an edit
clears SDV and invalidates signatures of the data it changes)."""

import logging
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from screening.models import Subject
from trial.models import ApiToken, Site, SiteRole, Study
from trial.selectors import site_ids_for, user_has_role
from trial.services import Conflict, apply_data, audited_save, record_void, require_data_entry

from .models import Lock, MonitoringVisit, Query, QueryMessage, SdvMark, SdvPlan, Signature

logger = logging.getLogger(__name__)

Role = SiteRole.Role
UNLOCKABLE_APPS = {"monitoring"}


# --- where a record belongs ------------------------------------------------------------------


def subject_of(obj) -> Subject | None:
    if isinstance(obj, Subject):
        return obj if obj.pk else None
    if getattr(obj, "subject_id", None):
        return obj.subject
    path = getattr(type(obj), "audit_subject_path", None)
    if path:
        hop = path.split("__")[0]
        parent = getattr(obj, hop, None)
        return subject_of(parent) if parent is not None else None
    return None


def study_id_of(obj) -> int | None:
    if isinstance(obj, Study):
        return obj.pk
    if getattr(obj, "study_id", None):
        return obj.study_id
    subject = subject_of(obj)
    if subject is not None:
        return subject.site.study_id
    for name in ("site", "cohort", "dose_level", "adverse_event"):
        parent = getattr(obj, name, None) if hasattr(obj, f"{name}_id") else None
        if parent is not None:
            return study_id_of(parent)
    if isinstance(obj, Site):
        return obj.study_id
    return None


def _ct(obj) -> ContentType:
    return ContentType.objects.get_for_model(type(obj))


def _exempt(obj) -> bool:
    """Monitoring's own records, accounts and their API tokens: no data to lock, verify or sign."""
    return obj._meta.app_label in UNLOCKABLE_APPS or isinstance(obj, get_user_model() | ApiToken)


# --- hooks on every audited write ------------------------------------------------------------


def active_lock_for(obj) -> Lock | None:
    study_id = study_id_of(obj)
    if study_id is None:
        return None
    locks = Lock.objects.filter(is_active=True, study_id=study_id)
    found = locks.filter(scope=Lock.Scope.STUDY).first()
    if found is None:
        subject = subject_of(obj)
        if subject is not None:
            found = locks.filter(scope=Lock.Scope.SUBJECT, subject=subject).first()
    if found is None and obj.pk is not None:
        found = locks.filter(
            scope=Lock.Scope.RECORD, content_type=_ct(obj), object_id=obj.pk
        ).first()
    return found


def refuse_locked_change(obj) -> None:
    """Locked data cannot change, through any path, until unlocked with a reason."""
    if _exempt(obj):
        return
    lock = active_lock_for(obj)
    if lock is not None:
        raise Conflict(
            _(
                "%(value0)s is locked since %(value2)s (%(reason)s): a data manager must unlock it, with a reason, before any change."
            )
            % {
                "value0": lock.get_scope_display(),
                "value2": format(timezone.localtime(lock.created_at), "%Y-%m-%d %H:%M"),
                "reason": lock.reason,
            }
        )


def after_audited_save(obj, *, user, is_change: bool) -> None:
    """An edit clears the record's SDV mark and invalidates signatures over it (the record's and
    its subject's casebook), each with a history row saying why; a change of a field with a
    query on it joins the query's conversation."""
    if _exempt(obj) or obj.pk is None or getattr(obj, "_data_management_only", False):
        return
    ct = _ct(obj)
    now = timezone.now()
    if is_change:
        _note_queried_changes(obj, ct, user=user, now=now)
        for mark in SdvMark.objects.filter(content_type=ct, object_id=obj.pk, is_current=True):
            mark.is_current, mark.cleared_at = False, now
            audited_save(
                mark, user=user, reason=f"SDV cleared: the record changed (version {obj.version})"
            )
    label = f"{obj._meta.verbose_name} #{obj.pk}"
    signatures = Signature.objects.filter(is_valid=True, content_type=ct, object_id=obj.pk)
    subject = subject_of(obj)
    if subject is not None and not isinstance(obj, Subject):
        signatures = signatures | Signature.objects.filter(
            is_valid=True,
            content_type=ContentType.objects.get_for_model(Subject),
            object_id=subject.pk,
        )
    elif isinstance(obj, Subject):
        signatures = Signature.objects.filter(is_valid=True, content_type=ct, object_id=obj.pk)
    for signature in signatures:
        signature.is_valid, signature.invalidated_at = False, now
        signature.invalidation_reason = f"Signed data changed: {label}"[:200]
        audited_save(
            signature, user=user, reason=f"Signature invalidated: {label} changed after signing"
        )


# --- records a user may see ------------------------------------------------------------------


def visible_record(user, content_type: ContentType, object_id: int):
    """The record, if the user's sites cover it; otherwise 'not found' (no existence leak)."""
    model = content_type.model_class()
    if model is None or not hasattr(model, "history"):
        raise ValidationError({"record": _("Not an audited record type.")})
    obj = model._default_manager.filter(pk=object_id).first()
    site_ids = site_ids_for(user)
    subject = subject_of(obj) if obj is not None else None
    if obj is None or (
        site_ids is not None and subject is not None and subject.site_id not in site_ids
    ):
        raise ValidationError({"object_id": _("No such record.")})
    return obj


def _require_any_role(user, roles, *, site=None, study=None, what: str) -> None:
    sites = [site] if site is not None else list(study.sites.all()) if study is not None else []
    if not any(user_has_role(user, role, site=s) for role in roles for s in sites):
        raise PermissionDenied(what)


def _where(obj):
    subject = subject_of(obj)
    if subject is not None:
        return {"site": subject.site}
    return {"study": Study.objects.get(pk=study_id_of(obj))}


# --- queries ---------------------------------------------------------------------------------


def _message(query: Query, kind: str, text: str, *, user, now=None) -> QueryMessage:
    message = QueryMessage(query=query, kind=kind, text=text, author=user, at=now or timezone.now())
    return audited_save(
        message, user=user, reason=f"Query {query.pk}: {message.get_kind_display()}"
    )


def _note_queried_changes(obj, ct: ContentType, *, user, now) -> None:
    """The record changed: each query still open on a field that changed gets the change (old
    value -> new value, and the reason for change) as a step of its conversation."""
    queries = list(
        Query.objects.filter(content_type=ct, object_id=obj.pk)
        .exclude(status=Query.Status.CLOSED)
        .exclude(field_name="")
    )
    if not queries:
        return
    latest = list(obj.history.order_by("-history_id")[:2])
    if len(latest) < 2:
        return
    new, old = latest
    for query in queries:
        name = query.field_name
        field = obj._meta.get_field(name)
        before, after = getattr(old, field.attname), getattr(new, field.attname)
        if before == after:
            continue
        label = str(field.verbose_name)
        reason = new.history_change_reason or "no reason given"
        text = (
            f"{label[:1].upper()}{label[1:]} changed: {_shown(field, before)} -> "
            f"{_shown(field, after)}. Reason for change: {reason}"
        )
        _message(query, QueryMessage.Kind.DATA_CHANGED, text, user=user, now=now)


def _shown(field, value) -> str:
    """A value as people read it: a choice's label, yes/no, empty shown as such."""
    if value is None or value == "":
        return "(empty)"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def may_raise_query(user, record) -> bool:
    """Monitors and data managers of the record's site (or study) raise queries on it."""
    try:
        _require_any_role(user, (Role.MONITOR, Role.DATA_MANAGER), **_where(record), what="")
    except PermissionDenied:
        return False
    return True


def may_verify(user, record) -> bool:
    """Monitors of the record's site verify its source data."""
    try:
        _require_any_role(user, (Role.MONITOR,), **_where(record), what="")
    except PermissionDenied:
        return False
    return True


def may_answer_query(user, query: Query) -> bool:
    """The site's investigators and coordinators answer an open query."""
    if query.status != Query.Status.OPEN:
        return False
    subject = query.subject
    if subject is None:
        return False
    try:
        require_data_entry(user, subject.site)
    except PermissionDenied:
        return False
    return True


def query_open(
    *, user, data: Mapping[str, Any], instance: Query | None = None, reason: str | None = None
) -> Query:
    if instance is not None and not instance._state.adding:
        raise ValidationError(
            {"text": _("A query's text stands; answer, close or re-open it instead.")}
        )
    with transaction.atomic():
        record = visible_record(user, data["content_type"], data["object_id"])
        _require_any_role(
            user,
            (Role.MONITOR, Role.DATA_MANAGER),
            **_where(record),
            what="Monitors and data managers open queries.",
        )
        field = data.get("field_name", "")
        if field and field not in {f.name for f in record._meta.concrete_fields}:
            raise ValidationError(
                {
                    "field_name": _("%(verbose_name)s has no field %(field)s.")
                    % {"verbose_name": record._meta.verbose_name, "field": repr(field)}
                }
            )
        query = Query(
            content_type=data["content_type"],
            object_id=record.pk,
            subject=subject_of(record),
            field_name=field,
            text=data["text"],
            opened_by=user,
        )
        if not (query.text or "").strip():
            raise ValidationError({"text": _("Write the question for the site.")})
        query = audited_save(query, user=user, reason=reason or "Query opened")
        _message(query, QueryMessage.Kind.RAISED, query.text, user=user)
        return query


def query_answer(*, user, query: Query, answer: str) -> Query:
    with transaction.atomic():
        query = Query.objects.select_for_update().get(pk=query.pk)
        record = query.record
        subject = subject_of(record)
        if subject is not None:
            require_data_entry(user, subject.site)
        if query.status != Query.Status.OPEN:
            raise Conflict(
                _("This query is %(status)s: only an open query is answered.")
                % {"status": query.status}
            )
        if not (answer or "").strip():
            raise ValidationError({"answer": _("Write the answer.")})
        query.answer, query.answered_by, query.answered_at = answer.strip(), user, timezone.now()
        query.status = Query.Status.ANSWERED
        query = audited_save(query, user=user, reason="Query answered by the site")
        _message(query, QueryMessage.Kind.ANSWERED, query.answer, user=user)
        return query


def _monitor_step(user, query: Query, status: str, reason: str, note: str = "") -> Query:
    with transaction.atomic():
        query = Query.objects.select_for_update().get(pk=query.pk)
        _require_any_role(
            user,
            (Role.MONITOR, Role.DATA_MANAGER),
            **_where(query.record),
            what="Monitors and data managers close and re-open queries.",
        )
        if status == Query.Status.CLOSED:
            if query.status == Query.Status.CLOSED:
                raise Conflict(_("This query is already closed."))
            query.closed_by, query.closed_at = user, timezone.now()
        else:
            if query.status == Query.Status.OPEN:
                raise Conflict(_("This query is already open."))
            if not (note or "").strip():
                raise ValidationError({"reason": _("Say why the query is re-opened.")})
            query.closed_by = query.closed_at = None
        query.status = status
        query = audited_save(query, user=user, reason=reason)
        if status == Query.Status.CLOSED:
            _message(query, QueryMessage.Kind.CLOSED, note or "Closed.", user=user)
        else:
            _message(query, QueryMessage.Kind.REOPENED, note, user=user)
        return query


def query_close(*, user, query: Query, reason: str | None = None) -> Query:
    note = (reason or "").strip()
    return _monitor_step(
        user, query, Query.Status.CLOSED, f"Query closed: {note}" if note else "Query closed", note
    )


def query_reopen(*, user, query: Query, reason: str) -> Query:
    note = (reason or "").strip()
    return _monitor_step(
        user, query, Query.Status.OPEN, f"Query re-opened: {note}" if note else "", note
    )


# --- source data verification ----------------------------------------------------------------


def sdv_plan_save(
    *, user, data: Mapping[str, Any], instance: SdvPlan | None = None, reason: str | None = None
) -> SdvPlan:
    with transaction.atomic():
        plan = instance or SdvPlan()
        apply_data(plan, data)
        model = plan.crf.model_class()
        names = {f.name for f in model._meta.concrete_fields} if model else set()
        unknown = [f for f in plan.key_fields if f not in names]
        if unknown:
            raise ValidationError(
                {"key_fields": _("Unknown fields: %(value1)s.") % {"value1": ", ".join(unknown)}}
            )
        if plan.level == SdvPlan.Level.KEY and not plan.key_fields:
            raise ValidationError({"key_fields": _("Key-field SDV needs its key fields.")})
        return audited_save(plan, user=user, reason=reason)


def _planned_fields(record, ct: ContentType) -> list[str]:
    """The fields a verification covers when none are named: the SDV plan's key fields for a
    key-field plan, else none (the whole form)."""
    plan = SdvPlan.objects.filter(study_id=study_id_of(record), crf=ct).first()
    if plan is not None and plan.level == SdvPlan.Level.KEY:
        return list(plan.key_fields)
    return []


def sdv_verify(
    *, user, data: Mapping[str, Any], instance: SdvMark | None = None, reason: str | None = None
) -> SdvMark:
    """The monitor verified the record, as it is now, against source."""
    with transaction.atomic():
        record = visible_record(user, data["content_type"], data["object_id"])
        where = _where(record)
        _require_any_role(
            user, (Role.MONITOR,), **where, what="Only a monitor verifies source data."
        )
        ct = data["content_type"]
        if SdvMark.objects.filter(content_type=ct, object_id=record.pk, is_current=True).exists():
            raise Conflict(_("This record is already verified in its current version."))
        mark = SdvMark(
            content_type=ct,
            object_id=record.pk,
            subject=subject_of(record),
            verified_by=user,
            verified_at=timezone.now(),
            verified_version=record.version,
            fields=data.get("fields") or _planned_fields(record, ct),
        )
        return audited_save(
            mark, user=user, reason=reason or f"Source data verified (version {record.version})"
        )


# --- locks -----------------------------------------------------------------------------------


def lock_create(
    *, user, data: Mapping[str, Any], instance: Lock | None = None, reason: str | None = None
) -> Lock:
    if instance is not None and not instance._state.adding:
        raise ValidationError(
            {"scope": _("Release the lock and lock again instead of editing it.")}
        )
    with transaction.atomic():
        lock = Lock(locked_by=user)
        apply_data(lock, data)
        study = lock.study
        _require_any_role(
            user, (Role.DATA_MANAGER,), study=study, what="Only a data manager locks data."
        )
        if lock.scope == Lock.Scope.RECORD:
            record = visible_record(user, lock.content_type, lock.object_id)
            if _exempt(record):
                raise ValidationError(
                    {
                        "record": _(
                            "A %(verbose_name)s is not clinical data: locking does not protect it. Lock the record it is about, or the subject."
                        )
                        % {"verbose_name": record._meta.verbose_name}
                    }
                )
            if study_id_of(record) != study.pk:
                raise ValidationError({"object_id": _("This record belongs to another study.")})
            # a record's lock follows its subject's site, as the record does
            lock.subject = subject_of(record)
        if lock.scope == Lock.Scope.SUBJECT and lock.subject.site.study_id != study.pk:
            raise ValidationError({"subject": _("This subject belongs to another study.")})
        if not (lock.reason or "").strip():
            raise ValidationError({"reason": _("Say why the data are locked.")})
        return audited_save(lock, user=user, reason=f"Locked: {lock.reason}")


def lock_release(*, user, lock: Lock, reason: str) -> Lock:
    with transaction.atomic():
        lock = Lock.objects.select_for_update().get(pk=lock.pk)
        _require_any_role(
            user, (Role.DATA_MANAGER,), study=lock.study, what="Only a data manager unlocks data."
        )
        if not lock.is_active:
            raise Conflict(_("This lock is already released."))
        if not (reason or "").strip():
            raise ValidationError({"reason": _("Say why the data are unlocked.")})
        lock.is_active, lock.unlocked_by, lock.unlocked_at = False, user, timezone.now()
        lock.unlock_reason = reason.strip()
        return audited_save(lock, user=user, reason=f"Unlocked: {reason.strip()}")


# --- electronic signatures -------------------------------------------------------------------


def casebook_gaps(subject: Subject) -> list[str]:
    gaps = []
    if not subject.dispositions.filter(is_voided=False).exists():
        gaps.append("no end-of-study record")
    open_queries = Query.objects.filter(subject=subject).exclude(status=Query.Status.CLOSED).count()
    if open_queries:
        gaps.append(f"{open_queries} query(ies) not closed")
    return gaps


def _signature_failures_key(user) -> str:
    return f"signature-password-failures:{user.pk}"


def _check_signature_password(user, password: str) -> None:
    """The password re-entered to sign, guarded as logins are (django-axes): after
    AXES_FAILURE_LIMIT wrong passwords the user cannot sign for AXES_COOLOFF_TIME, even with the
    right one, so a left-open session cannot be used to guess the password. Each wrong password
    is logged (21 CFR 11.300(d): attempts at unauthorized use are detected and reported)."""
    key = _signature_failures_key(user)
    limit, cooloff = settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME
    minutes = int(cooloff.total_seconds() // 60)
    if (cache.get(key) or 0) >= limit:
        raise ValidationError(
            {
                "password": _(
                    "Too many wrong passwords: signing is blocked for %(minutes)s minutes."
                )
                % {"minutes": minutes}
            }
        )
    if user.check_password(password):
        cache.delete(key)
        return
    cache.add(key, 0, timeout=cooloff.total_seconds())
    failures = cache.incr(key)
    logger.warning(
        "Wrong signature password for %s (%d of %d)", user.get_username(), failures, limit
    )
    if failures >= limit:
        raise ValidationError(
            {
                "password": _(
                    "Too many wrong passwords: signing is blocked for %(minutes)s minutes."
                )
                % {"minutes": minutes}
            }
        )
    raise ValidationError(
        {"password": _("The password is not correct: the signature is not applied.")}
    )


def signature_sign(
    *, user, data: Mapping[str, Any], instance: Signature | None = None, reason: str | None = None
) -> Signature:
    """Sign by re-entering the password: the investigator a subject's casebook, a safety reviewer
    an escalation decision. Only complete data can be signed."""
    _check_signature_password(user, data.get("password") or "")
    with transaction.atomic():
        record = visible_record(user, data["content_type"], data["object_id"])
        label = record._meta.label
        if label == "screening.Subject":
            _require_any_role(
                user,
                (Role.INVESTIGATOR,),
                site=record.site,
                what="Only an investigator of the site signs a casebook.",
            )
            gaps = casebook_gaps(record)
            if gaps:
                raise ValidationError(
                    {
                        "object_id": _("The casebook is not complete: %(value1)s.")
                        % {"value1": ", ".join(gaps)}
                    }
                )
        elif label == "dosing.EscalationDecision":
            _require_any_role(
                user,
                (Role.SAFETY_REVIEWER,),
                study=record.cohort.study,
                what="Only a safety reviewer signs an escalation decision.",
            )
        else:
            raise ValidationError(
                {"content_type": _("Casebooks (subjects) and escalation decisions are signed.")}
            )
        fitting = {
            "screening.Subject": Signature.Meaning.REVIEWED_APPROVED,
            "dosing.EscalationDecision": Signature.Meaning.DECISION,
        }[label]
        if data["meaning"] != fitting:
            raise ValidationError(
                {
                    "meaning": _(
                        "A %(verbose_name)s is signed with the meaning “%(label)s”, not “%(label_)s”."
                    )
                    % {
                        "verbose_name": record._meta.verbose_name,
                        "label": fitting.label,
                        "label_": Signature.Meaning(data["meaning"]).label,
                    }
                }
            )
        if Signature.objects.filter(
            content_type=data["content_type"], object_id=record.pk, signer=user, is_valid=True
        ).exists():
            raise Conflict(_("You have already signed this, and the data have not changed since."))
        signature = Signature(
            content_type=data["content_type"],
            object_id=record.pk,
            subject=subject_of(record),
            signer=user,
            meaning=data["meaning"],
            signed_at=timezone.now(),
        )
        return audited_save(
            signature, user=user, reason=f"Signed: {signature.get_meaning_display()}"
        )


# --- monitoring visits -----------------------------------------------------------------------


def monitoring_visit_save(
    *,
    user,
    data: Mapping[str, Any],
    instance: MonitoringVisit | None = None,
    reason: str | None = None,
) -> MonitoringVisit:
    """A monitor records (or corrects) a visit to one of their sites."""
    with transaction.atomic():
        visit = instance or MonitoringVisit()
        apply_data(visit, data)
        if visit.site_id is None:
            raise ValidationError({"site": _("This field is required.")})
        _require_any_role(
            user, (Role.MONITOR,), site=visit.site, what="Monitors record monitoring visits."
        )
        if visit.visit_date and visit.visit_date > timezone.localdate():
            raise ValidationError({"visit_date": _("The visit date is in the future.")})
        if visit.follow_up_due and visit.visit_date and visit.follow_up_due < visit.visit_date:
            raise ValidationError({"follow_up_due": _("The follow-up is due before the visit.")})
        if visit._state.adding:
            visit.monitor = user
        return audited_save(visit, user=user, reason=reason)


def monitoring_visit_void(*, user, instance: MonitoringVisit, reason: str) -> MonitoringVisit:
    with transaction.atomic():
        _require_any_role(
            user, (Role.MONITOR,), site=instance.site, what="Monitors void monitoring visits."
        )
        return record_void(user=user, instance=instance, reason=reason)
