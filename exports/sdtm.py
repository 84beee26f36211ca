"""The SDTM package (SDTMIG 3.4): trial design (TS, TA, TE, TV, TI), DM, SE, SV, IE, MH, CM, EX,
AE, DS, DV, LB, FA, RS, RELREC and SUPP--, with the columns, order, labels and types of
`exports.sdtm_spec`. --DY follows the SDTMIG (RFSTDTC, the first CAR-NK infusion, is day 1; no
day 0); the protocol's own day 0 stays in the CSV datasets. Every domain reads live or as of a
data cut from the append-only history."""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta

from django.utils import timezone

from dosing.models import DltEvaluation, Enrollment, Infusion, Lymphodepletion
from followup.models import (
    Disposition,
    ProtocolDeviation,
    ResponseAssessment,
    Visit,
    VisitDefinition,
)
from safety.coding import coding
from safety.models import (
    AdverseEvent,
    ConMed,
    CrsAssessment,
    DltCandidate,
    IcansAssessment,
    LabResult,
)
from safety.rules import OTHER_TERM
from safety.services import LAB_TESTS
from screening.models import Consent, EligibilityAssessment, MedicalHistory, Subject
from screening.rules import CRITERIA, INCLUSION_CODES, age_in_completed_years
from screening.selectors import subject_list
from trial.models import DoseLevel, Study
from trial.selectors import site_ids_for

from .datasets import as_of_rows
from .sdtm_spec import (
    CODELISTS,
    MAX_TEXT,
    SDTM_VERSION,
    SDTMIG_VERSION,
    SUPPAE_QUALIFIERS,
)
from .sdtm_spec import (
    DOMAINS as SPEC,
)
from .xpt import xpt_chunks

DOMAINS = tuple(SPEC)
YN = {True: "Y", False: "N", None: ""}
LBTESTCD = {
    "alt": ("ALT", "Alanine Aminotransferase", "CHEMISTRY", "SERUM"),
    "ast": ("AST", "Aspartate Aminotransferase", "CHEMISTRY", "SERUM"),
    "bilirubin": ("BILI", "Bilirubin", "CHEMISTRY", "SERUM"),
    "creatinine": ("CREAT", "Creatinine", "CHEMISTRY", "SERUM"),
    "neutrophils": ("NEUT", "Neutrophils", "HEMATOLOGY", "BLOOD"),
    "platelets": ("PLAT", "Platelets", "HEMATOLOGY", "BLOOD"),
    "hemoglobin": ("HGB", "Hemoglobin", "HEMATOLOGY", "BLOOD"),
}
GRADING_UNIT = {
    "alt": "U/L",
    "ast": "U/L",
    "bilirubin": "umol/L",
    "creatinine": "umol/L",
    "neutrophils": "10^9/L",
    "platelets": "10^9/L",
    "hemoglobin": "g/L",
}
DS_DECOD = {
    "completed": "COMPLETED",
    "withdrew_consent": "WITHDRAWAL BY SUBJECT",
    "lost_to_follow_up": "LOST TO FOLLOW-UP",
    "death": "DEATH",
    "investigator_decision": "PHYSICIAN DECISION",
    "sponsor_decision": "STUDY TERMINATED BY SPONSOR",
}
AE_OUT = {
    "recovered": "RECOVERED/RESOLVED",
    "recovering": "RECOVERING/RESOLVING",
    "not_recovered": "NOT RECOVERED/NOT RESOLVED",
    "sequelae": "RECOVERED/RESOLVED WITH SEQUELAE",
    "fatal": "FATAL",
    "unknown": "UNKNOWN",
}
# the CRF's action -> (AEACN from the non-extensible ACN list, AEACNOTH)
AE_ACTION = {
    "none": ("DOSE NOT CHANGED", ""),
    "treatment_given": ("DOSE NOT CHANGED", "TREATMENT GIVEN"),
    "infusion_interrupted": ("DRUG INTERRUPTED", ""),
    "infusion_stopped": ("DRUG WITHDRAWN", ""),
    "other": ("DOSE NOT CHANGED", "OTHER"),
}
ROUTE = {
    "oral": "ORAL",
    "iv": "INTRAVENOUS",
    "sc": "SUBCUTANEOUS",
    "im": "INTRAMUSCULAR",
    "inhaled": "RESPIRATORY (INHALATION)",
    "topical": "TOPICAL",
    "other": "OTHER",
}


