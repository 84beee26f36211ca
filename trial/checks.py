"""Deployment checks of the audit trail's protection (`manage.py check --deploy`)."""

import re

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

KEY_ID = re.compile(r"^[A-Za-z0-9]{1,8}$")


@register(Tags.security, deploy=True)
def audit_protection(app_configs=None, **kwargs):
    problems = []
    items = [i.strip() for i in (settings.AUDIT_HMAC_KEYS or "").split(",") if i.strip()]
    if not items:
        problems.append(
            Warning(
                "AUDIT_HMAC_KEYS is not set: the audit chain is a bare SHA-256 that anyone who "
                "can write the database can recompute.",
                hint='Set AUDIT_HMAC_KEYS="1=<64 random characters>" and run audit_rekey once.',
                id="edc.W001",
            )
        )
    for item in items:
        key_id, _, secret = item.partition("=")
        if not KEY_ID.match(key_id.strip()) or len(secret.strip()) < 32:
            problems.append(
                Warning(
                    f"AUDIT_HMAC_KEYS entry {key_id.strip()!r}: use id=secret with an id of 1-8 "
                    "letters or digits and a secret of at least 32 characters.",
                    id="edc.W002",
                )
            )
    if not settings.AUDIT_CHECKPOINT_FILE:
        problems.append(
            Warning(
                "AUDIT_CHECKPOINT_FILE is not set: rows deleted from the end of the audit trail "
                "cannot be detected.",
                hint="Point it at a file outside the database (another volume or host).",
                id="edc.W003",
            )
        )
    return problems


@register(Tags.security, deploy=True)
def two_factor_required(app_configs=None, **kwargs):
    if settings.OTP_DEMO_BYPASS:
        return [
            Error(
                "OTP_DEMO_BYPASS is set: the demo's password-only sign-in is for `make run` "
                "(and works only with DEBUG on); production asks every user for a second factor.",
                hint="Remove OTP_DEMO_BYPASS from the environment.",
                id="edc.E004",
            )
        ]
    return []
