from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from dosing import services
from dosing.models import Cohort
from screening import services as screening
from tests.screening.fixtures import ELIGIBLE_INPUTS

START = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock(time_machine):
    """Tests run on a fixed calendar: 1 April 2026, 09:00 UTC, and move it forward."""
    time_machine.move_to(START, tick=False)

    class Clock:
        def today(self) -> date:
            return datetime.now(UTC).date()

        def days(self, n: int) -> None:
            time_machine.move_to(datetime.now(UTC) + timedelta(days=n), tick=False)

    return Clock()


@pytest.fixture
def eligible(clock, coordinator_a, investigator_a, site_a):
    """A function making a consented, eligible and confirmed subject at site A."""

    def make(site=site_a, user=coordinator_a, investigator=investigator_a):
        subject = screening.subject_save(
            user=user, data={"site": site, "date_of_birth": date(1975, 1, 1), "sex": "M"}
        )
        screening.consent_save(
            user=user,
            data={
                "subject": subject,
                "form_version": "1.0",
                "form_version_date": date(2026, 1, 1),
                "consent_date": date(2026, 3, 20),
                "signed_by": "patient",
                "obtained_by": user,
            },
        )
        assessment = screening.eligibility_assessment_save(
            user=user,
            data={"subject": subject, **ELIGIBLE_INPUTS, "assessment_date": date(2026, 3, 25)},
        )
        screening.eligibility_confirm(user=investigator, assessment=assessment)
        subject.refresh_from_db()
        return subject

    return make


@pytest.fixture
def first_cohort(study, dose_levels, data_manager_a):
    return services.cohort_open_first(
        user=data_manager_a, data={"study": study, "dose_level": dose_levels[0]}
    )


@pytest.fixture
def infuse(coordinator_a):
    def _infuse(enrollment, *, actual=None, when=None, user=coordinator_a):
        planned = enrollment.cohort.dose_level.cells_per_kg_million
        return services.infusion_save(
            user=user,
            data={
                "enrollment": enrollment,
                "started_at": when or datetime.now(UTC),
                "actual_cells_per_kg_million": Decimal(actual) if actual is not None else planned,
            },
        )

    return _infuse


@pytest.fixture
def enroll(coordinator_a):
    def _enroll(subject, cohort: Cohort, *, user=coordinator_a, **extra):
        return services.enrollment_create(
            user=user, data={"subject": subject, "cohort": cohort, **extra}
        )

    return _enroll
