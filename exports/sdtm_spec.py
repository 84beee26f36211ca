"""The SDTM metadata, in one place: every dataset's label, class, structure and keys, and every
variable's label, type, core, origin, codelist, method and comment (SDTMIG 3.4 wording). The
domain builders (`exports.sdtm`) emit exactly these columns in this order, the XPT writer takes
labels and types from here, define.xml (`exports.define`) is written from here, and the data
dictionary lists it: they cannot disagree.

A variable line reads `NAME | label | Char/Num | Req/Exp/Perm | origin | codelist | method`.
Origins: Collected, Derived, Assigned, Protocol. Codelists are by name (`CODELISTS`); methods by
name (`METHODS`). Lengths of Char variables are the longest value written (as define.xml wants);
Num variables are 8-byte doubles.
"""

from dataclasses import dataclass, field

SDTMIG_VERSION = "3.4"
SDTM_VERSION = "2.0"
CT_VERSION = "2024-09-27"  # the SDTM CT package the terms below were taken from
MAX_TEXT = 200  # bytes in an SDTM character variable (SAS transport v5)


@dataclass(frozen=True)
class Codelist:
    name: str
    label: str
    terms: tuple[tuple[str, str], ...]  # (submission value, decode or "")
    extensible: bool
    data_type: str = "text"
    sponsor: bool = False  # the study's own list, not CDISC CT

    @property
    def oid(self) -> str:
        return f"CL.{self.name}"

    @property
    def values(self) -> set[str]:
        return {value for value, _ in self.terms}


@dataclass(frozen=True)
class Variable:
    name: str
    label: str
    type: str  # "Char" | "Num"
    core: str  # "Req" | "Exp" | "Perm"
    origin: str
    codelist: str = ""
    method: str = ""

    @property
    def numeric(self) -> bool:
        return self.type == "Num"


@dataclass(frozen=True)
class Domain:
    code: str
    label: str
    cls: str  # define.xml def:Class
    structure: str
    keys: tuple[str, ...]
    variables: tuple[Variable, ...]
    comment: str = ""
    value_level: str = ""  # the --TESTCD that drives value-level metadata of --ORRES
    parent: str = ""  # for SUPP--: the parent domain

    @property
    def names(self) -> list[str]:
        return [v.name for v in self.variables]

    def variable(self, name: str) -> Variable:
        return next(v for v in self.variables if v.name == name)


def _terms(*values: str) -> tuple[tuple[str, str], ...]:
    return tuple((v, "") for v in values)


