"""Unit (synthesized configuration): the payment platform's event bus."""

from __future__ import annotations

import json
from typing import Any

import pytest

from unit_tests.synth_json import StackJson


def rule(stack: StackJson, route: str) -> tuple[str, dict[str, Any]]:
    return stack.at("aws_cloudwatch_event_rule", f"queuing/{route}-rule")


def target(stack: StackJson, route: str) -> dict[str, Any]:
    _, body = stack.at("aws_cloudwatch_event_target", f"queuing/{route}-target")
    return body


@pytest.mark.pci_dss("3")
def test_bus_is_encrypted_with_the_events_key(stack: StackJson) -> None:
    key_id, _ = stack.at("aws_kms_key", "keys/events/key")
    _, bus = stack.at("aws_cloudwatch_event_bus", "queuing/bus")
    assert bus["kms_key_identifier"] == stack.ref("aws_kms_key", key_id, "arn")


def test_success_goes_to_the_analytics_queue(stack: StackJson) -> None:
    rule_id, body = rule(stack, "succeeded")
    bus_id, _ = stack.at("aws_cloudwatch_event_bus", "queuing/bus")
    queue_id, _ = stack.at("aws_sqs_queue", "queuing/analytics/queue")
    assert json.loads(body["event_pattern"]) == {
        "source": ["payments.processor"],
        "detail-type": ["payment.succeeded"],
    }
    assert body["event_bus_name"] == stack.ref("aws_cloudwatch_event_bus", bus_id, "name")
    assert target(stack, "succeeded")["arn"] == stack.ref("aws_sqs_queue", queue_id, "arn")
    _, policy = stack.at("aws_sqs_queue_policy", "queuing/analytics/queue-policy")
    (statement,) = json.loads(policy["policy"])["Statement"]
    assert statement["Principal"] == {"Service": "events.amazonaws.com"}
    assert statement["Condition"] == {
        "ArnEquals": {"aws:SourceArn": [stack.ref("aws_cloudwatch_event_rule", rule_id, "arn")]}
    }


def test_failures_and_db_failovers_go_to_the_alert_topic(stack: StackJson) -> None:
    topic_id, _ = stack.at("aws_sns_topic", "monitoring/topic")
    topic_arn = stack.ref("aws_sns_topic", topic_id, "arn")
    _, failed = rule(stack, "failed")
    assert json.loads(failed["event_pattern"])["detail-type"] == ["payment.failed"]
    assert target(stack, "failed")["arn"] == topic_arn
    _, failover = rule(stack, "db_failover")
    pattern = json.loads(failover["event_pattern"])
    assert failover["event_bus_name"] == "default", "RDS publishes on the default bus"
    assert pattern["source"] == ["aws.rds"] and pattern["detail"] == {"EventCategories": ["failover"]}
    assert pattern["resources"][0].startswith("${module.database_aurora_module_")
    assert target(stack, "db_failover")["arn"] == topic_arn


def test_every_target_retries_an_hour_then_parks_the_event_in_the_delivery_dlq(stack: StackJson) -> None:
    dlq_id, dlq = stack.at("aws_sqs_queue", "queuing/delivery-dlq")
    for route in ("succeeded", "failed", "db_failover"):
        body = target(stack, route)
        assert body["retry_policy"] == {"maximum_event_age_in_seconds": 3600, "maximum_retry_attempts": 5}
        assert body["dead_letter_config"] == {"arn": stack.ref("aws_sqs_queue", dlq_id, "arn")}
    assert dlq["message_retention_seconds"] == 14 * 24 * 3600


def test_every_event_target_can_park_undeliverable_events_in_the_delivery_dlq(stack: StackJson) -> None:
    _, policy = stack.at("aws_sqs_queue_policy", "queuing/delivery-dlq-policy")
    (statement,) = json.loads(policy["policy"])["Statement"]
    allowed = set(statement["Condition"]["ArnEquals"]["aws:SourceArn"])
    rules = {
        stack.ref("aws_cloudwatch_event_rule", lid, "arn")
        for lid in stack.resources("aws_cloudwatch_event_rule")
    }
    assert allowed == rules and len(rules) == 5
