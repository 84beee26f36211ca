"""Eligibility for NCT05734898 (RULES.md section 1): pure, standard library only.

Codes follow the registry's numbering: inclusion I1..I14, exclusion E1..E19. "Met" means the
criterion's statement is true of the patient. I1, I5, I7 and I12 are computed from facts (an
answer given for them is ignored); every other code comes from the investigator's answers.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

INCLUSION_CODES = tuple(f"I{n}" for n in range(1, 15))
EXCLUSION_CODES = tuple(f"E{n}" for n in range(1, 20))
CODES = INCLUSION_CODES + EXCLUSION_CODES
COMPUTED_CODES = ("I1", "I5", "I7", "I12")
ANSWERED_CODES = tuple(code for code in CODES if code not in COMPUTED_CODES)
ALTERNATIVES = ("I2", "I3")  # relapsed or refractory: at least one must be met

# The study's own wording (registry text, English), one place for admin, API and exports.
CRITERIA: Mapping[str, str] = {
    "I1": "Age: >= 3 years old and <= 75 years old, male or female.",
    "I2": "Relapsed AML (China guidelines 2017): leukemic cells reappear in peripheral blood or "
    "bone marrow MRD > 0.1% after complete remission (CR), including relapse after allogeneic "
    "hematopoietic stem cell transplantation or extramedullary leukemic cell infiltration.",
    "I3": "Refractory AML (China guidelines 2017): initial cases with failure of 2 lines of "
    "standard treatment; relapse within 12 months after consolidation intensification after "
    "CR; recurrence in 12 months and no response to conventional chemotherapy; 2 or more "
    "recurrences; persistent extramedullary leukemia.",
    "I4": "No effective treatment options currently (such as chemotherapy or allogeneic "
    "hematopoietic stem cell transplantation), or the patient voluntarily chooses NKG2D CAR-NK "
    "cells as the first treatment option.",
    "I5": "ECOG performance status 0-2.",
    "I6": "Life expectancy >= 12 weeks from the time of enrollment.",
    "I7": "Main organs well functioning: cardiac function grade 1-2 (no heart disease or coronary "
    "heart disease); TBIL <= 3 x ULN, AST <= 2.5 x ULN, ALT <= 2.5 x ULN; creatinine <= 1.25 x ULN.",
    "I8": "Flow cytometry check for NKG2D ligand expression on the surface of cancer cells done "
    "(a reference for patient selection; its result does not decide eligibility).",
    "I9": "Peripheral superficial vein accessible for IV insertion and blood draws.",
    "I10": "No other serious diseases that conflict with this protocol (e.g. autoimmune "
    "diseases, immunodeficiency, organ transplantation).",
    "I11": "No history of other malignant tumors.",
    "I12": "Women of childbearing age tested negative for pregnancy within 7 days, and use of "
    "appropriate contraception during the trial and for 3 months after.",
    "I13": "Negative HIV, HBV, HCV and syphilis serology.",
    "I14": "Written informed consent signed by the patient or the patient's immediate family "
    "members before enrollment.",
    "E1": "Acute promyelocytic leukemia (type M3).",
    "E2": "Cardiac insufficiency, or liver or renal insufficiency.",
    "E3": "Other malignant tumors that need to be treated.",
    "E4": "Poorly controlled hypertension (systolic > 160 mmHg and/or diastolic > 90 mmHg) or "
    "clinically significant cardiovascular or cerebrovascular disease (cerebrovascular accident "
    "or myocardial infarction within 6 months before consent, unstable angina, congestive heart "
    "failure, or severe arrhythmia not controlled by drugs).",
    "E5": "Other hematologic diseases (such as hemophilia, myelofibrosis) that the investigators "
    "consider unsuitable for enrollment.",
    "E6": "Disseminated intravascular coagulation.",
    "E7": "Concomitant serious infection or other serious underlying medical condition.",
    "E8": "Variable immunodeficiency or autoimmune disease.",
    "E9": "Severe allergic disease.",
    "E10": "Clinical symptoms of brain dysfunction or severe mental illness that prevent "
    "understanding or following the protocol.",
    "E11": "Participation in a clinical trial of other drugs within 4 weeks, or surgery within "
    "21 days.",
    "E12": "Cell therapy within the previous 1 month.",
    "E13": "Hormonal drug therapy within the previous 14 days.",
    "E14": "Known HIV seropositivity, active hepatitis B or C infection, or syphilis.",
    "E15": "Organ transplant received (stem cell transplant patients excepted).",
    "E16": "Drug abuse, or medical, psychological or social conditions that may interfere with "
    "participation or with the evaluation of the results.",
    "E17": "Pregnant or lactating.",
    "E18": "Cannot be followed up as scheduled.",
    "E19": "Any clinical or laboratory abnormality or compliance problem that makes the patient "
    "unsuitable in the investigator's opinion.",
}

MIN_AGE, MAX_AGE = 3, 75
ECOG_MET = frozenset({0, 1, 2})
NYHA_MET = frozenset({1, 2})
LIMITS = {  # value <= factor x ULN, inclusive
    "tbil": Decimal("3"),
    "ast": Decimal("2.5"),
    "alt": Decimal("2.5"),
    "creatinine": Decimal("1.25"),
}
PREGNANCY_TEST_MAX_AGE_DAYS = 7


@dataclass(frozen=True)
class EligibilityFacts:
    assessment_date: date
    date_of_birth: date
    ecog: int | None = None
    cardiac_function_grade: int | None = None
    tbil: Decimal | None = None
    tbil_uln: Decimal | None = None
    ast: Decimal | None = None
    ast_uln: Decimal | None = None
    alt: Decimal | None = None
    alt_uln: Decimal | None = None
    creatinine: Decimal | None = None
    creatinine_uln: Decimal | None = None
    childbearing_potential: bool | None = None
    pregnancy_test_date: date | None = None
    pregnancy_test_negative: bool | None = None
    answers: Mapping[str, bool | None] = field(default_factory=dict)


@dataclass(frozen=True)
class EligibilityResult:
    eligible: bool | None
    criteria: Mapping[str, bool | None]
    reasons: tuple[str, ...]


def age_in_completed_years(date_of_birth: date, on: date) -> int:
    """Birthday-based age; a 29 February birthday counts from 1 March in non-leap years."""
    try:
        birthday = date_of_birth.replace(year=on.year)
    except ValueError:  # 29 February in a non-leap year
        birthday = date(on.year, 3, 1)
    return on.year - date_of_birth.year - (on < birthday)


def _decimal(value) -> Decimal | None:
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(str(value))
    return Decimal(value)


def _all_of(parts) -> bool | None:
    """A composite criterion: False if any part fails, else None if any is unknown, else True."""
    parts = list(parts)
    if any(p is False for p in parts):
        return False
    if any(p is None for p in parts):
        return None
    return True


def _within(value, uln, factor: Decimal) -> bool | None:
    value, uln = _decimal(value), _decimal(uln)
    if value is None or uln is None:
        return None
    return value <= factor * uln


def _i7(f: EligibilityFacts) -> bool | None:
    cardiac = None if f.cardiac_function_grade is None else f.cardiac_function_grade in NYHA_MET
    labs = (_within(getattr(f, lab), getattr(f, f"{lab}_uln"), k) for lab, k in LIMITS.items())
    return _all_of([cardiac, *labs])


def _i12(f: EligibilityFacts) -> bool | None:
    if f.childbearing_potential is False:
        return True
    if f.pregnancy_test_date is None:
        recent = None
    else:
        days = (f.assessment_date - f.pregnancy_test_date).days
        recent = 0 <= days <= PREGNANCY_TEST_MAX_AGE_DAYS
    met = _all_of([f.pregnancy_test_negative, recent])
    if f.childbearing_potential is None and met is not True:
        return None  # the test may not be needed: an unknown fact never screen-fails
    return met


def _answer(answers: Mapping[str, bool | None], code: str) -> bool | None:
    value = answers.get(code)
    if value is not None and not isinstance(value, bool):
        raise ValueError(f"answer for {code} must be True, False or None, not {value!r}")
    return value


def assess_eligibility(facts: EligibilityFacts) -> EligibilityResult:
    unknown = sorted(set(facts.answers) - set(CODES))
    if unknown:
        raise ValueError(f"unknown criterion codes: {', '.join(unknown)}")
    age = age_in_completed_years(facts.date_of_birth, facts.assessment_date)
    computed = {
        "I1": MIN_AGE <= age <= MAX_AGE,
        "I5": None if facts.ecog is None else facts.ecog in ECOG_MET,
        "I7": _i7(facts),
        "I12": _i12(facts),
    }
    criteria = {
        code: computed[code] if code in computed else _answer(facts.answers, code) for code in CODES
    }

    failing = []
    undecided = False
    for code in INCLUSION_CODES:
        if code in ALTERNATIVES:
            continue
        if criteria[code] is False:
            failing.append(code)
        elif criteria[code] is None:
            undecided = True
    alternatives = [criteria[code] for code in ALTERNATIVES]
    if all(met is False for met in alternatives):
        failing.extend(ALTERNATIVES)
    elif not any(met is True for met in alternatives):
        undecided = True
    for code in EXCLUSION_CODES:
        if criteria[code] is True:
            failing.append(code)
        elif criteria[code] is None:
            undecided = True

    reasons = tuple(sorted(failing, key=CODES.index))
    if reasons:
        eligible = False
    elif undecided:
        eligible = None
    else:
        eligible = True
    return EligibilityResult(eligible=eligible, criteria=criteria, reasons=reasons)
