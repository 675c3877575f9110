"""GuardDuty and Config as synthesized: created on the AWS synth, adopted on the emulator synth."""

from __future__ import annotations

import json
from typing import Any

from unit_tests.conftest import ADOPTED_DETECTOR, Synthesized
from unit_tests.synth_json import StackJson


def lifecycle(stack: StackJson, bucket: str) -> dict[str, Any]:
    _, body = stack.at("aws_s3_bucket_lifecycle_configuration", f"storage/{bucket}/lifecycle")
    return {rule["id"]: rule for rule in body["rule"]}


def policy_sids(stack: StackJson, bucket: str) -> dict[str, dict[str, Any]]:
    _, body = stack.at("aws_s3_bucket_policy", f"storage/{bucket}/policy")
    return {s["Sid"]: s for s in json.loads(body["policy"])["Statement"]}


def test_created_detector_publishes_every_six_hours_to_the_findings_bucket(synthesized: Synthesized) -> None:
    stack = synthesized.aws
    detector_id, detector = stack.at("aws_guardduty_detector", "threat-detection/detector")
    assert detector["finding_publishing_frequency"] == "SIX_HOURS" and detector["enable"] is True
    _, export = stack.at("aws_guardduty_publishing_destination", "threat-detection/export")
    bucket_id, _ = stack.at("aws_s3_bucket", "storage/guardduty-findings/bucket")
    key_id, _ = stack.at("aws_kms_key", "keys/data/key")
    assert export["detector_id"] == stack.ref("aws_guardduty_detector", detector_id, "id")
    assert export["destination_arn"] == stack.ref("aws_s3_bucket", bucket_id, "arn")
    assert export["kms_key_arn"] == stack.ref("aws_kms_key", key_id, "arn")
    policy_id, _ = stack.at("aws_s3_bucket_policy", "storage/guardduty-findings/policy")
    assert f"aws_s3_bucket_policy.{policy_id}" in export["depends_on"]


def test_an_existing_detector_is_adopted_not_created(synthesized: Synthesized) -> None:
    stack = synthesized.emulator
    assert "aws_guardduty_detector" not in stack.resource_types()
    assert stack.doc["output"]["guardduty_detector_id"]["value"] == ADOPTED_DETECTOR


def test_high_severity_findings_go_to_the_alert_topic(stack: StackJson) -> None:
    _, rule = stack.at("aws_cloudwatch_event_rule", "queuing/guardduty_high-rule")
    _, target = stack.at("aws_cloudwatch_event_target", "queuing/guardduty_high-target")
    topic_id, _ = stack.at("aws_sns_topic", "monitoring/topic")
    assert rule["event_bus_name"] == "default"
    assert json.loads(rule["event_pattern"]) == {
        "source": ["aws.guardduty"],
        "detail-type": ["GuardDuty Finding"],
        "detail": {"severity": [{"numeric": [">=", 7]}]},
    }
    assert target["arn"] == stack.ref("aws_sns_topic", topic_id, "arn")
    assert "dead_letter_config" in target and target["retry_policy"]["maximum_retry_attempts"] > 0


def test_findings_bucket_expires_after_90_days_and_admits_guardduty_of_this_account(stack: StackJson) -> None:
    assert lifecycle(stack, "guardduty-findings")["expire-after-90-days"]["expiration"] == [{"days": 90}]
    export = policy_sids(stack, "guardduty-findings")["GuardDutyExport"]
    assert export["Principal"] == {"Service": "guardduty.amazonaws.com"}
    assert export["Condition"]["ArnLike"]["aws:SourceArn"].endswith(":detector/*")
    _, key = stack.at("aws_kms_key", "keys/data/key")
    grants = {s["Sid"]: s for s in json.loads(key["policy"])["Statement"]}
    assert grants["UseByGuardduty"]["Action"] == ["kms:GenerateDataKey"]


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


def test_config_bucket_is_versioned_keeps_old_versions_a_year_and_admits_config(stack: StackJson) -> None:
    _, versioning = stack.at("aws_s3_bucket_versioning", "storage/config-snapshots/versioning")
    assert versioning["versioning_configuration"]["status"] == "Enabled"
    rule = lifecycle(stack, "config-snapshots")["expire-old-versions"]
    assert rule["noncurrent_version_expiration"] == [{"noncurrent_days": 365}]
    delivery = policy_sids(stack, "config-snapshots")["ConfigDelivery"]
    assert delivery["Principal"] == {"Service": "config.amazonaws.com"}
    (resource,) = delivery["Resource"]
    assert ":s3:::config-snapshots-unit-ut1234/AWSLogs/" in resource and resource.endswith("/Config/*")


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


def test_every_event_target_can_park_undeliverable_events_in_the_delivery_dlq(stack: StackJson) -> None:
    _, policy = stack.at("aws_sqs_queue_policy", "queuing/delivery-dlq-policy")
    (statement,) = json.loads(policy["policy"])["Statement"]
    allowed = set(statement["Condition"]["ArnEquals"]["aws:SourceArn"])
    rules = {
        stack.ref("aws_cloudwatch_event_rule", lid, "arn")
        for lid in stack.resources("aws_cloudwatch_event_rule")
    }
    assert allowed == rules and len(rules) == 5