CODELISTS: dict[str, Codelist] = {
    c.name: c
    for c in [
        Codelist("NY", "No Yes Response", _terms("N", "Y"), extensible=False),
        Codelist("SEX", "Sex", _terms("F", "M"), extensible=False),
        Codelist("AGEU", "Age Unit", _terms("YEARS"), extensible=False),
        Codelist(
            "ACN",
            "Action Taken with Study Treatment",
            _terms("DOSE NOT CHANGED", "DRUG INTERRUPTED", "DRUG WITHDRAWN", "NOT APPLICABLE"),
            extensible=False,
        ),
        Codelist(
            "OUT",
            "Outcome of Event",
            _terms(
                "FATAL",
                "NOT RECOVERED/NOT RESOLVED",
                "RECOVERED/RESOLVED",
                "RECOVERED/RESOLVED WITH SEQUELAE",
                "RECOVERING/RESOLVING",
                "UNKNOWN",
            ),
            extensible=False,
        ),
        Codelist("TOXGR", "CTCAE grade", _terms("1", "2", "3", "4", "5"), extensible=False),
        Codelist(
            "AEREL",
            "Causality (study's scale)",
            _terms("UNRELATED", "UNLIKELY", "POSSIBLE", "PROBABLE", "DEFINITE"),
            extensible=True,
            sponsor=True,
        ),
        Codelist(
            "IECAT", "Category for Inclusion/Exclusion", _terms("EXCLUSION", "INCLUSION"), False
        ),
        Codelist(
            "DSCAT",
            "Category for Disposition Event",
            _terms("DISPOSITION EVENT", "PROTOCOL MILESTONE"),
            extensible=False,
        ),
        Codelist(
            "NCOMPLT",
            "Completion/Reason for Non-Completion",
            _terms(
                "COMPLETED",
                "DEATH",
                "LOST TO FOLLOW-UP",
                "PHYSICIAN DECISION",
                "SCREEN FAILURE",
                "STUDY TERMINATED BY SPONSOR",
                "WITHDRAWAL BY SUBJECT",
            ),
            extensible=True,
        ),
        Codelist(
            "PROTMLST",
            "Protocol Milestone",
            _terms("INFORMED CONSENT OBTAINED"),
            extensible=True,
        ),
        Codelist("EPOCH", "Epoch", _terms("SCREENING", "TREATMENT", "FOLLOW-UP"), extensible=True),
        Codelist(
            "ROUTE",
            "Route of Administration",
            _terms(
                "INTRAMUSCULAR",
                "INTRAVENOUS",
                "ORAL",
                "RESPIRATORY (INHALATION)",
                "SUBCUTANEOUS",
                "TOPICAL",
                "OTHER",
            ),
            extensible=True,
        ),
        Codelist("FRM", "Pharmaceutical Dosage Form", _terms("SUSPENSION"), extensible=True),
        Codelist("NRIND", "Reference Range Indicator", _terms("HIGH", "LOW", "NORMAL"), True),
        Codelist("SPECTYPE", "Specimen Type", _terms("BLOOD", "SERUM"), extensible=True),
        Codelist(
            "LBTESTCD",
            "Laboratory Test Code",
            (
                ("ALT", "Alanine Aminotransferase"),
                ("AST", "Aspartate Aminotransferase"),
                ("BILI", "Bilirubin"),
                ("CREAT", "Creatinine"),
                ("HGB", "Hemoglobin"),
                ("NEUT", "Neutrophils"),
                ("PLAT", "Platelets"),
            ),
            extensible=True,
        ),
        Codelist(
            "ARMNULRS",
            "Arm Null Reason",
            _terms("ASSIGNED, NOT TREATED", "NOT ASSIGNED", "SCREEN FAILURE"),
            extensible=True,
        ),
        Codelist(
            "FATESTCD",
            "Findings About Test Code (study)",
            (
                ("MAXTEMP", "Maximum Temperature"),
                ("HYPOTEN", "Hypotension"),
                ("VASOPNUM", "Number of Vasopressors"),
                ("VASOPRSN", "Vasopressin Given"),
                ("OXYDEV", "Oxygen Delivery Device"),
                ("OXYFLOW", "Oxygen Flow Rate"),
                ("FEVMASK", "Fever Masked by Antipyretics"),
                ("CRSDEATH", "Death Due to CRS"),
                ("CRSGR", "ASTCT CRS Grade"),
                ("ICESCORE", "ICE Score"),
                ("CAPDSCR", "CAPD Score"),
                ("UNABLE", "Unable to Perform ICE/CAPD"),
                ("CONSC", "Depressed Level of Consciousness"),
                ("SEIZURE", "Seizure"),
                ("MOTORWK", "Deep Focal Motor Weakness"),
                ("CEREDEMA", "Raised ICP/Cerebral Edema"),
                ("ICADEATH", "Death Due to ICANS"),
                ("ICANSGR", "ASTCT ICANS Grade"),
                ("DLTSTAT", "DLT Evaluation Status"),
                ("DLTGR", "Grade of the DLT"),
                ("DLTREPL", "Subject to Be Replaced"),
            ),
            extensible=True,
            sponsor=True,
        ),
        Codelist("RELTYPE", "Relationship Type", _terms("ONE", "MANY"), extensible=False),
        Codelist(
            "TSPARMCD",
            "Trial Summary Parameter Test Code",
            (
                ("ACTSUB", "Actual Number of Subjects"),
                ("ADDON", "Added on to Existing Treatments"),
                ("AGEMAX", "Planned Maximum Age of Subjects"),
                ("AGEMIN", "Planned Minimum Age of Subjects"),
                ("DCUTDTC", "Data Cutoff Date"),
                ("DCUTDESC", "Data Cutoff Description"),
                ("HLTSUBJI", "Healthy Subject Indicator"),
                ("INDIC", "Trial Disease/Condition Indication"),
                ("INTMODEL", "Intervention Model"),
                ("INTTYPE", "Intervention Type"),
                ("NARMS", "Planned Number of Arms"),
                ("OBJPRIM", "Trial Primary Objective"),
                ("PLANSUB", "Planned Number of Subjects"),
                ("RANDOM", "Trial is Randomized"),
                ("REGID", "Registry Identifier"),
                ("ROUTE", "Route of Administration"),
                ("SDTIGVER", "SDTM IG Version"),
                ("SDTMVER", "SDTM Version"),
                ("SEXPOP", "Sex of Participants"),
                ("SPONSOR", "Clinical Study Sponsor"),
                ("SSTDTC", "Study Start Date"),
                ("STYPE", "Study Type"),
                ("TBLIND", "Trial Blinding Schema"),
                ("TCNTRL", "Control Type"),
                ("TDIGRP", "Diagnosis Group"),
                ("TITLE", "Trial Title"),
                ("TPHASE", "Trial Phase Classification"),
                ("TRT", "Investigational Therapy or Treatment"),
                ("TTYPE", "Trial Type"),
            ),
            extensible=True,
        ),
    ]
}

