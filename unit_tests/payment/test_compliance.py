"""Unit (synthesized configuration): the payment platform's compliance."""

from __future__ import annotations

import json

import pytest

from unit_tests.conftest import Synthesized
from unit_tests.synth_json import StackJson


@pytest.mark.pci_dss("3")
def test_created_recorder_delivers_to_the_encrypted_versioned_bucket(synthesized: Synthesized) -> None:
    stack = synthesized.aws
    role_id, _ = stack.at("aws_iam_role", "compliance/recording/role")
    _, attachment = stack.at("aws_iam_role_policy_attachment", "compliance/recording/managed-policy")
    assert attachment["policy_arn"].endswith(":iam::aws:policy/service-role/AWS_ConfigRole")
    _, recorder = stack.at("aws_config_configuration_recorder", "compliance/recording/recorder")
    assert recorder["role_arn"] == stack.ref("aws_iam_role", role_id, "arn")
    assert recorder["recording_group"]["all_supported"] is True
    _, channel = stack.at("aws_config_delivery_channel", "compliance/recording/channel")
    bucket_id, _ = stack.at("aws_s3_bucket", "storage/config-snapshots/bucket")
    key_id, _ = stack.at("aws_kms_key", "keys/data/key")
    topic_id, _ = stack.at("aws_sns_topic", "compliance/topic")
    assert channel["s3_bucket_name"] == stack.ref("aws_s3_bucket", bucket_id, "bucket")
    assert channel["s3_kms_key_arn"] == stack.ref("aws_kms_key", key_id, "arn")
    assert channel["sns_topic_arn"] == stack.ref("aws_sns_topic", topic_id, "arn")
    _, status = stack.at("aws_config_configuration_recorder_status", "compliance/recording/status")
    assert status["is_enabled"] is True


def test_an_existing_recorder_is_adopted_and_rules_still_apply(synthesized: Synthesized) -> None:
    stack = synthesized.emulator
    for rtype in ("aws_config_configuration_recorder", "aws_config_delivery_channel"):
        assert rtype not in stack.resource_types()
    assert len(stack.resources("aws_config_config_rule")) == 3


@pytest.mark.pci_dss("3", "10")
def test_three_managed_rules_check_encryption_and_flow_logs(stack: StackJson) -> None:
    identifiers = {
        body["source"]["source_identifier"]: body["scope"]["compliance_resource_types"]
        for body in stack.resources("aws_config_config_rule").values()
    }
    assert identifiers == {
        "ENCRYPTED_VOLUMES": ["AWS::EC2::Volume"],
        "RDS_STORAGE_ENCRYPTED": ["AWS::RDS::DBInstance"],
        "VPC_FLOW_LOGS_ENABLED": ["AWS::EC2::VPC"],
    }


@pytest.mark.pci_dss("11")
def test_non_compliance_invokes_the_remediation_function(stack: StackJson) -> None:
    rule_id, rule = stack.at("aws_cloudwatch_event_rule", "queuing/config_noncompliant-rule")
    _, target = stack.at("aws_cloudwatch_event_target", "queuing/config_noncompliant-target")
    fn_id, remediation = stack.at("aws_lambda_function", "compliance/remediation/function")
    pattern = json.loads(rule["event_pattern"])
    assert pattern["detail"]["newEvaluationResult"] == {"complianceType": ["NON_COMPLIANT"]}
    assert len(pattern["detail"]["configRuleName"]) == 3
    assert target["arn"] == stack.ref("aws_lambda_function", fn_id, "arn")
    _, permission = stack.at("aws_lambda_permission", "compliance/rule-invokes-remediation")
    assert permission["source_arn"] == stack.ref("aws_cloudwatch_event_rule", rule_id, "arn")
    variables = remediation["environment"]["variables"]
    flow_rule = next(
        b
        for b in stack.resources("aws_config_config_rule").values()
        if b["source"]["source_identifier"] == "VPC_FLOW_LOGS_ENABLED"
    )
    assert variables["FLOW_LOGS_RULE_NAME"] == flow_rule["name"]
    _, policy = stack.at("aws_iam_role_policy", "compliance/remediation/policy")
    statements = {s["Sid"]: s for s in json.loads(policy["policy"])["Statement"]}
    role_id, _ = stack.at("aws_iam_role", "compliance/flow-logs-role")
    assert statements["HandOverFlowLogsRole"]["Resource"] == [stack.ref("aws_iam_role", role_id, "arn")]
    # CreateFlowLogs authorizes on the VPC and on the new flow log (AWS's resource types for it)
    assert statements["EnableFlowLogsOnVpcs"]["Action"] == ["ec2:CreateFlowLogs"]
    assert [r.rsplit(":", 1)[-1] for r in statements["EnableFlowLogsOnVpcs"]["Resource"]] == [
        "vpc/*",
        "vpc-flow-log/*",
    ]
    assert all(
        r.startswith("arn:") and ":ec2:*:" in r for r in statements["EnableFlowLogsOnVpcs"]["Resource"]
    )
