"""Firehose, SSM parameters, alarms, tracing and saved queries as synthesized."""

from __future__ import annotations

import json
import re
from typing import Any

from constructs_py.lambda_package import LAMBDA_ROOT
from unit_tests.conftest import Synthesized
from unit_tests.synth_json import StackJson


def arn_of(stack: StackJson, rtype: str, path: str) -> str:
    return stack.ref(rtype, stack.at(rtype, path)[0], "arn")


def test_stream_lands_gzip_encrypted_transformed_and_backed_up(stack: StackJson) -> None:
    _, stream = stack.at("aws_kinesis_firehose_delivery_stream", "streaming/stream")
    data_key = arn_of(stack, "aws_kms_key", "keys/data/key")
    bucket = arn_of(stack, "aws_s3_bucket", "storage/stream/bucket")
    s3 = stream["extended_s3_configuration"]
    assert (s3["compression_format"], s3["kms_key_arn"], s3["bucket_arn"]) == ("GZIP", data_key, bucket)
    assert stream["server_side_encryption"] == {
        "enabled": True,
        "key_type": "CUSTOMER_MANAGED_CMK",
        "key_arn": data_key,
    }
    (processor,) = s3["processing_configuration"]["processors"]
    (parameter,) = processor["parameters"]
    transformer = arn_of(stack, "aws_lambda_function", "streaming/transformer/function")
    assert (processor["type"], parameter["parameter_value"]) == ("Lambda", f"{transformer}:$LATEST")
    assert s3["s3_backup_mode"] == "Enabled"
    assert s3["s3_backup_configuration"]["bucket_arn"] == bucket
    assert s3["error_output_prefix"].startswith("errors/")


def test_stream_bucket_moves_everything_to_intelligent_tiering_at_once(stack: StackJson) -> None:
    _, body = stack.at("aws_s3_bucket_lifecycle_configuration", "storage/stream/lifecycle")
    rules = {r["id"]: r for r in body["rule"]}
    assert rules["intelligent-tiering"]["transition"] == [{"days": 0, "storage_class": "INTELLIGENT_TIERING"}]


def test_delivery_role_reaches_exactly_its_bucket_key_function_and_log_stream(stack: StackJson) -> None:
    _, policy = stack.at("aws_iam_role_policy", "streaming/policy")
    statements = {s["Sid"]: s for s in json.loads(policy["policy"])["Statement"]}
    bucket = arn_of(stack, "aws_s3_bucket", "storage/stream/bucket")
    transformer = arn_of(stack, "aws_lambda_function", "streaming/transformer/function")
    assert statements["WriteTheStreamBucketOnly"]["Resource"] == [bucket, f"{bucket}/*"]
    assert statements["EncryptWithTheDataKeyThroughS3"]["Resource"] == [
        arn_of(stack, "aws_kms_key", "keys/data/key")
    ]
    assert statements["InvokeTheTransformerOnly"]["Resource"] == [transformer, f"{transformer}:*"]
    assert len(statements["OwnLogStreamOnly"]["Resource"]) == 1
    assert not [s for s in statements.values() if "*" in s["Resource"]]


def test_parameters_are_secure_strings_under_the_ssm_key(stack: StackJson) -> None:
    ssm_key = arn_of(stack, "aws_kms_key", "keys/ssm/key")
    params = stack.resources("aws_ssm_parameter")
    assert len(params) == 3
    for body in params.values():
        assert (body["type"], body["key_id"]) == ("SecureString", ssm_key)
        assert body["name"].startswith("/payments-unit-ut1234/")
    _, key = stack.at("aws_kms_key", "keys/ssm/key")
    (use,) = [s for s in json.loads(key["policy"])["Statement"] if s["Sid"] == "UseThroughServices"]
    assert use["Condition"]["ForAnyValue:StringEquals"]["kms:ViaService"] == ["ssm.us-east-1.amazonaws.com"]


def test_connection_string_has_no_password_and_the_api_key_is_write_only(stack: StackJson) -> None:
    _, connection = stack.at("aws_ssm_parameter", "parameters/proxy-connection")
    assert re.fullmatch(
        r"postgresql://payments_admin@\$\{[^}]+\}:5432/payments\?sslmode=verify-full", connection["value"]
    )
    _, api_key = stack.at("aws_ssm_parameter", "parameters/api-key")
    assert "value" not in api_key
    assert api_key["value_wo"] == "${var.payment_api_key}" and api_key["value_wo_version"] == 1
    variable = stack.doc["variable"]["payment_api_key"]
    assert variable["ephemeral"] is True and variable["sensitive"] is True and "default" not in variable


def test_outputs_carry_no_secret(stack: StackJson) -> None:
    text = json.dumps(stack.doc["output"])
    assert "var.payment_api_key" not in text and "value_wo" not in text
    assert not [name for name, body in stack.doc["output"].items() if body.get("sensitive")]


def alarms(stack: StackJson) -> dict[str, dict[str, Any]]:
    return {
        body["alarm_name"].removeprefix("payments-alarm-unit-ut1234-"): body
        for body in stack.resources("aws_cloudwatch_metric_alarm").values()
    }


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


def test_every_dlq_and_function_is_watched_and_every_alarm_notifies_the_topic(stack: StackJson) -> None:
    by_key = alarms(stack)
    for dlq in ("payments", "analytics", "events-delivery", "processor", "api", "transformer", "remediation"):
        assert by_key[f"{dlq}-dlq-not-empty"]["threshold"] == 0
    for fn in ("processor", "api", "transformer", "remediation"):
        assert by_key[f"{fn}-errors"]["metric_name"] == "Errors"
        assert by_key[f"{fn}-throttles"]["metric_name"] == "Throttles"
    topic = arn_of(stack, "aws_sns_topic", "monitoring/topic")
    for key, body in by_key.items():
        if key != "api-unhealthy":
            assert body["alarm_actions"] == [topic], key


def test_failed_payment_alarm_watches_what_the_processor_emits(stack: StackJson) -> None:
    _, processor = stack.at("aws_lambda_function", "functions/processor/function")
    alarm = alarms(stack)["failed-payments"]
    assert alarm["namespace"] == processor["environment"]["variables"]["METRIC_NAMESPACE"]
    source = (LAMBDA_ROOT / "payment-processor" / "src" / "metrics.mjs").read_text()
    assert f"export const METRIC_NAME = '{alarm['metric_name']}';" in source


def test_traces_are_fully_sampled_and_encrypted_and_queries_saved_on_aws(synthesized: Synthesized) -> None:
    stack = synthesized.aws
    _, rule = stack.at("aws_xray_sampling_rule", "observability/payments-sampling")
    assert (rule["fixed_rate"], rule["url_path"]) == (1, "/api/payments*")
    _, encryption = stack.at("aws_xray_encryption_config", "observability/traces-encryption")
    assert (encryption["type"], encryption["key_id"]) == (
        "KMS",
        arn_of(stack, "aws_kms_key", "keys/data/key"),
    )
    queries = {
        body["name"].split("/")[-1]: body
        for body in stack.resources("aws_cloudwatch_query_definition").values()
    }
    assert set(queries) == {"rejected-flows", "top-talkers", "failed-payments-by-reason"}
    assert "action = 'REJECT'" in queries["rejected-flows"]["query_string"]
    assert "by Reason" in queries["failed-payments-by-reason"]["query_string"]
