"""Production settings pass Django's deployment checklist (`manage.py check --deploy`)."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow(13)

ROOT = Path(__file__).resolve().parent.parent.parent
SETTINGS_ENV = {
    "SECRET_KEY",
    "DEBUG",
    "HTTPS",
    "HSTS_SECONDS",
    "HSTS_PRELOAD",
    "AUDIT_HMAC_KEYS",
    "AUDIT_CHECKPOINT_FILE",
}
AUDIT = {
    "AUDIT_HMAC_KEYS": f"1={secrets.token_urlsafe(48)}",
    "AUDIT_CHECKPOINT_FILE": "/checkpoints/audit-checkpoints.jsonl",
}


def _check_deploy(**env):
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS_ENV}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
    )


def test_production_settings_report_no_deployment_warnings():
    result = _check_deploy(DEBUG="0", HTTPS="1", SECRET_KEY=secrets.token_urlsafe(50), **AUDIT)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_an_unprotected_audit_trail_fails_the_deployment_check():
    result = _check_deploy(DEBUG="0", HTTPS="1", SECRET_KEY=secrets.token_urlsafe(50))
    assert result.returncode != 0
    assert "edc.W001" in result.stderr and "edc.W003" in result.stderr
    weak = _check_deploy(
        DEBUG="0", HTTPS="1", SECRET_KEY=secrets.token_urlsafe(50),
        **{**AUDIT, "AUDIT_HMAC_KEYS": "1=short"},
    )  # fmt: skip
    assert weak.returncode != 0 and "edc.W002" in weak.stderr


def test_a_weak_secret_key_fails_the_deployment_check():
    result = _check_deploy(DEBUG="0", HTTPS="1", SECRET_KEY="insecure-key-for-tests-only")

    assert result.returncode != 0
    assert "security.W009" in result.stderr


def test_plain_http_settings_name_every_missing_transport_protection():
    result = _check_deploy(DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50))

    assert result.returncode != 0
    for warning in ("W004", "W008", "W012", "W016"):
        assert f"security.{warning}" in result.stderr


def test_debug_fails_the_deployment_check():
    result = _check_deploy(DEBUG="1", HTTPS="1", SECRET_KEY=secrets.token_urlsafe(50))

    assert result.returncode != 0
    assert "security.W018" in result.stderr


def test_passwords_are_checked_by_djangos_validators(settings):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    names = [v["NAME"].rsplit(".", 1)[1] for v in settings.AUTH_PASSWORD_VALIDATORS]
    assert names == [
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    ]
    try:
        validate_password("password1")
    except ValidationError as exc:
        assert {e.code for e in exc.error_list} >= {"password_too_common"}
    else:
        raise AssertionError("a common password was accepted")
