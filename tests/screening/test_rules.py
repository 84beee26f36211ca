"""Eligibility rules (RULES.md section 1): boundary tables, no database."""

import dataclasses
from datetime import date
from decimal import Decimal as D

import pytest

from screening.rules import (
    ANSWERED_CODES,
    CODES,
    CRITERIA,
    EXCLUSION_CODES,
    EligibilityFacts,
    age_in_completed_years,
    assess_eligibility,
)

ASSESSED = date(2026, 3, 10)
ALL_MET_ANSWERS = {
    **{code: True for code in ANSWERED_CODES if code.startswith("I")},
    "I3": False,
    **dict.fromkeys(EXCLUSION_CODES, False),
}
ELIGIBLE = EligibilityFacts(
    assessment_date=ASSESSED,
    date_of_birth=date(1980, 5, 17),
    ecog=1,
    cardiac_function_grade=1,
    tbil=D("10"),
    tbil_uln=D("21"),
    ast=D("30"),
    ast_uln=D("40"),
    alt=D("30"),
    alt_uln=D("40"),
    creatinine=D("70"),
    creatinine_uln=D("100"),
    childbearing_potential=False,
    answers=ALL_MET_ANSWERS,
)


def facts(**changes):
    return dataclasses.replace(ELIGIBLE, **changes)


def answers(**changes):
    return {**ALL_MET_ANSWERS, **changes}


def test_the_reference_patient_is_eligible():
    result = assess_eligibility(ELIGIBLE)
    assert (result.eligible, result.reasons) == (True, ())
    assert list(result.criteria) == CODES_IN_ORDER


CODES_IN_ORDER = [f"I{n}" for n in range(1, 15)] + [f"E{n}" for n in range(1, 20)]


def test_codes_and_texts_cover_the_registry():
    assert list(CODES) == CODES_IN_ORDER
    assert list(CRITERIA) == CODES_IN_ORDER
    assert "MRD > 0.1%" in CRITERIA["I2"] and "type M3" in CRITERIA["E1"]


@pytest.mark.parametrize(
    ("born", "on", "age", "i1"),
    [
        (date(2023, 3, 10), date(2026, 3, 9), 2, False),  # day before the 3rd birthday
        (date(2023, 3, 10), date(2026, 3, 10), 3, True),  # on the 3rd birthday
        (date(1951, 3, 10), date(2026, 3, 10), 75, True),  # on the 75th birthday
        (date(1950, 3, 10), date(2026, 3, 9), 75, True),  # day before the 76th birthday
        (date(1950, 3, 10), date(2026, 3, 10), 76, False),  # on the 76th birthday
    ],
)
def test_age_limits_are_birthday_based(born, on, age, i1):
    assert age_in_completed_years(born, on) == age
    assert assess_eligibility(facts(date_of_birth=born, assessment_date=on)).criteria["I1"] is i1


@pytest.mark.parametrize(
    ("on", "age"),
    [
        (date(2027, 2, 28), 2),  # non-leap year: not yet
        (date(2027, 3, 1), 3),  # counts from 1 March
        (date(2028, 2, 28), 3),  # leap year: the day before
        (date(2028, 2, 29), 4),  # leap year: on the day
    ],
)
def test_a_29_february_birthday_counts_from_1_march_in_non_leap_years(on, age):
    assert age_in_completed_years(date(2024, 2, 29), on) == age


def test_a_child_turning_3_on_29_february_is_eligible_from_1_march():
    born = date(2024, 2, 29)
    assert (
        assess_eligibility(facts(date_of_birth=born, assessment_date=date(2027, 2, 28))).criteria[
            "I1"
        ]
        is False
    )
    assert (
        assess_eligibility(facts(date_of_birth=born, assessment_date=date(2027, 3, 1))).criteria[
            "I1"
        ]
        is True
    )


@pytest.mark.parametrize(
    ("ecog", "met"),
    [(0, True), (1, True), (2, True), (3, False), (4, False), (5, False), (None, None)],
)
def test_ecog_0_to_2(ecog, met):
    assert assess_eligibility(facts(ecog=ecog)).criteria["I5"] is met


@pytest.mark.parametrize(
    ("grade", "met"), [(1, True), (2, True), (3, False), (4, False), (None, None)]
)
def test_cardiac_function_grade_1_or_2(grade, met):
    assert assess_eligibility(facts(cardiac_function_grade=grade)).criteria["I7"] is met


@pytest.mark.parametrize(
    ("lab", "uln", "at_limit", "just_above"),
    [
        ("tbil", D("21"), D("63"), D("63.01")),  # 3 x ULN
        ("ast", D("40"), D("100"), D("100.001")),  # 2.5 x ULN
        ("alt", D("40"), D("100"), D("100.1")),  # 2.5 x ULN
        ("creatinine", D("100"), D("125"), D("125.01")),  # 1.25 x ULN
        ("ast", D("33"), D("82.5"), D("82.51")),  # 2.5 x ULN exactly, not representable in binary
        ("creatinine", D("1.1"), D("1.375"), D("1.376")),
    ],
)
def test_organ_function_limits_are_inclusive(lab, uln, at_limit, just_above):
    at = assess_eligibility(facts(**{lab: at_limit, f"{lab}_uln": uln}))
    above = assess_eligibility(facts(**{lab: just_above, f"{lab}_uln": uln}))
    assert (at.criteria["I7"], at.eligible) == (True, True)
    assert (above.criteria["I7"], above.eligible, above.reasons) == (False, False, ("I7",))


