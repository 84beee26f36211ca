from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from dosing.models import (
    Cohort,
    DltEvaluation,
    Enrollment,
    EscalationDecision,
    Infusion,
    Lymphodepletion,
    LymphodepletionRegimen,
)
from dosing.selectors import escalation_state
from safety.models import (
    AdverseEvent,
    AeGrade,
    CrsAssessment,
    DltCandidate,
    IcansAssessment,
    LabResult,
)
from screening.models import Consent, EligibilityAssessment, Subject
from trial.models import DoseLevel, Site, SiteRole, Study, User

pytestmark = [pytest.mark.django_db, pytest.mark.slow(4)]

MODELS = (
    User,
    Study,
    Site,
    SiteRole,
    DoseLevel,
    Subject,
    Consent,
    EligibilityAssessment,
    LymphodepletionRegimen,
    Cohort,
    Enrollment,
    Lymphodepletion,
    Infusion,
    DltEvaluation,
    EscalationDecision,
    AdverseEvent,
    AeGrade,
    CrsAssessment,
    IcansAssessment,
    LabResult,
    DltCandidate,
)


def _counts():
    return {m.__name__: (m.objects.count(), m.history.count()) for m in MODELS}


def _seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_seed_demo_twice_creates_the_same_rows():
    first = _seed()
    after_first = _counts()
    second = _seed()

    assert _counts() == after_first
    assert "Demo study already loaded: nothing to create." in second
    assert "4 demo subjects" in first
    rows = {name: n for name, (n, _history) in after_first.items()}
    assert rows == {
        "User": 6,
        "Study": 1,
        "Site": 1,
        "SiteRole": 5,
        "DoseLevel": 3,
        "Subject": 11,
        "Consent": 11,
        "EligibilityAssessment": 10,
        "LymphodepletionRegimen": 1,
        "Cohort": 3,
        "Enrollment": 7,
        "Lymphodepletion": 7,
        "Infusion": 7,
        "DltEvaluation": 7,
        "EscalationDecision": 2,
        "AdverseEvent": 3,
        "AeGrade": 1,
        "CrsAssessment": 3,
        "IcansAssessment": 1,
        "LabResult": 12,
        "DltCandidate": 1,
    }


def test_passwords_are_printed_only_with_debug_or_the_flag(settings):
    settings.DEBUG = False
    quiet = _seed()
    assert "demo-NCT05734898" not in quiet
    assert not User.objects.get(username="coordinator").has_usable_password()

    loud = _seed("--demo-passwords")
    assert "coordinator     demo-NCT05734898" in loud


# The tests below read the demo as loaded once for the module (tests/demo_db.py: the same
# `seed_demo`, 1.4 s each time). They come after the tests that load it themselves: a module
# fixture lasts from its first use to the end of the module.


def test_the_demo_study_is_nct05734898_with_placeholder_doses(demo_db):
    study = Study.objects.get()
    assert (study.registry_id, study.target_enrollment, study.dlt_window_days) == (
        "NCT05734898",
        30,
        28,
    )
    assert (study.min_age_years, study.max_age_years, study.escalation_design) == (
        3,
        75,
        "three_plus_three",
    )
    assert list(
        study.dose_levels.values_list("number", "cells_per_kg_million", "is_placeholder")
    ) == [
        (1, Decimal("2.000"), True),
        (2, Decimal("6.000"), True),
        (3, Decimal("18.000"), True),
    ]
    assert (
        Site.objects.get().name
        == "The First Affiliated Hospital, Zhejiang University School of Medicine"
    )
    assert sorted(SiteRole.objects.values_list("role", flat=True)) == sorted(SiteRole.Role.values)


def test_the_demo_subjects_are_at_different_stages_and_marked_as_demo(demo_db):
    assert list(Subject.objects.values_list("screening_number", "status", "is_demo"))[:4] == [
        ("01-S-001", "eligible", True),
        ("01-S-002", "screen_failed", True),
        ("01-S-003", "screening", True),
        ("01-S-004", "screening", True),
    ]
    assert set(Subject.objects.filter(sequence__gt=4).values_list("status", "is_demo")) == {
        ("enrolled", True)
    }
    failed = EligibilityAssessment.objects.get(subject__screening_number="01-S-002")
    assert failed.reasons == ["I7", "E13"]


def test_the_demo_trial_is_a_3_plus_3_in_progress(demo_db):
    state = escalation_state(study=Study.objects.get())
    assert [(d["dose"], d["treated"], d["pending"], d["n"], d["y"]) for d in state["doses"]] == [
        (1, 3, 0, 3, 0),
        (2, 4, 1, 3, 1),
        (3, 0, 0, 0, 0),
    ]
    assert [(d.recommended_action, d.action, d.agrees) for d in state["decisions"]] == [
        ("escalate", "escalate", True),
        ("stay", "stay", True),
    ]
    assert (state["current_dose"], state["open_slots"], state["waiting_for"]) == (2, 2, 1)
    assert list(Cohort.objects.values_list("sequence", "status")) == [
        (1, "closed"),
        (2, "closed"),
        (3, "open"),
    ]


def test_the_demo_dlt_comes_from_a_flagged_crs_and_is_adjudicated(demo_db):
    (candidate,) = DltCandidate.objects.all()
    assert (candidate.clause, candidate.status) == ("crs_grade_4", "accepted")
    evaluation = candidate.dlt_evaluation
    assert (evaluation.status, evaluation.dlt_grade, evaluation.dlt_adjudicated) == ("dlt", 4, True)
    crs = candidate.adverse_event
    assert (crs.worst_grade, crs.serious, crs.reported_at <= crs.report_deadline) == (4, True, True)
