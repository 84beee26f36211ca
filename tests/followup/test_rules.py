"""ELN 2022 response rules (RULES.md section 5): every cut point, no database."""

import dataclasses
from decimal import Decimal as D

import pytest

from followup.rules import (
    RESPONSES,
    ResponseFacts,
    aml_response,
    best_overall_response,
    clopper_pearson,
)

CLEAR = ResponseFacts(
    marrow_blasts_pct=D("2"),
    baseline_marrow_blasts_pct=D("40"),
    circulating_blasts=False,
    auer_rods=False,
    extramedullary_disease=False,
    baseline_extramedullary_disease=False,
    anc=D("2.0"),
    platelets=D("150"),
)


def response(**changes):
    return aml_response(dataclasses.replace(CLEAR, **changes)).response


def test_the_contract_lists_the_categories():
    assert RESPONSES == ("CR", "CRh", "CRi", "MLFS", "PR", "SD", "PD", "relapse", "NE")


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"marrow_blasts_pct": D("3"), "anc": D("0.8"), "platelets": D("60")},
            "CRh",
        ),  # RULES.md examples
        ({"marrow_blasts_pct": D("3"), "anc": D("0.4"), "platelets": D("120")}, "CRi"),
        ({"marrow_blasts_pct": D("12"), "baseline_marrow_blasts_pct": D("40")}, "PR"),
        ({"marrow_blasts_pct": D("25"), "baseline_marrow_blasts_pct": D("10")}, "PD"),
        ({"marrow_blasts_pct": D("24"), "baseline_marrow_blasts_pct": D("10")}, "SD"),
    ],
)
def test_rules_md_examples(changes, expected):
    assert response(**changes) == expected


@pytest.mark.parametrize(
    ("blasts", "expected"),
    [(D("4.99"), "CR"), (D("5"), "PR"), (D("0"), "CR")],
)
def test_marrow_blasts_below_5_strictly(blasts, expected):
    assert response(marrow_blasts_pct=blasts, baseline_marrow_blasts_pct=D("60")) == expected


@pytest.mark.parametrize(
    ("anc", "platelets", "expected"),
    [
        (D("1.0"), D("100"), "CR"),
        (D("0.99"), D("100"), "CRh"),
        (D("1.0"), D("99.9"), "CRh"),
        (D("0.5"), D("50"), "CRh"),
        (D("0.49"), D("50"), "CRi"),
        (D("0.5"), D("49"), "CRi"),
        (None, D("150"), "MLFS"),
        (D("2"), None, "MLFS"),
    ],
)
def test_count_recovery_cut_points(anc, platelets, expected):
    assert response(anc=anc, platelets=platelets) == expected


def test_blood_blasts_or_unknown_blood_blasts_give_mlfs():
    assert response(circulating_blasts=True) == "MLFS"
    assert response(circulating_blasts=None) == "MLFS"


@pytest.mark.parametrize(
    ("auer", "emd", "expected"), [(None, False, "NE"), (False, None, "NE"), (True, False, "SD")]
)
def test_auer_rods_and_extramedullary_disease_below_5_percent(auer, emd, expected):
    assert response(auer_rods=auer, extramedullary_disease=emd) == expected


@pytest.mark.parametrize(
    ("blasts", "baseline", "expected"),
    [
        (D("25"), D("50"), "PR"),  # blasts <= 25 and exactly a 50% fall
        (D("25.01"), D("60"), "SD"),  # above 25
        (D("20.01"), D("40"), "SD"),  # not a 50% fall
        (D("20"), D("40"), "PR"),
        (D("12"), None, "SD"),  # baseline unknown: no PR
    ],
)
def test_partial_remission(blasts, baseline, expected):
    assert response(marrow_blasts_pct=blasts, baseline_marrow_blasts_pct=baseline) == expected


def test_pr_needs_full_counts_and_no_blood_blasts():
    assert response(marrow_blasts_pct=D("12"), anc=D("0.99")) == "SD"
    assert response(marrow_blasts_pct=D("12"), platelets=D("99")) == "SD"
    assert response(marrow_blasts_pct=D("12"), circulating_blasts=True) == "SD"


