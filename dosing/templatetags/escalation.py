"""`{{ action|action_word }}`: an escalation rule's action code as the reader's language says it
(the code itself in English)."""

from django import template

from dosing.selectors import action_word as _action_word

register = template.Library()


@register.filter
def action_word(action: str) -> str:
    return _action_word(action)
