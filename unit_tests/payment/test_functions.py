"""Unit (synthesized configuration): the payment platform's functions."""

from __future__ import annotations

import json
from typing import Any

import pytest

from unit_tests.synth_json import StackJson

FUNCTIONS = ("functions/processor", "functions/api", "streaming/transformer", "compliance/remediation")


def function(stack: StackJson, path: str) -> tuple[str, dict[str, Any]]:
    return stack.at("aws_lambda_function", f"{path}/function")


def role_statements(stack: StackJson, path: str) -> dict[str, dict[str, Any]]:
    _, policy = stack.at("aws_iam_role_policy", f"{path}/policy")
    return {s["Sid"]: s for s in json.loads(policy["policy"])["Statement"]}


@pytest.mark.pci_dss("3")
def test_every_function_runs_node22_capped_traced_with_an_encrypted_dlq(stack: StackJson) -> None:
    data_key = stack.ref("aws_kms_key", stack.at("aws_kms_key", "keys/data/key")[0], "arn")
    logs_key = stack.ref("aws_kms_key", stack.at("aws_kms_key", "keys/logs/key")[0], "arn")
    assert len(stack.resources("aws_lambda_function")) == len(FUNCTIONS)
    for path in FUNCTIONS:
        _, body = function(stack, path)
        dlq_id, dlq = stack.at("aws_sqs_queue", f"{path}/dlq")
        _, logs = stack.at("aws_cloudwatch_log_group", f"{path}/logs")
        assert body["runtime"] == "nodejs22.x", path
        assert 1 <= body["reserved_concurrent_executions"] <= 20, path
        assert body["tracing_config"] == {"mode": "Active"}, path
        assert body["dead_letter_config"] == {"target_arn": stack.ref("aws_sqs_queue", dlq_id, "arn")}, path
        assert dlq["kms_master_key_id"] == data_key and body["kms_key_arn"] == data_key, path
        assert logs["kms_key_id"] == logs_key and logs["retention_in_days"] == 365, path
        assert body["source_code_hash"] and body["filename"].startswith("assets/"), path
        statements = role_statements(stack, path)
        assert statements["OwnLogGroupOnly"]["Resource"] == [
            "${"
            + f"aws_cloudwatch_log_group.{stack.at('aws_cloudwatch_log_group', f'{path}/logs')[0]}.arn"
            + "}:*"
        ], path


def test_no_function_environment_carries_a_secret(stack: StackJson) -> None:
    for path in FUNCTIONS:
        _, body = function(stack, path)
        variables = body.get("environment", {}).get("variables", {})
        assert not [
            k for k in variables if any(w in k.upper() for w in ("PASSWORD", "SECRET", "TOKEN", "KEY"))
        ]


def test_processor_consumes_the_payments_queue_reporting_partial_failures(stack: StackJson) -> None:
    fn_id, processor = function(stack, "functions/processor")
    queue_id, _ = stack.at("aws_sqs_queue", "payments-queue/queue")
    _, mapping = stack.at("aws_lambda_event_source_mapping", "functions/payments-trigger")
    assert mapping["event_source_arn"] == stack.ref("aws_sqs_queue", queue_id, "arn")
    assert mapping["function_name"] == stack.ref("aws_lambda_function", fn_id, "arn")
    assert mapping["function_response_types"] == ["ReportBatchItemFailures"]
    assert mapping["scaling_config"]["maximum_concurrency"] <= processor["reserved_concurrent_executions"]


@pytest.mark.pci_dss("7")
def test_processor_reaches_the_ledger_only_through_the_proxy_as_the_database_user(stack: StackJson) -> None:
    _, processor = function(stack, "functions/processor")
    sg_id, _ = stack.at("aws_security_group", "network/processor-sg")
    assert processor["vpc_config"]["security_group_ids"] == [stack.ref("aws_security_group", sg_id, "id")]
    statements = role_statements(stack, "functions/processor")
    (connect,) = statements["ConnectThroughProxyAsTheDatabaseUser"]["Resource"]
    assert ":dbuser:" in connect and connect.endswith("/payments_admin")
    assert "proxy_resource_id" in connect, "scoped to the proxy's resource id, not the cluster or *"
    param_id, _ = stack.at("aws_ssm_parameter", "parameters/proxy-connection")
    assert statements["ReadConnectionString"]["Resource"] == [stack.ref("aws_ssm_parameter", param_id, "arn")]
    bus_id, _ = stack.at("aws_cloudwatch_event_bus", "queuing/bus")
    assert statements["AnnounceOutcomes"]["Resource"] == [
        stack.ref("aws_cloudwatch_event_bus", bus_id, "arn")
    ]
    _, ingress = stack.module_at("database/aurora/module")
    assert ingress["allowed_security_groups"] == {
        "payment-functions": stack.ref("aws_security_group", sg_id, "id")
    }


@pytest.mark.pci_dss("7")
def test_api_is_the_albs_lambda_target_and_only_queues_payments(stack: StackJson) -> None:
    fn_id, api = function(stack, "functions/api")
    _, permission = stack.at("aws_lambda_permission", "functions/alb-invokes-api")
    _, attachment = stack.at("aws_lb_target_group_attachment", "functions/api-target")
    assert permission["principal"] == "elasticloadbalancing.amazonaws.com"
    assert permission["source_arn"] == attachment["target_group_arn"]
    assert "target_group_arns" in attachment["target_group_arn"]
    assert attachment["target_id"] == stack.ref("aws_lambda_function", fn_id, "arn")
    statements = role_statements(stack, "functions/api")
    queue_id, _ = stack.at("aws_sqs_queue", "payments-queue/queue")
    assert statements["QueuePayments"] == {
        "Sid": "QueuePayments",
        "Effect": "Allow",
        "Action": ["sqs:SendMessage"],
        "Resource": [stack.ref("aws_sqs_queue", queue_id, "arn")],
    }
    assert api["environment"]["variables"] == {
        "PAYMENTS_QUEUE_URL": stack.ref("aws_sqs_queue", queue_id, "url"),
        "CURRENCY_ALLOWLIST": "EUR,GBP,USD",
    }
    _, settings = stack.at("aws_ssm_parameter", "parameters/settings")
    # The API enforces the same allow-list the settings parameter publishes.
    assert json.loads(settings["value"])["currency_allowlist"] == ["EUR", "GBP", "USD"]
