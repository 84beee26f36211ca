"""The escalation plot: dose level (y) by patient in order of enrollment (x), one marker per
patient by DLT status, the committee's decision after each cohort, and the MTD once declared.

Drawn with matplotlib's object API (no pyplot: no global state, safe in threaded servers) as
SVG with text kept as text, and with a fixed id salt and no date, so the same data always give
the same bytes.
"""

import io

import matplotlib
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from matplotlib.figure import Figure

from . import rules
from .selectors import action_word

MARKERS = {  # status: (label, marker, face colour, edge colour)
    rules.DLT: (gettext_lazy("DLT"), "X", "#c62828", "#c62828"),
    rules.EVALUABLE_NO_DLT: (gettext_lazy("No DLT"), "o", "#2e7d32", "#2e7d32"),
    rules.PENDING: (gettext_lazy("In DLT window"), "o", "none", "#1565c0"),
    rules.NOT_EVALUABLE: (gettext_lazy("Not evaluable"), "s", "#9e9e9e", "#616161"),
}


def decision_text(decision) -> str:
    """'C1: escalate -> 2', 'C3: stop, MTD 2' as annotated after the cohort's last patient (in
    the reader's language: the words, not the codes)."""
    text = f"C{decision.cohort.sequence}: {action_word(decision.action)}"
    if decision.action == rules.STOP:
        mtd = decision.mtd_dose_level
        return f"{text}, MTD {mtd.number}" if mtd else _("%(text)s, no MTD") % {"text": text}
    if decision.next_dose_level is not None:
        return f"{text} -> {decision.next_dose_level.number}"
    return text


# Chinese labels (issue 22): matplotlib falls back glyph by glyph to a CJK font (Debian's
# fonts-noto-cjk in the image); the SVG keeps text as text, which the browser renders
FONTS = {"font.family": ["DejaVu Sans", "Noto Sans CJK SC", "Noto Sans CJK JP"]}


def escalation_svg(*, study: str, doses: list[dict], patients: list[dict], decisions, mtd) -> bytes:
    with matplotlib.rc_context(FONTS):
        return _escalation_svg(
            study=study, doses=doses, patients=patients, decisions=decisions, mtd=mtd
        )


def _escalation_svg(*, study, doses, patients, decisions, mtd) -> bytes:
    figure = Figure(figsize=(max(6.0, 1.5 + 0.45 * len(patients)), 1.6 + 0.7 * len(doses)))
    axes = figure.subplots()
    for status, (label, marker, face, edge) in MARKERS.items():
        points = [(x, p["dose"]) for x, p in enumerate(patients, start=1) if p["status"] == status]
        if points:
            xs, ys = zip(*points, strict=True)
            axes.scatter(
                xs,
                ys,
                marker=marker,
                s=90,
                facecolors=face,
                edgecolors=edge,
                label=str(label),
                zorder=3,
            )
    last_of_cohort = {p["cohort"]: x for x, p in enumerate(patients, start=1)}
    for decision in decisions:
        x = last_of_cohort.get(decision.cohort.sequence)
        if x is None:
            continue
        axes.axvline(x + 0.5, color="#9e9e9e", linestyle=":", linewidth=1)
        axes.annotate(
            decision_text(decision),
            xy=(x + 0.5, decision.cohort.dose_level.number),
            xytext=(3, 8),
            textcoords="offset points",
            fontsize=8,
            rotation=90,
            va="bottom",
        )
    if mtd is not None:
        axes.axhline(
            mtd,
            color="#6a1b9a",
            linestyle="--",
            linewidth=1.2,
            label=_("MTD: dose level %(dose)s") % {"dose": mtd},
        )
    axes.set_yticks(
        [d["dose"] for d in doses], labels=[f"{d['dose']}: {d['label']}" for d in doses]
    )
    axes.set_ylim(0.5, len(doses) + 0.8)
    axes.set_xlim(0.5, max(len(patients), 1) + 1)
    axes.set_xticks(range(1, len(patients) + 1))
    axes.set_xlabel(_("Patient, in order of enrollment"))
    axes.set_ylabel(_("Dose level"))
    axes.set_title(
        _("%(study)s: dose escalation") % {"study": study}
        if patients
        else _("%(study)s: no patient enrolled yet") % {"study": study}
    )
    if patients or mtd is not None:
        axes.legend(loc="upper left", fontsize=8, frameon=False)
    figure.tight_layout()
    out = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "edc-escalation", "svg.fonttype": "none"}):
        figure.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()
