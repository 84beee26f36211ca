"""Reads of dosing data, and the live escalation state of a study."""

import functools
import re
from dataclasses import asdict
from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext

from trial.models import Study
from trial.selectors import scope_to_sites, study_list

from . import rules
from .models import Cohort, DltEvaluation, Enrollment, EscalationDecision, Infusion, Lymphodepletion


def cohort_list(*, user) -> QuerySet[Cohort]:
    evaluated = Q(enrollments__dlt_evaluation__status__in=[rules.EVALUABLE_NO_DLT, rules.DLT])
    return (
        Cohort.objects.filter(study__in=study_list(user=user))
        .select_related("study", "dose_level", "decision")
        .annotate(
            n_enrolled=Count("enrollments", distinct=True),
            n_evaluable=Count("enrollments", filter=evaluated, distinct=True),
            n_dlt=Count(
                "enrollments",
                filter=Q(enrollments__dlt_evaluation__status=rules.DLT),
                distinct=True,
            ),
            n_replaced=Count(
                "enrollments", filter=Q(enrollments__dlt_evaluation__replace=True), distinct=True
            ),
        )
    )


def enrollment_list(*, user) -> QuerySet[Enrollment]:
    return scope_to_sites(
        Enrollment.objects.select_related(
            "subject__site", "cohort__dose_level", "enrolled_by", "dlt_evaluation"
        ),
        user,
        site_path="subject__site",
    )


def lymphodepletion_list(*, user) -> QuerySet[Lymphodepletion]:
    return scope_to_sites(
        Lymphodepletion.objects.select_related("enrollment__subject__site", "regimen"),
        user,
        site_path="enrollment__subject__site",
    )


def infusion_list(*, user) -> QuerySet[Infusion]:
    return scope_to_sites(
        Infusion.objects.select_related("enrollment__subject__site", "dose_level"),
        user,
        site_path="enrollment__subject__site",
    )


def dlt_evaluation_list(*, user) -> QuerySet[DltEvaluation]:
    return scope_to_sites(
        DltEvaluation.objects.select_related(
            "enrollment__subject__site",
            "enrollment__cohort__dose_level",
            "investigator_confirmed_by",
            "reviewer_confirmed_by",
        ).prefetch_related("candidates"),
        user,
        site_path="enrollment__subject__site",
    )


def decision_list(*, user) -> QuerySet[EscalationDecision]:
    return EscalationDecision.objects.filter(
        cohort__study__in=study_list(user=user)
    ).select_related("cohort__dose_level", "next_dose_level", "mtd_dose_level", "signed_by")


def active_infusions(enrollment: Enrollment) -> list[Infusion]:
    return [i for i in enrollment.infusions.all() if not i.is_voided]


def dlt_facts(
    evaluation: DltEvaluation, *, infusions: list[Infusion], window_days: int, today: date
) -> rules.DltFacts:
    """The rule's input from an enrolled subject's records."""
    enrollment = evaluation.enrollment
    assigned = enrollment.cohort.dose_level_id
    day0 = min((timezone.localdate(i.started_at) for i in infusions), default=None)
    full = all(i.dose_level_id == assigned and not i.partial_dose for i in infusions)
    return rules.DltFacts(
        today=today,
        window_days=window_days,
        day0=day0,
        full_assigned_dose=full,
        dlt_onset=evaluation.dlt_onset_date,
        dlt_adjudicated=evaluation.dlt_adjudicated,
        off_study=evaluation.off_study_date,
    )


def recommend(study: Study, n: list[int], y: list[int], current: int) -> rules.Recommendation:
    if study.escalation_design == Study.Design.BOIN:
        return rules.boin(
            n,
            y,
            current,
            target=float(study.boin_target),
            cutoff_eli=float(study.boin_cutoff_eli),
            n_earlystop=study.boin_n_earlystop,
        )
    return rules.three_plus_three(n, y, current, deescalation=study.deescalation)


