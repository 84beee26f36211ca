"""Dictionary coding of adverse events: CTCAE v5.0 terms are MedDRA lowest level terms, each
under one system organ class. `data/ctcae_v5_terms.csv` holds, for the study's CTCAE terms, the
MedDRA code and SOC exactly as NCI's CTCAE v5.0 file (CTCAE_v5.0_2017-11-27.xlsx, "Clean Copy"
sheet) gives them, with the two public copies they were read from and checked against. Terms that
are not in CTCAE v5.0 (ICANS, GVHD) and "Other, specify" are coded by a data manager
(`services.ae_code`); nothing here guesses a code."""

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .rules import OTHER_TERM

TERMS_FILE = Path(__file__).parent / "data" / "ctcae_v5_terms.csv"


@dataclass(frozen=True)
class Coding:
    term: str  # the MedDRA term (AEDECOD)
    soc: str  # its system organ class (AEBODSYS)
    llt_code: str = ""  # the MedDRA LLT code, only from NCI's file
    by: str = "CTCAE v5.0"


@cache
def ctcae_terms() -> dict[str, Coding]:
    with TERMS_FILE.open(newline="") as handle:
        return {
            row["term"]: Coding(row["term"], row["soc"], row["meddra_llt_code"])
            for row in csv.DictReader(handle)
        }


def automatic(term: str) -> Coding | None:
    """The table's coding of a CRF term, or None when a data manager must code it."""
    return None if term == OTHER_TERM else ctcae_terms().get(term)


def coding(event) -> Coding | None:
    """An adverse event's coding: the CTCAE table's, else the data manager's, else None."""
    found = automatic(event.term)
    if found is not None:
        return found
    if event.coded_term:
        return Coding(event.coded_term, event.coded_soc, by="data manager")
    return None
