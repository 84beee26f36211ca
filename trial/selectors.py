"""Reads of study configuration, and the site scoping every app's selectors reuse."""

from datetime import timedelta
from itertools import groupby
from typing import TypeVar

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Model, OuterRef, Q, QuerySet, Subquery

from .models import ApiToken, DoseLevel, JobRun, Site, SiteRole, Study
from .schedule import LATE_AFTER_HOURS, SCHEDULE

M = TypeVar("M", bound=Model)


ROLE_CACHE_SECONDS = 300


def role_cache_key(user_id: int) -> str:
    return f"active-site-roles:{user_id}"


def active_roles(user) -> frozenset[tuple[int, str]]:
    """(site id, role) of every active role of `user`: read once per request (kept on the user
    object) and cached across requests for ROLE_CACHE_SECONDS; any change of a role clears the
    user's entry (`trial.signals`), so a revoked role stops at the next request."""
    if not hasattr(user, "_active_roles"):
        key = role_cache_key(user.pk)
        roles = cache.get(key)
        if roles is None:
            roles = frozenset(
                SiteRole.objects.filter(user_id=user.pk, is_active=True).values_list(
                    "site_id", "role"
                )
            )
            cache.set(key, roles, ROLE_CACHE_SECONDS)
        user._active_roles = roles
    return user._active_roles


def site_ids_for(user, *, roles: tuple[str, ...] | None = None) -> set[int] | None:
    """Ids of the sites where `user` holds an active role (any of `roles`, if given).

    None means "every site": superusers are not scoped.
    """
    if not user.is_authenticated or not user.is_active:
        return set()
    if user.is_superuser:
        return None
    return {site for site, role in active_roles(user) if not roles or role in roles}


def scope_to_sites(qs: QuerySet[M], user, *, site_path: str = "site") -> QuerySet[M]:
    """Only the rows of `qs` that belong to one of the user's sites (via `site_path`)."""
    site_ids = site_ids_for(user)
    if site_ids is None:
        return qs
    return qs.filter(**{f"{site_path}__in": site_ids})


def user_has_role(user, role: str, *, site: Site | None = None) -> bool:
    ids = site_ids_for(user, roles=(role,))
    if ids is None:
        return True
    return bool(ids) if site is None else site.pk in ids


def study_list(*, user) -> QuerySet[Study]:
    qs = Study.objects.all()
    site_ids = site_ids_for(user)
    if site_ids is not None:
        qs = qs.filter(sites__in=site_ids).distinct()
    return qs.order_by("registry_id")


def site_list(*, user) -> QuerySet[Site]:
    return scope_to_sites(Site.objects.select_related("study"), user, site_path="pk")


def dose_level_list(*, user) -> QuerySet[DoseLevel]:
    return DoseLevel.objects.select_related("study").filter(study__in=study_list(user=user))


def managed_site_list(*, user) -> QuerySet[Site]:
    """The sites where the user is a data manager: where they may grant roles."""
    qs = Site.objects.select_related("study")
    site_ids = site_ids_for(user, roles=(SiteRole.Role.DATA_MANAGER,))
    return qs if site_ids is None else qs.filter(pk__in=site_ids)


def site_role_list(*, user) -> QuerySet[SiteRole]:
    return scope_to_sites(SiteRole.objects.select_related("user", "site"), user)


def role_periods(*, user) -> list[dict]:
    """Who held which role at which site, and when (for the sponsor's access reviews): one row
    per period a role was active, read from the role history -- granted (when, by whom), ended
    (when, by whom, why) or still held -- and whether the account is active today. Data managers
    see their sites; administrators every site."""
    sites = managed_site_list(user=user)
    versions = (
        SiteRole.history.filter(site_id__in=sites.values("id"))
        .select_related("history_user", "user", "site")
        .order_by("id", "history_id")
    )
    periods: list[dict] = []
    for _id, group in groupby(versions, key=lambda v: v.id):
        current = None
        for version in group:
            active = version.is_active and version.history_type != "-"
            who = version.history_user.get_username() if version.history_user else "system"
            if active and current is None:
                member = version.user
                current = {
                    "username": member.get_username(),
                    "name": member.get_full_name(),
                    "site": version.site.code,
                    "role": version.get_role_display(),
                    "from": version.history_date,
                    "granted_by": who,
                    "until": None,
                    "ended_by": "",
                    "end_reason": "",
                    "account": "active" if member.is_active else "deactivated",
                }
            elif not active and current is not None:
                current.update(
                    until=version.history_date,
                    ended_by=who,
                    end_reason=version.history_change_reason or "",
                )
                periods.append(current)
                current = None
        if current is not None:
            periods.append(current)
    return sorted(periods, key=lambda p: (p["site"], p["username"], p["role"], p["from"]))


