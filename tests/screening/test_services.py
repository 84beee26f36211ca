from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from screening import services
from screening.models import EligibilityAssessment, Subject
from tests.screening.fixtures import ASSESSED, CONSENTED

pytestmark = pytest.mark.django_db


def test_screening_numbers_are_assigned_per_site_and_never_reused(
    register, site_b, coordinator_b, coordinator_a
):
    first, second = register(), register()
    services.subject_void(user=coordinator_a, instance=second, reason="Registered twice")
    third = register()
    other_site = register(site=site_b, user=coordinator_b)

    assert [first.screening_number, second.screening_number, third.screening_number] == [
        "01-S-001",
        "01-S-002",
        "01-S-003",
    ]
    assert other_site.screening_number == "02-S-001"
    (void, create) = second.history.all()
    assert (create.history_user, create.status, create.screening_number) == (
        coordinator_a,
        "screening",
        "01-S-002",
    )
    assert (void.is_voided, void.history_change_reason) == (True, "Voided: Registered twice")


def test_only_staff_of_the_site_register_its_subjects(register, coordinator_b, monitor_a, site_a):
    for outsider in (coordinator_b, monitor_a):
        with pytest.raises(PermissionDenied):
            register(user=outsider)
    assert Subject.objects.count() == 0


@pytest.mark.parametrize(
    ("born", "message"),
    [
        (date(2099, 1, 1), "The date of birth is in the future."),
        (date(1900, 1, 1), "The date of birth gives an age over 120 years."),
    ],
)
def test_implausible_dates_of_birth_are_refused(register, born, message):
    with pytest.raises(ValidationError) as excinfo:
        register(date_of_birth=born)
    assert excinfo.value.message_dict == {"date_of_birth": [message]}
    assert Subject.objects.count() == 0


def test_a_minor_is_consented_by_a_representative_with_assent(register, consent):
    child = register(date_of_birth=date(2018, 6, 1))  # 7 at consent

    with pytest.raises(ValidationError) as excinfo:
        consent(child)
    assert excinfo.value.message_dict == {
        "signed_by": [
            "The patient was 7 at consent: a legally authorized representative signs for a minor."
        ],
        "assent_obtained": ["The patient was 7 at consent: record the minor's assent."],
    }
    with pytest.raises(ValidationError) as excinfo:
        consent(child, signed_by="representative", assent_obtained=True)
    assert list(excinfo.value.message_dict) == ["representative_relationship"]

    ok = consent(
        child,
        signed_by="representative",
        representative_relationship="mother",
        assent_obtained=True,
    )
    assert (ok.signed_by, ok.assent_obtained) == ("representative", True)


def test_assent_is_not_recorded_for_adults(register, consent):
    adult = register()
    with pytest.raises(ValidationError) as excinfo:
        consent(adult, assent_obtained=True)
    assert excinfo.value.message_dict == {
        "assent_obtained": ["Assent is recorded for minors aged 3-17; the patient was 45."]
    }


def test_an_adult_who_cannot_consent_may_sign_through_a_representative(register, consent):
    adult = register()
    record = consent(adult, signed_by="representative", representative_relationship="spouse")
    assert record.signed_by == "representative"


def test_screening_data_dated_before_consent_are_refused(register, consent, assess):
    subject = register()
    with pytest.raises(ValidationError) as excinfo:
        assess(subject)
    assert excinfo.value.message_dict == {
        "assessment_date": ["No consent is recorded: screening starts after consent."]
    }
    consent(subject, consent_date=date(2026, 3, 12))
    with pytest.raises(ValidationError) as excinfo:
        assess(subject, nkg2d_test_date=date(2026, 3, 1))
    assert excinfo.value.message_dict == {
        "assessment_date": ["The assessment date (2026-03-10) is before consent (2026-03-12)."],
        "nkg2d_test_date": [
            "The NKG2D ligand test date (2026-03-01) is before consent (2026-03-12)."
        ],
    }
    assert EligibilityAssessment.objects.count() == 0


def test_a_consent_cannot_be_moved_after_screening_data(consented_subject, assess, coordinator_a):
    assess(consented_subject)
    record = consented_subject.consents.get()
    with pytest.raises(ValidationError) as excinfo:
        services.consent_save(
            user=coordinator_a,
            instance=record,
            data={"consent_date": date(2026, 3, 11)},
            reason="typo",
        )
    assert excinfo.value.message_dict == {
        "consent_date": ["Screening data are dated 2026-03-10, before this consent."]
    }
    record.refresh_from_db()
    assert (record.consent_date, record.history.count()) == (CONSENTED, 1)


