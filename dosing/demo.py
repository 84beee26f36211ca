"""A 3+3 trial in progress for the demo (loaded by `manage.py seed_demo`), dated back from
today: cohort 1 at DL1 decided (escalate), cohort 2 treated at DL2. The safety app's demo goes
on from there (cohort 2's DLT, the committee's decision, cohort 3)."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from screening import services as screening
from screening.demo import ALL_MET, NORMAL_ORGANS

from . import services
from .models import Cohort, LymphodepletionRegimen

REGIMEN = {
    "name": "Flu/Cy (placeholder)",
    "agents": "Fludarabine 30 mg/m2/day and cyclophosphamide 300 mg/m2/day",
    "schedule": "days -5 to -3",
    "is_placeholder": True,
}


def _at(day: date, hour: int = 10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _patient(ctx, *, born: date, sex: str, screened: date):
    nurse, investigator, site = ctx["nurse"], ctx["investigator"], ctx["site"]
    subject = screening.subject_save(
        user=nurse, data={"site": site, "date_of_birth": born, "sex": sex}, is_demo=True
    )
    screening.consent_save(
        user=nurse,
        data={
            "subject": subject,
            "form_version": "1.0",
            "form_version_date": screened - timedelta(days=90),
            "consent_date": screened - timedelta(days=3),
            "signed_by": "patient",
            "obtained_by": nurse,
        },
    )
    assessment = screening.eligibility_assessment_save(
        user=nurse,
        data={
            "subject": subject,
            "assessment_date": screened,
            **NORMAL_ORGANS,
            "childbearing_potential": False if sex == "M" else None,
            **ALL_MET,
            **(
                {
                    "pregnancy_test_date": screened,
                    "pregnancy_test_negative": True,
                    "childbearing_potential": True,
                }
                if sex == "F"
                else {}
            ),
        },
    )
    screening.eligibility_confirm(user=investigator, assessment=assessment)
    subject.refresh_from_db()
    return subject


def _treat(ctx, cohort: Cohort, subject, *, day0: date):
    nurse = ctx["nurse"]
    enrollment = services.enrollment_create(
        user=nurse,
        data={"subject": subject, "cohort": cohort, "enrollment_date": day0 - timedelta(days=7)},
    )
    services.lymphodepletion_save(
        user=nurse,
        data={
            "enrollment": enrollment,
            "regimen": ctx["regimen"],
            "start_date": day0 - timedelta(days=5),
            "end_date": day0 - timedelta(days=3),
            "agents_and_doses": ctx["regimen"].agents,
        },
    )
    services.infusion_save(
        user=nurse,
        data={
            "enrollment": enrollment,
            "started_at": _at(day0),
            "actual_cells_per_kg_million": cohort.dose_level.cells_per_kg_million,
            "premedication": "Paracetamol 500 mg, chlorphenamine 4 mg",
        },
    )
    return enrollment


def seed_demo(*, context: dict) -> list[str]:
    study, site, users = context["study"], context["site"], context["users"]
    if study.cohorts.exists():
        return []
    ctx = {
        "site": site,
        "nurse": users["coordinator"],
        "investigator": users["investigator"],
        "reviewer": users["safetyreviewer"],
        "manager": users["datamanager"],
    }
    regimen = LymphodepletionRegimen.objects.filter(study=study, name=REGIMEN["name"]).first()
    if regimen is None:
        regimen = services.regimen_save(user=ctx["manager"], data={"study": study, **REGIMEN})
    ctx["regimen"] = regimen
    levels = {level.number: level for level in study.dose_levels.filter(is_voided=False)}
    today = timezone.localdate()

    first = services.cohort_open_first(
        user=ctx["manager"], data={"study": study, "dose_level": levels[1]}
    )
    for i, (born, sex) in enumerate(
        [(date(1961, 5, 2), "M"), (date(1979, 8, 19), "F"), (date(1955, 1, 30), "M")]
    ):
        _treat(
            ctx,
            first,
            _patient(ctx, born=born, sex=sex, screened=today - timedelta(days=112 - i)),
            day0=today - timedelta(days=100 - i),
        )
    services.escalation_decision_record(
        user=ctx["reviewer"],
        data={"cohort": first, "action": "escalate", "next_dose_level": levels[2]},
    )

    second = Cohort.objects.get(study=study, sequence=2)
    for i, (born, sex) in enumerate(
        [(date(1970, 3, 14), "F"), (date(1983, 11, 2), "M"), (date(1966, 6, 25), "M")]
    ):
        _treat(
            ctx,
            second,
            _patient(ctx, born=born, sex=sex, screened=today - timedelta(days=72 - i)),
            day0=today - timedelta(days=60 - i),
        )
    # the safety app's demo records cohort 2's toxicity, its DLT and the committee's decision
    return ["3+3 trial: cohort 1 decided (escalate), cohort 2 treated at DL2"]