def test_floats_are_compared_as_decimals():
    # 0.1 * 3 is 0.30000000000000004 in binary floating point
    assert assess_eligibility(facts(tbil=0.3, tbil_uln=0.1)).criteria["I7"] is True


def test_a_failing_organ_part_decides_i7_even_when_another_part_is_missing():
    result = assess_eligibility(facts(alt=D("101"), creatinine=None, cardiac_function_grade=None))
    assert (result.criteria["I7"], result.eligible, result.reasons) == (False, False, ("I7",))


@pytest.mark.parametrize("missing", ["tbil", "tbil_uln", "ast_uln", "alt", "creatinine_uln"])
def test_a_missing_lab_or_uln_leaves_i7_unknown(missing):
    result = assess_eligibility(facts(**{missing: None}))
    assert (result.criteria["I7"], result.eligible, result.reasons) == (None, None, ())


@pytest.mark.parametrize(
    ("test_date", "met"),
    [
        (date(2026, 3, 10), True),  # 0 days old
        (date(2026, 3, 3), True),  # 7 days old
        (date(2026, 3, 2), False),  # 8 days old
        (date(2026, 3, 11), False),  # dated after the assessment
        (None, None),
    ],
)
def test_pregnancy_test_within_7_days(test_date, met):
    result = assess_eligibility(
        facts(
            childbearing_potential=True, pregnancy_test_date=test_date, pregnancy_test_negative=True
        )
    )
    assert result.criteria["I12"] is met


@pytest.mark.parametrize(
    ("potential", "negative", "test_date", "met"),
    [
        (False, None, None, True),
        (False, False, ASSESSED, True),  # no childbearing potential: the test does not matter
        (True, False, ASSESSED, False),
        (True, None, ASSESSED, None),
        (None, True, ASSESSED, True),
        (None, None, None, None),
        (True, None, date(2026, 1, 1), False),  # a test too old fails even without its result
        # potential not yet known: a negative recent test meets I12, anything else is unknown
        (None, True, date(2026, 3, 3), True),  # 7 days old
        (None, True, date(2026, 3, 2), None),  # 8 days old: not False
        (None, True, date(2026, 3, 11), None),  # dated after the assessment
        (None, False, ASSESSED, None),  # positive, but perhaps no test was needed
        (None, None, date(2026, 1, 1), None),
    ],
)
def test_pregnancy_criterion(potential, negative, test_date, met):
    result = assess_eligibility(
        facts(
            childbearing_potential=potential,
            pregnancy_test_negative=negative,
            pregnancy_test_date=test_date,
        )
    )
    assert result.criteria["I12"] is met


@pytest.mark.parametrize(
    ("i2", "i3", "eligible", "reasons"),
    [
        (True, False, True, ()),
        (False, True, True, ()),
        (True, True, True, ()),
        (False, False, False, ("I2", "I3")),
        (None, True, True, ()),
        (True, None, True, ()),
        (None, False, None, ()),
        (False, None, None, ()),
        (None, None, None, ()),
    ],
)
def test_relapsed_and_refractory_are_alternatives(i2, i3, eligible, reasons):
    result = assess_eligibility(facts(answers=answers(I2=i2, I3=i3)))
    assert (result.eligible, result.reasons) == (eligible, reasons)


def test_reasons_are_in_protocol_order_with_i10_after_i9():
    result = assess_eligibility(
        facts(
            ecog=3,
            answers=answers(I10=False, I9=False, E19=True, E2=True, E10=True, I2=False, I3=False),
        )
    )
    assert result.reasons == ("I2", "I3", "I5", "I9", "I10", "E2", "E10", "E19")
    assert result.eligible is False


def test_a_met_exclusion_makes_the_patient_ineligible_even_with_unknowns():
    result = assess_eligibility(facts(ecog=None, answers=answers(E1=True, E5=None)))
    assert (result.eligible, result.reasons) == (False, ("E1",))
    assert (result.criteria["I5"], result.criteria["E5"]) == (None, None)


def test_missing_answers_leave_the_verdict_open():
    result = assess_eligibility(facts(answers={}))
    assert (result.eligible, result.reasons) == (None, ())
    assert all(result.criteria[c] is None for c in ANSWERED_CODES)
    assert result.criteria["I1"] is True


def test_answers_for_computed_codes_are_ignored():
    result = assess_eligibility(
        facts(ecog=4, answers=answers(I5=True, I1=False, I7=False, I12=False))
    )
    assert result.criteria["I5"] is False and result.criteria["I1"] is True
    assert (result.criteria["I7"], result.criteria["I12"]) == (True, True)
    assert result.reasons == ("I5",)


def test_i8_is_met_when_the_nkg2d_check_was_done_whatever_its_result():
    assert assess_eligibility(facts(answers=answers(I8=True))).eligible is True
    assert assess_eligibility(facts(answers=answers(I8=False))).reasons == ("I8",)


def test_unknown_codes_are_refused():
    with pytest.raises(ValueError, match="unknown criterion codes: I15"):
        assess_eligibility(facts(answers=answers(I15=True)))


def test_non_boolean_answers_are_refused():
    with pytest.raises(ValueError, match="I4"):
        assess_eligibility(facts(answers=answers(I4="yes")))
