"""Dose-escalation rules (RULES.md section 2): decision tables, no database."""

import math
from datetime import date

import pytest

from dosing.rules import (
    DltFacts,
    boin,
    boin_boundaries,
    boin_decision_table,
    boin_select_mtd,
    boin_simulate,
    dlt_status,
    prob_above_target,
    three_plus_three,
    three_plus_three_oc,
)


def decide(n, y, current, **kw):
    rec = three_plus_three(n, y, current, **kw)
    return rec.action, rec.next_dose, rec.mtd


# (n, y, current, with de-escalation, without de-escalation)
THREE_PLUS_THREE = [
    # first cohort at dose 1
    ([0, 0, 0], [0, 0, 0], 1, ("stay", 1, None), ("stay", 1, None)),
    ([3, 0, 0], [0, 0, 0], 1, ("escalate", 2, None), ("escalate", 2, None)),
    ([3, 0, 0], [1, 0, 0], 1, ("stay", 1, None), ("stay", 1, None)),
    ([3, 0, 0], [2, 0, 0], 1, ("stop", None, None), ("stop", None, None)),
    ([3, 0, 0], [3, 0, 0], 1, ("stop", None, None), ("stop", None, None)),
    ([6, 0, 0], [1, 0, 0], 1, ("escalate", 2, None), ("escalate", 2, None)),
    ([6, 0, 0], [0, 0, 0], 1, ("escalate", 2, None), ("escalate", 2, None)),
    ([6, 0, 0], [2, 0, 0], 1, ("stop", None, None), ("stop", None, None)),
    # middle dose
    ([3, 3, 0], [0, 0, 0], 2, ("escalate", 3, None), ("escalate", 3, None)),
    ([3, 3, 0], [0, 1, 0], 2, ("stay", 2, None), ("stay", 2, None)),
    ([3, 3, 0], [0, 2, 0], 2, ("de-escalate", 1, None), ("stop", None, 1)),  # RULES.md example
    ([3, 6, 0], [0, 1, 0], 2, ("escalate", 3, None), ("escalate", 3, None)),
    ([3, 6, 0], [0, 2, 0], 2, ("de-escalate", 1, None), ("stop", None, 1)),
    ([6, 3, 0], [1, 2, 0], 2, ("stop", None, 1), ("stop", None, 1)),
    ([6, 6, 0], [0, 3, 0], 2, ("stop", None, 1), ("stop", None, 1)),
    # after de-escalation: the dose below gets 6
    ([6, 3, 0], [0, 2, 0], 1, ("stop", None, 1), ("stop", None, 1)),
    ([6, 3, 0], [1, 2, 0], 1, ("stop", None, 1), ("stop", None, 1)),
    ([6, 3, 0], [2, 2, 0], 1, ("stop", None, None), ("stop", None, None)),
    ([3, 6, 3], [0, 1, 2], 2, ("stop", None, 2), ("stop", None, 2)),
    ([3, 6, 3], [0, 2, 2], 2, ("de-escalate", 1, None), ("stop", None, 1)),
    ([3, 3, 3], [0, 0, 2], 3, ("de-escalate", 2, None), ("stop", None, 2)),
    # top dose
    ([3, 3, 3], [0, 0, 0], 3, ("stop", None, 3), ("stop", None, 3)),
    ([3, 3, 6], [0, 0, 1], 3, ("stop", None, 3), ("stop", None, 3)),
    ([3, 3, 3], [0, 0, 1], 3, ("stay", 3, None), ("stay", 3, None)),
    ([3, 3, 6], [0, 0, 2], 3, ("de-escalate", 2, None), ("stop", None, 2)),
    ([3, 6, 6], [0, 1, 2], 3, ("stop", None, 2), ("stop", None, 2)),
    # four dose levels
    ([3, 3, 3, 0], [0, 0, 0, 0], 3, ("escalate", 4, None), ("escalate", 4, None)),
    ([3, 3, 3, 3], [0, 0, 0, 0], 4, ("stop", None, 4), ("stop", None, 4)),
    ([3, 3, 3, 3], [0, 0, 0, 3], 4, ("de-escalate", 3, None), ("stop", None, 3)),
    ([3, 3, 6, 3], [0, 0, 0, 2], 3, ("stop", None, 3), ("stop", None, 3)),
    ([3, 3, 6, 3], [0, 0, 2, 2], 3, ("de-escalate", 2, None), ("stop", None, 2)),
    ([3, 6, 6, 3], [0, 2, 2, 2], 2, ("de-escalate", 1, None), ("stop", None, 1)),
    ([6, 6, 6, 3], [1, 2, 2, 2], 1, ("stop", None, 1), ("stop", None, 1)),
    # incomplete cohorts wait
    ([2, 0, 0], [0, 0, 0], 1, ("stay", 1, None), ("stay", 1, None)),
    ([3, 5, 0], [0, 1, 0], 2, ("stay", 2, None), ("stay", 2, None)),
    ([3, 2, 0], [0, 2, 0], 2, ("de-escalate", 1, None), ("stop", None, 1)),  # 2 DLTs decide at once
]


