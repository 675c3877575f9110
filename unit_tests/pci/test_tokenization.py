"""Unit (synthesized configuration): the PCI environment's tokenization."""

from __future__ import annotations

import json
from typing import Any

import pytest

from unit_tests.conftest import Synthesized
from unit_tests.synth_json import StackJson


def arn(stack: StackJson, rtype: str, path: str) -> str:
    return stack.ref(rtype, stack.at(rtype, path)[0], "arn")


def sids(policy: str) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in json.loads(policy)["Statement"]}


@pytest.mark.pci_dss("3", "7")
def test_tokenizer_reaches_only_its_buckets_key_and_secret_under_guardrails(pci: StackJson) -> None:
    _, fn = pci.at("aws_lambda_function", "processing/tokenizer/function")
    assert fn["runtime"] == "nodejs22.x" and fn["tracing_config"] == {"mode": "Active"}
    assert fn["reserved_concurrent_executions"] == 5
    sg = pci.ref("aws_security_group", pci.at("aws_security_group", "network/tokenizer-sg")[0], "id")
    assert fn["vpc_config"]["security_group_ids"] == [sg]
    assert "private_subnet_ids" in str(fn["vpc_config"]["subnet_ids"])
    _, policy = pci.at("aws_iam_role_policy", "processing/tokenizer/policy")
    statements = sids(policy["policy"])
    assert statements["ReadRawCardData"]["Resource"] == [arn(pci, "aws_s3_bucket", "data/raw/bucket") + "/*"]
    assert statements["WriteTokenizedData"]["Resource"] == [
        arn(pci, "aws_s3_bucket", "data/processed/bucket") + "/*"
    ]
    assert statements["TokenizationKey"]["Resource"] == [
        arn(pci, "aws_secretsmanager_secret", "processing/tokenization-key")
    ]
    region = statements["DenyOutsideApprovedRegions"]
    assert region["Effect"] == "Deny" and region["Condition"] == {
        "StringNotEquals": {"aws:RequestedRegion": ["us-east-1"]}
    }
    assert "kms:ScheduleKeyDeletion" in statements["DenyKeyTampering"]["Action"]
    assert "logs:DeleteLogGroup" in statements["DenyLogTampering"]["Action"]
    _, notification = pci.at("aws_s3_bucket_notification", "processing/raw-uploads")
    assert notification["lambda_function"][0]["events"] == ["s3:ObjectCreated:*"]


@pytest.mark.pci_dss("3", "7")
def test_tokenization_key_is_write_only_and_encrypted_with_the_data_key(pci: StackJson) -> None:
    _, secret = pci.at("aws_secretsmanager_secret", "processing/tokenization-key")
    assert secret["kms_key_id"] == arn(pci, "aws_kms_key", "keys/data/key")
    assert secret["recovery_window_in_days"] == 0
    _, version = pci.at("aws_secretsmanager_secret_version", "processing/tokenization-key-value")
    reference = "${var.tokenization_key}"
    assert version["secret_string_wo"] == reference and "secret_string" not in version
    assert pci.doc["variable"]["tokenization_key"]["ephemeral"] is True


@pytest.mark.pci_dss("3")
def test_tokenization_key_rotates_every_90_days_through_its_own_function(synthesized: Synthesized) -> None:
    stack = synthesized.aws_pci
    secret_id, _ = stack.at("aws_secretsmanager_secret", "processing/tokenization-key")
    _, rotation = stack.at("aws_secretsmanager_secret_rotation", "processing/key-rotation-schedule")
    assert rotation["secret_id"] == stack.ref("aws_secretsmanager_secret", secret_id, "arn")
    assert rotation["rotation_rules"] == {"automatically_after_days": 90}
    assert rotation["rotation_lambda_arn"] == arn(
        stack, "aws_lambda_function", "processing/key-rotation/function"
    )
    _, fn = stack.at("aws_lambda_function", "processing/key-rotation/function")
    assert fn["filename"].endswith(".zip") and "tokenization-key-rotation" in fn["filename"]
    # The function may rotate this secret and no other.
    _, policy = stack.at("aws_iam_role_policy", "processing/key-rotation/policy")
    rotate = sids(policy["policy"])["RotateTheTokenizationKeyOnly"]
    assert rotate["Resource"] == [stack.ref("aws_secretsmanager_secret", secret_id, "arn")]
    assert "secretsmanager:PutSecretValue" in rotate["Action"]
    # On the pair (the unit emulator synthesis) MiniStack hosts the schedule; moto alone cannot
    assert synthesized.emulator_pci.at(
        "aws_secretsmanager_secret_rotation", "processing/key-rotation-schedule"
    )


@pytest.mark.pci_dss("1")
def test_tokenizer_group_admits_nothing_and_goes_out_on_https_only(pci: StackJson) -> None:
    group_id, group = pci.at("aws_security_group", "network/tokenizer-sg")
    # no inline rules: every rule is its own resource, and the provider removes AWS's default egress
    assert not group.get("ingress") and not group.get("egress")
    ref = pci.ref("aws_security_group", group_id, "id")
    inbound = [
        r
        for r in pci.resources("aws_vpc_security_group_ingress_rule").values()
        if r["security_group_id"] == ref
    ]
    outbound = [
        (r["ip_protocol"], r["from_port"], r["to_port"])
        for r in pci.resources("aws_vpc_security_group_egress_rule").values()
        if r["security_group_id"] == ref
    ]
    assert inbound == []
    assert outbound == [("tcp", 443, 443)]
