"""Access control, endpoint by endpoint: every resource of the API x every kind of user x list,
retrieve, create and update, on the demo study (all its records are at site 01).

The expectations below are the study's role model written out by hand, independently of
`trial/roles.py`: site staff enter clinical data of their own site, monitors and data managers
read it, data managers keep the study configuration, the safety review committee decides
escalation and confirms DLTs, monitors raise queries and verify source data. A resource added
to the router without a row here fails `test_every_resource_has_expectations`.
"""

from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from config.api_urls import router
from tests.demo_db import add_monitoring_records
from trial.api_base import version_etag
from trial.models import Site, SiteRole, Study, User

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
COORDINATOR = "coordinator"  # site 01, where every demo record is
OTHER_SITE = "other_site_coordinator"  # coordinator of site 02 of the same study
MONITOR = "monitor"
DATA_MANAGER = "datamanager"
SAFETY_REVIEWER = "safetyreviewer"
USERS = (ANONYMOUS, COORDINATOR, OTHER_SITE, MONITOR, DATA_MANAGER, SAFETY_REVIEWER)

SITE_STAFF = frozenset({COORDINATOR, OTHER_SITE})
DM = frozenset({DATA_MANAGER})
NOBODY = frozenset()


@dataclass(frozen=True)
class Resource:
    scope: str  # "site": a site's records (other sites get 404); "study": the study's own
    create: frozenset | None  # who may create; None: the endpoint has no create
    update: frozenset | None  # who may update; None: no update
    read: frozenset | None = None  # who may list and retrieve; None: every member of the study


CLINICAL = Resource("site", SITE_STAFF, SITE_STAFF)
CONFIG = Resource("study", DM, DM)

RESOURCES = {
    "studies": CONFIG,
    "sites": Resource("site", DM, DM),  # site staff see the sites they work at
    "dose-levels": CONFIG,
    # roles at a site: seen by the site's people, granted and revoked by data managers
    "site-roles": Resource("site", DM, DM, read=DM),
    "lymphodepletion-regimens": CONFIG,
    "cohorts": CONFIG,
    "dlt-criteria": CONFIG,
    "visit-definitions": CONFIG,
    "sdv-plans": CONFIG,
    "subjects": CLINICAL,
    "consents": CLINICAL,
    "eligibility-assessments": CLINICAL,
    "medical-history": CLINICAL,
    "prior-therapies": CLINICAL,
    "enrollments": CLINICAL,
    "lymphodepletions": CLINICAL,
    "infusions": CLINICAL,
    "adverse-events": CLINICAL,
    "crs-assessments": CLINICAL,
    "icans-assessments": CLINICAL,
    "labs": CLINICAL,
    "conmeds": CLINICAL,
    "visits": CLINICAL,
    "response-assessments": CLINICAL,
    "disposition": CLINICAL,
    "deviations": CLINICAL,
    # opened at enrollment; site staff record the outcome, the committee confirms DLTs
    "dlt-evaluations": Resource("site", None, SITE_STAFF | {SAFETY_REVIEWER}),
    # flagged by the system; decided through accept/reject actions only
    "dlt-candidates": Resource("site", None, None),
    "escalation-decisions": Resource("study", frozenset({SAFETY_REVIEWER}), None),
    "queries": Resource("site", frozenset({MONITOR, DATA_MANAGER}), None),
    "sdv-marks": Resource("site", frozenset({MONITOR}), None),
    # the demo lock is on a lab result of site 01: it follows that record to its site
    "locks": Resource("site", DM, None),
    "signatures": Resource("study", frozenset({SAFETY_REVIEWER}), None),
    # a site's monitoring visits: recorded by its monitor, read by the study's people
    "monitoring-visits": Resource("site", frozenset({MONITOR}), frozenset({MONITOR})),
}
# not records of the study: the people a client may name (tests/trial/test_me_and_users.py)
# and API tokens, each user's own (tests/security/test_api_tokens.py)
PEOPLE = {"users", "tokens"}
VIEWSETS = {prefix: viewset for prefix, viewset, _ in router.registry if prefix not in PEOPLE}
PASSWORD = "matrix-password-1"


