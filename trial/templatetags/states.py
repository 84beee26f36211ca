"""`{{ code|state_word }}`: the states the casebook, calendar and matrix compute (codes their
logic and tests compare: "complete", "missing", "due", ...) as the reader's language says them.
A code without a word is shown as it is."""

from django import template
from django.utils.translation import pgettext_lazy

register = template.Library()

WORDS = {
    # a CRF in the casebook (monitoring.selectors.casebook)
    "complete": pgettext_lazy("form state", "complete"),
    "voided": pgettext_lazy("form state", "voided"),
    "missing": pgettext_lazy("form state", "missing"),
    "due": pgettext_lazy("form state", "due"),
    "not done (visit missed)": pgettext_lazy("form state", "not done (visit missed)"),
    # a visit of the schedule (followup.selectors.visit_calendar)
    "planned": pgettext_lazy("visit state", "planned"),
    "done": pgettext_lazy("visit state", "done"),
    "missed": pgettext_lazy("visit state", "missed"),
    "out of window": pgettext_lazy("visit state", "out of window"),
}


@register.filter
def state_word(code):
    return WORDS.get(code, code)
