"""The rules modules against the public contract (../shared/protocol/RULES.md), checked by the
shared tool that outside validation scripts trust."""

import importlib.util
from pathlib import Path

import pytest

TOOL = Path(__file__).resolve().parents[2] / "shared" / "tools" / "contract_check.py"


@pytest.fixture(scope="module")
def contract_check():
    assert TOOL.exists(), f"the shared contract checker is missing at {TOOL}"
    spec = importlib.util.spec_from_file_location("contract_check", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("area", ["screening", "dosing", "safety", "followup"])
def test_rules_module_matches_the_contract(contract_check, area):
    assert contract_check.problems(area) == []