@pytest.fixture(scope="module")
def world(demo_db):
    """The demo study plus a second site with its coordinator, and one record of each kind
    the demo does not make (made through the API, as users make them)."""
    with demo_db.unblock():
        study = Study.objects.get(registry_id="NCT05734898")
        other = Site.objects.create(study=study, code="02", name="Second site")
        users = {name: User.objects.get(username=name) for name in (*USERS[3:], COORDINATOR)}
        users[OTHER_SITE] = User.objects.create(username=OTHER_SITE)
        SiteRole.objects.create(user=users[OTHER_SITE], site=other, role=SiteRole.Role.COORDINATOR)
        add_monitoring_records(
            study,
            monitor=users[MONITOR],
            data_manager=users[DATA_MANAGER],
            safety_reviewer=users[SAFETY_REVIEWER],
            password=PASSWORD,
        )
        return users


def _client(world, who):
    client = APIClient()
    if who != ANONYMOUS:
        client.force_authenticate(world[who])
    return client


def _record(basename):
    """A record of the resource (the first one), at site 01 for site-scoped resources."""
    return VIEWSETS[basename].queryset.model._base_manager.order_by("pk").first()


def test_every_resource_has_expectations():
    assert set(VIEWSETS) == set(RESOURCES)


def test_the_demo_has_a_record_of_every_resource(world):
    assert [name for name in RESOURCES if _record(name) is None] == []


@pytest.mark.parametrize("who", USERS)
@pytest.mark.parametrize("basename", sorted(RESOURCES))
def test_list(world, basename, who):
    response = _client(world, who).get(f"/api/v1/{basename}/")
    if who == ANONYMOUS:
        assert response.status_code == 401
        assert set(response.json()) == {"detail"}
        return
    readers = RESOURCES[basename].read
    if readers is not None and who not in readers:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    listed = {row["id"] for row in response.json()["results"]}
    if who == OTHER_SITE and RESOURCES[basename].scope == "site":
        # every record of the demo is at site 01; site 02 itself is the only thing of its own
        own = {
            "sites": {Site.objects.get(code="02").pk},
            "site-roles": set(world[OTHER_SITE].site_roles.values_list("pk", flat=True)),
        }
        assert listed == own.get(basename, set())
    else:
        assert _record(basename).pk in listed


@pytest.mark.parametrize("who", USERS)
@pytest.mark.parametrize("basename", sorted(RESOURCES))
def test_retrieve(world, basename, who):
    record = _record(basename)
    response = _client(world, who).get(f"/api/v1/{basename}/{record.pk}/")
    readers = RESOURCES[basename].read
    if who == ANONYMOUS:
        assert response.status_code == 401
    elif readers is not None and who not in readers:
        assert response.status_code == 403
    elif who == OTHER_SITE and RESOURCES[basename].scope == "site":
        assert response.status_code == 404
        # indistinguishable from an id that does not exist
        missing = _client(world, who).get(f"/api/v1/{basename}/{record.pk + 10**6}/")
        assert (missing.status_code, missing.json()) == (404, response.json())
    else:
        assert response.status_code == 200
        assert response.json()["id"] == record.pk
        assert response["ETag"] == version_etag(record)


@pytest.mark.parametrize("who", USERS)
@pytest.mark.parametrize("basename", sorted(RESOURCES))
def test_create(world, basename, who):
    """An empty body: a user who may create gets the field errors (400), one who may not gets
    403 before anything is read; nothing is saved either way."""
    model = VIEWSETS[basename].queryset.model
    before = model._base_manager.count()
    response = _client(world, who).post(f"/api/v1/{basename}/", {}, format="json")
    allowed = RESOURCES[basename].create
    if who == ANONYMOUS:
        assert response.status_code == 401
    elif allowed is None:
        assert response.status_code in (403, 405)
    elif who in allowed:
        assert response.status_code == 400
    else:
        assert response.status_code == 403
    assert model._base_manager.count() == before


