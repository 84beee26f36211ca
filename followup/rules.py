"""Response to treatment, ELN 2022 (Döhner et al., Blood 2022;140:1345, table 6), as RULES.md
section 5 specifies: pure, standard library only. All comparisons in Decimal."""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

RESPONSES = ("CR", "CRh", "CRi", "MLFS", "PR", "SD", "PD", "relapse", "NE")
BEST_ORDER = ("CR", "CRh", "CRi", "MLFS", "PR", "SD", "PD")
REMISSIONS = frozenset({"CR", "CRh", "CRi"})
CRC = REMISSIONS
ORR = frozenset({"CR", "CRh", "CRi", "MLFS", "PR"})

D = Decimal
MARROW_BLAST_LIMIT = D("5")
MRD_NEGATIVE_BELOW = D("0.1")


@dataclass(frozen=True)
class ResponseFacts:
    marrow_blasts_pct: Decimal | None
    baseline_marrow_blasts_pct: Decimal | None
    circulating_blasts: bool | None
    auer_rods: bool | None
    extramedullary_disease: bool | None
    baseline_extramedullary_disease: bool | None
    anc: Decimal | None
    platelets: Decimal | None
    mrd_pct: Decimal | None = None
    in_remission: bool = False


@dataclass(frozen=True)
class ResponseResult:
    response: str
    mrd_negative: bool | None
    reason: str = ""


def _dec(value) -> Decimal | None:
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value)) if isinstance(value, float) else Decimal(value)


def _result(response: str, reason: str, mrd: Decimal | None = None) -> ResponseResult:
    mrd_negative = None
    if response in REMISSIONS and mrd is not None:
        mrd_negative = mrd < MRD_NEGATIVE_BELOW
    return ResponseResult(response, mrd_negative, reason)


def aml_response(facts: ResponseFacts) -> ResponseResult:
    """The ELN 2022 response category at one assessment; the first rule that applies wins."""
    blasts, baseline = _dec(facts.marrow_blasts_pct), _dec(facts.baseline_marrow_blasts_pct)
    anc, platelets, mrd = _dec(facts.anc), _dec(facts.platelets), _dec(facts.mrd_pct)

    if facts.in_remission:
        signs = []
        if blasts is not None and blasts >= MARROW_BLAST_LIMIT:
            signs.append(f"marrow blasts {blasts}%")
        if facts.circulating_blasts is True:
            signs.append("blasts in the blood")
        if facts.extramedullary_disease is True:
            signs.append("extramedullary disease")
        if signs:
            return _result("relapse", f"Relapse after remission: {', '.join(signs)}.")
    if blasts is None:
        return _result("NE", "Not evaluable: the marrow blast count is unknown.")

    if not facts.in_remission:
        if (
            baseline is not None
            and blasts > D("1.5") * baseline
            and (baseline >= 30 or blasts - baseline >= 15)
        ):
            return _result("PD", f"Progression: marrow blasts rose from {baseline}% to {blasts}%.")
        if facts.extramedullary_disease is True and facts.baseline_extramedullary_disease is False:
            return _result("PD", "Progression: new extramedullary disease.")

    if blasts < MARROW_BLAST_LIMIT:
        if facts.auer_rods is None or facts.extramedullary_disease is None:
            return _result(
                "NE",
                "Not evaluable: marrow blasts < 5% but Auer rods or extramedullary disease unknown.",
            )
        if facts.auer_rods is False and facts.extramedullary_disease is False:
            no_blood_blasts = facts.circulating_blasts is False
            if no_blood_blasts and anc is not None and platelets is not None:
                if anc >= 1 and platelets >= 100:
                    return _result(
                        "CR",
                        "Complete remission: marrow blasts < 5%, ANC >= 1.0, platelets >= 100.",
                        mrd,
                    )
                if anc >= D("0.5") and platelets >= 50:
                    return _result(
                        "CRh",
                        "CR with partial hematologic recovery: ANC >= 0.5, platelets >= 50.",
                        mrd,
                    )
                return _result("CRi", "CR with incomplete hematologic recovery.", mrd)
            return _result(
                "MLFS",
                "Morphologic leukemia-free state: marrow blasts < 5%, no Auer rods, no "
                "extramedullary disease; count recovery not shown.",
            )

    if (
        facts.circulating_blasts is False
        and anc is not None
        and anc >= 1
        and platelets is not None
        and platelets >= 100
        and MARROW_BLAST_LIMIT <= blasts <= 25
        and baseline is not None
        and blasts <= D("0.5") * baseline
    ):
        return _result(
            "PR",
            f"Partial remission: marrow blasts fell from {baseline}% to {blasts}% with full counts.",
        )
    return _result(
        "SD", "Stable disease: no criterion of remission, partial remission or progression is met."
    )


def best_overall_response(responses: Sequence[str]) -> str:
    """The best of CR > CRh > CRi > MLFS > PR > SD > PD; relapse and NE never count."""
    unknown = [r for r in responses if r not in RESPONSES]
    if unknown:
        raise ValueError(f"unknown responses: {', '.join(unknown)}")
    ranked = [r for r in responses if r in BEST_ORDER]
    return min(ranked, key=BEST_ORDER.index) if ranked else "NE"


def _binomial_cdf(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p)."""
    return math.fsum(math.comb(n, j) * p**j * (1 - p) ** (n - j) for j in range(k + 1))


def _bisect(f, lo: float = 0.0, hi: float = 1.0) -> float:
    """The root of a function decreasing from f(lo) > 0 to f(hi) < 0."""
    for _ in range(200):
        mid = (lo + hi) / 2
        if f(mid) > 0:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-13:
            break
    return (lo + hi) / 2


def clopper_pearson(x: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """The exact (Clopper-Pearson) two-sided interval for x responders of n."""
    if n < 1 or not 0 <= x <= n:
        raise ValueError("need n >= 1 and 0 <= x <= n")
    if not 0 < level < 1:
        raise ValueError("level must be in (0, 1)")
    alpha = 1 - level
    # lower: P(X >= x | p) = alpha/2, i.e. 1 - cdf(x-1) rises with p
    lower = 0.0 if x == 0 else _bisect(lambda p: alpha / 2 - (1 - _binomial_cdf(x - 1, n, p)))
    # upper: P(X <= x | p) = alpha/2, cdf(x) falls with p
    upper = 1.0 if x == n else _bisect(lambda p: _binomial_cdf(x, n, p) - alpha / 2)
    return lower, upper