def site_staff(*, user, roles: tuple[str, ...] | None = None):
    """Active users holding a role (any of `roles`, if given) at one of the user's sites (e.g.
    who obtained consent: the site's investigators and coordinators)."""
    users = get_user_model().objects.filter(is_active=True)
    held = {"site_roles__is_active": True}
    if roles:
        held["site_roles__role__in"] = roles
    site_ids = site_ids_for(user)
    if site_ids is not None:
        held["site_roles__site__in"] = site_ids
    elif not roles:
        return users
    return users.filter(**held).distinct()


def job_status(*, now) -> list[dict]:
    """The last run of each scheduled job (one query): when, ok or failed, what it said; late
    when a daily job has not run for LATE_AFTER_HOURS, "never" when it has not run yet."""
    latest = JobRun.objects.filter(
        finished_at=Subquery(
            JobRun.objects.filter(job=OuterRef("job"))
            .order_by("-finished_at")
            .values("finished_at")[:1]
        )
    )
    runs = {run.job: run for run in latest}
    rows = []
    for job, (cron, purpose) in SCHEDULE.items():
        run = runs.get(job)
        if run is None:
            state = "never run"
        elif not run.ok:
            state = "FAILED"
        elif now - run.finished_at > timedelta(hours=LATE_AFTER_HOURS):
            state = "late"
        else:
            state = "ok"
        rows.append({"job": job, "cron": cron, "purpose": purpose, "run": run, "state": state})
    return rows


# --- accounts: second factor and API tokens --------------------------------------------------


def managed_user_list(*, user) -> QuerySet:
    """The accounts a data manager looks after: those holding an active role at a site where
    they are a data manager (administrators' accounts are not theirs to reset); every account
    for an administrator. Their own excluded: nobody resets their own second factor this way."""
    User = get_user_model()
    qs = User.objects.all()
    site_ids = site_ids_for(user, roles=(SiteRole.Role.DATA_MANAGER,))
    if site_ids is not None:
        member_ids = SiteRole.objects.filter(site__in=site_ids, is_active=True).values("user")
        qs = qs.filter(pk__in=member_ids, is_superuser=False)
    return qs.exclude(pk=user.pk).order_by("username")


def two_factor_status(*, users) -> dict[int, dict]:
    """Per user id: whether an authenticator is set up, when it was last used, and how many
    unused recovery codes are left."""
    from django.db.models import Count
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    ids = [u.pk for u in users]
    status = {pk: {"authenticator": False, "last_used_at": None, "recovery_codes": 0} for pk in ids}
    for device in TOTPDevice.objects.filter(user__in=ids, confirmed=True):
        row = status[device.user_id]
        row["authenticator"] = True
        if device.last_used_at and (
            not row["last_used_at"] or device.last_used_at > row["last_used_at"]
        ):
            row["last_used_at"] = device.last_used_at
    codes = (
        StaticDevice.objects.filter(user__in=ids, confirmed=True)
        .values("user")
        .annotate(left=Count("token_set"))
    )
    for row in codes:
        status[row["user"]]["recovery_codes"] += row["left"]
    return status


def api_token_list(*, user) -> QuerySet[ApiToken]:
    """The user's own tokens, and a data manager's also those of the accounts they look after."""
    qs = ApiToken.objects.select_related("user", "revoked_by")
    if site_ids_for(user, roles=(SiteRole.Role.DATA_MANAGER,)) is None:
        return qs
    return qs.filter(Q(user=user) | Q(user__in=managed_user_list(user=user)))