METHODS = {
    "DY": "Study day of --DTC by the SDTMIG rule, with RFSTDTC (the first CAR-NK infusion) as "
    "day 1: date - RFSTDTC + 1 on or after it, date - RFSTDTC before it; there is no day 0. "
    "The protocol counts the infusion as day 0 (RULES.md): that convention is kept in the CSV "
    "datasets (dlt_evaluations.day0, visits.target_day).",
    "RFSTDTC": "Date and time of the first CAR-NK infusion (EX), at the precision of EXSTDTC.",
    "RFXENDTC": "Date and time of the last CAR-NK infusion (EX).",
    "RFENDTC": "End-of-study date (disposition CRF).",
    "AGE": "Completed years between BRTHDTC and RFICDTC.",
    "SEQ": "Sequence number 1, 2, ... per subject, in the order of the records' dates.",
    "EPOCH": "The epoch of the subject element (SE) the date falls in: SCREENING before the start "
    "of lymphodepletion, TREATMENT from lymphodepletion to the end of the 28-day DLT window, "
    "FOLLOW-UP after it.",
    "TOXGR": "CTCAE v5.0 grade computed by safety.rules.ctcae_grade from the value in the grading "
    "unit and the ULN/LLN/baseline converted to it.",
    "AETOXGR": "The worst grade of the event's grade episodes (CRS and ICANS: of the assessments "
    "graded by safety.rules.crs_grade / icans_grade).",
    "CRSGR": "ASTCT 2019 consensus grade computed by safety.rules.crs_grade from the components.",
    "ICANSGR": "ASTCT 2019 consensus grade computed by safety.rules.icans_grade from the components.",
    "DLTSTAT": "dosing.rules.dlt_status from the adjudicated DLT candidates and the 28-day window.",
    "STRES": "The original result converted to the unit the CTCAE grade is defined in.",
    "NRIND": "LOW below LBORNRLO, HIGH above LBORNRHI, NORMAL between (blank without a range).",
    "DECOD": "CTCAE v5.0 term as MedDRA spells it, from exports/data/ctcae_v5_terms.csv; for "
    "'Other, specify' the term coded by the data manager.",
    "BODSYS": "The MedDRA system organ class of the CTCAE v5.0 term (the same table), or the one "
    "coded by the data manager.",
    "VISIT": "The scheduled visit recorded on the same date (SV); blank when none was.",
    "EXENDTC": "Date of the infusion: an infusion is given on one day and its end time is not "
    "collected.",
    "ARMNRS": "SCREEN FAILURE for screen failures, NOT ASSIGNED before enrollment, ASSIGNED, NOT "
    "TREATED for enrolled subjects without an infusion.",
    "VISITDY": "The protocol's target day (day 0 = first infusion) on the SDTMIG scale: +1 from "
    "day 0 on.",
    "SE": "Elements from the dates collected: SCRN from informed consent, LD from the first "
    "lymphodepletion day, DLn from the CAR-NK infusion, FU from the end of the DLT window.",
}

COMMENTS = {
    "FA": "CRS and ICANS assessments and the DLT evaluation are findings about events (FA): SDTMIG "
    "has no domain for consensus-graded syndromes, and FA keeps each component (FATESTCD) next "
    "to the computed grade. Assessments linked to an adverse event are related to it in RELREC "
    "(AESEQ <-> FAGRPID).",
    "TI": "IETEST holds at most 200 characters; the full criterion text is in each IETESTCD's "
    "comment in this define.xml.",
    "AE": "AELLT/AELLTCD, AEDECOD, AEBODSYS/AESOC from NCI's CTCAE v5.0 file: a CTCAE term is a "
    "MedDRA lowest level term; where it is not also the preferred term (e.g. Fever, PT Pyrexia; "
    "Anemia, PT Anaemia) AEDECOD holds the CTCAE term until the sponsor's MedDRA coding maps it. "
    "'Other, specify', ICANS and GVHD stay blank until a data manager codes them. AEACN uses ACN "
    "only (NOT APPLICABLE after the single infusion); other actions in AEACNOTH.",
    "DS": "Every subject has the informed-consent milestone; screen failures a SCREEN FAILURE "
    "event; subjects who ended the study their end-of-study event. Subjects still on study at "
    "the cut have no disposition event yet.",
    "SUPP": "Qualifiers without a standard variable, and the rest of any text over 200 "
    "characters (QNAM = variable name + 1, 2, ...).",
}


def _variables(table: str) -> tuple[Variable, ...]:
    variables = []
    for line in table.strip().splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        parts += [""] * (7 - len(parts))
        variables.append(Variable(*parts))
    return tuple(variables)


_ID = """
STUDYID | Study Identifier | Char | Req | Protocol
DOMAIN | Domain Abbreviation | Char | Req | Assigned
USUBJID | Unique Subject Identifier | Char | Req | Assigned
"""


def _domain(code, label, cls, structure, keys, table, **extra) -> Domain:
    return Domain(code, label, cls, structure, tuple(keys.split()), _variables(table), **extra)