def test_the_result_is_computed_and_recomputed_on_edit(consented_subject, assess, coordinator_a):
    assessment = assess(consented_subject, e7=None)
    assert (assessment.eligible, assessment.reasons, assessment.criteria["E7"]) == (None, [], None)
    assert assessment.criteria["I14"] is True  # from the consent record

    services.eligibility_assessment_save(
        user=coordinator_a,
        instance=assessment,
        data={"e7": False},
        reason="Infection ruled out (CRP)",
    )

    (update, create) = assessment.history.all()
    assert (create.eligible, create.e7, create.history_change_reason) == (None, None, None)
    assert (update.eligible, update.e7, update.reasons) == (True, False, [])
    assert (update.history_user, update.history_change_reason) == (
        coordinator_a,
        "Infection ruled out (CRP)",
    )


def test_a_lab_above_its_limit_screen_fails_on_confirmation(
    consented_subject, assess, investigator_a
):
    assessment = assess(consented_subject, alt=Decimal("100.1"))
    assert (assessment.eligible, assessment.reasons) == (False, ["I7"])

    services.eligibility_confirm(user=investigator_a, assessment=assessment)

    consented_subject.refresh_from_db()
    assert consented_subject.status == "screen_failed"
    (confirmed, create) = consented_subject.history.all()
    assert (confirmed.status, confirmed.history_user) == ("screen_failed", investigator_a)
    assert confirmed.history_change_reason == "Eligibility attempt 1 confirmed: not eligible (I7)"
    assert create.status == "screening"


def test_only_an_investigator_of_the_site_confirms(consented_subject, assess, coordinator_a):
    assessment = assess(consented_subject)
    with pytest.raises(PermissionDenied):
        services.eligibility_confirm(user=coordinator_a, assessment=assessment)
    assessment.refresh_from_db()
    assert assessment.confirmed_at is None


def test_an_undecided_verdict_cannot_be_confirmed(consented_subject, assess, investigator_a):
    assessment = assess(consented_subject, i4=None, e7=None)
    with pytest.raises(ValidationError) as excinfo:
        services.eligibility_confirm(user=investigator_a, assessment=assessment)
    assert excinfo.value.messages == ["Eligibility cannot be decided yet: unknown I4, E7."]


def test_confirming_makes_the_subject_eligible(consented_subject, assess, investigator_a):
    assessment = services.eligibility_confirm(
        user=investigator_a, assessment=assess(consented_subject)
    )

    consented_subject.refresh_from_db()
    assert consented_subject.status == "eligible"
    assert (assessment.confirmed_by, assessment.eligible) == (investigator_a, True)
    (confirm, create) = assessment.history.all()
    assert (confirm.history_change_reason, confirm.confirmed_by) == (
        "Eligibility confirmed: eligible",
        investigator_a,
    )
    assert create.confirmed_by is None


def test_correcting_a_confirmed_assessment_withdraws_the_confirmation(
    consented_subject, assess, investigator_a, coordinator_a
):
    assessment = services.eligibility_confirm(
        user=investigator_a, assessment=assess(consented_subject)
    )

    services.eligibility_assessment_save(
        user=coordinator_a, instance=assessment, data={"ecog": 3}, reason="ECOG misread"
    )

    assessment.refresh_from_db()
    consented_subject.refresh_from_db()
    assert (assessment.eligible, assessment.reasons, assessment.confirmed_at) == (
        False,
        ["I5"],
        None,
    )
    assert consented_subject.status == "screening"
    (reopened, confirmed, _create) = consented_subject.history.all()
    assert (confirmed.status, reopened.status) == ("eligible", "screening")
    assert (
        reopened.history_change_reason == "Eligibility attempt 1 corrected: confirmation withdrawn"
    )


