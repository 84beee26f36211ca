"""Dose-escalation designs for NCT05734898 (RULES.md section 2): pure, standard library only.

Doses are numbered 1..K. `n[i]` counts DLT-evaluable patients at dose i+1 and `y[i]` those with
an adjudicated DLT; patients still inside their DLT window are not in `n`.
"""

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

ESCALATE, STAY, DEESCALATE, STOP = "escalate", "stay", "de-escalate", "stop"


@dataclass(frozen=True)
class Recommendation:
    action: str  # "escalate" | "stay" | "de-escalate" | "stop"
    next_dose: int | None  # dose for the next cohort; None when action == "stop"
    mtd: int | None  # only when stopping: the MTD, or None = no tolerable dose
    eliminated_from: int | None = None  # BOIN: lowest eliminated dose, if any
    reason: str = ""  # one plain sentence for the safety review committee


@dataclass(frozen=True)
class OperatingCharacteristics:
    p_mtd: tuple[float, ...]  # p_mtd[k], k = 0..K: P(MTD = dose k); 0 = no tolerable dose
    expected_n: float
    expected_dlt: float


def _check(n: Sequence[int], y: Sequence[int], current: int) -> int:
    if len(n) != len(y) or not n:
        raise ValueError("n and y need one entry per dose level")
    if any(k < 0 for k in n) or any(not 0 <= dlt <= k for dlt, k in zip(y, n, strict=True)):
        raise ValueError("need 0 <= y[i] <= n[i]")
    if not 1 <= current <= len(n):
        raise ValueError(f"current dose must be 1..{len(n)}")
    return len(n)


# --- 3+3 -------------------------------------------------------------------------------------


def _too_toxic(y_d: int) -> bool:
    """Two or more DLTs, of 3 or of 6: the dose is never used again."""
    return y_d >= 2


def three_plus_three(
    n: Sequence[int], y: Sequence[int], current: int, *, deescalation: bool = True
) -> Recommendation:
    """3+3 decision once the cohort at `current` is complete (RULES.md section 2).

    0/3 -> escalate; 1/3 -> 3 more at the same dose; 0-1/6 -> escalate; >= 2 DLTs -> too
    toxic, never used again. With de-escalation (Korn 1994, R bcrm::threep3) a too-toxic dose
    d > 1 sends 3 more to d-1 unless d-1 already has 6 (then MTD = d-1); without (Storer 1989)
    the trial stops with MTD = d-1.
    """
    k = _check(n, y, current)
    d = current
    n_d, y_d = n[d - 1], y[d - 1]

    if _too_toxic(y_d):
        if d == 1:
            return Recommendation(
                STOP,
                None,
                None,
                reason=f"{y_d} of {n_d} patients had a DLT at dose 1, the lowest: no tolerable dose.",
            )
        below_n = n[d - 2]
        if not deescalation or below_n >= 6:
            return Recommendation(
                STOP,
                None,
                d - 1,
                reason=f"{y_d} of {n_d} patients had a DLT at dose {d}: dose {d - 1} "
                f"({y[d - 2]} of {below_n} with a DLT) is the MTD.",
            )
        return Recommendation(
            DEESCALATE,
            d - 1,
            None,
            reason=f"{y_d} of {n_d} patients had a DLT at dose {d}: treat 3 more at dose {d - 1}, "
            f"which has {below_n} patients.",
        )

    if n_d < 3 or 3 < n_d < 6:
        missing = (3 if n_d < 3 else 6) - n_d
        return Recommendation(
            STAY,
            d,
            None,
            reason=f"The cohort at dose {d} is not complete: {missing} more evaluable "
            f"patient(s) needed before deciding.",
        )
    if n_d == 3 and y_d == 1:
        return Recommendation(
            STAY,
            d,
            None,
            reason=f"1 of 3 patients had a DLT at dose {d}: treat 3 more at the same dose.",
        )

    # 0 of 3, or at most 1 of 6: escalate if there is a dose above that is not too toxic
    if d == k:
        return Recommendation(
            STOP,
            None,
            d,
            reason=f"{y_d} of {n_d} patients had a DLT at dose {d}, the highest dose: it is the MTD.",
        )
    if _too_toxic(y[d]):
        return Recommendation(
            STOP,
            None,
            d,
            reason=f"{y_d} of {n_d} patients had a DLT at dose {d} and dose {d + 1} was too "
            f"toxic ({y[d]} of {n[d]}): dose {d} is the MTD.",
        )
    return Recommendation(
        ESCALATE,
        d + 1,
        None,
        reason=f"{y_d} of {n_d} patients had a DLT at dose {d}: escalate to dose {d + 1}.",
    )