def _supp(parent: str) -> Domain:
    return _domain(
        f"SUPP{parent}",
        f"Supplemental Qualifiers for {parent}",
        "RELATIONSHIP",
        "One record per IDVAR, IDVARVAL, and QNAM value per subject",
        "STUDYID RDOMAIN USUBJID IDVAR IDVARVAL QNAM",
        """
STUDYID | Study Identifier | Char | Req | Protocol
RDOMAIN | Related Domain Abbreviation | Char | Req | Assigned
USUBJID | Unique Subject Identifier | Char | Req | Assigned
IDVAR | Identifying Variable | Char | Exp | Assigned
IDVARVAL | Identifying Variable Value | Char | Exp | Assigned
QNAM | Qualifier Variable Name | Char | Req | Assigned
QLABEL | Qualifier Variable Label | Char | Req | Assigned
QVAL | Data Value | Char | Req | Collected
QORIG | Origin | Char | Req | Assigned
QEVAL | Evaluator | Char | Exp | Assigned
""",
        parent=parent,
        comment=COMMENTS["SUPP"],
    )


DOMAINS: dict[str, Domain] = {
    d.code: d
    for d in [
        _domain(
            "TS",
            "Trial Summary",
            "TRIAL DESIGN",
            "One record per trial summary parameter value",
            "STUDYID TSPARMCD TSSEQ",
            """
STUDYID | Study Identifier | Char | Req | Protocol
DOMAIN | Domain Abbreviation | Char | Req | Assigned
TSSEQ | Sequence Number | Num | Req | Assigned
TSPARMCD | Trial Summary Parameter Short Name | Char | Req | Assigned | TSPARMCD
TSPARM | Trial Summary Parameter | Char | Req | Assigned
TSVAL | Parameter Value | Char | Exp | Protocol
TSVAL1 | Parameter Value 1 | Char | Perm | Protocol
TSVAL2 | Parameter Value 2 | Char | Perm | Protocol
TSVALNF | Parameter Null Flavor | Char | Perm | Assigned
""",
        ),
        _domain(
            "TA",
            "Trial Arms",
            "TRIAL DESIGN",
            "One record per planned Element per Arm",
            "STUDYID ARMCD TAETORD",
            """
STUDYID | Study Identifier | Char | Req | Protocol
DOMAIN | Domain Abbreviation | Char | Req | Assigned
ARMCD | Planned Arm Code | Char | Req | Protocol
ARM | Description of Planned Arm | Char | Req | Protocol
TAETORD | Planned Order of Element within Arm | Num | Req | Protocol
ETCD | Element Code | Char | Req | Protocol
ELEMENT | Description of Element | Char | Perm | Protocol
TABRANCH | Branch | Char | Exp | Protocol
TATRANS | Transition Rule | Char | Exp | Protocol
EPOCH | Epoch | Char | Req | Protocol | EPOCH
""",
        ),
        _domain(
            "TE",
            "Trial Elements",
            "TRIAL DESIGN",
            "One record per planned Element",
            "STUDYID ETCD",
            """
STUDYID | Study Identifier | Char | Req | Protocol
DOMAIN | Domain Abbreviation | Char | Req | Assigned
ETCD | Element Code | Char | Req | Protocol
ELEMENT | Description of Element | Char | Req | Protocol
TESTRL | Rule for Start of Element | Char | Req | Protocol
TEENRL | Rule for End of Element | Char | Perm | Protocol
TEDUR | Planned Duration of Element | Char | Perm | Protocol
""",
        ),
        _domain(
            "TV",
            "Trial Visits",
            "TRIAL DESIGN",
            "One record per planned Visit per Arm",
            "STUDYID VISITNUM",
            """
STUDYID | Study Identifier | Char | Req | Protocol
DOMAIN | Domain Abbreviation | Char | Req | Assigned
VISITNUM | Visit Number | Num | Req | Protocol
VISIT | Visit Name | Char | Perm | Protocol
VISITDY | Planned Study Day of Visit | Num | Perm | Derived | | VISITDY
ARMCD | Planned Arm Code | Char | Exp | Protocol
TVSTRL | Visit Start Rule | Char | Req | Protocol
TVENRL | Visit End Rule | Char | Perm | Protocol
""",
        ),
        _domain(
            "TI",
            "Trial Inclusion/Exclusion Criteria",
            "TRIAL DESIGN",
            "One record per I/E criterion",
            "STUDYID IETESTCD",
            """
STUDYID | Study Identifier | Char | Req | Protocol
DOMAIN | Domain Abbreviation | Char | Req | Assigned
IETESTCD | Incl/Excl Criterion Short Name | Char | Req | Protocol
IETEST | Inclusion/Exclusion Criterion | Char | Req | Protocol
IECAT | Inclusion/Exclusion Category | Char | Req | Protocol | IECAT
TIVERS | Protocol Criteria Versions | Char | Perm | Protocol
""",
            comment=COMMENTS["TI"],
        ),
        _domain(
            "DM",
            "Demographics",
            "SPECIAL PURPOSE",
            "One record per subject",
            "STUDYID USUBJID",
            _ID
            + """
SUBJID | Subject Identifier for the Study | Char | Req | Assigned
RFSTDTC | Subject Reference Start Date/Time | Char | Exp | Derived | | RFSTDTC
RFENDTC | Subject Reference End Date/Time | Char | Exp | Derived | | RFENDTC
RFXSTDTC | Date/Time of First Study Treatment | Char | Exp | Derived | | RFSTDTC
RFXENDTC | Date/Time of Last Study Treatment | Char | Exp | Derived | | RFXENDTC
RFICDTC | Date/Time of Informed Consent | Char | Exp | Collected
RFPENDTC | Date/Time of End of Participation | Char | Exp | Derived | | RFENDTC
DTHDTC | Date/Time of Death | Char | Exp | Collected
DTHFL | Subject Death Flag | Char | Exp | Derived | NY
SITEID | Study Site Identifier | Char | Req | Assigned
BRTHDTC | Date/Time of Birth | Char | Perm | Collected
AGE | Age | Num | Exp | Derived | | AGE
AGEU | Age Units | Char | Exp | Assigned | AGEU
SEX | Sex | Char | Req | Collected | SEX
ARMCD | Planned Arm Code | Char | Exp | Assigned
ARM | Description of Planned Arm | Char | Exp | Assigned
ACTARMCD | Actual Arm Code | Char | Exp | Derived
ACTARM | Description of Actual Arm | Char | Exp | Derived
ARMNRS | Reason Arm and/or Actual Arm is Null | Char | Exp | Derived | ARMNULRS | ARMNRS
COUNTRY | Country | Char | Req | Assigned
""",
        ),
        _domain(
            "SE",
            "Subject Elements",
            "SPECIAL PURPOSE",
            "One record per actual Element per subject",
            "STUDYID USUBJID ETCD SESTDTC",
            _ID
            + """
SESEQ | Sequence Number | Num | Req | Derived | | SEQ
ETCD | Element Code | Char | Req | Derived | | SE
ELEMENT | Description of Element | Char | Perm | Derived
TAETORD | Planned Order of Element within Arm | Num | Exp | Derived
EPOCH | Epoch | Char | Exp | Derived | EPOCH
SESTDTC | Start Date/Time of Element | Char | Req | Derived | | SE
SEENDTC | End Date/Time of Element | Char | Exp | Derived | | SE
SESTDY | Study Day of Start of Element | Num | Perm | Derived | | DY
SEENDY | Study Day of End of Element | Num | Perm | Derived | | DY
""",
        ),
        _domain(
            "SV",
            "Subject Visits",
            "SPECIAL PURPOSE",
            "One record per subject per actual visit",
            "STUDYID USUBJID VISITNUM",
            _ID
            + """
VISITNUM | Visit Number | Num | Req | Assigned
VISIT | Visit Name | Char | Perm | Assigned
EPOCH | Epoch | Char | Perm | Derived | EPOCH | EPOCH
SVSTDTC | Start Date/Time of Observation | Char | Exp | Collected
SVENDTC | End Date/Time of Observation | Char | Exp | Collected
SVSTDY | Study Day of Start of Observation | Num | Perm | Derived | | DY
SVENDY | Study Day of End of Observation | Num | Perm | Derived | | DY
""",
        ),
        _domain(
            "IE",
            "Inclusion/Exclusion Criteria Not Met",
            "FINDINGS",
            "One record per inclusion/exclusion criterion not met per subject",
            "STUDYID USUBJID IETESTCD",
            _ID
            + """
IESEQ | Sequence Number | Num | Req | Derived | | SEQ
IETESTCD | Inclusion/Exclusion Criterion Short Name | Char | Req | Assigned
IETEST | Inclusion/Exclusion Criterion | Char | Req | Assigned
IECAT | Inclusion/Exclusion Category | Char | Req | Assigned | IECAT
IEORRES | I/E Criterion Original Result | Char | Req | Collected | NY
IESTRESC | I/E Criterion Result in Std Format | Char | Req | Derived | NY
EPOCH | Epoch | Char | Perm | Derived | EPOCH | EPOCH
IEDTC | Date/Time of Collection | Char | Perm | Collected
IEDY | Study Day of Collection | Num | Perm | Derived | | DY
""",
        ),
        _domain(
            "MH",
            "Medical History",
            "EVENTS",
            "One record per medical history event per subject",
            "STUDYID USUBJID MHTERM MHSTDTC",
            _ID
            + """
MHSEQ | Sequence Number | Num | Req | Derived | | SEQ
MHTERM | Reported Term for the Medical History | Char | Req | Collected
MHCAT | Category for Medical History | Char | Perm | Assigned
MHSTDTC | Start Date/Time of Medical History Event | Char | Perm | Collected
""",
        ),
        _domain(
            "CM",
            "Concomitant/Prior Medications",
            "INTERVENTIONS",
            "One record per recorded intervention occurrence or constant-dosing interval per subject",
            "STUDYID USUBJID CMTRT CMSTDTC",
            _ID
            + """
CMSEQ | Sequence Number | Num | Req | Derived | | SEQ
CMTRT | Reported Name of Drug, Med, or Therapy | Char | Req | Collected
CMCAT | Category for Medication | Char | Perm | Collected
CMINDC | Indication | Char | Perm | Collected
CMDOSE | Dose per Administration | Num | Perm | Collected
CMDOSU | Dose Units | Char | Perm | Collected
CMDOSFRQ | Dosing Frequency per Interval | Char | Perm | Collected
CMROUTE | Route of Administration | Char | Perm | Collected | ROUTE
EPOCH | Epoch | Char | Perm | Derived | EPOCH | EPOCH
CMSTDTC | Start Date/Time of Medication | Char | Perm | Collected
CMENDTC | End Date/Time of Medication | Char | Perm | Collected
CMSTDY | Study Day of Start of Medication | Num | Perm | Derived | | DY
CMENDY | Study Day of End of Medication | Num | Perm | Derived | | DY
CMENRF | End Relative to Reference Period | Char | Perm | Derived
""",
        ),
        _domain(
            "EX",
            "Exposure",
            "INTERVENTIONS",
            "One record per constant dosing interval per subject",
            "STUDYID USUBJID EXTRT EXSTDTC",
            _ID
            + """
EXSEQ | Sequence Number | Num | Req | Derived | | SEQ
EXTRT | Name of Treatment | Char | Req | Protocol
EXDOSE | Dose | Num | Exp | Collected
EXDOSU | Dose Units | Char | Exp | Assigned
EXDOSFRM | Dose Form | Char | Exp | Assigned | FRM
EXROUTE | Route of Administration | Char | Perm | Assigned | ROUTE
EXADJ | Reason for Dose Adjustment | Char | Perm | Derived
VISITNUM | Visit Number | Num | Perm | Derived | | VISIT
VISIT | Visit Name | Char | Perm | Derived | | VISIT
EPOCH | Epoch | Char | Perm | Derived | EPOCH | EPOCH
EXSTDTC | Start Date/Time of Treatment | Char | Exp | Collected
EXENDTC | End Date/Time of Treatment | Char | Exp | Derived | | EXENDTC
EXSTDY | Study Day of Start of Treatment | Num | Perm | Derived | | DY
EXENDY | Study Day of End of Treatment | Num | Perm | Derived | | DY
""",
        ),
        _domain(
            "AE",
            "Adverse Events",
            "EVENTS",
            "One record per adverse event per subject",
            "STUDYID USUBJID AEDECOD AESTDTC",
            _ID
            + """
AESEQ | Sequence Number | Num | Req | Derived | | SEQ
AESPID | Sponsor-Defined Identifier | Char | Perm | Assigned
AETERM | Reported Term for the Adverse Event | Char | Req | Collected
AELLT | Lowest Level Term | Char | Exp | Derived | | DECOD
AELLTCD | Lowest Level Term Code | Num | Exp | Derived | | DECOD
AEDECOD | Dictionary-Derived Term | Char | Req | Derived | | DECOD
AEBODSYS | Body System or Organ Class | Char | Exp | Derived | | BODSYS
AESOC | Primary System Organ Class | Char | Exp | Derived | | BODSYS
AESER | Serious Event | Char | Exp | Collected | NY
AEACN | Action Taken with Study Treatment | Char | Exp | Collected | ACN
AEACNOTH | Other Action Taken | Char | Perm | Collected
AEREL | Causality | Char | Exp | Collected | AEREL
AEOUT | Outcome of Adverse Event | Char | Perm | Collected | OUT
AESCONG | Congenital Anomaly or Birth Defect | Char | Perm | Collected | NY
AESDISAB | Persist or Signif Disability/Incapacity | Char | Perm | Collected | NY
AESDTH | Results in Death | Char | Perm | Collected | NY
AESHOSP | Requires or Prolongs Hospitalization | Char | Perm | Collected | NY
AESLIFE | Is Life Threatening | Char | Perm | Collected | NY
AESMIE | Other Medically Important Serious Event | Char | Perm | Collected | NY
AETOXGR | Standard Toxicity Grade | Char | Perm | Derived | TOXGR | AETOXGR
EPOCH | Epoch | Char | Perm | Derived | EPOCH | EPOCH
AESTDTC | Start Date/Time of Adverse Event | Char | Exp | Collected
AEENDTC | End Date/Time of Adverse Event | Char | Exp | Collected
AESTDY | Study Day of Start of Adverse Event | Num | Perm | Derived | | DY
AEENDY | Study Day of End of Adverse Event | Num | Perm | Derived | | DY
""",
            comment=COMMENTS["AE"],
        ),
        _domain(
            "DS",
            "Disposition",
            "EVENTS",
            "One record per disposition status or protocol milestone per subject",
            "STUDYID USUBJID DSDECOD DSSTDTC",
            _ID
            + """
DSSEQ | Sequence Number | Num | Req | Derived | | SEQ
DSTERM | Reported Term for the Disposition Event | Char | Req | Collected
DSDECOD | Standardized Disposition Term | Char | Req | Derived
DSCAT | Category for Disposition Event | Char | Exp | Assigned | DSCAT
EPOCH | Epoch | Char | Perm | Derived | EPOCH | EPOCH
DSSTDTC | Start Date/Time of Disposition Event | Char | Exp | Collected
DSSTDY | Study Day of Start of Disposition Event | Num | Perm | Derived | | DY
""",
            comment=COMMENTS["DS"],
        ),
        _domain(
            "DV",
            "Protocol Deviations",
            "EVENTS",
            "One record per protocol deviation per subject",
            "STUDYID USUBJID DVTERM DVSTDTC",
            _ID
            + """
DVSEQ | Sequence Number | Num | Req | Derived | | SEQ
DVTERM | Protocol Deviation Term | Char | Req | Collected
DVDECOD | Protocol Deviation Coded Term | Char | Perm | Derived
DVCAT | Category for Protocol Deviation | Char | Perm | Collected
DVSCAT | Subcategory for Protocol Deviation | Char | Perm | Collected
EPOCH | Epoch | Char | Perm | Derived | EPOCH | EPOCH
DVSTDTC | Start Date/Time of Deviation | Char | Perm | Collected
DVSTDY | Study Day of Start of Deviation | Num | Perm | Derived | | DY
""",
        ),
        _domain(
            "LB",
            "Laboratory Test Results",
            "FINDINGS",
            "One record per lab test per time point per visit per subject",
            "STUDYID USUBJID LBTESTCD LBDTC",
            _ID
            + """
LBSEQ | Sequence Number | Num | Req | Derived | | SEQ
LBTESTCD | Lab Test or Examination Short Name | Char | Req | Assigned | LBTESTCD
LBTEST | Lab Test or Examination Name | Char | Req | Assigned
LBCAT | Category for Lab Test | Char | Exp | Assigned
LBORRES | Result or Finding in Original Units | Char | Exp | Collected
LBORRESU | Original Units | Char | Exp | Collected
LBORNRLO | Reference Range Lower Limit in Orig Unit | Char | Exp | Collected
LBORNRHI | Reference Range Upper Limit in Orig Unit | Char | Exp | Collected
LBSTRESC | Character Result/Finding in Std Format | Char | Exp | Derived | | STRES
LBSTRESN | Numeric Result/Finding in Standard Units | Num | Exp | Derived | | STRES
LBSTRESU | Standard Units | Char | Exp | Assigned
LBSTNRLO | Reference Range Lower Limit-Std Units | Num | Exp | Derived | | STRES
LBSTNRHI | Reference Range Upper Limit-Std Units | Num | Exp | Derived | | STRES
LBNRIND | Reference Range Indicator | Char | Exp | Derived | NRIND | NRIND
LBSPEC | Specimen Type | Char | Perm | Assigned | SPECTYPE
LBTOXGR | Standard Toxicity Grade | Char | Perm | Derived | TOXGR | TOXGR
VISITNUM | Visit Number | Num | Exp | Derived | | VISIT
VISIT | Visit Name | Char | Perm | Derived | | VISIT
EPOCH | Epoch | Char | Perm | Derived | EPOCH | EPOCH
LBDTC | Date/Time of Specimen Collection | Char | Exp | Collected
LBDY | Study Day of Specimen Collection | Num | Perm | Derived | | DY
""",
            value_level="LBTESTCD",
        ),
        _domain(
            "FA",
            "Findings About Events or Interventions",
            "FINDINGS ABOUT",
            "One record per finding, per object, per time point, per visit per subject",
            "STUDYID USUBJID FAOBJ FATESTCD FAGRPID",
            _ID
            + """
FASEQ | Sequence Number | Num | Req | Derived | | SEQ
FAGRPID | Group ID | Char | Perm | Assigned
FATESTCD | Findings About Test Short Name | Char | Req | Assigned | FATESTCD
FATEST | Findings About Test Name | Char | Req | Assigned
FAOBJ | Object of the Observation | Char | Req | Assigned
FACAT | Category for Findings About | Char | Perm | Assigned
FAORRES | Result or Finding in Original Units | Char | Exp | Collected
FAORRESU | Original Units | Char | Perm | Assigned
FASTRESC | Character Result/Finding in Std Format | Char | Exp | Derived
FASTRESN | Numeric Result/Finding in Standard Units | Num | Perm | Derived
FASTRESU | Standard Units | Char | Perm | Assigned
EPOCH | Epoch | Char | Perm | Derived | EPOCH | EPOCH
FADTC | Date/Time of Collection | Char | Perm | Collected
FADY | Study Day of Collection | Num | Perm | Derived | | DY
""",
            comment=COMMENTS["FA"],
            value_level="FATESTCD",
        ),
        _domain(
            "RS",
            "Disease Response and Clin Classification",
            "FINDINGS",
            "One record per response assessment per evaluator per subject",
            "STUDYID USUBJID RSTESTCD RSEVAL RSDTC",
            _ID
            + """
RSSEQ | Sequence Number | Num | Req | Derived | | SEQ
RSTESTCD | Assessment Short Name | Char | Req | Assigned
RSTEST | Assessment Name | Char | Req | Assigned
RSCAT | Category for Assessment | Char | Exp | Assigned
RSORRES | Result or Finding in Original Units | Char | Exp | Collected
RSSTRESC | Character Result/Finding in Std Format | Char | Exp | Derived
RSEVAL | Evaluator | Char | Perm | Assigned
VISITNUM | Visit Number | Num | Exp | Derived | | VISIT
VISIT | Visit Name | Char | Perm | Derived | | VISIT
EPOCH | Epoch | Char | Perm | Derived | EPOCH | EPOCH
RSDTC | Date/Time of Assessment | Char | Exp | Collected
RSDY | Study Day of Assessment | Num | Perm | Derived | | DY
""",
        ),
        _domain(
            "RELREC",
            "Related Records",
            "RELATIONSHIP",
            "One record per related record, group of records or dataset",
            "STUDYID RDOMAIN USUBJID IDVAR IDVARVAL RELID",
            """
STUDYID | Study Identifier | Char | Req | Protocol
RDOMAIN | Related Domain Abbreviation | Char | Req | Assigned
USUBJID | Unique Subject Identifier | Char | Exp | Assigned
IDVAR | Identifying Variable | Char | Req | Assigned
IDVARVAL | Identifying Variable Value | Char | Exp | Assigned
RELTYPE | Relationship Type | Char | Exp | Assigned | RELTYPE
RELID | Relationship Identifier | Char | Req | Assigned
""",
        ),
        _supp("AE"),
        _supp("CM"),
        _supp("DS"),
        _supp("DV"),
        _supp("MH"),
    ]
}

