from datetime import UTC, datetime, timedelta

import pytest


@pytest.fixture
def infused(eligible, first_cohort, enroll, infuse, clock):
    """An enrolled subject infused on 1 April 2026 at 09:00 UTC (day 0); the clock stands there."""
    subject = eligible()
    enrollment = enroll(subject, first_cohort)
    infuse(enrollment, when=datetime(2026, 4, 1, 9, 0, tzinfo=UTC))
    subject.refresh_from_db()
    return subject


def at(day: int, hour: int = 8) -> datetime:
    """A time on study day `day` (day 0 = 1 April 2026)."""
    return datetime(2026, 4, 1, hour, 0, tzinfo=UTC) + timedelta(days=day)
