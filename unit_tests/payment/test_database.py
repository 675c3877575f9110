"""Unit (synthesized configuration): the payment platform's database."""

from __future__ import annotations

import pytest

from unit_tests.synth_json import StackJson


def key_arn(stack: StackJson, purpose: str) -> str:
    key_id, _ = stack.at("aws_kms_key", f"keys/{purpose}/key")
    return stack.ref("aws_kms_key", key_id, "arn")


@pytest.mark.pci_dss("3")
def test_aurora_uses_its_own_key_and_is_destroyable_by_default(stack: StackJson) -> None:
    vpc_key, _ = stack.module_at("network/vpc/module")
    _, aurora = stack.module_at("database/aurora/module")
    assert aurora["kms_key_arn"] == key_arn(stack, "aurora")
    assert aurora["kms_key_arn"] != key_arn(stack, "data")
    assert aurora["reader_count"] == 2
    assert aurora["subnet_ids"] == f"${{module.{vpc_key}.private_subnet_ids}}"
    assert (aurora["deletion_protection"], aurora["skip_final_snapshot"]) == (False, True)
