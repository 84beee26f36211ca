"""Toxicity grading and DLT candidates for NCT05734898 (RULES.md sections 3 and 4): pure,
standard library only.

Thresholds are compared in Decimal: a value exactly on a cut point gets the lower grade.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

# --- CRS (ASTCT consensus, Lee et al. 2019) --------------------------------------------------

OXYGEN_DEVICES = {
    "none": 0,
    "blow_by": 2,
    "nasal_cannula": None,  # 2 at <= 6 L/min, 3 above
    "high_flow_nasal_cannula": 3,
    "facemask": 3,
    "non_rebreather": 3,
    "venturi": 3,
    "cpap": 4,
    "bipap": 4,
    "mechanical_ventilation": 4,
}
LOW_FLOW_MAX_L_MIN = Decimal("6")
FEVER_C = Decimal("38.0")


def _dec(value) -> Decimal | None:
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(str(value))
    return Decimal(value)


def crs_grade(
    *,
    max_temp_c: float | None,
    hypotension: bool,
    vasopressors: int = 0,
    vasopressin: bool = False,
    oxygen_device: str = "none",
    oxygen_flow_l_min: float | None = None,
    fever_masked: bool = False,
    fatal: bool = False,
) -> int:
    """ASTCT CRS grade 0-5 from its components."""
    if oxygen_device not in OXYGEN_DEVICES:
        raise ValueError(
            f"unknown oxygen device {oxygen_device!r}; one of {', '.join(OXYGEN_DEVICES)}"
        )
    flow = _dec(oxygen_flow_l_min)
    if oxygen_device == "nasal_cannula" and flow is None:
        raise ValueError("nasal_cannula needs oxygen_flow_l_min")
    if flow is not None and flow < 0:
        raise ValueError("oxygen flow cannot be negative")
    if vasopressors < 0:
        raise ValueError("vasopressors cannot be negative")
    if fatal:
        return 5
    fever = max_temp_c is not None and _dec(max_temp_c) >= FEVER_C
    if not fever and not fever_masked:
        return 0

    if vasopressors >= 2:
        circulation = 4
    elif vasopressors == 1 or vasopressin:
        circulation = 3
    elif hypotension:
        circulation = 2
    else:
        circulation = 0
    if oxygen_device == "nasal_cannula":
        oxygen = 2 if flow <= LOW_FLOW_MAX_L_MIN else 3
    else:
        oxygen = OXYGEN_DEVICES[oxygen_device]
    return max(1, circulation, oxygen)


# --- ICANS (ASTCT consensus) -----------------------------------------------------------------

CONSCIOUSNESS = {
    "alert": 0,
    "awakens_spontaneously": 1,
    "awakens_to_voice": 2,
    "awakens_to_touch": 3,
    "unarousable": 4,
}
SEIZURE = {"none": 0, "rapidly_resolving": 3, "life_threatening": 4}
CEREBRAL_EDEMA = {"none": 0, "focal": 3, "diffuse": 4}
ICE_MAX, CAPD_MAX = 10, 32


def _ice(score: int) -> int:
    if score == 10:
        return 0
    if score >= 7:
        return 1
    if score >= 3:
        return 2
    return 3


def _capd(score: int) -> int:
    if score == 0:
        return 0
    if score <= 8:
        return 1
    return 3


def icans_grade(
    *,
    ice_score: int | None = None,
    capd_score: int | None = None,
    unable_to_assess: bool = False,
    consciousness: str = "alert",
    seizure: str = "none",
    motor_weakness: bool = False,
    cerebral_edema: str = "none",
    fatal: bool = False,
) -> int:
    """ASTCT ICANS grade 0-5: the worst domain. ICE for adults and children >= 12, CAPD below."""
    if ice_score is not None and capd_score is not None:
        raise ValueError("give the ICE score or the CAPD score, not both")
    if ice_score is not None and not 0 <= ice_score <= ICE_MAX:
        raise ValueError(f"ICE score is 0..{ICE_MAX}")
    if capd_score is not None and not 0 <= capd_score <= CAPD_MAX:
        raise ValueError(f"CAPD score is 0..{CAPD_MAX}")
    for name, value, table in (
        ("consciousness", consciousness, CONSCIOUSNESS),
        ("seizure", seizure, SEIZURE),
        ("cerebral_edema", cerebral_edema, CEREBRAL_EDEMA),
    ):
        if value not in table:
            raise ValueError(f"unknown {name} {value!r}; one of {', '.join(table)}")
    if fatal:
        return 5
    domains = [
        CONSCIOUSNESS[consciousness],
        SEIZURE[seizure],
        CEREBRAL_EDEMA[cerebral_edema],
        4 if motor_weakness else 0,
        4 if unable_to_assess else 0,
    ]
    if ice_score is not None:
        domains.append(_ice(ice_score))
    if capd_score is not None:
        domains.append(_capd(capd_score))
    return max(domains)


# --- CTCAE v5.0 ------------------------------------------------------------------------------

ALT = "Alanine aminotransferase increased"
AST = "Aspartate aminotransferase increased"
BILIRUBIN = "Blood bilirubin increased"
CREATININE = "Creatinine increased"
NEUTROPHILS = "Neutrophil count decreased"
PLATELETS = "Platelet count decreased"
ANEMIA = "Anemia"
FEVER = "Fever"
CTCAE_TERMS = (ALT, AST, BILIRUBIN, CREATININE, NEUTROPHILS, PLATELETS, ANEMIA, FEVER)

D = Decimal
# multiples of the reference (ULN, or an abnormal baseline) that start grades 2, 3 and 4
_INCREASED = {
    ALT: (D("3.0"), D("5.0"), D("20.0")),
    AST: (D("3.0"), D("5.0"), D("20.0")),
    BILIRUBIN: (D("1.5"), D("3.0"), D("10.0")),
}
# absolute cut points (grades 2, 3, 4 start strictly below) and the grading unit
_DECREASED = {
    NEUTROPHILS: (D("1.5"), D("1.0"), D("0.5")),
    PLATELETS: (D("75"), D("50"), D("25")),
    ANEMIA: (D("100"), D("80"), None),  # grade 4 is clinical only
}


def _above(ratio: Decimal, cuts: Sequence[Decimal]) -> int:
    """Grade for a ratio already above the grade-1 start: 1 + the number of cuts it exceeds."""
    return 1 + sum(ratio > cut for cut in cuts)


def ctcae_grade(
    term: str,
    value: float | Decimal,
    *,
    uln=None,
    lln=None,
    baseline=None,
    duration_hours: float | None = None,
) -> int | None:
    """CTCAE v5.0 grade of a lab value or temperature; None when it cannot be told."""
    if term not in CTCAE_TERMS:
        raise ValueError(f"unknown CTCAE term {term!r}; one of {', '.join(CTCAE_TERMS)}")
    value, uln, lln, baseline = _dec(value), _dec(uln), _dec(lln), _dec(baseline)
    if value < 0:
        raise ValueError("a lab value cannot be negative")
    for name, limit in (("uln", uln), ("lln", lln), ("baseline", baseline)):
        if limit is not None and limit <= 0:
            raise ValueError(f"{name} must be positive")

    if term == FEVER:
        if value < D("38.0"):
            return 0
        if value <= D("39.0"):
            return 1
        if value <= D("40.0"):
            return 2
        return 4 if duration_hours is not None and duration_hours > 24 else 3

    if term in _INCREASED:
        if uln is None:
            return None
        cuts = _INCREASED[term]
        if baseline is not None and baseline > uln:  # abnormal baseline: multiples of baseline
            ratio = value / baseline
            if term == BILIRUBIN:
                return 0 if ratio <= 1 else _above(ratio, cuts)
            return 0 if ratio < D("1.5") else _above(ratio, cuts)  # 1.5 x BL itself is grade 1
        return 0 if value <= uln else _above(value / uln, cuts)

    if term == CREATININE:
        if uln is None:
            return None
        by_uln = 0 if value <= uln else _above(value / uln, (D("1.5"), D("3.0"), D("6.0")))
        by_baseline = 0
        if baseline is not None:
            ratio = value / baseline
            by_baseline = 3 if ratio > D("3.0") else 2 if ratio > D("1.5") else 0
        return max(by_uln, by_baseline)

    # decreased counts
    g2, g3, g4 = _DECREASED[term]
    if g4 is not None and value < g4:
        return 4
    if value < g3:
        return 3
    if value < g2:
        return 2
    if lln is None:
        return None  # grade 0 or 1 cannot be told apart
    return 1 if value < lln else 0


# --- DLT candidates (RULES.md section 4; every clause is study configuration) ---------------

RELATED = frozenset({"possible", "probable", "definite"})


@dataclass(frozen=True)
class DltCriteria:
    crs_grade_4: bool = True
    crs_grade_3_max_hours: int | None = 72  # grade 3 CRS not back to <= 2 within this: DLT
    icans_min_grade: int | None = 3
    gvhd_min_grade: int | None = 3
    nonheme_min_grade: int | None = 3  # at least possibly related ...
    nonheme_min_days: int = 7  # ... and lasting more than this many days
    nonheme_grade_4: bool = True  # ... or grade 4
    treatment_related_death: bool = True
    cytopenia_after_day: int | None = 42
    anc_below: Decimal = Decimal("0.5")
    platelets_below: Decimal = Decimal("20")


@dataclass(frozen=True)
class GradeAt:
    at: datetime
    grade: int


@dataclass(frozen=True)
class EventFacts:
    kind: str  # "crs" | "icans" | "gvhd" | "ae"
    onset: date
    grades: tuple[GradeAt, ...]  # the grade over time, in time order
    hematologic: bool = False
    related: str | None = None  # relation to the CAR-NK cells
    resolved: date | None = None
    fatal: bool = False


@dataclass(frozen=True)
class Candidate:
    clause: str
    detail: str


CLAUSES = {
    "crs_grade_4": "Grade 4 CRS",
    "crs_grade_3_prolonged": "Grade 3 CRS not back to grade <= 2 within the allowed time",
    "icans": "ICANS at or above the DLT grade",
    "gvhd": "GVHD at or above the DLT grade",
    "nonheme_prolonged": "Non-hematologic AE at least possibly related, at or above the DLT grade, lasting too long",
    "nonheme_grade_4": "Grade 4 non-hematologic AE at least possibly related",
    "treatment_related_death": "Treatment-related death",
    "prolonged_cytopenia": "ANC or platelets below the limit beyond day 42 with a leukemia-free hypocellular marrow",
}


def in_dlt_window(onset: date, *, day0: date, window_days: int) -> bool:
    return day0 <= onset <= day0 + timedelta(days=window_days)


def _days_at_or_above(grades: Sequence[GradeAt], minimum: int, *, end: date) -> int:
    """Longest run, in days, at grade >= minimum (a run still going ends at `end`)."""
    longest, start = 0, None
    for point in grades:
        if point.grade >= minimum and start is None:
            start = point.at.date()
        elif point.grade < minimum and start is not None:
            longest = max(longest, (point.at.date() - start).days)
            start = None
    if start is not None:
        longest = max(longest, (end - start).days)
    return longest


def dlt_candidate(
    event: EventFacts,
    *,
    day0: date,
    window_days: int,
    now: datetime,
    criteria: DltCriteria = DltCriteria(),
) -> Candidate | None:
    """The first DLT clause an event inside the DLT window meets, or None."""
    if not in_dlt_window(event.onset, day0=day0, window_days=window_days):
        return None
    worst = max((g.grade for g in event.grades), default=0)
    related = event.related in RELATED

    if criteria.treatment_related_death and (event.fatal or worst == 5) and related:
        return Candidate(
            "treatment_related_death", "Death at least possibly related to the CAR-NK cells."
        )
    if event.kind == "crs":
        if criteria.crs_grade_4 and worst >= 4:
            return Candidate("crs_grade_4", f"CRS grade {worst}.")
        hours = criteria.crs_grade_3_max_hours
        first3 = next((g for g in event.grades if g.grade >= 3), None)
        if hours is not None and first3 is not None:
            limit = first3.at + timedelta(hours=hours)
            back = next((g for g in event.grades if g.at > first3.at and g.grade <= 2), None)
            if (back is None and now > limit) or (back is not None and back.at > limit):
                return Candidate(
                    "crs_grade_3_prolonged",
                    f"CRS grade 3 from {first3.at:%Y-%m-%d %H:%M} not back to grade <= 2 within {hours} h.",
                )
        return None
    if event.kind == "icans":
        if criteria.icans_min_grade is not None and worst >= criteria.icans_min_grade:
            return Candidate("icans", f"ICANS grade {worst}.")
        return None
    if event.kind == "gvhd":
        if criteria.gvhd_min_grade is not None and worst >= criteria.gvhd_min_grade:
            return Candidate("gvhd", f"GVHD grade {worst}.")
        return None
    if event.hematologic or not related:
        return None
    if criteria.nonheme_grade_4 and worst >= 4:
        return Candidate(
            "nonheme_grade_4", f"Grade {worst} non-hematologic AE, {event.related}ly related."
        )
    minimum = criteria.nonheme_min_grade
    if minimum is not None and worst >= minimum:
        end = event.resolved or now.date()
        days = _days_at_or_above(event.grades, minimum, end=end)
        if days > criteria.nonheme_min_days:
            return Candidate(
                "nonheme_prolonged",
                f"Grade >= {minimum} for {days} days (more than {criteria.nonheme_min_days}).",
            )
    return None


def cytopenia_candidate(
    *,
    anc: Decimal | None,
    platelets: Decimal | None,
    day: int,
    marrow_leukemia_free_hypocellular: bool | None,
    criteria: DltCriteria = DltCriteria(),
) -> Candidate | None:
    """Prolonged cytopenia: ANC < 0.5 or platelets < 20 (10^9/L) beyond day 42 with a
    leukemia-free hypocellular marrow (None = marrow not assessed: no flag yet)."""
    if criteria.cytopenia_after_day is None or day <= criteria.cytopenia_after_day:
        return None
    low_anc = anc is not None and _dec(anc) < criteria.anc_below
    low_plt = platelets is not None and _dec(platelets) < criteria.platelets_below
    if (low_anc or low_plt) and marrow_leukemia_free_hypocellular is True:
        which = " and ".join(n for n, low in (("ANC", low_anc), ("platelets", low_plt)) if low)
        return Candidate(
            "prolonged_cytopenia",
            f"{which} below the limit on day {day} with a leukemia-free hypocellular marrow.",
        )
    return None


# --- controlled terms for adverse events -----------------------------------------------------

CRS_TERM = "Cytokine release syndrome"
ICANS_TERM = "Immune effector cell-associated neurotoxicity syndrome"
GVHD_TERM = "Graft versus host disease"
OTHER_TERM = "Other, specify"
# term -> (kind for the DLT clauses, hematologic)
AE_TERMS: dict[str, tuple[str, bool]] = {
    CRS_TERM: ("crs", False),
    ICANS_TERM: ("icans", False),
    GVHD_TERM: ("gvhd", False),
    "Infusion related reaction": ("ae", False),
    "Febrile neutropenia": ("ae", True),
    "Sepsis": ("ae", False),
    "Tumor lysis syndrome": ("ae", False),
    "Hypotension": ("ae", False),
    "Hypoxia": ("ae", False),
    ALT: ("ae", False),
    AST: ("ae", False),
    BILIRUBIN: ("ae", False),
    CREATININE: ("ae", False),
    FEVER: ("ae", False),
    NEUTROPHILS: ("ae", True),
    PLATELETS: ("ae", True),
    ANEMIA: ("ae", True),
    "White blood cell decreased": ("ae", True),
    "Lymphocyte count decreased": ("ae", True),
    OTHER_TERM: ("ae", False),
}
