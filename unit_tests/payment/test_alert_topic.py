"""Unit (synthesized configuration): the payment platform's alert topic."""

from __future__ import annotations

import json

import pytest

from unit_tests.synth_json import StackJson


@pytest.mark.pci_dss("3", "7")
def test_alert_topic_is_encrypted_and_only_rules_and_alarms_of_this_account_publish(stack: StackJson) -> None:
    key_id, _ = stack.at("aws_kms_key", "keys/events/key")
    _, topic = stack.at("aws_sns_topic", "monitoring/topic")
    assert topic["kms_master_key_id"] == stack.ref("aws_kms_key", key_id, "arn")
    _, policy = stack.at("aws_sns_topic_policy", "monitoring/policy")
    (statement,) = json.loads(policy["policy"])["Statement"]
    assert statement["Action"] == ["sns:Publish"]
    assert statement["Principal"] == {"Service": ["events.amazonaws.com", "cloudwatch.amazonaws.com"]}
    assert "aws:SourceAccount" in statement["Condition"]["StringEquals"]
    # Both publishers must also be able to use the topic's key, or their messages are refused.
    _, key = stack.at("aws_kms_key", "keys/events/key")
    grants = {s["Sid"]: s["Principal"] for s in json.loads(key["policy"])["Statement"]}
    assert grants["UseByEvents"] == {"Service": "events.amazonaws.com"}
    assert grants["UseByCloudwatch"] == {"Service": "cloudwatch.amazonaws.com"}


def test_alerts_reach_the_on_call_address_by_email(stack: StackJson) -> None:
    topic_id, _ = stack.at("aws_sns_topic", "monitoring/topic")
    _, subscription = stack.at("aws_sns_topic_subscription", "monitoring/email")
    assert subscription["topic_arn"] == stack.ref("aws_sns_topic", topic_id, "arn")
    assert (subscription["protocol"], subscription["endpoint"]) == ("email", "payments-oncall@example.org")