@pytest.mark.parametrize(
    ("blasts", "baseline", "expected"),
    [
        (D("45"), D("30"), "SD"),  # exactly 1.5 x baseline: not strictly above
        (D("45.01"), D("30"), "PD"),  # baseline >= 30: no points needed
        (D("24"), D("10"), "SD"),  # > 1.5x but a rise of 14 points
        (D("25"), D("10"), "PD"),  # a rise of 15 points
        (D("29.9"), D("14.9"), "PD"),  # 15.0 points exactly, and > 1.5x
        (D("22.35"), D("14.9"), "SD"),  # exactly 1.5 x 14.9: not above
    ],
)
def test_progression_by_marrow_blasts(blasts, baseline, expected):
    assert response(marrow_blasts_pct=blasts, baseline_marrow_blasts_pct=baseline) == expected


def test_progression_by_new_extramedullary_disease():
    assert response(marrow_blasts_pct=D("30"), extramedullary_disease=True) == "PD"
    assert (
        response(
            marrow_blasts_pct=D("30"),
            extramedullary_disease=True,
            baseline_extramedullary_disease=None,
        )
        == "SD"
    )


def test_relapse_after_remission():
    assert response(in_remission=True, marrow_blasts_pct=D("5")) == "relapse"
    assert response(in_remission=True, marrow_blasts_pct=D("4.99")) == "CR"
    assert response(in_remission=True, circulating_blasts=True) == "relapse"
    assert (
        response(in_remission=True, marrow_blasts_pct=None, extramedullary_disease=True)
        == "relapse"
    )
    # no progression while in remission: 60% blasts from 40% is a relapse, not PD
    assert response(in_remission=True, marrow_blasts_pct=D("60")) == "relapse"


def test_unknown_marrow_blasts_are_not_evaluable():
    assert response(marrow_blasts_pct=None) == "NE"


@pytest.mark.parametrize(
    ("changes", "mrd", "negative"),
    [
        ({}, D("0.05"), True),
        ({}, D("0.1"), False),
        ({}, None, None),
        ({"anc": D("0.4")}, D("0.01"), True),
        ({"marrow_blasts_pct": D("12")}, D("0.01"), None),
    ],
)
def test_mrd_negativity_for_cr_crh_cri_only(changes, mrd, negative):
    result = aml_response(dataclasses.replace(CLEAR, mrd_pct=mrd, **changes))
    assert result.mrd_negative is negative
    assert result.reason.endswith(".")


@pytest.mark.parametrize(
    ("responses", "best"),
    [
        (["SD", "CRi", "CR", "relapse"], "CR"),
        (["PD", "SD"], "SD"),
        (["NE", "relapse"], "NE"),
        ([], "NE"),
        (["MLFS", "PR"], "MLFS"),
        (["CRh", "CRi"], "CRh"),
    ],
)
def test_best_overall_response(responses, best):
    assert best_overall_response(responses) == best


def test_best_overall_response_refuses_unknown_categories():
    with pytest.raises(ValueError):
        best_overall_response(["CR", "VGPR"])


@pytest.mark.parametrize(
    ("x", "n", "interval"),
    [
        (3, 10, (0.066740, 0.652453)),
        (0, 6, (0.0, 0.459258)),
        (7, 30, (0.099338, 0.422837)),
        (6, 6, (0.540742, 1.0)),
        (1, 1, (0.025, 1.0)),
        (0, 1, (0.0, 0.975)),
    ],
)
def test_clopper_pearson(x, n, interval):
    low, high = clopper_pearson(x, n)
    assert (round(low, 6), round(high, 6)) == interval


def test_clopper_pearson_at_90_percent():
    low, high = clopper_pearson(3, 10, 0.90)
    assert low > 0.066740 and high < 0.652453


@pytest.mark.parametrize(("x", "n"), [(0, 0), (-1, 5), (6, 5)])
def test_clopper_pearson_refuses_impossible_counts(x, n):
    with pytest.raises(ValueError):
        clopper_pearson(x, n)