def escalation_state(*, study: Study, today: date | None = None) -> dict:
    """Per dose level: treated, pending, evaluable (n) and DLT (y) counts, from every site; the
    design's recommendation at the current dose; what it waits for; the decisions so far.

    A fixed number of queries, whatever the number of patients.
    """
    today = today or timezone.localdate()
    levels = list(study.dose_levels.filter(is_voided=False).order_by("number"))
    number_of = {level.pk: level.number for level in levels}
    k = len(levels)
    treated, pending, n, y = [0] * k, [0] * k, [0] * k, [0] * k
    enrollments = (
        Enrollment.objects.filter(cohort__study=study)
        .select_related("cohort", "dlt_evaluation")
        .prefetch_related(Prefetch("infusions", queryset=Infusion.objects.order_by("number")))
    )
    cohorts = list(study.cohorts.select_related("dose_level").order_by("sequence"))
    pending_in_cohort: dict[int, int] = {}
    enrolled_in_cohort: dict[int, int] = {}
    replaced_in_cohort: dict[int, int] = {}
    for enrollment in enrollments:
        index = number_of[enrollment.cohort.dose_level_id] - 1
        infusions = active_infusions(enrollment)
        status = rules.dlt_status(
            dlt_facts(
                enrollment.dlt_evaluation,
                infusions=infusions,
                window_days=study.dlt_window_days,
                today=today,
            )
        )
        cohort_id = enrollment.cohort_id
        enrolled_in_cohort[cohort_id] = enrolled_in_cohort.get(cohort_id, 0) + 1
        replaced_in_cohort[cohort_id] = replaced_in_cohort.get(cohort_id, 0) + status.replace
        if infusions:
            treated[index] += 1
        if status.status == rules.PENDING:
            pending[index] += 1
            pending_in_cohort[cohort_id] = pending_in_cohort.get(cohort_id, 0) + 1
        elif status.status in (rules.EVALUABLE_NO_DLT, rules.DLT):
            n[index] += 1
            y[index] += status.status == rules.DLT

    current_cohort = cohorts[-1] if cohorts else None
    current = number_of[current_cohort.dose_level_id] if current_cohort else 1
    recommendation = recommend(study, n, y, current) if k else None
    waiting = open_slots = 0
    if current_cohort is not None and current_cohort.status != Cohort.Status.CLOSED:
        waiting = pending_in_cohort.get(current_cohort.pk, 0)
        capacity = current_cohort.size + replaced_in_cohort.get(current_cohort.pk, 0)
        open_slots = max(capacity - enrolled_in_cohort.get(current_cohort.pk, 0), 0)
    if current_cohort is None:
        note = _("No cohort yet: open the first cohort at dose 1.")
    elif current_cohort.status == Cohort.Status.CLOSED:
        note = _("Escalation is complete.")
    elif open_slots:
        note = _(
            "Cohort %(cohort)s has %(slots)s open slot(s): the recommendation waits for them."
        ) % {"cohort": current_cohort.sequence, "slots": open_slots}
    elif waiting:
        note = _(
            "Waiting for %(waiting)s patient(s) of cohort %(cohort)s still in their DLT window "
            "or awaiting DLT adjudication."
        ) % {"waiting": waiting, "cohort": current_cohort.sequence}
    else:
        note = _("Cohort %(cohort)s is complete: ready for the safety review committee.") % {
            "cohort": current_cohort.sequence
        }
    decisions = list(
        EscalationDecision.objects.filter(cohort__study=study)
        .select_related("cohort__dose_level", "next_dose_level", "mtd_dose_level", "signed_by")
        .order_by("cohort__sequence")
    )
    stopped = next((d for d in decisions if d.action == rules.STOP), None)
    state = {
        "study": study.registry_id,
        "design": study.escalation_design,
        "deescalation": study.deescalation,
        "as_of": today,
        "current_dose": current if current_cohort else None,
        "current_cohort": current_cohort,
        "ready_for_decision": bool(
            current_cohort
            and current_cohort.status != Cohort.Status.CLOSED
            and not waiting
            and not open_slots
        ),
        "waiting_for": waiting,
        "open_slots": open_slots,
        "note": note,
        "recommendation": asdict(recommendation) if recommendation else None,
        "doses": [
            {
                "dose": level.number,
                "label": level.label,
                "cells_per_kg_million": level.cells_per_kg_million,
                "treated": treated[i],
                "pending": pending[i],
                "n": n[i],
                "y": y[i],
            }
            for i, level in enumerate(levels)
        ],
        "decisions": decisions,
        "escalation_complete": stopped is not None,
        "mtd": (stopped.mtd_dose_level.number if stopped and stopped.mtd_dose_level else None),
        "boin_boundaries": None,
    }
    if study.escalation_design == Study.Design.BOIN:
        lambda_e, lambda_d = rules.boin_boundaries(float(study.boin_target))
        state["boin_boundaries"] = {"lambda_e": lambda_e, "lambda_d": lambda_d}
    return state


