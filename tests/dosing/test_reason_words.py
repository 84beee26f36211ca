"""The escalation rules' explanations in the reader's language (issue 22): every sentence either
rule writes matches one of `dosing.selectors.REASONS`, so a Chinese committee reads each of
them in Chinese, and a change of wording in `dosing/rules.py` fails here instead of falling back
to English unnoticed."""

import contextlib
import itertools
import re

import pytest
from django.utils import translation

from dosing import rules
from dosing.selectors import REASONS, _reason_pattern, reason_words


def _three_plus_three_reasons() -> set[str]:
    found = set()
    for k in (2, 3):
        for current in range(1, k + 1):
            for counts in itertools.product(
                [(0, 0), (3, 0), (3, 1), (3, 2), (6, 1), (6, 2), (2, 0), (4, 1)], repeat=k
            ):
                n = [c[0] for c in counts]
                y = [c[1] for c in counts]
                for deescalation in (True, False):
                    with contextlib.suppress(ValueError):  # counts the rule refuses
                        rule = rules.three_plus_three(n, y, current, deescalation=deescalation)
                        found.add(rule.reason)
    return found


def _boin_reasons() -> set[str]:
    found = set()
    for current in (1, 2, 3):
        for counts in itertools.product(
            [(0, 0), (3, 0), (3, 1), (3, 2), (3, 3), (6, 1), (9, 2), (12, 3)], repeat=3
        ):
            n = [c[0] for c in counts]
            y = [c[1] for c in counts]
            for n_earlystop in (None, 9):
                with contextlib.suppress(ValueError):
                    found.add(rules.boin(n, y, current, target=0.3, n_earlystop=n_earlystop).reason)
    return found  # fmt: skip


REASONS_WRITTEN = sorted(_three_plus_three_reasons() | _boin_reasons())


def test_the_examples_reach_every_template():
    """Each template is the wording of some branch: none is dead, none is missing."""
    used = {
        template
        for reason in REASONS_WRITTEN
        for template in REASONS
        if _reason_pattern(template).fullmatch(reason)
    }
    # the early stop with no MTD: boin_select_mtd gives none only when dose 1 is eliminated or no
    # dose has patients, and rules.boin stops before that (its first branch): kept for safety
    unreachable = [t for t in REASONS if t.endswith("the selected MTD is none.")]
    assert sorted(set(REASONS) - used) == unreachable


@pytest.mark.parametrize("reason", REASONS_WRITTEN)
def test_every_reason_a_rule_writes_is_worded_in_chinese(reason):
    with translation.override("zh-hans"):
        chinese = reason_words(reason)
    assert chinese != reason
    assert re.search(r"[\u4e00-\u9fff]", chinese)
    # every number of the rule's sentence, and no other (Chinese may order them otherwise)
    number = re.compile(r"\d+(?:\.\d+)?")
    assert sorted(number.findall(chinese)) == sorted(number.findall(reason))
    with translation.override("en"):
        assert reason_words(reason) == reason


def test_a_sentence_no_template_knows_is_shown_as_written():
    with translation.override("zh-hans"):
        assert reason_words("Something the rules never say.") == "Something the rules never say."
