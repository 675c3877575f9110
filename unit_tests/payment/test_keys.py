"""Unit (synthesized configuration): the payment platform's keys."""

from __future__ import annotations

import json
from typing import Any

import pytest

from unit_tests.conftest import RUN_ID, SUFFIX
from unit_tests.synth_json import StackJson


def data_key(stack: StackJson) -> tuple[str, dict[str, Any]]:
    return stack.at("aws_kms_key", "keys/data/key")


@pytest.mark.pci_dss("3")
def test_data_key_lets_the_autoscaling_service_role_encrypt_volumes(stack: StackJson) -> None:
    _, key = stack.at("aws_kms_key", "keys/data/key")
    statements = {s["Sid"]: s for s in json.loads(key["policy"])["Statement"]}
    grant = statements["AutoScalingEncryptsBatchVolumesGrants"]
    assert grant["Action"] == ["kms:CreateGrant"]
    assert grant["Condition"]["Bool"] == {"kms:GrantIsForAWSResource": "true"}
    assert grant["Condition"]["ArnEquals"]["aws:PrincipalArn"].endswith(
        ":role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
    )


@pytest.mark.pci_dss("3")
def test_keys_let_eventbridge_encrypt_into_queues_and_topic(stack: StackJson) -> None:
    for purpose in ("data", "events"):
        _, key = stack.at("aws_kms_key", f"keys/{purpose}/key")
        sids = {s["Sid"]: s for s in json.loads(key["policy"])["Statement"]}
        grant = sids["UseByEvents"]
        assert grant["Principal"] == {"Service": "events.amazonaws.com"}
        assert set(grant["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}


@pytest.mark.pci_dss("3")
def test_data_key_rotates_and_is_destroyable_within_a_week(stack: StackJson) -> None:
    _, key = data_key(stack)
    assert key["enable_key_rotation"] is True
    assert key["deletion_window_in_days"] == 7


@pytest.mark.pci_dss("3")
def test_data_key_alias_follows_the_payment_convention(stack: StackJson) -> None:
    key_id, _ = data_key(stack)
    _, alias = stack.at("aws_kms_alias", "keys/data/alias")
    assert alias["name"] == f"alias/payment-data-{SUFFIX}-{RUN_ID}"
    assert alias["target_key_id"] == stack.ref("aws_kms_key", key_id, "key_id")


@pytest.mark.pci_dss("3", "7")
def test_data_key_policy_grants_use_only_through_the_data_services_of_this_account(stack: StackJson) -> None:
    _, key = data_key(stack)
    statements = {s["Sid"]: s for s in json.loads(key["policy"])["Statement"]}
    admin = statements["KeyAdministrationByAccount"]
    assert admin["Principal"]["AWS"].endswith(":root")
    use = statements["UseThroughServices"]
    assert "kms:*" not in use["Action"]
    assert use["Condition"]["ForAnyValue:StringEquals"]["kms:ViaService"] == [
        f"{service}.us-east-1.amazonaws.com" for service in ("s3", "sqs", "ec2", "lambda", "firehose", "xray")
    ]
    assert "kms:CallerAccount" in use["Condition"]["StringEquals"]
    wildcard = [s for s in statements.values() if s["Principal"] == {"AWS": "*"} and "Condition" not in s]
    assert wildcard == [], "a statement open to every principal must carry a condition"


@pytest.mark.pci_dss("3", "7")
def test_logs_key_lets_only_cloudwatch_logs_of_this_account_and_region_use_it(stack: StackJson) -> None:
    _, key = stack.at("aws_kms_key", "keys/logs/key")
    statements = {s["Sid"]: s for s in json.loads(key["policy"])["Statement"]}
    grant = statements["UseByLogs"]
    assert grant["Principal"] == {"Service": "logs.us-east-1.amazonaws.com"}
    context = grant["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]
    assert (
        context.startswith("arn:${data.aws_partition.")
        and ":logs:us-east-1:${data.aws_caller_identity." in context
    )