def three_plus_three_oc(
    true_tox: Sequence[float], *, deescalation: bool = True
) -> OperatingCharacteristics:
    """Exact operating characteristics of the 3+3 design, by enumerating every path."""
    k = len(true_tox)
    if k == 0 or any(not 0 <= p <= 1 for p in true_tox):
        raise ValueError("true_tox needs one probability in [0, 1] per dose level")
    cohort = [[math.comb(3, j) * p**j * (1 - p) ** (3 - j) for j in range(4)] for p in true_tox]
    p_mtd = [0.0] * (k + 1)
    expected_n = expected_dlt = 0.0

    def walk(
        n: tuple[int, ...], y: tuple[int, ...], dose: int, prob: float, total_dlt: int
    ) -> None:
        nonlocal expected_n, expected_dlt
        for j in range(4):
            pj = prob * cohort[dose - 1][j]
            if pj == 0.0:
                continue
            n2 = (*n[: dose - 1], n[dose - 1] + 3, *n[dose:])
            y2 = (*y[: dose - 1], y[dose - 1] + j, *y[dose:])
            rec = three_plus_three(n2, y2, dose, deescalation=deescalation)
            if rec.action == STOP:
                p_mtd[rec.mtd or 0] += pj
                expected_n += pj * sum(n2)
                expected_dlt += pj * (total_dlt + j)
            else:
                walk(n2, y2, rec.next_dose, pj, total_dlt + j)

    walk((0,) * k, (0,) * k, 1, 1.0, 0)
    return OperatingCharacteristics(
        p_mtd=tuple(p_mtd), expected_n=expected_n, expected_dlt=expected_dlt
    )


# --- BOIN ------------------------------------------------------------------------------------


def boin_boundaries(
    target: float, phi1: float | None = None, phi2: float | None = None
) -> tuple[float, float]:
    """(lambda_e, lambda_d) of Liu & Yuan 2015, as R BOIN::get.boundary, in full precision."""
    if not 0 < target < 1:
        raise ValueError("target must be in (0, 1)")
    phi1 = 0.6 * target if phi1 is None else phi1
    phi2 = 1.4 * target if phi2 is None else phi2
    if not 0 < phi1 < target < phi2 < 1:
        raise ValueError("need 0 < phi1 < target < phi2 < 1")
    phi = target
    lambda_e = math.log((1 - phi1) / (1 - phi)) / math.log(phi * (1 - phi1) / (phi1 * (1 - phi)))
    lambda_d = math.log((1 - phi) / (1 - phi2)) / math.log(phi2 * (1 - phi) / (phi * (1 - phi2)))
    return lambda_e, lambda_d


def prob_above_target(n: int, y: int, target: float) -> float:
    """P(p > target | y of n) with a Beta(1, 1) prior: 1 - pbeta(target, y+1, n-y+1).

    For integer shapes this is P(Binomial(n+1, target) <= y), computed exactly."""
    return math.fsum(
        math.comb(n + 1, j) * target**j * (1 - target) ** (n + 1 - j) for j in range(y + 1)
    )


def boin_eliminated_from(
    n: Sequence[int], y: Sequence[int], *, target: float, cutoff_eli: float = 0.95
) -> int | None:
    """The lowest dose whose posterior P(p > target) exceeds the cutoff (with n >= 3)."""
    for i, (n_i, y_i) in enumerate(zip(n, y, strict=True), start=1):
        if n_i >= 3 and prob_above_target(n_i, y_i, target) > cutoff_eli:
            return i
    return None