def escalation_patients(*, study: Study, today: date | None = None) -> list[dict]:
    """Every enrolled patient of the study in order of enrollment, with the dose level, the
    cohort and the DLT status (for the escalation plot). A fixed number of queries."""
    today = today or timezone.localdate()
    enrollments = (
        Enrollment.objects.filter(cohort__study=study)
        .select_related("cohort__dose_level", "dlt_evaluation", "subject")
        .prefetch_related(Prefetch("infusions", queryset=Infusion.objects.order_by("number")))
        .order_by("enrollment_date", "pk")
    )
    patients = []
    for enrollment in enrollments:
        status = rules.dlt_status(
            dlt_facts(
                enrollment.dlt_evaluation,
                infusions=active_infusions(enrollment),
                window_days=study.dlt_window_days,
                today=today,
            )
        )
        patients.append(
            {
                "screening_number": enrollment.subject.screening_number,
                "dose": enrollment.cohort.dose_level.number,
                "cohort": enrollment.cohort.sequence,
                "status": status.status,
            }
        )
    return patients


def action_word(action: str) -> str:
    """A rule's action as the tables and the plot say it: the code in English, a word in other
    languages (the code itself stays what the rules, the API and the exports use)."""
    words = {
        rules.ESCALATE: pgettext("escalation action", "escalate"),
        rules.STAY: pgettext("escalation action", "stay"),
        rules.DEESCALATE: pgettext("escalation action", "de-escalate"),
        rules.STOP: pgettext("escalation action", "stop"),
    }
    return words.get(action, action)


# The rules' one-sentence explanations (dosing/rules.py writes them in English: the rules modules
# are a public contract, free of Django), each written here as its template: the template is the
# catalog's msgid and, read as a pattern, finds the values in the rule's sentence. A sentence no
# template matches is shown as the rule wrote it (tests/dosing/test_reason_words.py makes every
# branch of both rules match one).
REASONS = [
    gettext_noop("{y} of {n} patients had a DLT at dose 1, the lowest: no tolerable dose."),
    gettext_noop(
        "{y} of {n} patients had a DLT at dose {d}: dose {below} ({y_below} of {n_below} with a "
        "DLT) is the MTD."
    ),
    gettext_noop(
        "{y} of {n} patients had a DLT at dose {d}: treat 3 more at dose {below}, which has "
        "{n_below} patients."
    ),
    gettext_noop(
        "The cohort at dose {d} is not complete: {missing} more evaluable patient(s) needed "
        "before deciding."
    ),
    gettext_noop("1 of 3 patients had a DLT at dose {d}: treat 3 more at the same dose."),
    gettext_noop("{y} of {n} patients had a DLT at dose {d}, the highest dose: it is the MTD."),
    gettext_noop(
        "{y} of {n} patients had a DLT at dose {d} and dose {above} was too toxic ({y_above} of "
        "{n_above}): dose {mtd} is the MTD."
    ),
    gettext_noop("{y} of {n} patients had a DLT at dose {d}: escalate to dose {above}."),
    gettext_noop(
        "Dose 1 is eliminated: P(DLT rate > {target}) > {cutoff} with {y} of {n} patients; no "
        "tolerable dose."
    ),
    gettext_noop(
        "Dose {eliminated} and above are eliminated as too toxic: de-escalate to dose {below}."
    ),
    gettext_noop("No evaluable patient at dose {d} yet: treat the next cohort there."),
    gettext_noop(
        "{y} of {n} patients ({rate}) had a DLT at dose {d}, at or below {lambda_e}, but dose "
        "{highest} is the highest usable: stay."
    ),
    gettext_noop(
        "{y} of {n} patients ({rate}) had a DLT at dose {d}, at or below lambda_e {lambda_e}: "
        "escalate to dose {above}."
    ),
    gettext_noop(
        "{y} of {n} patients ({rate}) had a DLT at dose {d}, at or above lambda_d {lambda_d}, but "
        "it is the lowest dose: stay."
    ),
    gettext_noop(
        "{y} of {n} patients ({rate}) had a DLT at dose {d}, at or above lambda_d {lambda_d}: "
        "de-escalate to dose {below}."
    ),
    gettext_noop(
        "{y} of {n} patients ({rate}) had a DLT at dose {d}, between {lambda_e} and {lambda_d}: "
        "stay."
    ),
    gettext_noop(
        "{n} patients at dose {d} reach the early-stop count {earlystop} with the decision to "
        "stay: stop; the selected MTD is none."
    ),
    gettext_noop(
        "{n} patients at dose {d} reach the early-stop count {earlystop} with the decision to "
        "stay: stop; the selected MTD is dose {mtd}."
    ),
]
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@functools.cache
def _reason_pattern(template: str) -> re.Pattern:
    parts = _PLACEHOLDER.split(template)  # literal, name, literal, name, ...
    return re.compile(
        "".join(
            re.escape(part) if i % 2 == 0 else rf"(?P<{part}>[-\w.]+)"
            for i, part in enumerate(parts)
        )
    )


