"""Unit (synthesized configuration): every log is kept 12 months (PCI DSS v4.0 10.5.1), both stacks."""

from __future__ import annotations

import pytest

from unit_tests.synth_json import StackJson

YEAR = 365


@pytest.mark.pci_dss("10")
def test_every_log_group_keeps_a_year(any_stack: StackJson) -> None:
    short = {
        logical_id: group.get("retention_in_days")
        for logical_id, group in any_stack.resources("aws_cloudwatch_log_group").items()
        if (group.get("retention_in_days") or 0) < YEAR
    }
    assert short == {}


@pytest.mark.pci_dss("10")
def test_every_expiring_bucket_keeps_a_year_and_the_last_90_days_hot(any_stack: StackJson) -> None:
    rules = [
        (logical_id, rule)
        for logical_id, config in any_stack.resources("aws_s3_bucket_lifecycle_configuration").items()
        for rule in config["rule"]
    ]
    assert rules
    for logical_id, rule in rules:
        for expiration in rule.get("expiration", []):
            assert expiration["days"] >= YEAR, f"{logical_id}: {rule['id']} deletes too early"
        for transition in rule.get("transition", []):
            # Only classes read at once count as "immediately available" for the last three months.
            assert transition["storage_class"] in {"INTELLIGENT_TIERING", "GLACIER_IR"}, logical_id


@pytest.mark.pci_dss("10")
def test_payment_flow_logs_in_cloudwatch_are_kept_a_year(stack: StackJson) -> None:
    # The VPC module's flow-log group takes its retention from the module call.
    _, vpc = stack.module_at("network/vpc/module")
    assert vpc["flow_logs"]["cloudwatch_retention"] >= YEAR