@pytest.mark.parametrize(("n", "y", "current", "with_de", "without_de"), THREE_PLUS_THREE)
def test_three_plus_three_decisions(n, y, current, with_de, without_de):
    assert decide(n, y, current) == with_de
    assert decide(n, y, current, deescalation=False) == without_de


def test_every_recommendation_explains_itself():
    for n, y, current, *_ in THREE_PLUS_THREE:
        rec = three_plus_three(n, y, current)
        assert rec.reason.endswith(".") and len(rec.reason) > 20
        assert rec.eliminated_from is None


def test_an_escalation_past_the_top_is_a_stop_at_the_current_dose():
    rec = three_plus_three([3, 3], [0, 0], 2)
    assert (rec.action, rec.mtd, rec.reason) == (
        "stop",
        2,
        "0 of 3 patients had a DLT at dose 2, the highest dose: it is the MTD.",
    )


@pytest.mark.parametrize(
    ("n", "y", "current"), [([3], [4], 1), ([3, 3], [0], 1), ([3], [0], 2), ([-1], [0], 1)]
)
def test_impossible_inputs_are_refused(n, y, current):
    with pytest.raises(ValueError):
        three_plus_three(n, y, current)


def test_probability_of_escalating_past_a_dose():
    # (1-p)^3 + 3p(1-p)^5: the 0/3 path plus the 1/3 then 0/3 path
    p = 0.3
    oc = three_plus_three_oc([p, 0.0])
    assert round(oc.p_mtd[2], 6) == 0.494263
    assert math.isclose(oc.p_mtd[2], (1 - p) ** 3 + 3 * p * (1 - p) ** 5)


def test_three_plus_three_operating_characteristics_with_de_escalation():
    oc = three_plus_three_oc([0.05, 0.10, 0.20, 0.30, 0.50])
    assert [round(v, 6) for v in oc.p_mtd] == [
        0.027182,
        0.097126,
        0.277277,
        0.327825,
        0.217491,
        0.053099,
    ]
    assert round(oc.expected_n, 5) == 16.91885
    assert math.isclose(sum(oc.p_mtd), 1.0)
    assert 0 < oc.expected_dlt < oc.expected_n


def test_three_plus_three_operating_characteristics_without_de_escalation():
    oc = three_plus_three_oc([0.05, 0.10, 0.20, 0.30, 0.50], deescalation=False)
    assert math.isclose(sum(oc.p_mtd), 1.0)
    # no dose is ever expanded from below: fewer patients on average
    assert oc.expected_n < three_plus_three_oc([0.05, 0.10, 0.20, 0.30, 0.50]).expected_n
    assert round(oc.p_mtd[5], 6) == 0.053099  # reaching the top dose does not depend on the variant


def test_oc_of_certain_toxicity_and_certain_safety():
    assert three_plus_three_oc([1.0, 1.0]).p_mtd == (1.0, 0.0, 0.0)
    assert three_plus_three_oc([0.0, 0.0, 0.0]).p_mtd == (0.0, 0.0, 0.0, 1.0)
    assert three_plus_three_oc([0.0, 0.0, 0.0]).expected_n == 9