# value-level metadata: TESTCD -> (unit, data type, origin, method key)
VALUE_LEVEL = {
    "LB": dict.fromkeys(
        ("ALT", "AST", "BILI", "CREAT", "HGB", "NEUT", "PLAT"), ("", "float", "Collected", "")
    ),
    "FA": {
        "MAXTEMP": ("C", "float", "Collected", ""),
        "HYPOTEN": ("", "text", "Collected", ""),
        "VASOPNUM": ("", "integer", "Collected", ""),
        "VASOPRSN": ("", "text", "Collected", ""),
        "OXYDEV": ("", "text", "Collected", ""),
        "OXYFLOW": ("L/min", "float", "Collected", ""),
        "FEVMASK": ("", "text", "Collected", ""),
        "CRSDEATH": ("", "text", "Collected", ""),
        "CRSGR": ("", "integer", "Derived", "CRSGR"),
        "ICESCORE": ("", "integer", "Collected", ""),
        "CAPDSCR": ("", "integer", "Collected", ""),
        "UNABLE": ("", "text", "Collected", ""),
        "CONSC": ("", "text", "Collected", ""),
        "SEIZURE": ("", "text", "Collected", ""),
        "MOTORWK": ("", "text", "Collected", ""),
        "CEREDEMA": ("", "text", "Collected", ""),
        "ICADEATH": ("", "text", "Collected", ""),
        "ICANSGR": ("", "integer", "Derived", "ICANSGR"),
        "DLTSTAT": ("", "text", "Derived", "DLTSTAT"),
        "DLTGR": ("", "integer", "Collected", ""),
        "DLTREPL": ("", "text", "Derived", "DLTSTAT"),
    },
}

# SUPPAE qualifiers SDTMIG has no standard variable for
SUPPAE_QUALIFIERS = {
    "AERELLD": ("Relationship to Lymphodepletion", "CRF"),
    "AEDLT": ("Dose-Limiting Toxicity", "DERIVED"),
    "AEDLTCL": ("DLT Clause Met", "DERIVED"),
    "AESAEAW": ("Date/Time Site Aware of SAE", "CRF"),
}


@dataclass
class Widths:
    """The longest value written per (domain, variable): define.xml's Length."""

    seen: dict[tuple[str, str], int] = field(default_factory=dict)

    def see(self, domain: str, name: str, width: int) -> None:
        key = (domain, name)
        self.seen[key] = max(self.seen.get(key, 1), width)

    def of(self, domain: str, name: str) -> int:
        return self.seen.get((domain, name), 1)
