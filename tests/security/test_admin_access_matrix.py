"""Access control on every admin URL pattern: a record of another site answers exactly as a
record that does not exist (same status, same redirect), on every page that shows a record or
its history (change, history, one old version, delete, casebook, visit calendar); the same page
answers 200 to the record's own site, so each check can fail.

Every demo record is at site 01; the users of site 02 below work in the same study. A pattern
added to the admin without an entry here fails `test_every_admin_url_pattern_has_expectations`.
"""

import re

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLResolver
from simple_history.admin import SimpleHistoryAdmin

from screening.models import Subject
from tests.security.test_access_matrix import (
    COORDINATOR,
    DATA_MANAGER,
    MONITOR,
    OTHER_SITE,
)
from tests.security.test_access_matrix import world as world
from trial.models import Site, SiteRole, User

pytestmark = pytest.mark.django_db

OTHER_MONITOR = "other_site_monitor"
OTHER_INVESTIGATOR = "other_site_investigator"
OUTSIDERS = (OTHER_SITE, OTHER_MONITOR, OTHER_INVESTIGATOR)
MISSING = 987654321

# Records of these belong to a site (through their subject, or are the site itself).
SITE_SCOPED = {
    "trial.site",
    "trial.siterole",
    "screening.subject",
    "screening.consent",
    "screening.eligibilityassessment",
    "screening.medicalhistory",
    "screening.priortherapy",
    "dosing.enrollment",
    "dosing.lymphodepletion",
    "dosing.infusion",
    "dosing.dltevaluation",
    "safety.adverseevent",
    "safety.aegrade",
    "safety.crsassessment",
    "safety.icansassessment",
    "safety.labresult",
    "safety.dltcandidate",
    "safety.conmed",
    "followup.visit",
    "followup.responseassessment",
    "followup.disposition",
    "followup.protocoldeviation",
    "monitoring.query",
    "monitoring.sdvmark",
    "monitoring.lock",  # the demo's lock is on a lab result of site 01
    "monitoring.monitoringvisit",  # the demo visit is to site 01
    "monitoring.querymessage",  # the steps of the site-01 query the matrix's world raises
}
# The study's own configuration and decisions (every member of the study reads them), and the
# accounts and login records only administrators see.
STUDY_LEVEL = {
    "trial.study",
    "trial.doselevel",
    "trial.user",
    "trial.apitoken",  # each user's own tokens (tests/security/test_api_tokens.py)
    "trial.jobrun",  # the deployment's scheduled jobs: data managers read them
    "dosing.lymphodepletionregimen",
    "dosing.cohort",
    "dosing.escalationdecision",
    "safety.dltcriteriaconfig",
    "followup.visitdefinition",
    "monitoring.sdvplan",
    "monitoring.signature",  # the demo's signature is on an escalation decision
    "auth.group",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
}
# What follows a model's prefix, for each of its pages.
OBJECT_PAGES = (
    "<path:object_id>/change/",
    "<path:object_id>/history/",
    "^([^/]+)/history/([^/]+)/$",  # simple-history: one old version
    "<path:object_id>/delete/",
    "<path:object_id>/",
)
VERSION_PAGE = OBJECT_PAGES[2]
LIST_PAGES = ("", "add/")
# Pages of a subject: another site's subject is not found.
SUBJECT_PAGES = {
    "casebook/<int:subject_id>/",
    "casebook/<int:subject_id>/pdf/",  # the archive copy
    "followup/visit/calendar/<int:subject_id>/",
}
# Pages that show no single record: lists scoped by the user (tested with the lists).
OTHER_PAGES = {
    "",
    "login/",
    "logout/",
    "password_change/",
    "password_change/done/",
    "autocomplete/",
    "jsi18n/",
    "r/<path:content_type_id>/<path:object_id>/",
    "screening/subject/screening-log/",
    "monitoring/query/audit-trail/",
    "matrix/",
    "overdue/",
    "screening/eligibilityassessment/verdict/",
    "monitoring/query/raise/",  # POST; the record is looked up in the user's scope
    "monitoring/query/<int:query_id>/step/",  # POST; tested below
    "monitoring/sdvmark/verify/",  # POST; the record is looked up in the user's scope
    "monitoring/sdvmark/to-verify/",
    "keepalive/",  # 204 for whoever is signed in; nothing shown
    "session-status/",  # the signed-in user's own seconds left
    "trial/siterole/access-report/",  # data managers: their sites (tests/trial/test_access_report)
    "two-factor/",  # the user's own second factor (tests/security/test_two_factor)
    "two-factor/reset/",  # data managers: the accounts at their sites (test_two_factor)
    "api-tokens/",  # the user's own tokens, a data manager's sites' (test_api_tokens)
    "language/",  # POST; the signed-in user's own language (tests/test_translations.py)
    "casebook/archive/",  # the user's subjects only (tests/exports/test_casebook_pdf.py)
    r"^(?P<app_label>auth|axes|trial|screening|dosing|safety|followup|monitoring)/$",
    "(?P<url>.*)$",
    "trial/user/<id>/password/",  # administrators only (it needs "change user")
}


