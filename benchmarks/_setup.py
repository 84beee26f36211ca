"""Shared set-up of the benchmarks: a fresh SQLite database (or $BENCH_DATABASE_URL), migrated,
with one site, a coordinator and a consented subject."""

import os
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def django_ready():
    folder = tempfile.mkdtemp(prefix="edc-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ["DATABASE_URL"] = os.environ.get(
        "BENCH_DATABASE_URL", f"sqlite:///{folder}/bench.sqlite3"
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    from screening import services as screening
    from trial import services as trial
    from trial.models import Study

    admin = get_user_model().objects.create(
        username="bench-admin", is_superuser=True, is_staff=True
    )
    study = trial.study_save(user=admin, data={"registry_id": "NCT05734898", "title": "benchmark"})
    site = trial.site_save(user=admin, data={"study": study, "code": "01", "name": "Site"})
    nurse = get_user_model().objects.create(username="bench-nurse", is_staff=True)
    trial.site_role_grant(user=admin, member=nurse, site=site, role="coordinator")
    subject = screening.subject_save(
        user=nurse, data={"site": site, "date_of_birth": date(1970, 1, 1), "sex": "M"}
    )
    screening.consent_save(
        user=nurse,
        data={
            "subject": subject,
            "form_version": "1",
            "form_version_date": date(2026, 1, 1),
            "consent_date": date(2026, 1, 2),
            "signed_by": "patient",
            "obtained_by": nurse,
        },
    )
    assert Study.objects.count() == 1
    return {"admin": admin, "nurse": nurse, "subject": subject, "site": site, "study": study}