@pytest.mark.parametrize(
    ("target", "lambda_e", "lambda_d"),
    [
        (0.20, 0.157242, 0.238462),
        (0.25, 0.196801, 0.298392),
        (0.30, 0.236491, 0.358519),
        (0.33, 0.260377, 0.394716),
    ],
)
def test_boin_boundaries_to_six_decimals(target, lambda_e, lambda_d):
    assert tuple(round(v, 6) for v in boin_boundaries(target)) == (lambda_e, lambda_d)


def test_boin_boundaries_with_explicit_phi():
    assert boin_boundaries(0.3, 0.18, 0.42) == boin_boundaries(0.3)
    with pytest.raises(ValueError):
        boin_boundaries(0.3, 0.35, 0.42)


def test_boin_decision_table_for_target_030():
    # n: (escalate if DLTs <=, de-escalate if >=, eliminate if >=), as published for target 0.3
    table = {row[0]: row[1:] for row in boin_decision_table(0.3, 12)}
    assert table[3] == (0, 2, 3)
    assert table[6] == (1, 3, 4)
    assert table[9] == (2, 4, 5)
    assert table[12] == (2, 5, 7)


@pytest.mark.parametrize(
    ("n", "y", "current", "expected"),
    [
        ([3, 0, 0], [0, 0, 0], 1, ("escalate", 2, None, None)),
        ([3, 3, 0], [0, 1, 0], 2, ("stay", 2, None, None)),  # 0.333 between boundaries
        ([3, 3, 0], [0, 2, 0], 2, ("de-escalate", 1, None, None)),
        ([3, 0, 0], [2, 0, 0], 1, ("stay", 1, None, None)),  # lowest dose: stay
        ([3, 3, 3], [0, 0, 0], 3, ("stay", 3, None, None)),  # highest dose: stay
        ([3, 3, 0], [0, 3, 0], 2, ("de-escalate", 1, None, 2)),  # 3/3 eliminates dose 2 and above
        ([3, 3, 0], [3, 0, 0], 1, ("stop", None, None, 1)),
        ([6, 3, 3], [1, 0, 3], 2, ("stay", 2, None, 3)),  # 0/3 but dose 3 eliminated: stay
        ([6, 6, 3], [1, 4, 0], 3, ("de-escalate", 1, None, 2)),  # current above an eliminated dose
    ],
)
def test_boin_decisions(n, y, current, expected):
    rec = boin(n, y, current, target=0.3)
    assert (rec.action, rec.next_dose, rec.mtd, rec.eliminated_from) == expected
    assert rec.reason


def test_boin_elimination_is_strictly_above_the_cutoff():
    posterior = prob_above_target(6, 4, 0.3)
    assert 0.95 < posterior < 0.99
    at_cutoff = boin([6, 6], [0, 4], 2, target=0.3, cutoff_eli=posterior)
    just_below = boin([6, 6], [0, 4], 2, target=0.3, cutoff_eli=posterior - 1e-12)
    assert (at_cutoff.eliminated_from, at_cutoff.action) == (None, "de-escalate")
    assert (just_below.eliminated_from, just_below.action) == (2, "de-escalate")


def test_boin_needs_three_patients_to_eliminate():
    assert boin([2, 0], [2, 0], 1, target=0.3).eliminated_from is None


def test_posterior_matches_the_beta_tail():
    # 1 - pbeta(0.3, 3, 2) for y=2 of n=3: P(Bin(4, 0.3) <= 2)
    assert math.isclose(prob_above_target(3, 2, 0.3), 0.9163)


def test_boin_early_stop_selects_the_mtd_when_staying():
    rec = boin([3, 9, 0], [0, 3, 0], 2, target=0.3, n_earlystop=9)
    assert (rec.action, rec.next_dose, rec.mtd) == ("stop", None, 2)
    not_yet = boin([3, 6, 0], [0, 2, 0], 2, target=0.3, n_earlystop=9)
    assert not_yet.action == "stay"
    escalating = boin([3, 9, 0], [0, 0, 0], 2, target=0.3, n_earlystop=9)
    assert escalating.action == "escalate"