def boin(
    n: Sequence[int],
    y: Sequence[int],
    current: int,
    *,
    target: float,
    cutoff_eli: float = 0.95,
    n_earlystop: int | None = None,
) -> Recommendation:
    """BOIN decision at `current` (Liu & Yuan 2015; R package BOIN 2.7)."""
    k = _check(n, y, current)
    d = current
    lambda_e, lambda_d = boin_boundaries(target)
    eliminated = boin_eliminated_from(n, y, target=target, cutoff_eli=cutoff_eli)

    if eliminated is not None and d >= eliminated:
        if eliminated == 1:
            return Recommendation(
                STOP,
                None,
                None,
                eliminated_from=1,
                reason=f"Dose 1 is eliminated: P(DLT rate > {target:g}) > {cutoff_eli:g} "
                f"with {y[0]} of {n[0]} patients; no tolerable dose.",
            )
        return Recommendation(
            DEESCALATE,
            eliminated - 1,
            None,
            eliminated_from=eliminated,
            reason=f"Dose {eliminated} and above are eliminated as too toxic: "
            f"de-escalate to dose {eliminated - 1}.",
        )

    n_d, y_d = n[d - 1], y[d - 1]
    if n_d == 0:
        return Recommendation(
            STAY,
            d,
            None,
            eliminated_from=eliminated,
            reason=f"No evaluable patient at dose {d} yet: treat the next cohort there.",
        )
    rate = y_d / n_d
    observed = f"{y_d} of {n_d} patients ({rate:.3f}) had a DLT at dose {d}"
    if rate <= lambda_e:
        if d == k or (eliminated is not None and d + 1 >= eliminated):
            action, next_dose = STAY, d
            why = (
                f"{observed}, at or below {lambda_e:.4f}, but dose {d} is the highest usable: stay."
            )
        else:
            action, next_dose = ESCALATE, d + 1
            why = f"{observed}, at or below lambda_e {lambda_e:.4f}: escalate to dose {d + 1}."
    elif rate >= lambda_d:
        if d == 1:
            action, next_dose = STAY, d
            why = (
                f"{observed}, at or above lambda_d {lambda_d:.4f}, but it is the lowest dose: stay."
            )
        else:
            action, next_dose = DEESCALATE, d - 1
            why = f"{observed}, at or above lambda_d {lambda_d:.4f}: de-escalate to dose {d - 1}."
    else:
        action, next_dose = STAY, d
        why = f"{observed}, between {lambda_e:.4f} and {lambda_d:.4f}: stay."

    if n_earlystop is not None and action == STAY and n_d >= n_earlystop:
        mtd = boin_select_mtd(n, y, target=target, cutoff_eli=cutoff_eli)
        return Recommendation(
            STOP,
            None,
            mtd,
            eliminated_from=eliminated,
            reason=f"{n_d} patients at dose {d} reach the early-stop count {n_earlystop} "
            f"with the decision to stay: stop; the selected MTD is "
            f"{'none' if mtd is None else f'dose {mtd}'}.",
        )
    return Recommendation(action, next_dose, None, eliminated_from=eliminated, reason=why)