def _patterns(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


@pytest.fixture(scope="module")
def people(world, demo_db):
    with demo_db.unblock():
        other = Site.objects.get(code="02")
        for name, role in (
            (OTHER_MONITOR, SiteRole.Role.MONITOR),
            (OTHER_INVESTIGATOR, SiteRole.Role.INVESTIGATOR),
        ):
            world[name] = User.objects.create(username=name, is_staff=True)
            SiteRole.objects.create(user=world[name], site=other, role=role)
        world[OTHER_SITE].is_staff = True
        world[OTHER_SITE].save()
    return world


def _client(people, who):
    client = Client()
    client.force_login(people[who])
    return client


def _answer(response):
    """What a user learns from a response: its status and where it sends them, with the ids
    in the address and the page's message taken out."""
    location = re.sub(r"\d+", "N", response.headers.get("Location", ""))
    return response.status_code, location


def test_every_admin_url_pattern_has_expectations():
    models = {f"{m._meta.app_label}.{m._meta.model_name}": m for m in admin.site._registry}
    assert set(models) == SITE_SCOPED | STUDY_LEVEL
    assert not SITE_SCOPED & STUDY_LEVEL
    expected = set(OTHER_PAGES) | SUBJECT_PAGES
    for model in models.values():
        prefix = f"{model._meta.app_label}/{model._meta.model_name}/"
        pages = OBJECT_PAGES
        if not isinstance(admin.site._registry[model], SimpleHistoryAdmin):  # Django's, axes'
            pages = tuple(page for page in OBJECT_PAGES if page != VERSION_PAGE)
        expected |= {prefix + page for page in (*LIST_PAGES, *pages)}
    assert set(_patterns(admin.site.urls[0])) == expected


def _record(label):
    app_label, model_name = label.split(".")
    model = next(m for m in admin.site._registry if m._meta.label_lower == label)
    return app_label, model_name, model._base_manager.order_by("pk").first()


def _urls(label):
    """(page, address of the site-01 record, address of a record that does not exist)."""
    app_label, model_name, record = _record(label)
    version = record.history.order_by("history_id").first().history_id
    base = f"/admin/{app_label}/{model_name}"
    for page in OBJECT_PAGES:
        path = page.replace("^([^/]+)", "<path:object_id>").replace("([^/]+)/$", f"{version}/")
        yield (
            page,
            f"{base}/{path.replace('<path:object_id>', str(record.pk))}",
            f"{base}/{path.replace('<path:object_id>', str(MISSING))}",
        )


@pytest.mark.parametrize("who", OUTSIDERS)
@pytest.mark.parametrize("label", sorted(SITE_SCOPED))
def test_another_sites_record_answers_as_one_that_does_not_exist(people, label, who):
    client = _client(people, who)
    for page, url, missing in _urls(label):
        assert _answer(client.get(url)) == _answer(client.get(missing)), (page, url)


@pytest.mark.parametrize("label", sorted(SITE_SCOPED))
def test_the_records_own_site_sees_its_history_and_old_versions(people, label):
    """The control: the pages above exist and answer the record's own site."""
    client = _client(people, DATA_MANAGER if label == "trial.siterole" else MONITOR)
    pages = {page: client.get(url) for page, url, _ in _urls(label)}
    assert pages["<path:object_id>/change/"].status_code == 200
    assert pages["<path:object_id>/history/"].status_code == 200
    version = pages[VERSION_PAGE]
    assert version.status_code == 200
    _, _, record = _record(label)
    assert version.context["original"].pk == record.pk


@pytest.mark.parametrize("who", OUTSIDERS)
@pytest.mark.parametrize("page", sorted(SUBJECT_PAGES))
def test_another_sites_subject_pages_answer_as_a_subject_that_does_not_exist(people, page, who):
    subject = Subject.objects.order_by("pk").first()
    url = "/admin/" + page.replace("<int:subject_id>", "{}")
    client = _client(people, who)
    assert _answer(client.get(url.format(subject.pk))) == (404, "")
    assert _answer(client.get(url.format(MISSING))) == (404, "")
    assert _client(people, COORDINATOR).get(url.format(subject.pk)).status_code == 200


@pytest.mark.parametrize("who", OUTSIDERS)
def test_another_sites_subject_has_no_audit_trail_rows(people, who):
    subject = Subject.objects.order_by("pk").first()
    url = "/admin/monitoring/query/audit-trail/?subject={}"
    client = _client(people, who)
    hidden, missing = client.get(url.format(subject.pk)), client.get(url.format(MISSING))
    assert (hidden.status_code, hidden.context["rows"]) == (200, [])
    assert (missing.status_code, missing.context["rows"]) == (200, [])
    own = _client(people, COORDINATOR).get(url.format(subject.pk))
    assert len(own.context["rows"]) > 0


@pytest.mark.parametrize("who", OUTSIDERS)
def test_another_sites_subjects_are_not_in_the_matrix_or_the_overdue_list(people, who):
    client = _client(people, who)
    matrix, overdue = client.get("/admin/matrix/"), client.get("/admin/overdue/")
    assert (matrix.status_code, matrix.context["matrix"]["rows"]) == (200, [])
    assert (overdue.status_code, overdue.context["rows"]) == (200, [])
    subject = Subject.objects.order_by("pk").first()
    verdict = client.post(
        "/admin/screening/eligibilityassessment/verdict/", {"subject": subject.pk}
    )
    assert verdict.json() == {"verdict": "Choose the subject to see the verdict.", "eligible": None}

    own = _client(people, COORDINATOR)
    rows = own.get("/admin/matrix/").context["matrix"]["rows"]
    assert {r["screening_number"] for r in rows} == set(
        Subject.objects.filter(is_voided=False).values_list("screening_number", flat=True)
    )
    assert len(own.get("/admin/overdue/").context["rows"]) > 0


@pytest.mark.parametrize("who", OUTSIDERS)
def test_another_sites_query_cannot_be_answered_closed_or_raised(people, demo_db, who):
    from django.contrib.contenttypes.models import ContentType

    from monitoring import services
    from monitoring.models import Query

    subject = Subject.objects.order_by("pk").first()
    with demo_db.unblock():
        query = Query.objects.filter(subject=subject).first() or services.query_open(
            user=people[MONITOR],
            data={
                "content_type": ContentType.objects.get_for_model(Subject),
                "object_id": subject.pk,
                "field_name": "sex",
                "text": "Sex as on the ID card?",
            },
        )
    client = _client(people, who)
    for action in ("answer", "close", "reopen"):
        url = "/admin/monitoring/query/{}/step/"
        data = {"action": action, "text": "x"}
        assert _answer(client.post(url.format(query.pk), data)) == (404, "")
        assert _answer(client.post(url.format(MISSING), data)) == (404, "")
    raised = client.post(
        "/admin/monitoring/query/raise/",
        {"record": "screening.subject", "object_id": subject.pk, "text": "x", "next": "/admin/"},
    )
    assert raised.status_code == 302
    assert Query.objects.filter(subject=subject, text="x").count() == 0