@pytest.mark.parametrize("who", USERS)
@pytest.mark.parametrize("basename", sorted(RESOURCES))
def test_update(world, basename, who):
    """A PATCH with the current ETag and no reason: 400 (reason required) for a user who may
    update, 403 for one who may not, 404 for another site's record; the record stays as it was."""
    record = _record(basename)
    version = record.version
    response = _client(world, who).patch(
        f"/api/v1/{basename}/{record.pk}/", {}, format="json", HTTP_IF_MATCH=version_etag(record)
    )
    allowed = RESOURCES[basename].update
    if who == ANONYMOUS:
        assert response.status_code == 401
    elif allowed is None:
        assert response.status_code in (403, 405)
    elif who not in allowed:
        assert response.status_code == 403
    elif who == OTHER_SITE and RESOURCES[basename].scope == "site":
        assert response.status_code == 404
        missing = _client(world, who).patch(
            f"/api/v1/{basename}/{record.pk + 10**6}/", {}, format="json", HTTP_IF_MATCH='"1"'
        )
        assert (missing.status_code, missing.json()) == (404, response.json())
    else:
        assert response.status_code == 400
        assert "change_reason" in response.json()
    record.refresh_from_db()
    assert record.version == version


SUBJECT_FIELD_RESOURCES = sorted(
    name
    for name, resource in RESOURCES.items()
    if resource is CLINICAL
    and name != "subjects"
    and "subject" in VIEWSETS[name].serializer_class().fields
)


@pytest.mark.parametrize("basename", SUBJECT_FIELD_RESOURCES)
def test_another_sites_subject_cannot_be_written_to_and_is_not_revealed(world, basename):
    """A coordinator of site 02 naming a site-01 subject gets the same answer as for a subject
    id that does not exist, and nothing is saved."""
    from screening.models import Subject

    subject = Subject.objects.order_by("pk").first()
    model = VIEWSETS[basename].queryset.model
    before = model._base_manager.count()
    client = _client(world, OTHER_SITE)
    real = client.post(f"/api/v1/{basename}/", {"subject": subject.pk}, format="json")
    fake = client.post(f"/api/v1/{basename}/", {"subject": subject.pk + 10**6}, format="json")
    assert real.status_code == fake.status_code == 400
    message = real.json()["subject"]
    assert message == [f'Invalid pk "{subject.pk}" - object does not exist.']
    assert fake.json()["subject"] == [f'Invalid pk "{subject.pk + 10**6}" - object does not exist.']
    assert model._base_manager.count() == before


VOIDABLE = sorted(
    name for name in RESOURCES if "void" in {a.url_path for a in VIEWSETS[name].get_extra_actions()}
)


# records the protocol lets be voided (lower dose levels and confirmed assessments stay)
VOID_TARGETS = {
    "dose-levels": lambda qs: qs.order_by("-number"),
    "eligibility-assessments": lambda qs: qs.filter(confirmed_by__isnull=True),
}


@pytest.mark.parametrize("who", USERS)
@pytest.mark.parametrize("basename", VOIDABLE)
def test_void(world, basename, who):
    """Voiding is a change: the same users as update; other sites' records are 404."""
    records = VIEWSETS[basename].queryset.model._base_manager.order_by("pk")
    record = VOID_TARGETS.get(basename, lambda qs: qs)(records).first()
    response = _client(world, who).post(
        f"/api/v1/{basename}/{record.pk}/void/", {"reason": "Entered in error"}, format="json"
    )
    record.refresh_from_db()
    allowed = RESOURCES[basename].update
    if who == ANONYMOUS:
        assert response.status_code == 401
    elif who not in allowed:
        assert response.status_code == 403
    elif who == OTHER_SITE and RESOURCES[basename].scope == "site":
        assert response.status_code == 404
    else:
        assert response.status_code == 200, response.json()
        assert record.is_voided is True
        assert record.history.latest().history_change_reason == "Voided: Entered in error"
        return
    assert record.is_voided is False


READERS = frozenset(USERS) - {ANONYMOUS}
EXPORTERS = frozenset({MONITOR, DATA_MANAGER})  # exports: data managers and monitors only
VIEWS = {
    "screening-log/": READERS,
    "escalation/": READERS,
    "escalation/simulate/?true_tox=0.05,0.1,0.2": READERS,
    "escalation/plot.svg": READERS,
    "overdue-forms/": READERS,
    "response-summary/": READERS,
    "audit/": READERS,
    "me/": READERS,
    "query-counts/": READERS,
    "sdv-progress/": READERS,
    "exports/subjects.csv": EXPORTERS,
    "exports/dictionary.json": EXPORTERS,
    "exports/sdtm/dm": EXPORTERS,
    "exports/odm.xml": EXPORTERS,
    "exports/datacut.zip": EXPORTERS,
    "exports/define.xml": EXPORTERS,
    "exports/audit_trail.csv": EXPORTERS,
}