def _pava(values: Sequence[float], weights: Sequence[float]) -> list[float]:
    """Weighted pool-adjacent-violators: the closest non-decreasing sequence."""
    blocks: list[list[float]] = []  # [weighted mean, total weight, size]
    for v, w in zip(values, weights, strict=True):
        blocks.append([v, w, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            v2, w2, s2 = blocks.pop()
            v1, w1, s1 = blocks.pop()
            blocks.append([(v1 * w1 + v2 * w2) / (w1 + w2), w1 + w2, s1 + s2])
    out: list[float] = []
    for mean, _w, size in blocks:
        out.extend([mean] * size)
    return out


def boin_select_mtd(
    n: Sequence[int],
    y: Sequence[int],
    *,
    target: float,
    cutoff_eli: float = 0.95,
    bound_mtd: bool = False,
) -> int | None:
    """MTD selection exactly as R BOIN::select.mtd; None where R returns 99."""
    if len(n) != len(y) or not n:
        raise ValueError("n and y need one entry per dose level")
    eliminated = boin_eliminated_from(n, y, target=target, cutoff_eli=cutoff_eli)
    usable = [i for i in range(len(n)) if n[i] > 0 and (eliminated is None or i + 1 < eliminated)]
    if eliminated == 1 or not usable:
        return None
    phat = [(y[i] + 0.05) / (n[i] + 0.1) for i in usable]
    var = [
        (y[i] + 0.05) * (n[i] - y[i] + 0.05) / ((n[i] + 0.1) ** 2 * (n[i] + 1.1)) for i in usable
    ]
    fitted = [p + (k + 1) * 1e-10 for k, p in enumerate(_pava(phat, [1 / v for v in var]))]
    best = min(range(len(fitted)), key=lambda k: (abs(fitted[k] - target), k))
    if bound_mtd:
        _lambda_e, lambda_d = boin_boundaries(target)
        if fitted[best] > lambda_d:
            below = [k for k in range(len(fitted)) if fitted[k] <= lambda_d]
            if not below:
                return None
            best = max(below)
    return usable[best] + 1


@dataclass(frozen=True)
class Simulation:
    p_mtd: tuple[float, ...]  # share of trials selecting each dose, index 0 = none
    expected_n: float
    expected_dlt: float
    n_per_dose: tuple[float, ...]
    trials: int
    seed: int


def boin_simulate(
    true_tox: Sequence[float],
    *,
    target: float,
    n_cohorts: int,
    cohort_size: int = 3,
    trials: int = 1000,
    seed: int = 1,
    cutoff_eli: float = 0.95,
    n_earlystop: int | None = None,
) -> Simulation:
    """Operating characteristics of BOIN by seeded simulation (as R BOIN::get.oc)."""
    k = len(true_tox)
    if (
        k == 0
        or any(not 0 <= p <= 1 for p in true_tox)
        or n_cohorts < 1
        or cohort_size < 1
        or trials < 1
    ):
        raise ValueError("need probabilities in [0, 1] and positive counts")
    rng = random.Random(seed)
    selected = [0] * (k + 1)
    total_n = total_dlt = 0
    per_dose = [0] * k
    for _ in range(trials):
        n, y = [0] * k, [0] * k
        d, mtd = 1, None
        for _cohort in range(n_cohorts):
            dlts = sum(rng.random() < true_tox[d - 1] for _ in range(cohort_size))
            n[d - 1] += cohort_size
            y[d - 1] += dlts
            rec = boin(n, y, d, target=target, cutoff_eli=cutoff_eli, n_earlystop=n_earlystop)
            if rec.action == STOP:
                break
            d = rec.next_dose
        else:
            rec = None
        if rec is not None and rec.action == STOP:
            mtd = rec.mtd
        else:
            mtd = boin_select_mtd(n, y, target=target, cutoff_eli=cutoff_eli)
        selected[mtd or 0] += 1
        total_n += sum(n)
        total_dlt += sum(y)
        per_dose = [a + b for a, b in zip(per_dose, n, strict=True)]
    return Simulation(
        p_mtd=tuple(s / trials for s in selected),
        expected_n=total_n / trials,
        expected_dlt=total_dlt / trials,
        n_per_dose=tuple(t / trials for t in per_dose),
        trials=trials,
        seed=seed,
    )


@lru_cache(maxsize=64)
def boin_decision_table(
    target: float, max_n: int, cutoff_eli: float = 0.95
) -> tuple[tuple[int, int | None, int | None, int | None], ...]:
    """Per number of patients n (1..max_n): (n, max DLTs to escalate, min DLTs to de-escalate,
    min DLTs to eliminate), as the BOIN decision table prints them."""
    lambda_e, lambda_d = boin_boundaries(target)
    rows = []
    for n in range(1, max_n + 1):
        escalate = max((y for y in range(n + 1) if y / n <= lambda_e), default=None)
        deescalate = min((y for y in range(n + 1) if y / n >= lambda_d), default=None)
        eliminate = None
        if n >= 3:
            eliminate = min(
                (y for y in range(n + 1) if prob_above_target(n, y, target) > cutoff_eli),
                default=None,
            )
        rows.append((n, escalate, deescalate, eliminate))
    return tuple(rows)


# --- DLT window and evaluability (RULES.md section 4) ----------------------------------------

PENDING, EVALUABLE_NO_DLT, DLT, NOT_EVALUABLE = (
    "pending",
    "evaluable_no_dlt",
    "dlt",
    "not_evaluable",
)


@dataclass(frozen=True)
class DltFacts:
    today: date
    window_days: int  # the window runs from day 0 through day `window_days`, inclusive
    day0: date | None  # the first CAR-NK infusion; None = not infused (yet)
    full_assigned_dose: bool = True  # infused with the assigned dose level, not a partial dose
    dlt_onset: date | None = None  # onset of a DLT recorded for the patient
    dlt_adjudicated: bool = False  # confirmed by an investigator and a safety reviewer
    off_study: date | None = None  # withdrawn, or died of causes unrelated to treatment


@dataclass(frozen=True)
class DltStatus:
    status: str  # pending | evaluable_no_dlt | dlt | not_evaluable
    replace: bool  # not evaluable: another patient takes the slot
    window_end: date | None
    reason: str


def dlt_window_end(day0: date, window_days: int) -> date:
    return day0 + timedelta(days=window_days)


def dlt_status(facts: DltFacts) -> DltStatus:
    """Where a patient stands in the DLT window, and whether they count in n (and y)."""
    if facts.day0 is None:
        if facts.off_study is not None:
            return DltStatus(
                NOT_EVALUABLE, True, None, "Off study before any CAR-NK infusion: replace."
            )
        return DltStatus(PENDING, False, None, "Not infused yet.")
    end = dlt_window_end(facts.day0, facts.window_days)
    if facts.dlt_onset is not None and facts.day0 <= facts.dlt_onset <= end:
        if facts.dlt_adjudicated:
            return DltStatus(DLT, False, end, f"DLT with onset {facts.dlt_onset}, adjudicated.")
        return DltStatus(
            PENDING,
            False,
            end,
            "DLT recorded, awaiting confirmation by an investigator and a safety reviewer.",
        )
    if not facts.full_assigned_dose:
        return DltStatus(NOT_EVALUABLE, True, end, "Partial or wrong dose without DLT: replace.")
    if facts.off_study is not None and facts.off_study <= end:
        return DltStatus(
            NOT_EVALUABLE,
            True,
            end,
            f"Off study on {facts.off_study}, before the end of the DLT window, without DLT: replace.",
        )
    if facts.today > end:
        return DltStatus(EVALUABLE_NO_DLT, False, end, f"DLT window closed on {end} without DLT.")
    return DltStatus(PENDING, False, end, f"In the DLT window until {end}.")
