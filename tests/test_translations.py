"""The staff-facing system in Simplified Chinese and English (issue 22): a complete, current
catalog; each user's own language on their pages; the API's messages in the language the client
asks for, with field names and codes unchanged."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
# the JavaScript's texts (gettext() in the static scripts, served by the admin's jsi18n view)
JS_CATALOG = CATALOG.with_name("djangojs.po")


def _entries(po):
    return {(e.msgctxt, e.msgid, e.msgid_plural) for e in po if not e.obsolete}


@pytest.mark.parametrize("catalog", [CATALOG, JS_CATALOG], ids=lambda path: path.name)
def test_the_catalog_translates_every_entry_and_nothing_is_fuzzy(catalog):
    po = polib.pofile(str(catalog))
    assert not po.metadata_is_fuzzy
    assert po.metadata["Language"] == "zh_Hans"
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert [e.msgid for e in po.obsolete_entries()] == []


def test_the_catalog_holds_exactly_the_texts_of_the_code(tmp_path):
    """`manage.py messages` on a copy of the project adds nothing and drops nothing: a new text
    in the code or a template without its translation fails here."""
    copy = tmp_path / "project"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".*", "__pycache__", "tests", "benchmarks", "artifacts", "staticfiles", "*.sqlite3",
            "*.egg-info", "*.mo",
        ),
    )  # fmt: skip
    done = subprocess.run(
        [sys.executable, "manage.py", "messages"],
        cwd=copy,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "SECRET_KEY": "catalog-test", "HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    for catalog in (CATALOG, JS_CATALOG):
        fresh = polib.pofile(str(copy / catalog.relative_to(ROOT)))
        committed = polib.pofile(str(catalog))
        assert sorted(_entries(fresh) - _entries(committed), key=str) == [], "make messages"
        assert sorted(_entries(committed) - _entries(fresh), key=str) == [], "make messages"
    # the models' texts as xgettext reads them (trial/i18n.py) are current too
    model_texts = Path("trial") / "model_texts.py"
    assert (copy / model_texts).read_text() == (ROOT / model_texts).read_text()


def test_the_models_texts_follow_the_language_and_stay_english_underneath():
    """Field names, help texts, choice labels and model names come out in the active language
    (trial/i18n.py), while what migrations and exports read stays the English text."""
    from django.utils import translation

    from safety.models import CrsAssessment
    from screening.models import EligibilityAssessment, Subject
    from screening.rules import CRITERIA

    dob = Subject._meta.get_field("date_of_birth")
    status = Subject._meta.get_field("status")
    history = Subject.history.model._meta
    with translation.override("zh-hans"):
        assert str(dob.verbose_name) == "出生日期"
        assert str(Subject._meta.verbose_name) == "受试者"
        assert str(history.verbose_name) == "受试者历史记录"
        assert dict(status.flatchoices)["enrolled"] == "已入组"
        assert str(Subject.Status.ENROLLED.label) == "已入组"
        assert str(CrsAssessment._meta.get_field("grade").verbose_name) == "分级"
        i2 = EligibilityAssessment._meta.get_field("i2")
        assert str(i2.help_text).startswith("复发急性髓系白血病")
        assert translation.gettext(CRITERIA["I1"]) == "年龄：≥3 岁且 ≤75 岁，男女不限。"
    with translation.override("en"):
        assert str(dob.verbose_name) == "date of birth"
        assert str(history.verbose_name) == "historical subject"
        assert str(Subject.Status.ENROLLED.label) == "Enrolled"
        assert str(i2.help_text) == CRITERIA["I2"]
    # what a migration records (makemigrations runs with translations off): the English, and no
    # name where the model gives none, so the migrations do not change (`makemigrations --check`)
    assert dob.deconstruct()[3].get("verbose_name") is None
    with translation.override(None):
        assert [str(label) for _value, label in status.deconstruct()[3]["choices"]] == [
            "Screening", "Screen failed", "Eligible", "Enrolled", "Withdrawn",
        ]  # fmt: skip


def test_the_glossary_terms_are_used_where_the_catalog_names_them():
    """The catalog follows docs/glossary-zh.csv: an entry that is exactly a glossary term has
    the glossary's Chinese."""
    import csv

    with (ROOT / "docs" / "glossary-zh.csv").open(encoding="utf-8") as f:
        glossary = list(csv.DictReader(f))
    assert {"english", "chinese", "source"} == set(glossary[0])
    terms = {}
    for row in glossary:
        english = row["english"].split(" (")[0]
        terms[english.lower()] = row["chinese"]
    po = [*polib.pofile(str(CATALOG)), *polib.pofile(str(JS_CATALOG))]
    wrong = [
        (e.msgid, e.msgstr, terms[e.msgid.lower()])
        for e in po
        if e.msgid.lower() in terms and e.msgstr != terms[e.msgid.lower()]
    ]
    assert wrong == []