@pytest.mark.parametrize(
    ("n", "y", "mtd"),
    [
        ([3, 3, 15, 9, 0], [0, 0, 4, 4, 0], 3),  # RULES.md example
        ([3, 0, 0], [3, 0, 0], None),  # dose 1 eliminated
        ([0, 0, 0], [0, 0, 0], None),  # nobody treated
        ([3, 6, 0], [0, 1, 0], 2),
        ([6, 6, 3], [0, 3, 3], 2),  # dose 3 eliminated; PAVA pools 1..2
        ([3, 3], [1, 0], 2),  # isotonic: the inversion is pooled, ties go up
    ],
)
def test_boin_select_mtd(n, y, mtd):
    assert boin_select_mtd(n, y, target=0.3) == mtd


def test_boin_simulation_is_reproducible_with_a_seed():
    a = boin_simulate([0.05, 0.15, 0.30, 0.45], target=0.3, n_cohorts=10, trials=200, seed=7)
    b = boin_simulate([0.05, 0.15, 0.30, 0.45], target=0.3, n_cohorts=10, trials=200, seed=7)
    assert a == b
    assert math.isclose(sum(a.p_mtd), 1.0)
    assert a.p_mtd.index(max(a.p_mtd)) == 3  # the dose at the target is chosen most often
    assert a.expected_n <= 30


DAY0 = date(2026, 4, 1)  # day 28 is 29 April


@pytest.mark.parametrize(
    ("facts", "status", "replace"),
    [
        ({"today": date(2026, 3, 30), "day0": None}, "pending", False),
        (
            {"today": date(2026, 3, 30), "day0": None, "off_study": date(2026, 3, 29)},
            "not_evaluable",
            True,
        ),
        ({"today": date(2026, 4, 29), "day0": DAY0}, "pending", False),  # day 28: still inside
        ({"today": date(2026, 4, 30), "day0": DAY0}, "evaluable_no_dlt", False),  # day 29: closed
        (
            {"today": date(2026, 4, 10), "day0": DAY0, "dlt_onset": date(2026, 4, 8)},
            "pending",
            False,
        ),
        (
            {
                "today": date(2026, 4, 10),
                "day0": DAY0,
                "dlt_onset": date(2026, 4, 8),
                "dlt_adjudicated": True,
            },
            "dlt",
            False,
        ),
        (
            {
                "today": date(2026, 5, 10),
                "day0": DAY0,
                "dlt_onset": date(2026, 4, 29),
                "dlt_adjudicated": True,
            },
            "dlt",
            False,
        ),
        (
            {
                "today": date(2026, 5, 10),
                "day0": DAY0,
                "dlt_onset": date(2026, 4, 30),
                "dlt_adjudicated": True,
            },
            "evaluable_no_dlt",
            False,
        ),
        (
            {"today": date(2026, 4, 3), "day0": DAY0, "dlt_onset": DAY0, "dlt_adjudicated": True},
            "dlt",
            False,
        ),  # day 0 counts
        (
            {"today": date(2026, 4, 10), "day0": DAY0, "full_assigned_dose": False},
            "not_evaluable",
            True,
        ),
        (
            {
                "today": date(2026, 4, 10),
                "day0": DAY0,
                "full_assigned_dose": False,
                "dlt_onset": date(2026, 4, 5),
                "dlt_adjudicated": True,
            },
            "dlt",
            False,
        ),  # a partial dose with a DLT counts
        (
            {"today": date(2026, 4, 20), "day0": DAY0, "off_study": date(2026, 4, 15)},
            "not_evaluable",
            True,
        ),
        (
            {"today": date(2026, 5, 20), "day0": DAY0, "off_study": date(2026, 4, 29)},
            "not_evaluable",
            True,
        ),
        (
            {"today": date(2026, 5, 20), "day0": DAY0, "off_study": date(2026, 4, 30)},
            "evaluable_no_dlt",
            False,
        ),
    ],
)
def test_dlt_window_and_evaluability(facts, status, replace):
    result = dlt_status(DltFacts(window_days=28, **facts))
    assert (result.status, result.replace) == (status, replace)
    if facts["day0"] is not None:
        assert result.window_end == date(2026, 4, 29)