def test_every_view_has_expectations():
    from config.api_urls import urlpatterns

    routes = {str(p.pattern) for p in urlpatterns if not hasattr(p, "url_patterns")}
    # the router's own routes are regexes; '' and the format suffix are its API root
    plain = {r for r in routes if r and not r.startswith(("^", "<drf_format_suffix"))}
    expected = {
        "exports/<str:dataset>.csv"
        if v.endswith(".csv") and v != "exports/audit_trail.csv"
        else "exports/dictionary.<str:fmt>"
        if v.startswith("exports/dictionary")
        else "exports/sdtm/<str:domain>"
        if v.startswith("exports/sdtm")
        else v
        for v in (view.split("?")[0] for view in VIEWS)
    }
    assert plain == expected


@pytest.mark.parametrize("who", USERS)
@pytest.mark.parametrize("view", sorted(VIEWS))
def test_views(world, view, who):
    response = _client(world, who).get(f"/api/v1/{view}")
    if who == ANONYMOUS:
        assert response.status_code == 401
    elif who in VIEWS[view]:
        assert response.status_code == 200
    else:
        assert response.status_code == 403


# Queries of a list page and of a record page, as a coordinator (site-scoped reads) or, where
# only they read, a data manager, with the user's roles already cached (tests/trial/
# test_role_cache.py covers the cold request). A list costs the same for one row as for a page:
# a query per row would show as a difference. A change here is a change of a request's cost:
# say why in the commit. (issue 21; benchmarks/profile_request.py times them)
# (list page, record page), signed in without a token (a token's lookup adds one query): a list is
# its count and its page plus one per prefetched relation, a record page its row plus the same
QUERIES = {
    "adverse-events": (3, 2),  # 3 demo rows
    "cohorts": (2, 1),  # 3 demo rows
    "conmeds": (2, 1),  # 1 demo row
    "consents": (2, 1),  # 11 demo rows
    "crs-assessments": (3, 2),  # 3 demo rows
    "deviations": (2, 1),  # 1 demo row
    "disposition": (2, 1),  # 1 demo row
    "dlt-candidates": (2, 1),  # 1 demo row
    "dlt-criteria": (2, 1),  # 1 demo row
    "dlt-evaluations": (3, 2),  # 7 demo rows
    "dose-levels": (2, 1),  # 3 demo rows
    "eligibility-assessments": (2, 1),  # 10 demo rows
    "enrollments": (2, 1),  # 7 demo rows
    "escalation-decisions": (2, 1),  # 2 demo rows
    "icans-assessments": (2, 1),  # 1 demo row
    "infusions": (2, 1),  # 7 demo rows
    "labs": (2, 1),  # 12 demo rows
    "locks": (2, 1),  # 1 demo row
    "lymphodepletion-regimens": (2, 1),  # 1 demo row
    "lymphodepletions": (2, 1),  # 7 demo rows
    "medical-history": (3, 2),  # 7 demo rows
    "monitoring-visits": (2, 1),  # 1 demo row
    "prior-therapies": (2, 1),  # 16 demo rows
    "queries": (3, 2),  # 1 demo row
    "response-assessments": (2, 1),  # 3 demo rows
    "sdv-marks": (2, 1),  # 1 demo row
    "sdv-plans": (2, 1),  # 1 demo row
    "signatures": (2, 1),  # 1 demo row
    "site-roles": (2, 1),  # 5 demo rows
    "sites": (2, 1),  # 1 demo row
    "studies": (2, 1),  # 1 demo row
    "subjects": (2, 1),  # 11 demo rows
    "visit-definitions": (2, 1),  # 19 demo rows
    "visits": (2, 1),  # 27 demo rows
}


@pytest.mark.parametrize("basename", sorted(RESOURCES))
def test_queries_per_list_and_detail(world, basename):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    readers = RESOURCES[basename].read
    client = _client(world, COORDINATOR if readers is None else sorted(readers)[0])
    record = _record(basename)
    client.get(f"/api/v1/{basename}/")  # the roles into the cache
    counts = []
    for url in (
        f"/api/v1/{basename}/?page_size=1",
        f"/api/v1/{basename}/",
        f"/api/v1/{basename}/{record.pk}/",
    ):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (url, response.json())
        counts.append(len(queries))
    assert counts[0] == counts[1], "a query per row of the list"
    assert (counts[1], counts[2]) == QUERIES[basename]
