"""Unit (synthesized configuration): the payment platform's payments queue."""

from __future__ import annotations

import json
from typing import Any

import pytest

from unit_tests.conftest import RUN_ID, SUFFIX
from unit_tests.synth_json import StackJson


def data_key(stack: StackJson) -> tuple[str, dict[str, Any]]:
    return stack.at("aws_kms_key", "keys/data/key")


@pytest.mark.pci_dss("3")
def test_payments_queue_and_dlq_are_encrypted_with_the_data_key(stack: StackJson) -> None:
    key_id, _ = data_key(stack)
    key_arn = stack.ref("aws_kms_key", key_id, "arn")
    _, queue = stack.at("aws_sqs_queue", "payments-queue/queue")
    _, dlq = stack.at("aws_sqs_queue", "payments-queue/dlq")
    assert queue["kms_master_key_id"] == key_arn
    assert dlq["kms_master_key_id"] == key_arn
    assert queue["name"] == f"payments-{SUFFIX}-{RUN_ID}"
    assert dlq["name"] == f"payments-dlq-{SUFFIX}-{RUN_ID}"


def test_payments_queue_redrives_to_its_dlq_after_three_receives(stack: StackJson) -> None:
    dlq_id, dlq = stack.at("aws_sqs_queue", "payments-queue/dlq")
    _, queue = stack.at("aws_sqs_queue", "payments-queue/queue")
    redrive = json.loads(queue["redrive_policy"])
    assert redrive == {"deadLetterTargetArn": stack.ref("aws_sqs_queue", dlq_id, "arn"), "maxReceiveCount": 3}
    assert dlq["message_retention_seconds"] == 14 * 24 * 3600
