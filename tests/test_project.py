"""Settings, schema and deployment files."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


def _import_settings(**env):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "-c", "import config.settings as s; print(s.DEBUG, s.SECRET_KEY[:15])"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
    )


def test_settings_refuse_to_start_without_a_secret_key_when_debug_is_off():
    result = _import_settings()
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_debug_uses_a_development_key():
    result = _import_settings(DEBUG="1")
    assert result.stdout.split() == ["True", "django-insecure"]


def test_debug_is_off_by_default_and_time_is_stored_in_utc(settings):
    assert settings.DEBUG is False
    assert settings.USE_TZ is True


@pytest.mark.django_db
def test_the_openapi_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    assert schema["openapi"].startswith("3.")
    assert {
        "/api/v1/studies/",
        "/api/v1/sites/",
        "/api/v1/dose-levels/",
        "/api/v1/dose-levels/{id}/history/",
        "/api/v1/dose-levels/{id}/void/",
    } <= set(schema["paths"])
    assert not any("delete" in ops for ops in schema["paths"].values())


@pytest.mark.django_db
def test_the_api_docs_are_served_without_a_cdn(client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create(username="reader"))
    page = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in page
    # Every script, stylesheet and image comes from this server: no absolute URL to another
    # host (the page's CSP nonce is random text and may spell "cdn" by chance).
    sources = re.findall(r'(?:src|href)\s*=\s*["\']([^"\']+)', page)
    assert sources and not [s for s in sources if s.startswith(("http:", "https:", "//"))]
    assert "unpkg.com" not in page and "jsdelivr" not in page and "cdnjs" not in page
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