def _dtc(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")
    return value.isoformat()


def _day(value) -> date | None:
    if value is None:
        return None
    return timezone.localdate(value) if isinstance(value, datetime) else value


def study_day(day: date | None, reference: date | None) -> int | None:
    """SDTMIG study day: the reference date (RFSTDTC) is day 1, the day before it day -1; there
    is no day 0. (The protocol's own count has a day 0: the infusion.)"""
    if day is None or reference is None:
        return None
    delta = (day - reference).days
    return delta + 1 if delta >= 0 else delta


def split_text(text: str, width: int = MAX_TEXT) -> list[str]:
    """Text in pieces of at most `width` bytes (UTF-8), broken between words where it can be, as
    SDTMIG 4.5.3 splits text over 200 characters; joined back with "" they give the text."""
    pieces, rest = [], text
    while len(rest.encode()) > width:
        cut = rest.encode()[:width].decode("utf-8", "ignore")
        space = cut.rfind(" ")
        if space > width // 2:
            cut = cut[:space]  # the space starts the next piece: SAS drops trailing blanks
        pieces.append(cut)
        rest = rest[len(cut) :]
    return [*pieces, rest]


class Context:
    """What every domain needs about the subjects the user may see -- reference dates, elements,
    visits -- read live or as of a data cut from the append-only history."""

    def __init__(self, *, user, study: Study, cut: datetime | None = None):
        self.study, self.cut = study, cut
        if cut is None:
            subjects = subject_list(user=user)
        else:
            subjects = as_of_rows(Subject, cut)
            site_ids = site_ids_for(user)
            if site_ids is not None:
                subjects = subjects.filter(site_id__in=site_ids)
        self.subjects = {
            s.id: s
            for s in subjects.filter(site__study=study, is_voided=False).select_related("site")
        }
        ids = list(self.subjects)
        self.infusions: dict[int, list] = defaultdict(list)
        for i in (
            self.of(Infusion)
            .filter(enrollment__subject_id__in=ids, is_voided=False)
            .order_by("started_at")
            .values("enrollment__subject_id", "started_at")
        ):
            self.infusions[i["enrollment__subject_id"]].append(i["started_at"])
        self.evaluations = {
            e.enrollment.subject_id: e
            for e in self.of(DltEvaluation)
            .filter(enrollment__subject_id__in=ids)
            .select_related("enrollment__cohort__dose_level")
        }
        self.enrolled = {
            e.subject_id: e
            for e in self.of(Enrollment)
            .filter(subject_id__in=ids)
            .select_related("cohort__dose_level")
        }
        self.ld_start: dict[int, date] = {}
        for start, pk in (
            self.of(Lymphodepletion)
            .filter(enrollment__subject_id__in=ids, is_voided=False)
            .order_by("-start_date")
            .values_list("start_date", "enrollment__subject_id")
        ):
            self.ld_start[pk] = start
        self.consented: dict[int, date] = {}
        for pk, day in (
            self.of(Consent)
            .filter(subject_id__in=ids, is_voided=False)
            .order_by("-consent_date")
            .values_list("subject_id", "consent_date")
        ):
            self.consented[pk] = day
        self.ended = {
            d.subject_id: d
            for d in self.of(Disposition).filter(subject_id__in=ids, is_voided=False)
        }
        self.screen_failed: dict[int, date] = {}
        for a in (
            self.of(EligibilityAssessment)
            .filter(subject_id__in=ids, is_voided=False)
            .order_by("attempt")
        ):
            if a.eligible is False:
                self.screen_failed[a.subject_id] = a.assessment_date
            else:
                self.screen_failed.pop(a.subject_id, None)
        self.screen_failed = {
            pk: day
            for pk, day in self.screen_failed.items()
            if self.subjects[pk].status == Subject.Status.SCREEN_FAILED
        }
        self.visits: dict[tuple[int, date], tuple[int, str]] = {}
        for pk, day, order, label in (
            self.of(Visit)
            .filter(subject_id__in=ids, is_voided=False, missed=False, actual_date__isnull=False)
            .order_by("definition__order")
            .values_list("subject_id", "actual_date", "definition__order", "definition__label")
        ):
            self.visits.setdefault((pk, day), (order, label.upper()))

    def of(self, model):
        """The model's records: live, or each record's last version at the cut."""
        return model._default_manager.all() if self.cut is None else as_of_rows(model, self.cut)

    def usubjid(self, subject_id: int) -> str:
        return f"{self.study.registry_id}-{self.subjects[subject_id].screening_number}"

    def keys(self, subject_id: int) -> dict:
        return {"STUDYID": self.study.registry_id, "USUBJID": self.usubjid(subject_id)}

    def rfst(self, subject_id: int) -> datetime | None:
        times = self.infusions.get(subject_id)
        return times[0] if times else None

    def dy(self, value, subject_id: int) -> int | None:
        return study_day(_day(value), _day(self.rfst(subject_id)))

    def window_end(self, subject_id: int) -> date | None:
        evaluation = self.evaluations.get(subject_id)
        return evaluation.window_end if evaluation and self.rfst(subject_id) else None

    def epoch(self, value, subject_id: int) -> str:
        day = _day(value)
        if day is None:
            return ""
        first = self.ld_start.get(subject_id) or _day(self.rfst(subject_id))
        if first is None or day < first:
            return "SCREENING"
        end = self.window_end(subject_id)
        if end is None or day <= end:
            return "TREATMENT"
        return "FOLLOW-UP"

    def visit(self, value, subject_id: int) -> tuple[int | None, str]:
        return self.visits.get((subject_id, _day(value)), (None, ""))

    def order(self, subject_id: int) -> str:
        return self.subjects[subject_id].screening_number


# --- trial design --------------------------------------------------------------------------


def _dose_levels(study: Study) -> list[DoseLevel]:
    return list(study.dose_levels.filter(is_voided=False).order_by("number"))


def ts(ctx: Context) -> Iterator[dict]:
    """Trial summary: study-wide, whoever exports it (counts and the first consent of every
    site)."""
    study = ctx.study
    consents = ctx.of(Consent).filter(subject__site__study=study, is_voided=False)
    first_consent = min(consents.values_list("consent_date", flat=True), default=None)
    enrolled = ctx.of(Enrollment).filter(cohort__study=study).count()
    parameters = [
        ("TITLE", study.title),
        ("REGID", study.registry_id),
        ("SPONSOR", study.sponsor),
        ("TPHASE", {"1": "PHASE I TRIAL", "1/2": "PHASE I/II TRIAL", "2": "PHASE II TRIAL"}.get(
            study.phase, f"PHASE {study.phase} TRIAL")),
        ("STYPE", "INTERVENTIONAL"),
        ("TTYPE", "SAFETY"),
        ("TTYPE", "EFFICACY"),
        ("INTMODEL", "SEQUENTIAL"),
        ("INTTYPE", "BIOLOGIC"),
        ("TRT", "NKG2D CAR-NK CELLS"),
        ("ROUTE", "INTRAVENOUS"),
        ("INDIC", "Relapsed or Refractory Acute Myeloid Leukemia"),
        ("TDIGRP", "Acute Myeloid Leukemia"),
        ("HLTSUBJI", "N"),
        ("ADDON", "N"),
        ("RANDOM", "N"),
        ("TBLIND", "OPEN LABEL"),
        ("TCNTRL", "NONE"),
        ("NARMS", str(len(_dose_levels(study)))),
        ("PLANSUB", str(study.target_enrollment)),
        ("ACTSUB", str(enrolled)),
        ("AGEMIN", f"P{study.min_age_years}Y"),
        ("AGEMAX", f"P{study.max_age_years}Y"),
        ("SEXPOP", "BOTH"),
        ("OBJPRIM", "To determine the maximum tolerated dose (MTD) of NKG2D CAR-NK cells in "
         "relapsed or refractory AML by dose escalation, with dose-limiting toxicities observed "
         f"for {study.dlt_window_days} days after infusion."),
        ("SSTDTC", _dtc(first_consent)),
        ("SDTIGVER", SDTMIG_VERSION),
        ("SDTMVER", SDTM_VERSION),
        ("DCUTDTC", _dtc(_day(ctx.cut)) if ctx.cut else ""),
        ("DCUTDESC", "DATA CUT" if ctx.cut else ""),
    ]  # fmt: skip
    names = dict(CODELISTS["TSPARMCD"].terms)
    seq: dict[str, int] = defaultdict(int)
    for code, value in parameters:
        if code in ("DCUTDTC", "DCUTDESC") and not value:
            continue
        seq[code] += 1
        pieces = split_text(value) if value else [""]
        if len(pieces) > 3:
            raise ValueError(f"TS {code}: over 600 bytes, more than TSVAL, TSVAL1 and TSVAL2 hold")
        yield {
            "STUDYID": study.registry_id,
            "DOMAIN": "TS",
            "TSSEQ": seq[code],
            "TSPARMCD": code,
            "TSPARM": names[code],
            "TSVAL": pieces[0],
            "TSVAL1": pieces[1] if len(pieces) > 1 else "",
            "TSVAL2": pieces[2] if len(pieces) > 2 else "",
            "TSVALNF": "" if value else "NA",
        }


def _elements(study: Study) -> list[dict]:
    window = study.dlt_window_days
    elements = [
        {
            "ETCD": "SCRN",
            "ELEMENT": "Screening",
            "TESTRL": "Informed consent",
            "TEENRL": "Start of lymphodepletion, or screen failure",
            "TEDUR": "",
        },
        {
            "ETCD": "LD",
            "ELEMENT": "Lymphodepletion",
            "TESTRL": "First day of lymphodepleting chemotherapy",
            "TEENRL": "Start of the first CAR-NK infusion",
            "TEDUR": "",
        },
    ]
    for level in _dose_levels(study):
        elements.append(
            {
                "ETCD": f"DL{level.number}",
                "ELEMENT": f"NKG2D CAR-NK {level.label}"[:MAX_TEXT],
                "TESTRL": f"Start of the first CAR-NK infusion at dose level {level.number}",
                "TEENRL": f"End of the {window}-day DLT observation window",
                "TEDUR": f"P{window}D",
            }
        )
    elements.append(
        {
            "ETCD": "FU",
            "ELEMENT": "Follow-up",
            "TESTRL": f"Day after the end of the {window}-day DLT window",
            "TEENRL": "End of study",
            "TEDUR": "",
        }
    )
    return elements


EPOCH_OF = {"SCRN": "SCREENING", "LD": "TREATMENT", "FU": "FOLLOW-UP"}


def te(ctx: Context) -> Iterator[dict]:
    for element in _elements(ctx.study):
        yield {"STUDYID": ctx.study.registry_id, "DOMAIN": "TE", **element}


def ta(ctx: Context) -> Iterator[dict]:
    for level in _dose_levels(ctx.study):
        for order, etcd in enumerate(("SCRN", "LD", f"DL{level.number}", "FU"), start=1):
            element = next(e for e in _elements(ctx.study) if e["ETCD"] == etcd)
            yield {
                "STUDYID": ctx.study.registry_id,
                "DOMAIN": "TA",
                "ARMCD": f"DL{level.number}",
                "ARM": f"NKG2D CAR-NK {level.label}"[:MAX_TEXT],
                "TAETORD": order,
                "ETCD": etcd,
                "ELEMENT": element["ELEMENT"],
                "TABRANCH": "Eligible and enrolled into a dose-level cohort" if order == 1 else "",
                "TATRANS": "",
                "EPOCH": EPOCH_OF.get(etcd, "TREATMENT"),
            }


def tv(ctx: Context) -> Iterator[dict]:
    for d in VisitDefinition.objects.filter(study=ctx.study).order_by("order"):
        sdtm_day = d.target_day + 1 if d.target_day >= 0 else d.target_day
        window = (
            f" (window -{d.window_before}/+{d.window_after} days)"
            if d.window_before or d.window_after
            else ""
        )
        yield {
            "STUDYID": ctx.study.registry_id,
            "DOMAIN": "TV",
            "VISITNUM": d.order,
            "VISIT": d.label.upper(),
            "VISITDY": sdtm_day,
            "ARMCD": "",
            "TVSTRL": f"Protocol day {d.target_day} (day 0 = first CAR-NK infusion){window}",
            "TVENRL": "",
        }


def ie_test(code: str) -> str:
    """The criterion text as IETEST holds it: at most 200 characters (the full text is in
    define.xml)."""
    text = CRITERIA[code]
    return (
        text
        if len(text.encode()) <= MAX_TEXT
        else split_text(text, MAX_TEXT - 3)[0].rstrip() + "..."
    )


def ti(ctx: Context) -> Iterator[dict]:
    for code in CRITERIA:
        yield {
            "STUDYID": ctx.study.registry_id,
            "DOMAIN": "TI",
            "IETESTCD": code,
            "IETEST": ie_test(code),
            "IECAT": "INCLUSION" if code in INCLUSION_CODES else "EXCLUSION",
            "TIVERS": "1",
        }


# --- special purpose -----------------------------------------------------------------------


def _subjects(ctx: Context) -> list[int]:
    return sorted(ctx.subjects, key=ctx.order)


def dm(ctx: Context) -> Iterator[dict]:
    for pk in _subjects(ctx):
        subject = ctx.subjects[pk]
        first_consent = ctx.consented.get(pk)
        end = ctx.ended.get(pk)
        enrollment = ctx.enrolled.get(pk)
        times = ctx.infusions.get(pk, [])
        armcd = arm = actarmcd = actarm = armnrs = ""
        if enrollment is not None:
            level = enrollment.cohort.dose_level
            armcd, arm = f"DL{level.number}", f"NKG2D CAR-NK {level.label}"
            if times:
                actarmcd, actarm = armcd, arm
            else:
                armnrs = "ASSIGNED, NOT TREATED"
        elif pk in ctx.screen_failed:
            armnrs = "SCREEN FAILURE"
        else:
            armnrs = "NOT ASSIGNED"
        yield {
            "STUDYID": ctx.study.registry_id,
            "DOMAIN": "DM",
            "USUBJID": ctx.usubjid(pk),
            "SUBJID": subject.screening_number,
            "RFSTDTC": _dtc(times[0] if times else None),
            "RFENDTC": _dtc(end.end_of_study_date if end else None),
            "RFXSTDTC": _dtc(times[0] if times else None),
            "RFXENDTC": _dtc(times[-1] if times else None),
            "RFICDTC": _dtc(first_consent),
            "RFPENDTC": _dtc(end.end_of_study_date if end else ctx.screen_failed.get(pk)),
            "DTHDTC": _dtc(end.death_date if end else None),
            "DTHFL": "Y" if end and end.death_date else "",
            "SITEID": subject.site.code,
            "BRTHDTC": _dtc(subject.date_of_birth),
            "AGE": age_in_completed_years(subject.date_of_birth, first_consent)
            if first_consent
            else None,
            "AGEU": "YEARS" if first_consent else "",
            "SEX": subject.sex,
            "ARMCD": armcd,
            "ARM": arm,
            "ACTARMCD": actarmcd,
            "ACTARM": actarm,
            "ARMNRS": armnrs,
            "COUNTRY": {"CN": "CHN"}.get(subject.site.country, subject.site.country),
        }


def se(ctx: Context) -> Iterator[dict]:
    for pk in _subjects(ctx):
        consent = ctx.consented.get(pk)
        if consent is None:
            continue
        ld, start = ctx.ld_start.get(pk), ctx.rfst(pk)
        window_end, end = ctx.window_end(pk), ctx.ended.get(pk)
        end_day = end.end_of_study_date if end else None
        enrollment = ctx.enrolled.get(pk)
        level = f"DL{enrollment.cohort.dose_level.number}" if enrollment else ""
        spans = [
            ("SCRN", "Screening", 1, consent, ld or start or ctx.screen_failed.get(pk) or end_day)
        ]
        if ld is not None:
            spans.append(("LD", "Lymphodepletion", 2, ld, start or end_day))
        if start is not None:
            element = (level, f"NKG2D CAR-NK {enrollment.cohort.dose_level.label}", 3, start)
            if end_day is not None and (window_end is None or end_day <= window_end):
                spans.append((*element, end_day))
            elif window_end is not None and _reached(ctx, window_end):
                follow_up = window_end + timedelta(days=1)  # TE: the day after the window
                spans.append((*element, follow_up))
                spans.append(("FU", "Follow-up", 4, follow_up, end_day))
            else:
                spans.append((*element, None))
        for etcd, element, order, begin, finish in spans:
            yield {
                **ctx.keys(pk),
                "ETCD": etcd,
                "ELEMENT": element,
                "TAETORD": order if enrollment else (1 if etcd == "SCRN" else None),
                "EPOCH": EPOCH_OF.get(etcd, "TREATMENT"),
                "SESTDTC": _dtc(begin),
                "SEENDTC": _dtc(finish),
                "SESTDY": ctx.dy(begin, pk),
                "SEENDY": ctx.dy(finish, pk),
            }


def _reached(ctx: Context, day: date) -> bool:
    """Whether `day` is before the cut (or today, for a live export)."""
    today = timezone.localdate(ctx.cut) if ctx.cut else timezone.localdate()
    return day < today


def sv(ctx: Context) -> Iterator[dict]:
    for v in (
        ctx.of(Visit)
        .filter(
            subject_id__in=ctx.subjects, is_voided=False, missed=False, actual_date__isnull=False
        )
        .select_related("definition")
        .order_by("subject__screening_number", "definition__order")
    ).iterator(chunk_size=2000):
        yield {
            **ctx.keys(v.subject_id),
            "VISITNUM": v.definition.order,
            "VISIT": v.definition.label.upper(),
            "EPOCH": ctx.epoch(v.actual_date, v.subject_id),
            "SVSTDTC": _dtc(v.actual_date),
            "SVENDTC": _dtc(v.actual_date),
            "SVSTDY": ctx.dy(v.actual_date, v.subject_id),
            "SVENDY": ctx.dy(v.actual_date, v.subject_id),
        }


# --- events, interventions, findings ---------------------------------------------------------


def ie(ctx: Context) -> Iterator[dict]:
    """The criteria not met (inclusion) or met (exclusion) at each subject's latest attempt."""
    latest = {}
    for a in (
        ctx.of(EligibilityAssessment)
        .filter(subject_id__in=ctx.subjects, is_voided=False)
        .order_by("attempt")
    ):
        latest[a.subject_id] = a
    for pk in _subjects(ctx):
        a = latest.get(pk)
        for code in a.reasons if a else ():
            inclusion = code in INCLUSION_CODES
            yield {
                **ctx.keys(pk),
                "IETESTCD": code,
                "IETEST": ie_test(code),
                "IECAT": "INCLUSION" if inclusion else "EXCLUSION",
                "IEORRES": "N" if inclusion else "Y",
                "IESTRESC": "N" if inclusion else "Y",
                "EPOCH": ctx.epoch(a.assessment_date, pk),
                "IEDTC": _dtc(a.assessment_date),
                "IEDY": ctx.dy(a.assessment_date, pk),
            }


def mh(ctx: Context) -> Iterator[dict]:
    for h in (
        ctx.of(MedicalHistory)
        .filter(subject_id__in=ctx.subjects, is_voided=False)
        .order_by("subject__screening_number", "pk")
    ).iterator(chunk_size=2000):
        keys = ctx.keys(h.subject_id)
        yield {
            **keys,
            "MHTERM": f"ACUTE MYELOID LEUKEMIA ({h.classification})",
            "MHCAT": "PRIMARY DIAGNOSIS",
            "MHSTDTC": _dtc(h.diagnosis_date),
        }
        if h.prior_allo_transplant:
            yield {
                **keys,
                "MHTERM": "ALLOGENEIC HEMATOPOIETIC STEM CELL TRANSPLANT",
                "MHCAT": "PRIOR PROCEDURE",
                "MHSTDTC": _dtc(h.transplant_date),
            }


def cm(ctx: Context) -> Iterator[dict]:
    for c in (
        ctx.of(ConMed)
        .filter(subject_id__in=ctx.subjects, is_voided=False)
        .order_by("subject__screening_number", "start_date", "pk")
    ).iterator(chunk_size=2000):
        pk = c.subject_id
        yield {
            **ctx.keys(pk),
            "CMTRT": c.name.upper(),
            "CMCAT": c.get_category_display().upper(),
            "CMINDC": c.indication,
            "CMDOSE": float(c.dose) if c.dose is not None else None,
            "CMDOSU": c.dose_unit,
            "CMDOSFRQ": c.frequency,
            "CMROUTE": ROUTE[c.route],
            "EPOCH": ctx.epoch(c.start_date, pk),
            "CMSTDTC": _dtc(c.start_date),
            "CMENDTC": _dtc(c.stop_date),
            "CMSTDY": ctx.dy(c.start_date, pk),
            "CMENDY": ctx.dy(c.stop_date, pk),
            "CMENRF": "ONGOING" if c.ongoing else "",
        }


def ex(ctx: Context) -> Iterator[dict]:
    for i in (
        ctx.of(Infusion)
        .filter(enrollment__subject_id__in=ctx.subjects, is_voided=False)
        .select_related("enrollment")
        .order_by("enrollment__subject__screening_number", "number")
    ).iterator(chunk_size=2000):
        pk = i.enrollment.subject_id
        visitnum, visit = ctx.visit(i.started_at, pk)
        yield {
            **ctx.keys(pk),
            "EXTRT": "NKG2D CAR-NK CELLS",
            "EXDOSE": float(i.actual_cells_per_kg_million),
            "EXDOSU": "10^6 cells/kg",
            "EXDOSFRM": "SUSPENSION",
            "EXROUTE": "INTRAVENOUS",
            "EXADJ": "PARTIAL DOSE" if i.partial_dose else "",
            "VISITNUM": visitnum,
            "VISIT": visit,
            "EPOCH": ctx.epoch(i.started_at, pk),
            "EXSTDTC": _dtc(i.started_at),
            "EXENDTC": _dtc(_day(i.started_at)),
            "EXSTDY": ctx.dy(i.started_at, pk),
            "EXENDY": ctx.dy(i.started_at, pk),
        }


def _adverse_events(ctx: Context):
    return (
        ctx.of(AdverseEvent)
        .filter(subject_id__in=ctx.subjects, is_voided=False)
        .order_by("subject__screening_number", "onset_date", "id")
    )


def ae(ctx: Context) -> Iterator[dict]:
    for e in _adverse_events(ctx).iterator(chunk_size=2000):
        pk = e.subject_id
        coded = coding(e)
        action, other = AE_ACTION[e.action_taken]
        last = ctx.infusions.get(pk)
        if action == "DOSE NOT CHANGED" and last and e.onset_date > _day(last[-1]):
            action = "NOT APPLICABLE"  # after the (single) infusion no dose is left to change
        yield {
            **ctx.keys(pk),
            "AESPID": str(e.id),
            "AETERM": e.other_term if e.term == OTHER_TERM else e.term,
            "AELLT": coded.term if coded and coded.llt_code else "",
            "AELLTCD": int(coded.llt_code) if coded and coded.llt_code else None,
            "AEDECOD": coded.term if coded else "",
            "AEBODSYS": coded.soc if coded else "",
            "AESOC": coded.soc if coded else "",
            "AESER": YN[e.serious],
            "AEACN": action,
            "AEACNOTH": other,
            "AEREL": (e.relation_car_nk or "").upper(),
            "AEOUT": AE_OUT[e.outcome],
            "AESCONG": YN[e.sc_congenital_anomaly] if e.serious else "",
            "AESDISAB": YN[e.sc_disability] if e.serious else "",
            "AESDTH": YN[e.sc_death] if e.serious else "",
            "AESHOSP": YN[e.sc_hospitalization] if e.serious else "",
            "AESLIFE": YN[e.sc_life_threatening] if e.serious else "",
            "AESMIE": YN[e.sc_important_medical_event] if e.serious else "",
            "AETOXGR": "" if e.worst_grade is None else str(e.worst_grade),
            "EPOCH": ctx.epoch(e.onset_date, pk),
            "AESTDTC": _dtc(e.onset_date),
            "AEENDTC": _dtc(e.resolution_date),
            "AESTDY": ctx.dy(e.onset_date, pk),
            "AEENDY": ctx.dy(e.resolution_date, pk),
        }


def ds(ctx: Context) -> Iterator[dict]:
    for pk in _subjects(ctx):
        events = []
        for c in (
            ctx.of(Consent)
            .filter(subject_id=pk, is_voided=False)
            .order_by("consent_date", "id")[:1]
        ):
            events.append(("INFORMED CONSENT OBTAINED", "INFORMED CONSENT OBTAINED",
                           "PROTOCOL MILESTONE", c.consent_date))  # fmt: skip
        if pk in ctx.screen_failed:
            events.append(("SCREEN FAILURE", "SCREEN FAILURE", "DISPOSITION EVENT",
                           ctx.screen_failed[pk]))  # fmt: skip
        end = ctx.ended.get(pk)
        if end is not None:
            events.append((end.reason_detail or end.get_end_of_study_reason_display(),
                           DS_DECOD[end.end_of_study_reason], "DISPOSITION EVENT",
                           end.end_of_study_date))  # fmt: skip
        for term, decod, cat, day in sorted(events, key=lambda e: e[3]):
            yield {
                **ctx.keys(pk),
                "DSTERM": term,
                "DSDECOD": decod,
                "DSCAT": cat,
                "EPOCH": ctx.epoch(day, pk),
                "DSSTDTC": _dtc(day),
                "DSSTDY": ctx.dy(day, pk),
            }


def dv(ctx: Context) -> Iterator[dict]:
    """Protocol deviations: what happened (DVTERM), the category and its severity, the rule
    that found it in the data (DVDECOD, blank when entered by the site), when."""
    for d in (
        ctx.of(ProtocolDeviation)
        .filter(subject_id__in=ctx.subjects, is_voided=False)
        .order_by("subject__screening_number", "deviation_date", "pk")
    ).iterator(chunk_size=2000):
        yield {
            **ctx.keys(d.subject_id),
            "DVTERM": d.description,
            "DVDECOD": d.rule.upper(),
            "DVCAT": d.get_category_display().upper(),
            "DVSCAT": d.get_severity_display().upper(),
            "EPOCH": ctx.epoch(d.deviation_date, d.subject_id),
            "DVSTDTC": _dtc(d.deviation_date),
            "DVSTDY": ctx.dy(d.deviation_date, d.subject_id),
        }


def _number(value) -> str:
    return "" if value is None else format(value.normalize(), "f")


def lb(ctx: Context) -> Iterator[dict]:
    for lab in (
        ctx.of(LabResult)
        .filter(subject_id__in=ctx.subjects, is_voided=False)
        .order_by("subject__screening_number", "collected_on", "test", "pk")
    ).iterator(chunk_size=2000):
        pk = lab.subject_id
        code, name, category, specimen = LBTESTCD[lab.test]
        factor = LAB_TESTS[lab.test][1].get(lab.unit)
        low = lab.lln * factor if lab.lln is not None and factor is not None else None
        high = lab.uln * factor if lab.uln is not None and factor is not None else None
        indicator = ""
        if lab.lln is not None and lab.value < lab.lln:
            indicator = "LOW"
        elif lab.uln is not None and lab.value > lab.uln:
            indicator = "HIGH"
        elif lab.lln is not None or lab.uln is not None:
            indicator = "NORMAL"
        visitnum, visit = ctx.visit(lab.collected_on, pk)
        yield {
            **ctx.keys(pk),
            "LBTESTCD": code,
            "LBTEST": name,
            "LBCAT": category,
            "LBORRES": _number(lab.value),
            "LBORRESU": lab.unit,
            "LBORNRLO": _number(lab.lln),
            "LBORNRHI": _number(lab.uln),
            "LBSTRESC": _number(lab.value_standard),
            "LBSTRESN": float(lab.value_standard),
            "LBSTRESU": GRADING_UNIT[lab.test],
            "LBSTNRLO": float(low) if low is not None else None,
            "LBSTNRHI": float(high) if high is not None else None,
            "LBNRIND": indicator,
            "LBSPEC": specimen,
            "LBTOXGR": "" if lab.ctcae_grade is None else str(lab.ctcae_grade),
            "VISITNUM": visitnum,
            "VISIT": visit,
            "EPOCH": ctx.epoch(lab.collected_on, pk),
            "LBDTC": _dtc(lab.collected_on),
            "LBDY": ctx.dy(lab.collected_on, pk),
        }


def _yes(value: bool) -> str:
    return "Y" if value else "N"


def _findings(record, tests) -> Iterator[tuple[str, str, float | None, str]]:
    """(FATESTCD, result text, number or None, unit) for each component recorded."""
    for code, value, unit in tests:
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            yield code, _yes(value), None, unit
        elif isinstance(value, int | float) or hasattr(value, "as_tuple"):
            yield (
                code,
                _number(value) if hasattr(value, "as_tuple") else str(value),
                float(value),
                unit,
            )
        else:
            yield code, str(value).upper(), None, unit


def _fa_records(ctx: Context) -> Iterator[tuple[int, datetime | date, str, str, str, list]]:
    """(subject, when, FAGRPID, FAOBJ, FACAT, findings) in subject order, then date."""
    per_subject: dict[int, list] = defaultdict(list)
    for a in ctx.of(CrsAssessment).filter(subject_id__in=ctx.subjects, is_voided=False):
        per_subject[a.subject_id].append((a.assessed_at, f"CRS-{a.id}", "CYTOKINE RELEASE SYNDROME",
            "CRS ASSESSMENT (ASTCT 2019)", list(_findings(a, [
                ("MAXTEMP", a.max_temp_c, "C"), ("HYPOTEN", a.hypotension, ""),
                ("VASOPNUM", a.vasopressors, ""), ("VASOPRSN", a.vasopressin, ""),
                ("OXYDEV", a.get_oxygen_device_display(), ""), ("OXYFLOW", a.oxygen_flow_l_min, "L/min"),
                ("FEVMASK", a.fever_masked, ""), ("CRSDEATH", a.fatal, ""), ("CRSGR", a.grade, "")]))))  # fmt: skip
    for a in ctx.of(IcansAssessment).filter(subject_id__in=ctx.subjects, is_voided=False):
        per_subject[a.subject_id].append((a.assessed_at, f"ICANS-{a.id}",
            "IMMUNE EFFECTOR CELL-ASSOCIATED NEUROTOXICITY SYNDROME", "ICANS ASSESSMENT (ASTCT 2019)",
            list(_findings(a, [
                ("ICESCORE", a.ice_score, ""), ("CAPDSCR", a.capd_score, ""),
                ("UNABLE", a.unable_to_assess, ""), ("CONSC", a.get_consciousness_display(), ""),
                ("SEIZURE", a.get_seizure_display(), ""), ("MOTORWK", a.motor_weakness, ""),
                ("CEREDEMA", a.get_cerebral_edema_display(), ""), ("ICADEATH", a.fatal, ""),
                ("ICANSGR", a.grade, "")]))))  # fmt: skip
    decided = _status_dates(ctx)
    for pk, e in ctx.evaluations.items():
        if ctx.rfst(pk) is None:
            continue  # no infusion: the DLT observation has not begun
        when = decided.get(e.id) or ctx.rfst(pk)  # the date the status was last determined
        per_subject[pk].append((when, f"DLT-{e.id}", "DOSE-LIMITING TOXICITY", "DLT EVALUATION",
            list(_findings(e, [("DLTSTAT", e.get_status_display(), ""),
                               ("DLTGR", e.dlt_grade, ""), ("DLTREPL", e.replace, "")]))))  # fmt: skip
    for pk in _subjects(ctx):
        for item in sorted(per_subject.get(pk, ()), key=lambda r: (_day(r[0]) or date.min, r[1])):
            yield (pk, *item)


def _status_dates(ctx: Context) -> dict[int, datetime]:
    """Each DLT evaluation's current status: since when (the first version of its last run of
    that status, up to the cut)."""
    versions = DltEvaluation.history.filter(id__in=[e.id for e in ctx.evaluations.values()])
    if ctx.cut is not None:
        versions = versions.filter(history_date__lte=ctx.cut)
    since: dict[int, datetime] = {}
    previous: dict[int, str] = {}
    for pk, status, moment in versions.order_by("id", "history_id").values_list(
        "id", "status", "history_date"
    ):
        if previous.get(pk) != status:
            since[pk] = moment
        previous[pk] = status
    return since


def fa(ctx: Context) -> Iterator[dict]:
    names = dict(CODELISTS["FATESTCD"].terms)
    for pk, when, group, obj, category, findings in _fa_records(ctx):
        for code, text, number, unit in findings:
            yield {
                **ctx.keys(pk),
                "FAGRPID": group,
                "FATESTCD": code,
                "FATEST": names[code],
                "FAOBJ": obj,
                "FACAT": category,
                "FAORRES": text,
                "FAORRESU": unit,
                "FASTRESC": text,
                "FASTRESN": number,
                "FASTRESU": unit,
                "EPOCH": ctx.epoch(when, pk),
                "FADTC": _dtc(when),
                "FADY": ctx.dy(when, pk),
            }


def rs(ctx: Context) -> Iterator[dict]:
    for r in (
        ctx.of(ResponseAssessment)
        .filter(subject_id__in=ctx.subjects, is_voided=False)
        .order_by("subject__screening_number", "assessment_date", "pk")
    ).iterator(chunk_size=2000):
        pk = r.subject_id
        visitnum, visit = ctx.visit(r.assessment_date, pk)
        for evaluator, value in (
            ("INVESTIGATOR", r.investigator_response),
            ("ALGORITHM (ELN 2022)", r.response),
        ):
            yield {
                **ctx.keys(pk),
                "RSTESTCD": "OVRLRESP",
                "RSTEST": "Overall Response",
                "RSCAT": "ELN 2022",
                "RSORRES": value,
                "RSSTRESC": value,
                "RSEVAL": evaluator,
                "VISITNUM": visitnum,
                "VISIT": visit,
                "EPOCH": ctx.epoch(r.assessment_date, pk),
                "RSDTC": _dtc(r.assessment_date),
                "RSDY": ctx.dy(r.assessment_date, pk),
            }


def relrec(ctx: Context) -> Iterator[dict]:
    """Each CRS/ICANS assessment that belongs to an adverse event, related to it: the AE record
    (by AESEQ) and the assessment's FA records (by FAGRPID) share a RELID."""
    seqs = {row["AESPID"]: row["AESEQ"] for row in _sequenced("AE", ae(ctx))}
    links = []
    for model, prefix in ((CrsAssessment, "CRS"), (IcansAssessment, "ICANS")):
        for a in ctx.of(model).filter(
            subject_id__in=ctx.subjects, is_voided=False, adverse_event__isnull=False
        ):
            if str(a.adverse_event_id) in seqs:
                links.append(
                    (ctx.order(a.subject_id), a.subject_id, a.adverse_event_id, f"{prefix}-{a.id}")
                )
    for _order, pk, event_id, group in sorted(links):
        relid = f"AE{seqs[str(event_id)]}-{group}"
        yield {**_rel(ctx, pk, "AE", "AESEQ", str(seqs[str(event_id)]), relid)}
        yield {**_rel(ctx, pk, "FA", "FAGRPID", group, relid)}


def _rel(ctx, pk, domain, idvar, value, relid) -> dict:
    return {
        "STUDYID": ctx.study.registry_id,
        "RDOMAIN": domain,
        "USUBJID": ctx.usubjid(pk),
        "IDVAR": idvar,
        "IDVARVAL": value,
        "RELTYPE": "",
        "RELID": relid,
    }


def supp(parent: str):
    """SUPP--: the rest of each text over 200 characters in the parent (QNAM = variable + n),
    and for AE the qualifiers SDTMIG has no variable for."""

    def build(ctx: Context) -> Iterator[dict]:
        extra = _ae_qualifiers(ctx) if parent == "AE" else {}
        spec = SPEC[parent]
        for row in _sequenced(parent, BUILDERS[parent](ctx)):
            seq = row[f"{parent}SEQ"]
            for variable in spec.variables:
                value = row.get(variable.name)
                if variable.numeric or not isinstance(value, str):
                    continue
                for n, piece in enumerate(split_text(value)[1:], start=1):
                    yield _qualifier(row, parent, seq, f"{variable.name[:7]}{n}",
                                     f"{variable.label[:36]} {n}", piece, "CRF")  # fmt: skip
            for qnam, value in extra.get(row.get("AESPID"), ()):
                label, origin = SUPPAE_QUALIFIERS[qnam]
                yield _qualifier(row, parent, seq, qnam, label, value, origin)

    return build


def _qualifier(row, parent, seq, qnam, qlabel, value, origin) -> dict:
    return {
        "STUDYID": row["STUDYID"],
        "RDOMAIN": parent,
        "USUBJID": row["USUBJID"],
        "IDVAR": f"{parent}SEQ",
        "IDVARVAL": str(seq),
        "QNAM": qnam,
        "QLABEL": qlabel,
        "QVAL": value,
        "QORIG": origin,
        "QEVAL": "",
    }


def _ae_qualifiers(ctx: Context) -> dict[str, list[tuple[str, str]]]:
    """AESPID -> [(QNAM, value)]: relation to lymphodepletion, the adjudicated DLT and its
    clause, when the site became aware of the SAE."""
    accepted = {
        c.adverse_event_id: c.get_clause_display()
        for c in ctx.of(DltCandidate).filter(
            subject_id__in=ctx.subjects, status=DltCandidate.Status.ACCEPTED
        )
    }
    qualifiers: dict[str, list] = {}
    for e in _adverse_events(ctx):
        values = []
        if e.relation_lymphodepletion:
            values.append(("AERELLD", e.relation_lymphodepletion.upper()))
        if e.id in accepted:
            values.append(("AEDLT", "Y"))
            values.append(("AEDLTCL", accepted[e.id]))
        if e.aware_at is not None:
            values.append(("AESAEAW", _dtc(e.aware_at)))
        qualifiers[str(e.id)] = values
    return qualifiers


BUILDERS = {
    "TS": ts,
    "TA": ta,
    "TE": te,
    "TV": tv,
    "TI": ti,
    "DM": dm,
    "SE": se,
    "SV": sv,
    "IE": ie,
    "MH": mh,
    "CM": cm,
    "EX": ex,
    "AE": ae,
    "DS": ds,
    "DV": dv,
    "LB": lb,
    "FA": fa,
    "RS": rs,
    "RELREC": relrec,
    **{code: supp(d.parent) for code, d in SPEC.items() if d.parent},
}


def _sequenced(domain: str, rows: Iterable[dict]) -> Iterator[dict]:
    """DOMAIN after STUDYID and --SEQ numbered 1.. per subject (rows come ordered by subject)."""
    seq: dict[str, int] = defaultdict(int)
    name = f"{domain}SEQ"
    for row in rows:
        seq[row["USUBJID"]] += 1
        yield {**row, "DOMAIN": domain, name: seq[row["USUBJID"]]}


def _shaped(domain: str, rows: Iterable[dict]) -> Iterator[dict]:
    """Every row with exactly the domain's variables, in the metadata's order. Text over 200
    bytes keeps its first piece here (the rest is in SUPP--); where the domain has no SUPP--
    such text is an error, never cut silently."""
    spec = SPEC[domain]
    names = spec.names
    has_supp = f"SUPP{domain}" in SPEC
    for row in rows:
        unknown = set(row) - set(names)
        if unknown:
            raise KeyError(f"{domain}: {sorted(unknown)} are not in the SDTM metadata")
        shaped = {}
        for variable in spec.variables:
            value = row.get(variable.name)
            if isinstance(value, str) and len(value.encode()) > MAX_TEXT:
                if not has_supp:
                    raise ValueError(f"{domain}.{variable.name}: text over {MAX_TEXT} bytes")
                value = split_text(value)[0]
            shaped[variable.name] = value
        if "DOMAIN" in shaped:
            shaped["DOMAIN"] = domain
        yield shaped


def domain_rows(domain: str, *, user, study: Study, cut: datetime | None = None) -> Iterator[dict]:
    """The domain's records, streamed (the large domains read their rows with a database cursor)."""
    ctx = Context(user=user, study=study, cut=cut)
    records = BUILDERS[domain](ctx)
    if f"{domain}SEQ" in SPEC[domain].names and "USUBJID" in SPEC[domain].names:
        records = _sequenced(domain, records)
    return _shaped(domain, records)


FINDING_COLUMNS = ["domain", "usubjid", "record", "variable", "finding", "value"]


def record_findings(domain: str, row: dict) -> Iterator[list]:
    """What a reviewer must know about a record before submission: text that is not ASCII (the
    FDA asks for ASCII; it is written as UTF-8, not changed) and a required AEDECOD still to be
    coded by a data manager."""
    seq = row.get(f"{domain}SEQ") or row.get("IDVARVAL") or row.get("TSSEQ") or ""
    key = row.get("USUBJID", "")
    for name, value in row.items():
        if isinstance(value, str) and not value.isascii():
            yield [domain, key, str(seq), name, "non-ASCII text", value]
    if domain == "AE" and not row["AEDECOD"]:
        yield [domain, key, str(seq), "AEDECOD", "term to be coded by a data manager",
               row["AETERM"]]  # fmt: skip


def with_findings(domain: str, records: Iterable[dict], findings: list) -> Iterator[dict]:
    for record in records:
        findings.extend(record_findings(domain, record))
        yield record


def header_and_lines(records: Iterable[dict], domain: str) -> Iterator[list]:
    """CSV lines: the header (the domain's variables, also when there are no records), then
    every record's values."""
    header = SPEC[domain].names
    yield header
    for record in records:
        yield [record[c] if record[c] is not None else "" for c in header]


def xpt_stream(
    domain: str, rows: Iterable[dict], *, created: datetime, widths=None
) -> Iterator[bytes]:
    """SAS transport version 5 (what regulators accept), streamed (`exports.xpt`), with the
    names, labels and types of the metadata. `widths(domain, name, length)` learns lengths."""
    spec = SPEC[domain]
    return xpt_chunks(
        domain,
        rows,
        created=created,
        variables=[(v.name, v.label, v.numeric) for v in spec.variables],
        label=spec.label,
        widths=(lambda name, length: widths(domain, name, length)) if widths else None,
    )
