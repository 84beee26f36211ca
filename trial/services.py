"""The one write path for study configuration, and the audit helpers every app's services use.

Every write sets who (`_history_user`) and why (`_change_reason`) before `save()`, validates
with `full_clean()` and runs inside `transaction.atomic`, so the admin and the API get the same
validation and the same history rows.
"""

import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    ApiToken,
    AuditedModel,
    DoseLevel,
    JobRun,
    Site,
    SiteRole,
    Study,
    VoidableModel,
)
from .selectors import managed_user_list, user_has_role

DATA_ENTRY_ROLES = (SiteRole.Role.INVESTIGATOR, SiteRole.Role.COORDINATOR)

A = TypeVar("A", bound=AuditedModel)


class Conflict(ValidationError):
    """The request clashes with the current state (a full cohort, a second enrollment): the API
    answers 409, the admin shows it on the form."""


REASON_REQUIRED = "A reason for change is required when a saved record is changed."


def require_data_entry(user, site: Site) -> None:
    """Clinical data of a site are entered by its investigators and coordinators only."""
    if not any(user_has_role(user, role, site=site) for role in DATA_ENTRY_ROLES):
        raise PermissionDenied(
            _("Only investigators and coordinators of this site enter its data.")
        )


def apply_data(obj: A, data: Mapping[str, Any]) -> A:
    """Set the editable model fields in `data` on `obj`; anything else is a programming error."""
    for name, value in data.items():
        try:
            field = obj._meta.get_field(name)
        except FieldDoesNotExist:
            raise ValueError(f"{type(obj).__name__} has no field {name!r}") from None
        if not field.editable or field.primary_key:
            raise ValueError(f"{type(obj).__name__}.{name} is not editable")
        setattr(obj, field.attname if field.is_relation else name, _pk_or_value(field, value))
    return obj


def _pk_or_value(field, value):
    if field.is_relation and value is not None and hasattr(value, "pk"):
        return value.pk
    return value


def refuse_changes(
    obj: AuditedModel, data: Mapping[str, Any], names: tuple[str, ...], message: str
) -> None:
    """Reject `data` that would change one of `names` on an already saved `obj`."""
    if obj._state.adding:
        return
    for name in names:
        if name not in data:
            continue
        field = obj._meta.get_field(name)
        attname = field.attname if field.is_relation else name
        if _pk_or_value(field, data[name]) != getattr(obj, attname):
            raise ValidationError({name: message})


_BEFORE_SAVE: list = []
_AFTER_SAVE: list = []


def register_audit_hooks(*, before_save=None, after_save=None) -> None:
    """Checks every audited write passes (e.g. locks) and follow-ups it triggers (e.g. clearing
    source data verification); registered once by the monitoring app."""
    if before_save is not None and before_save not in _BEFORE_SAVE:
        _BEFORE_SAVE.append(before_save)
    if after_save is not None and after_save not in _AFTER_SAVE:
        _AFTER_SAVE.append(after_save)


def audited_save(obj: A, *, user, reason: str | None = None) -> A:
    """Validate and save `obj` with its history row: a change to a saved record needs a reason."""
    reason = (reason or "").strip()
    is_change = not obj._state.adding
    if is_change and not reason:
        raise ValidationError({"change_reason": REASON_REQUIRED})
    obj.full_clean()
    if is_change:
        obj.version += 1
    for check in _BEFORE_SAVE:
        check(obj)
    obj._history_user = user
    obj._change_reason = reason or None
    obj.save()
    for follow_up in _AFTER_SAVE:
        follow_up(obj, user=user, is_change=is_change)
    return obj


