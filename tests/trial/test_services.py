from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from trial import services
from trial.models import DoseLevel, Site, User

pytestmark = pytest.mark.django_db


def _level(user, study, number=1, **extra):
    data = {
        "study": study,
        "number": number,
        "label": f"level {number}",
        "cells_per_kg_million": Decimal(2 * number),
        **extra,
    }
    return services.dose_level_save(user=user, data=data)


def test_changing_a_dose_level_records_who_and_why_in_history(study, data_manager_a):
    level = _level(data_manager_a, study, is_placeholder=True)

    services.dose_level_save(
        user=data_manager_a,
        instance=level,
        data={"cells_per_kg_million": Decimal("2.5"), "is_placeholder": False},
        reason="Dose confirmed against protocol v1.2",
    )

    (update, create) = level.history.all()
    assert (create.history_type, create.history_user, create.history_change_reason) == (
        "+",
        data_manager_a,
        None,
    )
    assert (update.history_type, update.history_user) == ("~", data_manager_a)
    assert update.history_change_reason == "Dose confirmed against protocol v1.2"
    assert (create.cells_per_kg_million, update.cells_per_kg_million) == (
        Decimal("2"),
        Decimal("2.5"),
    )
    assert (create.version, update.version) == (1, 2)
    delta = update.diff_against(create)
    assert sorted(delta.changed_fields) == ["cells_per_kg_million", "is_placeholder"]


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_a_change_without_a_reason_is_rejected_and_writes_nothing(study, data_manager_a, reason):
    level = _level(data_manager_a, study)

    with pytest.raises(ValidationError) as excinfo:
        services.dose_level_save(
            user=data_manager_a, instance=level, data={"label": "renamed"}, reason=reason
        )

    assert excinfo.value.message_dict == {
        "change_reason": ["A reason for change is required when a saved record is changed."]
    }
    level.refresh_from_db()
    assert level.label == "level 1"
    assert level.history.count() == 1


def test_creating_needs_no_reason(study, data_manager_a):
    site = services.site_save(
        user=data_manager_a, data={"study": study, "code": "07", "name": "Ningbo"}
    )
    (create,) = site.history.all()
    assert (create.history_user, create.history_change_reason, create.code) == (
        data_manager_a,
        None,
        "07",
    )


def test_model_validation_runs_in_the_service_and_rolls_back(study, data_manager_a):
    with pytest.raises(ValidationError) as excinfo:
        services.site_save(
            user=data_manager_a, data={"study": study, "code": "1", "name": "Bad code"}
        )
    assert list(excinfo.value.message_dict) == ["code"]
    assert not Site.objects.filter(name="Bad code").exists()
    assert Site.history.filter(name="Bad code").count() == 0


def test_study_age_limits_must_be_ordered(study, data_manager_a):
    with pytest.raises(ValidationError) as excinfo:
        services.study_save(
            user=data_manager_a, instance=study, data={"min_age_years": 76}, reason="typo test"
        )
    assert "Constraint “study_age_limits_ordered” is violated." in excinfo.value.messages
    study.refresh_from_db()
    assert study.min_age_years == 3


def test_dose_levels_are_numbered_without_gaps(study, data_manager_a):
    _level(data_manager_a, study, 1)
    with pytest.raises(ValidationError) as excinfo:
        _level(data_manager_a, study, 3)
    assert excinfo.value.message_dict == {
        "number": ["Dose levels are numbered 1..K without gaps: the next is 2."]
    }
    assert list(DoseLevel.objects.values_list("number", flat=True)) == [1]


def test_a_dose_number_cannot_be_edited(study, data_manager_a):
    level = _level(data_manager_a, study, 1)
    with pytest.raises(ValidationError) as excinfo:
        services.dose_level_save(
            user=data_manager_a, instance=level, data={"number": 2}, reason="x"
        )
    assert list(excinfo.value.message_dict) == ["number"]


def test_two_active_levels_cannot_share_a_number(study, data_manager_a):
    _level(data_manager_a, study, 1)
    with pytest.raises(ValidationError) as excinfo:
        _level(data_manager_a, study, 1)
    assert "Constraint “dose_level_number_unique_in_study” is violated." in excinfo.value.messages


def test_voiding_keeps_the_record_and_records_why(study, data_manager_a):
    level = _level(data_manager_a, study, 1)

    services.dose_level_void(user=data_manager_a, instance=level, reason="Entered twice")

    level.refresh_from_db()
    assert (level.is_voided, level.void_reason) == (True, "Entered twice")
    assert level.voided_at is not None
    (void, create) = level.history.all()
    assert (void.history_type, void.is_voided, void.history_change_reason) == (
        "~",
        True,
        "Voided: Entered twice",
    )
    assert void.history_user == data_manager_a
    assert (create.history_type, create.is_voided) == ("+", False)
    # the number is free again for a corrected entry
    assert _level(data_manager_a, study, 1).number == 1


def test_only_the_highest_dose_level_can_be_voided(study, data_manager_a):
    first, _second = _level(data_manager_a, study, 1), _level(data_manager_a, study, 2)
    with pytest.raises(ValidationError):
        services.dose_level_void(user=data_manager_a, instance=first, reason="wrong")
    first.refresh_from_db()
    assert first.is_voided is False


def test_voiding_needs_a_reason(study, data_manager_a):
    level = _level(data_manager_a, study, 1)
    with pytest.raises(ValidationError) as excinfo:
        services.dose_level_void(user=data_manager_a, instance=level, reason=" ")
    assert list(excinfo.value.message_dict) == ["reason"]
    assert level.history.count() == 1


def test_granting_a_revoked_role_reactivates_it(site_a, data_manager_a):
    nurse = User.objects.create(username="nurse")
    role = services.site_role_grant(
        user=data_manager_a, member=nurse, site=site_a, role="coordinator"
    )
    services.site_role_save(
        user=data_manager_a, instance=role, data={"is_active": False}, reason="Left the unit"
    )

    again = services.site_role_grant(
        user=data_manager_a, member=nurse, site=site_a, role="coordinator"
    )

    assert again.pk == role.pk and again.is_active
    assert [h.history_change_reason for h in role.history.all()] == [
        "Role granted again",
        "Left the unit",
        None,
    ]
