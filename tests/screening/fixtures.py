from datetime import date
from decimal import Decimal

import pytest

from screening import services
from screening.rules import EXCLUSION_CODES

CONSENTED = date(2026, 3, 2)
ASSESSED = date(2026, 3, 10)

ALL_ANSWERS_MET = {
    "i2": True,
    "i3": False,
    "i4": True,
    "i6": True,
    "i8": True,
    "i9": True,
    "i10": True,
    "i11": True,
    "i13": True,
    **{code.lower(): False for code in EXCLUSION_CODES},
}
ELIGIBLE_INPUTS = {
    "assessment_date": ASSESSED,
    "ecog": 1,
    "cardiac_function_grade": 1,
    "tbil": Decimal("10"),
    "tbil_uln": Decimal("21"),
    "ast": Decimal("30"),
    "ast_uln": Decimal("40"),
    "alt": Decimal("30"),
    "alt_uln": Decimal("40"),
    "creatinine": Decimal("70"),
    "creatinine_uln": Decimal("100"),
    "childbearing_potential": False,
    **ALL_ANSWERS_MET,
}


@pytest.fixture
def register(coordinator_a, site_a):
    def _register(*, site=site_a, user=coordinator_a, date_of_birth=date(1980, 5, 17), sex="F"):
        return services.subject_save(
            user=user, data={"site": site, "date_of_birth": date_of_birth, "sex": sex}
        )

    return _register


@pytest.fixture
def consent(coordinator_a):
    def _consent(subject, *, consent_date=CONSENTED, user=coordinator_a, **extra):
        data = {
            "subject": subject,
            "form_version": "1.0",
            "form_version_date": date(2025, 12, 1),
            "consent_date": consent_date,
            "signed_by": "patient",
            "obtained_by": user,
            **extra,
        }
        return services.consent_save(user=user, data=data)

    return _consent


@pytest.fixture
def consented_subject(register, consent):
    subject = register()
    consent(subject)
    return subject


@pytest.fixture
def assess(coordinator_a):
    def _assess(subject, *, user=coordinator_a, **changes):
        return services.eligibility_assessment_save(
            user=user, data={"subject": subject, **ELIGIBLE_INPUTS, **changes}
        )

    return _assess