def record_void(*, user, instance: VoidableModel, reason: str) -> VoidableModel:
    """Void a record entered in error: it stays in the database and in its history."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("A reason is required to void a record.")})
    if instance.is_voided:
        raise ValidationError({"is_voided": _("This record is already voided.")})
    instance.is_voided = True
    instance.voided_at = timezone.now()
    instance.void_reason = reason
    return audited_save(instance, user=user, reason=f"Voided: {reason}")


# --- study -------------------------------------------------------------------------------


def study_save(
    *, user, data: Mapping[str, Any], instance: Study | None = None, reason: str | None = None
) -> Study:
    with transaction.atomic():
        study = apply_data(instance or Study(), data)
        return audited_save(study, user=user, reason=reason)


# --- sites and roles ---------------------------------------------------------------------


def site_save(
    *, user, data: Mapping[str, Any], instance: Site | None = None, reason: str | None = None
) -> Site:
    with transaction.atomic():
        site = instance or Site()
        refuse_changes(site, data, ("study",), "A site cannot move to another study.")
        return audited_save(apply_data(site, data), user=user, reason=reason)


def site_role_save(
    *, user, data: Mapping[str, Any], instance: SiteRole | None = None, reason: str | None = None
) -> SiteRole:
    """Grant a role (new record) or change one (e.g. revoke: is_active False, with a reason).
    Only a data manager of that very site (or an administrator) does it, and never for
    themselves: nobody raises their own privileges."""
    with transaction.atomic():
        site_role = instance or SiteRole()
        refuse_changes(
            site_role,
            data,
            ("user", "site", "role"),
            "Revoke this role and grant a new one instead of editing it.",
        )
        apply_data(site_role, data)
        if user is not None and not user.is_superuser and site_role.site_id is not None:
            if not user_has_role(user, SiteRole.Role.DATA_MANAGER, site=site_role.site):
                raise PermissionDenied(_("Only a data manager of this site grants its roles."))
            if site_role.user_id == user.pk:
                raise ValidationError(
                    {
                        "user": _(
                            "Nobody grants or changes their own role: ask another data manager."
                        )
                    }
                )
        return audited_save(site_role, user=user, reason=reason)


def site_role_grant(*, user, member, site: Site, role: str, reason: str | None = None) -> SiteRole:
    """Give `member` `role` at `site`; re-activates a revoked role instead of duplicating it."""
    with transaction.atomic():
        existing = (
            SiteRole.objects.select_for_update().filter(user=member, site=site, role=role).first()
        )
        if existing is None:
            return site_role_save(
                user=user, data={"user": member, "site": site, "role": role}, reason=reason
            )
        if existing.is_active:
            return existing
        return site_role_save(
            user=user,
            instance=existing,
            data={"is_active": True},
            reason=reason or "Role granted again",
        )


# --- dose levels -------------------------------------------------------------------------


def dose_level_save(
    *, user, data: Mapping[str, Any], instance: DoseLevel | None = None, reason: str | None = None
) -> DoseLevel:
    """Create a dose level as the next number 1..K, or change its label, dose or schedule."""
    with transaction.atomic():
        level = instance or DoseLevel()
        if level._state.adding:
            study = data.get("study")
            if study is not None:
                top = (
                    DoseLevel.objects.filter(study=study, is_voided=False)
                    .order_by("-number")
                    .values_list("number", flat=True)
                    .first()
                ) or 0
                if data.get("number") is not None and data["number"] > top + 1:
                    raise ValidationError(
                        {
                            "number": _(
                                "Dose levels are numbered 1..K without gaps: the next is %(value1)s."
                            )
                            % {"value1": top + 1}
                        }
                    )
        refuse_changes(
            level,
            data,
            ("study", "number"),
            "The dose number cannot change: void this level and enter it anew.",
        )
        return audited_save(apply_data(level, data), user=user, reason=reason)


def dose_level_void(*, user, instance: DoseLevel, reason: str) -> DoseLevel:
    """Void a dose level entered in error; only the highest one, so the rest stay 1..K."""
    with transaction.atomic():
        higher = DoseLevel.objects.filter(
            study_id=instance.study_id, is_voided=False, number__gt=instance.number
        )
        if higher.exists():
            raise ValidationError(
                {
                    "number": _(
                        "Only the highest dose level can be voided: the others stay numbered 1..K."
                    )
                }
            )
        return record_void(user=user, instance=instance, reason=reason)


# --- scheduled jobs --------------------------------------------------------------------------


def job_run_record(*, job: str, started_at, ok: bool, summary: str) -> JobRun:
    """Record one run of a scheduled job (by the system: no user)."""
    with transaction.atomic():
        run = JobRun(
            job=job,
            started_at=started_at,
            finished_at=timezone.now(),
            ok=ok,
            summary=summary[:2000],
        )
        return audited_save(
            run, user=None, reason=f"Scheduled job {job}: {'ok' if ok else 'FAILED'}"
        )


# --- second factor (django-otp) ----------------------------------------------------------------

TOTP_CODE = re.compile(r"^\d{6}$")


def _device_save(device, *, user, reason: str) -> None:
    device._history_user = user
    device._change_reason = reason
    device.save()


def two_factor_pending_device(*, user, device_id: int | None = None):
    """The authenticator being set up: the unconfirmed one of this set-up (its id kept in the
    session between showing the QR code and the first code) or a new one with a new secret."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(pk=device_id, user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice(user=user, name="Authenticator app", confirmed=False)
        _device_save(device, user=user, reason="Two-factor set-up started")
    return device


