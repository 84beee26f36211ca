"""The escalation plot (`/api/v1/escalation/plot.svg`) on the demo study: 7 patients (3 at dose
1 without DLT, then at dose 2 one DLT, two without and one still in the window), decisions
"escalate to 2" after cohort 1 and "stay at 2" after cohort 2."""

import xml.etree.ElementTree as ET

import pytest
from rest_framework.test import APIClient

from dosing import plot, rules
from trial.models import User

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


def _texts(svg: bytes) -> list[str]:
    return ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG}text")]


def _markers(svg: bytes) -> list[int]:
    """Markers per scatter collection, in drawing order (patients by status, then the legend)."""
    root = ET.fromstring(svg)
    groups = [g for g in root.iter(f"{SVG}g") if g.get("id", "").startswith("PathCollection_")]
    # filled markers are <use> of one <defs> path; a hollow one is drawn as its own <path>
    return [len(list(g.iter(f"{SVG}use"))) or len(g.findall(f"{SVG}path")) for g in groups]


@pytest.fixture
def get_plot(demo_db):
    def _get(username="coordinator", query=""):
        client = APIClient()
        client.force_authenticate(User.objects.get(username=username))
        return client.get(f"/api/v1/escalation/plot.svg{query}")

    return _get


def test_the_plot_shows_every_patient_by_dlt_status_and_each_decision(get_plot):
    response = get_plot()
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content
    # DLT, no DLT, in window (patients), then the same three legend entries
    assert _markers(svg) == [1, 5, 1, 1, 1, 1]
    texts = _texts(svg)
    assert "C1: escalate -> 2" in texts
    assert "C2: stay -> 2" in texts
    assert [t for t in texts if "cells/kg" in t] == [
        "1: 2 x10^6 cells/kg",
        "2: 6 x10^6 cells/kg",
        "3: 18 x10^6 cells/kg",
    ]
    assert {"DLT", "No DLT", "In DLT window", "Patient, in order of enrollment"} <= set(texts)
    assert not any(t.startswith("MTD") for t in texts)  # no MTD declared yet


def test_the_same_data_give_the_same_bytes(get_plot):
    assert get_plot().content == get_plot().content


def test_a_client_may_ask_for_svg_and_errors_stay_json(get_plot, demo_db):
    client = APIClient()
    client.force_authenticate(User.objects.get(username="coordinator"))
    asked = client.get("/api/v1/escalation/plot.svg", HTTP_ACCEPT="image/svg+xml")
    assert (asked.status_code, asked["Content-Type"]) == (200, "image/svg+xml")
    missing = client.get("/api/v1/escalation/plot.svg?study=NCT0", HTTP_ACCEPT="image/svg+xml")
    assert (missing.status_code, missing["Content-Type"]) == (404, "application/json")
    assert missing.json() == {"detail": "No such study."}


def test_the_plot_follows_the_study_roles(get_plot, demo_db):
    assert get_plot("monitor").status_code == 200
    assert get_plot("safetyreviewer").status_code == 200
    assert APIClient().get("/api/v1/escalation/plot.svg").status_code == 401
    assert get_plot(query="?study=NCT00000000").status_code == 404


class _Level:
    def __init__(self, number):
        self.number = number


class _Cohort:
    def __init__(self, sequence, dose):
        self.sequence, self.dose_level = sequence, _Level(dose)


class _Decision:
    def __init__(self, sequence, dose, action, next_dose=None, mtd=None):
        self.cohort = _Cohort(sequence, dose)
        self.action = action
        self.next_dose_level = _Level(next_dose) if next_dose else None
        self.mtd_dose_level = _Level(mtd) if mtd else None


def test_a_declared_mtd_is_drawn_and_named():
    doses = [{"dose": 1, "label": "low"}, {"dose": 2, "label": "high"}]
    patients = [
        {"dose": 1, "cohort": 1, "status": rules.EVALUABLE_NO_DLT},
        {"dose": 2, "cohort": 2, "status": rules.DLT},
        {"dose": 2, "cohort": 2, "status": rules.NOT_EVALUABLE},
    ]
    decisions = [
        _Decision(1, 1, rules.ESCALATE, next_dose=2),
        _Decision(2, 2, rules.STOP, mtd=1),
    ]
    svg = plot.escalation_svg(study="X", doses=doses, patients=patients, decisions=decisions, mtd=1)
    texts = _texts(svg)
    assert "C1: escalate -> 2" in texts
    assert "C2: stop, MTD 1" in texts
    assert "MTD: dose level 1" in texts
    assert "Not evaluable" in texts


def test_an_empty_study_still_gives_a_plot():
    svg = plot.escalation_svg(
        study="X", doses=[{"dose": 1, "label": "low"}], patients=[], decisions=[], mtd=None
    )
    assert "X: no patient enrolled yet" in _texts(svg)
    assert _markers(svg) == []


def test_the_plots_words_follow_lang_or_else_accept_language(get_plot):
    """Issue 22: the pages pass the user's language (`lang`), which may differ from what the
    browser asks for; without it the API's rule applies (Accept-Language). Codes and numbers
    stay; an unknown language is a 400 on its field."""
    chinese = _texts(get_plot(query="?lang=zh-hans").content)
    assert {"剂量限制性毒性", "无剂量限制性毒性", "患者（按入组顺序）", "剂量水平"} <= set(chinese)
    assert "C2: 维持原剂量 -> 2" in chinese
    assert "Patient, in order of enrollment" not in chinese

    client = APIClient()
    client.force_authenticate(User.objects.get(username="coordinator"))
    by_browser = client.get("/api/v1/escalation/plot.svg", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert _texts(by_browser.content) == chinese
    english = client.get("/api/v1/escalation/plot.svg?lang=en", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert "Patient, in order of enrollment" in _texts(english.content)

    refused = get_plot(query="?lang=fr")
    assert (refused.status_code, refused.json()) == (
        400,
        {"lang": ["Use one of: en, zh-hans."]},
    )