@pytest.mark.django_db
def test_a_user_switches_their_pages_to_chinese_and_back_from_the_header():
    user = UserFactory(username="nurse-zh", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)

    page = client.get("/admin/").content.decode()
    assert 'id="nav-today">Today<' in page and 'value="zh-hans"' in page

    response = client.post("/admin/language/", {"language": "zh-hans", "next": "/admin/"})
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    user.refresh_from_db()
    assert user.language == "zh-hans"
    last = user.history.order_by("-history_id").first()
    assert (last.language, last.history_change_reason, last.history_user_id) == (
        "zh-hans",
        "Language of the pages",
        user.pk,
    )
    page = client.get("/admin/").content.decode()
    assert 'id="nav-today">今日<' in page and 'value="en"' in page
    assert '<html lang="zh-hans"' in page

    client.post("/admin/language/", {"language": "en", "next": "/admin/"})
    assert 'id="nav-today">Today<' in client.get("/admin/").content.decode()


@pytest.mark.django_db
def test_a_language_not_offered_is_refused_and_nothing_changes():
    user = UserFactory(username="nurse-xx", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    before = user.history.count()
    response = client.post("/admin/language/", {"language": "fr", "next": "/admin/"}, follow=True)
    assert "Choose one of the languages offered." in response.content.decode()
    user.refresh_from_db()
    assert (user.language, user.history.count()) == ("", before)
    assert client.get("/admin/language/").status_code == 405


@pytest.mark.django_db
def test_the_sign_in_page_follows_the_browsers_language():
    client = Client()
    chinese = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9,en;q=0.5")
    english = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert "登录" in chinese.content.decode() and chinese["Content-Language"] == "zh-hans"
    assert "Log in" in english.content.decode() and english["Content-Language"] == "en"


@pytest.mark.django_db
def test_api_messages_follow_accept_language_and_the_codes_stay():
    """A user's page language does not change the API: its client asks per request."""
    client = Client()
    english = client.get("/api/v1/subjects/", HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.get("/api/v1/subjects/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert english.status_code == chinese.status_code == 401
    assert english.json() == {"detail": "Authentication credentials were not provided."}
    assert chinese.json() == {"detail": "身份认证信息未提供。"}
    assert chinese["WWW-Authenticate"] == english["WWW-Authenticate"] == "Token"


@pytest.mark.django_db
def test_a_service_error_answers_in_the_clients_language_with_the_same_fields(
    api, coordinator_a, site_a
):
    """The service's validation message is translated at the time of the request; the field it
    belongs to, the status and what is stored (nothing) are the same in both languages."""
    from screening.models import Subject

    body = {"site": site_a.pk, "date_of_birth": "2099-01-01", "sex": "F"}
    client = api(coordinator_a)
    english = client.post("/api/v1/subjects/", body, HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.post("/api/v1/subjects/", body, HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert (english.status_code, english.json()) == (
        400,
        {"date_of_birth": ["The date of birth is in the future."]},
    )
    assert (chinese.status_code, chinese.json()) == (
        400,
        {"date_of_birth": ["出生日期不能是将来的日期。"]},
    )
    assert not Subject.objects.exists()


@pytest.mark.django_db
def test_a_chinese_page_shows_dates_in_the_chinese_format_and_entry_stays_iso(
    coordinator_a, register
):
    """Dates shown follow the language (Django's zh_Hans formats); date fields still take and
    show ISO dates, which both languages read."""
    from django.utils import formats, timezone

    subject = register()
    coordinator_a.language = "zh-hans"
    coordinator_a.save(update_fields=["language"])
    client = Client()
    client.force_login(coordinator_a)
    page = client.get(reverse("admin:screening_subject_change", args=[subject.pk]))
    text = page.content.decode()
    created = timezone.localtime(subject.created_at)
    assert f"{created.year}年{created.month}月{created.day}日" in text
    # the form shows the stored date as it takes it back: saving it unchanged is accepted
    assert f'value="{subject.date_of_birth.isoformat()}"' in text
    assert formats.get_format("DATE_INPUT_FORMATS", lang="zh-hans")[0] == "%Y-%m-%d"


@pytest.mark.django_db
def test_a_coordinators_dashboard_casebook_and_calendar_are_in_chinese(coordinator_a, register):
    """The screens marked so far (issue 22 goes on): headings and table heads in Chinese, the
    subject's data (its screening number) unchanged."""
    subject = register()
    coordinator_a.language = "zh-hans"
    coordinator_a.save(update_fields=["language"])
    client = Client()
    client.force_login(coordinator_a)

    dashboard = client.get("/admin/").content.decode()
    assert 'id="todo-title">待办事项<' in dashboard
    assert 'id="overview-title">研究概况<' in dashboard
    assert "To do" not in dashboard and "Study overview" not in dashboard

    casebook = client.get(f"/admin/casebook/{subject.pk}/").content.decode()
    assert "<th>病例报告表</th><th>记录</th><th>日期</th>" in casebook
    assert "未关闭的质疑" in casebook and subject.screening_number in casebook
    assert "Open queries" not in casebook

    calendar = client.get(reverse("admin:followup_visit_calendar", args=[subject.pk]))
    text = calendar.content.decode()
    assert "CAR-NK 细胞输注" in text and "尚未输注" in text and "<th>应填病例报告表</th>" in text
