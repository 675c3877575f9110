"""Unit (synthesized configuration): the payment platform's payment platform outputs."""

from __future__ import annotations

import json
from typing import Any

from pci_infra.stacks.outputs import PaymentPlatformOutputs
from unit_tests.synth_json import StackJson


def data_key(stack: StackJson) -> tuple[str, dict[str, Any]]:
    return stack.at("aws_kms_key", "keys/data/key")


def test_outputs_carry_no_secret(stack: StackJson) -> None:
    text = json.dumps(stack.doc["output"])
    assert "var.payment_api_key" not in text and "value_wo" not in text
    assert not [name for name, body in stack.doc["output"].items() if body.get("sensitive")]


def test_outputs_point_at_the_resources_the_live_tests_probe(stack: StackJson) -> None:
    key_id, _ = data_key(stack)
    bucket_id, _ = stack.at("aws_s3_bucket", "storage/transaction-logs/bucket")
    dlq_id, _ = stack.at("aws_sqs_queue", "payments-queue/dlq")
    outputs = PaymentPlatformOutputs.from_terraform(stack.doc["output"])
    assert outputs.data_key_arn == stack.ref("aws_kms_key", key_id, "arn")
    assert outputs.transaction_logs_bucket_name == stack.ref("aws_s3_bucket", bucket_id, "bucket")
    assert outputs.payments_dlq_url == stack.ref("aws_sqs_queue", dlq_id, "url")
