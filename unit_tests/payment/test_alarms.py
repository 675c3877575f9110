"""Unit (synthesized configuration): the payment platform's alarms."""

from __future__ import annotations

from typing import Any

import pytest

from pci_infra.blocks.lambda_package import LAMBDA_ROOT
from unit_tests.synth_json import StackJson


def arn_of(stack: StackJson, rtype: str, path: str) -> str:
    return stack.ref(rtype, stack.at(rtype, path)[0], "arn")


def alarms(stack: StackJson) -> dict[str, dict[str, Any]]:
    return {
        body["alarm_name"].removeprefix("payments-alarm-unit-ut1234-"): body
        for body in stack.resources("aws_cloudwatch_metric_alarm").values()
    }


@pytest.mark.pci_dss("10")
def test_alarm_thresholds(stack: StackJson) -> None:
    by_key = alarms(stack)
    expected = {
        "batch-cpu-high": ("AWS/EC2", "CPUUtilization", 80),
        "batch-memory-high": ("CWAgent", "mem_used_percent", 80),
        "payments-queue-depth": ("AWS/SQS", "ApproximateNumberOfMessagesVisible", 100),
        "failed-payments": ("PaymentPlatform-unit-ut1234", "FailedPayments", 5),
        "proxy-connections": ("AWS/RDS", "ClientConnections", 500),
    }
    for key, (namespace, metric, threshold) in expected.items():
        body = by_key[key]
        assert (body["namespace"], body["metric_name"], body["threshold"]) == (
            namespace,
            metric,
            threshold,
        ), key
    assert (
        by_key["batch-memory-high"]["dimensions"]["AutoScalingGroupName"]
        == "${aws_autoscaling_group." + stack.at("aws_autoscaling_group", "batch/group")[0] + ".name}"
    )


@pytest.mark.pci_dss("10")
def test_every_dlq_and_function_is_watched_and_every_alarm_notifies_the_topic(stack: StackJson) -> None:
    by_key = alarms(stack)
    for dlq in ("payments", "analytics", "events-delivery", "processor", "api", "transformer", "remediation"):
        assert by_key[f"{dlq}-dlq-not-empty"]["threshold"] == 0
    for fn in ("processor", "api", "transformer", "remediation"):
        assert by_key[f"{fn}-errors"]["metric_name"] == "Errors"
        assert by_key[f"{fn}-throttles"]["metric_name"] == "Throttles"
    topic = arn_of(stack, "aws_sns_topic", "monitoring/topic")
    assert "api-unhealthy" in by_key, "the DNS failover alarm is one of them"
    for key, body in by_key.items():
        assert body["alarm_actions"] == body["ok_actions"] == [topic], key


@pytest.mark.pci_dss("10")
def test_failed_payment_alarm_watches_what_the_processor_emits(stack: StackJson) -> None:
    _, processor = stack.at("aws_lambda_function", "functions/processor/function")
    alarm = alarms(stack)["failed-payments"]
    assert alarm["namespace"] == processor["environment"]["variables"]["METRIC_NAMESPACE"]
    source = (LAMBDA_ROOT / "payment-processor" / "src" / "metrics.mjs").read_text()
    assert f"export const METRIC_NAME = '{alarm['metric_name']}';" in source
