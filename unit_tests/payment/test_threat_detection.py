"""Unit (synthesized configuration): the payment platform's threat detection."""

from __future__ import annotations

import json

import pytest

from unit_tests.conftest import ADOPTED_DETECTOR, Synthesized
from unit_tests.synth_json import StackJson


@pytest.mark.pci_dss("11")
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


@pytest.mark.pci_dss("11")
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