def reason_words(reason: str) -> str:
    """A rule's explanation in the reader's language (as the rule wrote it when no template
    matches it)."""
    for template in REASONS:
        found = _reason_pattern(template).fullmatch(reason)
        if found:
            return _(template).format(**found.groupdict())
    return reason


def decision_table(study: Study) -> dict:
    """The decision table of the study's design, computed by the design's own rule (never
    typed in): BOIN's boundaries per number of patients, or the 3+3 outcome per DLT count."""
    if study.escalation_design == Study.Design.BOIN:
        max_n = study.boin_n_earlystop or 12
        rows = rules.boin_decision_table(
            float(study.boin_target), max_n, float(study.boin_cutoff_eli)
        )
        return {
            "design": study.escalation_design,
            "columns": [
                _("Patients treated"),
                _("Escalate if DLTs <="),
                _("De-escalate if DLTs >="),
                _("Eliminate if DLTs >="),
            ],
            "rows": [["-" if v is None else v for v in row] for row in rows],
        }
    # a middle dose (2 of 3) with 3 patients free of DLT below it: the rule's answer to each
    # DLT count of 3 and of 6 patients, said relative to the current dose
    below_n = 3
    rows = []
    for n_d in (3, 6):
        for y_d in range(n_d + 1):
            if n_d == 6 and y_d == 0:
                continue
            if y_d > 3:
                break
            rec = rules.three_plus_three(
                [below_n, n_d, 0], [0, y_d, 0], 2, deescalation=study.deescalation
            )
            if rec.action == rules.STOP:
                then = _("stop: the dose below is the MTD") if rec.mtd == 1 else _("stop")
            elif rec.next_dose == 2:
                then = _("treat 3 more at the same dose")
            elif rec.next_dose == 3:
                then = _("next cohort at the dose above")
            else:
                then = _("treat 3 more at the dose below (MTD once it has 6 with at most 1 DLT)")
            counts = {"dlts": y_d, "patients": n_d}
            label = (
                _("%(dlts)s of %(patients)s") % counts
                if y_d < 3 or n_d == 3
                else _("%(dlts)s or more of %(patients)s") % counts
            )
            rows.append([label, action_word(rec.action), then])
    return {
        "design": study.escalation_design,
        "columns": [_("DLTs"), _("Decision"), _("Then")],
        "rows": rows,
    }
