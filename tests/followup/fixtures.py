import pytest

from followup import services

SCHEDULE = [
    ("D0", "Infusion", 0, 0, 0, ["visit"]),
    ("D7", "Day 7", 7, 0, 0, ["visit", "labs"]),
    ("D28", "Day 28", 28, 3, 3, ["visit", "response"]),
    ("M2", "Month 2", 60, 7, 7, ["visit", "response"]),
]


@pytest.fixture
def schedule(study, data_manager_a):
    return {
        code: services.visit_definition_save(
            user=data_manager_a,
            data={
                "study": study,
                "code": code,
                "label": label,
                "target_day": day,
                "window_before": before,
                "window_after": after,
                "expected_crfs": crfs,
                "order": order,
            },
        )
        for order, (code, label, day, before, after, crfs) in enumerate(SCHEDULE, start=1)
    }
