"""Demo subjects at different stages of screening (loaded by `manage.py seed_demo`)."""

from datetime import date
from decimal import Decimal

from . import services
from .models import Subject
from .rules import EXCLUSION_CODES

NO_EXCLUSION = {code.lower(): False for code in EXCLUSION_CODES}
ALL_MET = {
    "i2": True,
    "i3": False,
    "i4": True,
    "i6": True,
    "i8": True,
    "i9": True,
    "i10": True,
    "i11": True,
    "i13": True,
    **NO_EXCLUSION,
}
NORMAL_ORGANS = {
    "ecog": 1,
    "cardiac_function_grade": 1,
    "tbil": Decimal("12"),
    "tbil_uln": Decimal("21"),
    "ast": Decimal("35"),
    "ast_uln": Decimal("40"),
    "alt": Decimal("28"),
    "alt_uln": Decimal("40"),
    "creatinine": Decimal("68"),
    "creatinine_uln": Decimal("97"),
}


def _consent(user, subject, consent_date, **extra):
    services.consent_save(
        user=user,
        data={
            "subject": subject,
            "form_version": "1.0",
            "form_version_date": date(2026, 6, 1),
            "consent_date": consent_date,
            "signed_by": "patient",
            "obtained_by": user,
            **extra,
        },
    )


def seed_demo(*, context: dict) -> list[str]:
    site = context["site"]
    if Subject.objects.filter(site=site, is_demo=True).exists():
        return []
    nurse, investigator = context["users"]["coordinator"], context["users"]["investigator"]

    def register(date_of_birth, sex):
        return services.subject_save(
            user=nurse,
            data={"site": site, "date_of_birth": date_of_birth, "sex": sex},
            is_demo=True,
        )

    # 1. eligible, confirmed by the investigator
    eligible = register(date(1968, 4, 12), "M")
    _consent(nurse, eligible, date(2026, 10, 1))
    assessment = services.eligibility_assessment_save(
        user=nurse,
        data={
            "subject": eligible,
            "assessment_date": date(2026, 10, 5),
            **NORMAL_ORGANS,
            "childbearing_potential": False,
            "nkg2d_ligand_positive_pct": Decimal("62.5"),
            "nkg2d_test_date": date(2026, 10, 3),
            **ALL_MET,
        },
    )
    services.eligibility_confirm(user=investigator, assessment=assessment)

    # 2. screen failed: ALT above 2.5 x ULN (I7) and steroids within 14 days (E13)
    failed = register(date(1957, 9, 30), "F")
    _consent(nurse, failed, date(2026, 10, 8))
    assessment = services.eligibility_assessment_save(
        user=nurse,
        data={
            "subject": failed,
            "assessment_date": date(2026, 10, 12),
            **NORMAL_ORGANS,
            "alt": Decimal("124"),
            "childbearing_potential": False,
            **ALL_MET,
            "e13": True,
        },
    )
    services.eligibility_confirm(user=investigator, assessment=assessment)

    # 3. in screening: infection work-up and pregnancy test still pending
    pending = register(date(1991, 2, 3), "F")
    _consent(nurse, pending, date(2026, 11, 2))
    services.eligibility_assessment_save(
        user=nurse,
        data={
            "subject": pending,
            "assessment_date": date(2026, 11, 4),
            **NORMAL_ORGANS,
            "childbearing_potential": True,
            **ALL_MET,
            "e7": None,
        },
    )

    # 4. a 12-year-old: consent by a parent with the child's assent, screening not started
    child = register(date(2014, 7, 21), "M")
    _consent(
        nurse,
        child,
        date(2026, 11, 10),
        signed_by="representative",
        representative_relationship="mother",
        assent_obtained=True,
    )
    return ["4 demo subjects (eligible, screen failed, in screening, consented minor)"]