def _recovery_codes_issue(*, user, by, reason: str) -> list[str]:
    """A new set of one-time recovery codes; the previous set stops working (its device is kept,
    unconfirmed, with its history)."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    for old in StaticDevice.objects.filter(user=user, confirmed=True):
        old.confirmed = False
        _device_save(old, user=by, reason=f"Recovery codes replaced: {reason}")
    device = StaticDevice(user=user, name="Recovery codes", confirmed=True)
    _device_save(device, user=by, reason=reason)
    codes = [StaticToken.random_token() for _ in range(settings.RECOVERY_CODES)]
    for code in codes:
        device.token_set.create(token=code)
    return codes


def two_factor_confirm(*, user, device, token: str) -> list[str]:
    """The first code from the authenticator app confirms it: from now on it is the user's second
    factor. Returns the one-time recovery codes, shown once. A wrong code is kept in the device's
    history (and slows the next try) before it is refused."""
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    token = (token or "").replace(" ", "")
    if not TOTP_CODE.match(token):
        raise ValidationError({"otp_token": _("Enter the 6-digit code the app shows.")})
    with transaction.atomic():
        # one set-up at a time per user: a second one (another browser) waits, then is refused
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise ValidationError({"otp_token": _("An authenticator is already set up.")})
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
        device._history_user = user
        device._change_reason = "Two-factor set-up: first code checked"
        accepted = device.verify_token(token)
        if accepted:
            device.confirmed = True
            _device_save(device, user=user, reason="Two-factor set up")
            codes = _recovery_codes_issue(
                user=user, by=user, reason="Recovery codes issued at set-up"
            )
    if not accepted:
        raise ValidationError(
            {
                "otp_token": _(
                    "That code is not right: check the time on your phone and try the next code."
                )
            }
        )
    return codes


def two_factor_verify(*, user, token: str):
    """The device of `user` that accepts `token` -- a 6-digit code from the authenticator app or
    a one-time recovery code (used up) -- or None. Each check, accepted or refused, is a history
    row of the device (a refused one raises its failure count, which slows further tries)."""
    from django_otp import devices_for_user
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    token = (token or "").replace(" ", "").lower()
    kind = TOTPDevice if TOTP_CODE.match(token) else StaticDevice
    if not token:
        return None
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if not isinstance(device, kind):
                continue
            device._history_user = user
            device._change_reason = (
                "Sign-in: authenticator code" if kind is TOTPDevice else "Sign-in: recovery code"
            )
            if device.verify_token(token):
                return device
    return None


def recovery_codes_renew(*, user) -> list[str]:
    """New recovery codes, asked for by their owner from a two-factor session."""
    with transaction.atomic():
        return _recovery_codes_issue(user=user, by=user, reason="Recovery codes renewed by owner")


def two_factor_reset(*, user, member, reason: str) -> int:
    """A lost phone: the member's authenticator and recovery codes stop working at once (their
    sessions lose the second factor) and they set up a new one at their next sign-in. Done by a
    data manager of a site where the member holds a role, or an administrator; never for
    oneself. Returns how many devices were reset."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"change_reason": _("Say why the second factor is reset.")})
    if member.pk == user.pk:
        raise ValidationError(
            {"user": _("Nobody resets their own second factor: ask a data manager.")}
        )
    if not managed_user_list(user=user).filter(pk=member.pk).exists():
        raise PermissionDenied(_("Only a data manager of one of this user's sites resets it."))
    with transaction.atomic():
        devices = [
            *TOTPDevice.objects.select_for_update().filter(user=member, confirmed=True),
            *StaticDevice.objects.select_for_update().filter(user=member, confirmed=True),
        ]
        for device in devices:
            device.confirmed = False
            _device_save(device, user=user, reason=f"Two-factor reset: {reason}")
        return len(devices)


# --- API tokens (django-rest-knox) -------------------------------------------------------------


def api_token_create(*, user, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """A new API token for `user`: the token itself is returned once (only its digest is kept);
    it ends after `days` (at most API_TOKEN_DAYS, the default)."""
    from knox.crypto import create_token_string, hash_token
    from knox.settings import CONSTANTS

    name = (name or "").strip()
    limit = settings.API_TOKEN_DAYS
    errors = {}
    if not name:
        errors["name"] = "Say what the token is for (e.g. weekly SAS export)."
    if days is not None and not 1 <= days <= limit:
        errors["days"] = f"A token lasts 1 to {limit} days."
    if errors:
        raise ValidationError(errors)
    token = create_token_string()
    digest = hash_token(token)
    api_token = ApiToken(
        digest=digest,
        token_key=token[: CONSTANTS.TOKEN_KEY_LENGTH],
        user=user,
        name=name,
        expiry=timezone.now() + timedelta(days=days or limit),
    )
    with transaction.atomic():
        audited_save(api_token, user=user, reason=None)
    return api_token, token


def api_token_revoke(*, user, instance: ApiToken, reason: str) -> ApiToken:
    """The token stops working at once; it stays listed as revoked (by whom, when, why). Its
    owner, a data manager of one of the owner's sites, or an administrator revokes it."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"change_reason": REASON_REQUIRED})
    if instance.user_id != user.pk and not (
        managed_user_list(user=user).filter(pk=instance.user_id).exists()
    ):
        raise PermissionDenied(_("Only the token's owner or their data manager revokes it."))
    with transaction.atomic():
        api_token = ApiToken.objects.select_for_update().get(pk=instance.pk)
        if api_token.revoked_at is not None:
            raise Conflict(_("This token is already revoked."))
        api_token.revoked_at = timezone.now()
        api_token.revoked_by = user
        api_token.revoke_reason = reason
        return audited_save(api_token, user=user, reason=f"Revoked: {reason}")


def user_language_set(*, user, language: str):
    """The language of `user`'s own pages (one of settings.LANGUAGES; "" follows the browser),
    kept in the user's history like any change to the account."""
    if language not in {"", *(code for code, _name in settings.LANGUAGES)}:
        raise ValidationError({"language": _("Choose one of the languages offered.")})
    if user.language != language:
        user.language = language
        user._history_user = user
        user._change_reason = "Language of the pages"
        user.save(update_fields=["language"])
    return user