def test_a_screen_failed_patient_can_be_rescreened_and_the_old_attempt_is_kept(
    consented_subject, assess, investigator_a
):
    first = assess(consented_subject, ecog=3)
    with pytest.raises(ValidationError) as excinfo:
        assess(consented_subject)
    assert excinfo.value.message_dict == {
        "subject": ["Attempt 1 is still open: complete and confirm it first."]
    }
    services.eligibility_confirm(user=investigator_a, assessment=first)

    second = assess(consented_subject, assessment_date=date(2026, 3, 20))

    consented_subject.refresh_from_db()
    assert (first.attempt, second.attempt, consented_subject.status) == (1, 2, "screening")
    assert list(consented_subject.assessments.values_list("attempt", "eligible")) == [
        (1, False),
        (2, True),
    ]


def test_pregnancy_data_for_a_male_patient_are_refused(register, consent, assess):
    man = register(sex="M")
    consent(man)
    with pytest.raises(ValidationError) as excinfo:
        assess(
            man,
            childbearing_potential=True,
            pregnancy_test_negative=True,
            pregnancy_test_date=ASSESSED,
        )
    assert set(excinfo.value.message_dict) == {
        "childbearing_potential",
        "pregnancy_test_negative",
        "pregnancy_test_date",
    }
    assert assess(man, childbearing_potential=False).criteria["I12"] is True


def test_nkg2d_expression_never_blocks_eligibility(consented_subject, assess):
    assessment = assess(
        consented_subject, nkg2d_ligand_positive_pct=Decimal("0"), nkg2d_test_date=ASSESSED
    )
    assert assessment.eligible is True


def test_correcting_the_date_of_birth_recomputes_the_open_attempt(
    consented_subject, assess, coordinator_a
):
    assessment = assess(consented_subject)
    services.subject_save(
        user=coordinator_a,
        instance=consented_subject,
        data={"date_of_birth": date(1950, 1, 1)},
        reason="Transcription error",
    )
    assessment.refresh_from_db()
    assert (assessment.eligible, assessment.reasons) == (False, ["I1"])
    (recomputed, _create) = assessment.history.all()
    assert recomputed.history_change_reason == "Recomputed: Transcription error"


def test_withdrawing_consent_withdraws_the_subject_and_closes_screening(
    consented_subject, assess, coordinator_a
):
    record = consented_subject.consents.get()
    services.consent_withdraw(
        user=coordinator_a, consent=record, withdrawn_date=date(2026, 3, 5), reason="Moved away"
    )

    consented_subject.refresh_from_db()
    assert consented_subject.status == "withdrawn"
    (withdrawn, _create) = record.history.all()
    assert (withdrawn.withdrawn_date, withdrawn.history_change_reason) == (
        date(2026, 3, 5),
        "Consent withdrawn: Moved away",
    )
    with pytest.raises(ValidationError) as excinfo:
        assess(consented_subject)
    assert excinfo.value.message_dict == {
        "subject": ["The subject is withdrawn: eligibility is closed."]
    }


def test_consent_cannot_be_withdrawn_before_it_was_given(consented_subject, coordinator_a):
    with pytest.raises(ValidationError) as excinfo:
        services.consent_withdraw(
            user=coordinator_a,
            consent=consented_subject.consents.get(),
            withdrawn_date=date(2026, 1, 1),
            reason="x",
        )
    assert list(excinfo.value.message_dict) == ["withdrawn_date"]


def test_screening_numbers_are_unique_per_study_site_not_across_studies(register, site_a):
    from tests.factories import SiteFactory, SiteRoleFactory, StudyFactory, UserFactory
    from trial.models import SiteRole

    other_study_site = SiteFactory(study=StudyFactory(registry_id="NCT00000002"), code="01")
    nurse = UserFactory(username="coord_other_study")
    SiteRoleFactory(user=nurse, site=other_study_site, role=SiteRole.Role.COORDINATOR)

    here = register()
    there = register(site=other_study_site, user=nurse)

    assert here.screening_number == there.screening_number == "01-S-001"
    assert (here.site.study_id != there.site.study_id) is True


def test_a_consent_names_its_version_once(consented_subject):
    from screening.models import Consent

    consent = Consent.objects.get(subject=consented_subject)
    consent.form_version = "v2.0"
    assert str(consent).endswith("consent v2.0 (2026-03-02)")
    consent.form_version = "2.0"
    assert str(consent).endswith("consent v2.0 (2026-03-02)")


def test_the_admin_has_no_view_site_link(coordinator_a):
    from django.test import Client

    client = Client()
    client.force_login(coordinator_a)
    assert b"View site" not in client.get("/admin/").content
