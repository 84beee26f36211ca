"""Toxicity grading and DLT clauses (RULES.md sections 3 and 4): tables at every cut point."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

import pytest

from safety.rules import (
    ALT,
    ANEMIA,
    AST,
    BILIRUBIN,
    CREATININE,
    FEVER,
    NEUTROPHILS,
    PLATELETS,
    DltCriteria,
    EventFacts,
    GradeAt,
    crs_grade,
    ctcae_grade,
    cytopenia_candidate,
    dlt_candidate,
    icans_grade,
)

# --- CRS -------------------------------------------------------------------------------------


def crs(**kw):
    return crs_grade(**{"max_temp_c": 38.5, "hypotension": False, **kw})


@pytest.mark.parametrize(
    ("inputs", "grade"),
    [
        ({"max_temp_c": None}, 0),
        ({"max_temp_c": 37.9}, 0),
        ({"max_temp_c": 37.99}, 0),
        ({"max_temp_c": 38.0}, 1),  # fever starts at 38.0 C
        ({}, 1),
        ({"hypotension": True}, 2),
        ({"vasopressors": 1}, 3),  # vasopressors imply hypotension
        ({"vasopressin": True}, 3),  # vasopressin alone counts as one
        ({"vasopressors": 1, "vasopressin": True}, 3),
        ({"vasopressors": 2}, 4),
        ({"oxygen_device": "blow_by"}, 2),
        ({"oxygen_device": "nasal_cannula", "oxygen_flow_l_min": 6}, 2),
        ({"oxygen_device": "nasal_cannula", "oxygen_flow_l_min": 6.1}, 3),
        ({"oxygen_device": "high_flow_nasal_cannula"}, 3),
        ({"oxygen_device": "facemask"}, 3),
        ({"oxygen_device": "non_rebreather"}, 3),
        ({"oxygen_device": "venturi"}, 3),
        ({"oxygen_device": "cpap"}, 4),
        ({"oxygen_device": "bipap"}, 4),
        ({"oxygen_device": "mechanical_ventilation"}, 4),
        ({"hypotension": True, "oxygen_device": "facemask"}, 3),
        ({"fatal": True, "max_temp_c": None}, 5),
        ({"max_temp_c": None, "hypotension": True}, 0),  # no fever, not masked: no CRS
        ({"max_temp_c": None, "fever_masked": True}, 1),  # masked episode still under treatment
        ({"max_temp_c": 37.0, "fever_masked": True, "hypotension": True}, 2),
        ({"max_temp_c": None, "fever_masked": True, "vasopressors": 2}, 4),
    ],
)
def test_crs_grade(inputs, grade):
    assert crs(**inputs) == grade


def test_crs_worked_example():
    assert (
        crs_grade(
            max_temp_c=38.5,
            hypotension=True,
            vasopressors=1,
            oxygen_device="nasal_cannula",
            oxygen_flow_l_min=2,
        )
        == 3
    )


@pytest.mark.parametrize(
    "inputs",
    [
        {"oxygen_device": "helmet"},
        {"oxygen_device": "nasal_cannula"},
        {"vasopressors": -1},
        {"oxygen_device": "nasal_cannula", "oxygen_flow_l_min": -2},
    ],
)
def test_crs_refuses_impossible_inputs(inputs):
    with pytest.raises(ValueError):
        crs(**inputs)


# --- ICANS -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("inputs", "grade"),
    [
        ({"ice_score": 10}, 0),
        ({"ice_score": 9}, 1),
        ({"ice_score": 7}, 1),
        ({"ice_score": 6}, 2),
        ({"ice_score": 3}, 2),
        ({"ice_score": 2}, 3),
        ({"ice_score": 0}, 3),
        ({"capd_score": 0}, 0),
        ({"capd_score": 1}, 1),
        ({"capd_score": 8}, 1),
        ({"capd_score": 9}, 3),
        ({"unable_to_assess": True}, 4),
        ({"consciousness": "awakens_spontaneously"}, 1),
        ({"consciousness": "awakens_to_voice"}, 2),
        ({"consciousness": "awakens_to_touch"}, 3),
        ({"consciousness": "unarousable"}, 4),
        ({"seizure": "rapidly_resolving"}, 3),
        ({"seizure": "life_threatening"}, 4),
        ({"motor_weakness": True}, 4),
        ({"cerebral_edema": "focal"}, 3),
        ({"cerebral_edema": "diffuse"}, 4),
        ({"fatal": True}, 5),
        ({}, 0),
        ({"ice_score": 8, "consciousness": "awakens_to_voice"}, 2),
    ],
)
def test_icans_grade(inputs, grade):
    assert icans_grade(**inputs) == grade


def test_icans_worked_example():
    assert icans_grade(ice_score=3, seizure="rapidly_resolving") == 3


@pytest.mark.parametrize(
    "inputs",
    [
        {"ice_score": 5, "capd_score": 4},
        {"ice_score": 11},
        {"capd_score": 33},
        {"consciousness": "drowsy"},
        {"seizure": "focal"},
        {"cerebral_edema": "mild"},
    ],
)
def test_icans_refuses_impossible_inputs(inputs):
    with pytest.raises(ValueError):
        icans_grade(**inputs)


# --- CTCAE -----------------------------------------------------------------------------------


@pytest.mark.parametrize("term", [ALT, AST])
@pytest.mark.parametrize(
    ("value", "grade"),
    [
        ("40", 0),
        ("40.01", 1),
        ("120", 1),
        ("120.01", 2),
        ("200", 2),
        ("200.01", 3),
        ("800", 3),
        ("800.01", 4),
    ],
)
def test_transaminases_with_normal_baseline(term, value, grade):
    assert ctcae_grade(term, D(value), uln=D("40"), baseline=D("30")) == grade
    assert ctcae_grade(term, D(value), uln=D("40")) == grade


@pytest.mark.parametrize(
    ("value", "grade"),
    [
        ("89.9", 0),
        ("90", 1),
        ("180", 1),
        ("180.1", 2),
        ("300", 2),
        ("300.1", 3),
        ("1200", 3),
        ("1200.1", 4),
    ],
)
def test_transaminases_with_abnormal_baseline_use_multiples_of_baseline(value, grade):
    assert ctcae_grade(ALT, D(value), uln=D("40"), baseline=D("60")) == grade


@pytest.mark.parametrize(
    ("value", "baseline", "grade"),
    [
        ("20", None, 0),
        ("20.1", None, 1),
        ("30", None, 1),
        ("30.1", None, 2),
        ("60", None, 2),
        ("60.1", None, 3),
        ("200", None, 3),
        ("200.1", None, 4),
        ("30", "30", 0),
        ("30.1", "30", 1),
        ("45", "30", 1),
        ("45.1", "30", 2),
    ],  # ULN 20, abnormal baseline 30
)
def test_bilirubin(value, baseline, grade):
    assert (
        ctcae_grade(BILIRUBIN, D(value), uln=D("20"), baseline=D(baseline) if baseline else None)
        == grade
    )


@pytest.mark.parametrize(
    ("value", "baseline", "grade"),
    [
        ("100", None, 0),
        ("100.1", None, 1),
        ("150", None, 1),
        ("150.1", None, 2),
        ("300", None, 2),
        ("300.1", None, 3),
        ("600", None, 3),
        ("600.1", None, 4),
        ("60", "40", 0),
        ("60.1", "40", 2),
        ("90", "30", 2),
        ("90.1", "30", 3),
    ],  # baseline rules
)
def test_creatinine(value, baseline, grade):
    assert (
        ctcae_grade(CREATININE, D(value), uln=D("100"), baseline=D(baseline) if baseline else None)
        == grade
    )


def test_worked_examples_from_admiral():
    assert ctcae_grade(ALT, D("121"), uln=D("40")) == 2
    assert ctcae_grade(CREATININE, D("42"), uln=D("40"), baseline=D("14")) == 2


@pytest.mark.parametrize(
    ("term", "value", "grade"),
    [
        (NEUTROPHILS, "2.0", 0),
        (NEUTROPHILS, "1.9", 1),
        (NEUTROPHILS, "1.5", 1),
        (NEUTROPHILS, "1.49", 2),
        (NEUTROPHILS, "1.0", 2),
        (NEUTROPHILS, "0.99", 3),
        (NEUTROPHILS, "0.5", 3),
        (NEUTROPHILS, "0.49", 4),
        (PLATELETS, "150", 0),
        (PLATELETS, "75", 1),
        (PLATELETS, "74.9", 2),
        (PLATELETS, "50", 2),
        (PLATELETS, "49", 3),
        (PLATELETS, "25", 3),
        (PLATELETS, "24", 4),
        (ANEMIA, "120", 0),
        (ANEMIA, "100", 1),
        (ANEMIA, "99", 2),
        (ANEMIA, "80", 2),
        (ANEMIA, "79", 3),
        (ANEMIA, "20", 3),  # grade 4 is clinical only
    ],
)
def test_decreased_counts_with_lln(term, value, grade):
    lln = {NEUTROPHILS: D("2.0"), PLATELETS: D("150"), ANEMIA: D("120")}[term]
    assert ctcae_grade(term, D(value), lln=lln) == grade


@pytest.mark.parametrize(
    ("value", "grade"), [("3.0", None), ("1.5", None), ("1.49", 2), ("0.3", 4)]
)
def test_decreased_counts_without_lln_grade_only_from_grade_2(value, grade):
    assert ctcae_grade(NEUTROPHILS, D(value)) == grade


@pytest.mark.parametrize(
    ("value", "hours", "grade"),
    [
        (37.9, None, 0),
        (38.0, None, 1),
        (39.0, None, 1),
        (39.01, None, 2),
        (40.0, None, 2),
        (40.1, None, 3),
        (40.1, 24, 3),
        (40.1, 25, 4),
    ],
)
def test_fever(value, hours, grade):
    assert ctcae_grade(FEVER, value, duration_hours=hours) == grade


def test_increased_terms_need_an_uln():
    assert ctcae_grade(ALT, D("100")) is None
    assert ctcae_grade(CREATININE, D("100"), baseline=D("50")) is None


@pytest.mark.parametrize(
    ("term", "value", "kw"),
    [
        ("Alanine transaminase up", 1, {}),
        (ALT, -1, {"uln": 40}),
        (ALT, 10, {"uln": 0}),
        (ANEMIA, 90, {"lln": -1}),
    ],
)
def test_ctcae_refuses_impossible_inputs(term, value, kw):
    with pytest.raises(ValueError):
        ctcae_grade(term, value, **kw)


# --- DLT clauses -----------------------------------------------------------------------------

DAY0 = date(2026, 4, 1)
T = datetime(2026, 4, 3, 8, 0, tzinfo=UTC)  # day 2


def flag(event, now=T + timedelta(days=20), **criteria):
    found = dlt_candidate(
        event, day0=DAY0, window_days=28, now=now, criteria=DltCriteria(**criteria)
    )
    return found.clause if found else None


def crs_event(*points):
    return EventFacts(
        kind="crs",
        onset=T.date(),
        grades=tuple(GradeAt(T + timedelta(hours=h), g) for h, g in points),
    )


@pytest.mark.parametrize(
    ("points", "clause"),
    [
        (((0, 2), (24, 1)), None),
        (((0, 4), (12, 2)), "crs_grade_4"),
        (((0, 3), (72, 2)), None),  # back to grade 2 at 72 h: not a DLT
        (((0, 3), (73, 2)), "crs_grade_3_prolonged"),  # at 73 h: DLT
        (((0, 3), (48, 3), (71, 1)), None),
        (((0, 3), (80, 3)), "crs_grade_3_prolonged"),  # still grade 3, never back
    ],
)
def test_crs_clauses(points, clause):
    assert flag(crs_event(*points)) == clause


def test_grade_3_crs_inside_its_72_hours_is_not_flagged_yet():
    event = crs_event((0, 3))
    assert flag(event, now=T + timedelta(hours=72)) is None
    assert flag(event, now=T + timedelta(hours=73)) == "crs_grade_3_prolonged"


def test_the_72_hours_are_configurable():
    assert flag(crs_event((0, 3), (50, 2)), crs_grade_3_max_hours=48) == "crs_grade_3_prolonged"
    assert flag(crs_event((0, 4)), crs_grade_4=False, crs_grade_3_max_hours=None) is None


def ae(
    grades,
    *,
    related="possible",
    hematologic=False,
    kind="ae",
    resolved=None,
    fatal=False,
    onset=None,
):
    points = tuple(
        GradeAt(datetime.combine(d, datetime.min.time(), tzinfo=UTC), g) for d, g in grades
    )
    return EventFacts(
        kind=kind,
        onset=onset or grades[0][0],
        grades=points,
        related=related,
        hematologic=hematologic,
        resolved=resolved,
        fatal=fatal,
    )


@pytest.mark.parametrize(
    ("grades", "clause"),
    [
        (((date(2026, 4, 3), 3), (date(2026, 4, 10), 2)), None),  # 7 days at grade 3
        (((date(2026, 4, 3), 3), (date(2026, 4, 11), 2)), "nonheme_prolonged"),  # 8 days
        (
            ((date(2026, 4, 3), 2), (date(2026, 4, 5), 3), (date(2026, 4, 13), 1)),
            "nonheme_prolonged",
        ),
        (((date(2026, 4, 3), 4), (date(2026, 4, 4), 1)), "nonheme_grade_4"),
        (((date(2026, 4, 3), 2),), None),
    ],
)
def test_non_hematologic_ae_clauses(grades, clause):
    assert flag(ae(grades)) == clause


def test_an_unresolved_grade_3_ae_counts_its_days_until_now():
    event = ae(((date(2026, 4, 3), 3),))
    assert flag(event, now=datetime(2026, 4, 10, 12, tzinfo=UTC)) is None
    assert flag(event, now=datetime(2026, 4, 11, 12, tzinfo=UTC)) == "nonheme_prolonged"


def test_unrelated_or_hematologic_aes_are_not_candidates():
    grades = ((date(2026, 4, 3), 4),)
    assert flag(ae(grades, related="unlikely")) is None
    assert flag(ae(grades, related=None)) is None
    assert flag(ae(grades, hematologic=True)) is None


def test_icans_and_gvhd_from_grade_3():
    assert flag(ae(((date(2026, 4, 3), 2),), kind="icans")) is None
    assert flag(ae(((date(2026, 4, 3), 3),), kind="icans", related=None)) == "icans"
    assert flag(ae(((date(2026, 4, 5), 3),), kind="gvhd")) == "gvhd"


def test_treatment_related_death():
    assert (
        flag(ae(((date(2026, 4, 3), 5),), fatal=True, related="probable"))
        == "treatment_related_death"
    )
    assert flag(ae(((date(2026, 4, 3), 5),), fatal=True, related="unrelated")) is None


@pytest.mark.parametrize(
    ("onset", "clause"),
    [(date(2026, 4, 29), "nonheme_grade_4"), (date(2026, 4, 30), None), (date(2026, 3, 31), None)],
)
def test_only_events_starting_inside_the_window_day_0_to_28(onset, clause):
    assert flag(ae(((onset, 4),)), now=datetime(2026, 5, 10, tzinfo=UTC)) == clause


@pytest.mark.parametrize(
    ("anc", "plt", "day", "marrow", "clause"),
    [
        (D("0.4"), None, 43, True, "prolonged_cytopenia"),
        (D("0.4"), None, 42, True, None),  # beyond day 42 only
        (D("0.5"), D("20"), 50, True, None),  # at the limits: not below
        (None, D("19"), 50, True, "prolonged_cytopenia"),
        (D("0.4"), None, 50, False, None),  # marrow with leukemia: not a DLT
        (D("0.4"), None, 50, None, None),  # marrow not assessed yet
    ],
)
def test_prolonged_cytopenia(anc, plt, day, marrow, clause):
    found = cytopenia_candidate(
        anc=anc, platelets=plt, day=day, marrow_leukemia_free_hypocellular=marrow
    )
    assert (found.clause if found else None) == clause
