"""`{{ action|action_word }}`, `{{ reason|reason_words }}`: an escalation rule's action code and
its explanation as the reader's language says them (the code and the API's text stay English)."""

from django import template

from dosing.selectors import action_word as _action_word
from dosing.selectors import reason_words as _reason_words

register = template.Library()


@register.filter
def action_word(action: str) -> str:
    return _action_word(action)


@register.filter
def reason_words(reason: str) -> str:
    return _reason_words(reason)
