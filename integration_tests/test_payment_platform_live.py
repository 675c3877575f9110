"""Live behaviour of the deployed payment platform slice (GIVEN / WHEN / THEN)."""

from __future__ import annotations

import json

import pytest

from harness.environment import EphemeralEnvironment
from harness.probes import bucket_default_kms_key, key_rotation_enabled, message_reaches_dlq, queue_kms_key
from harness.stages import skip_requested

pytestmark = pytest.mark.live


def test_data_key_rotates(payment_platform: EphemeralEnvironment) -> None:
    # GIVEN the deployed data key
    key_arn = payment_platform.outputs["data_key_arn"]
    # WHEN KMS is asked for its rotation status THEN rotation is on
    assert key_rotation_enabled(payment_platform.target, key_arn) is True


def test_transaction_log_bucket_encrypts_with_the_data_key(payment_platform: EphemeralEnvironment) -> None:
    # GIVEN the transaction-log bucket WHEN its default encryption is read
    algorithm, key = bucket_default_kms_key(
        payment_platform.target, payment_platform.outputs["transaction_logs_bucket_name"]
    )
    # THEN it is SSE-KMS with our data key, not an AWS-managed key
    assert (algorithm, key) == ("aws:kms", payment_platform.outputs["data_key_arn"])


def test_queues_encrypt_with_the_data_key(payment_platform: EphemeralEnvironment) -> None:
    outputs = payment_platform.outputs
    for url in (outputs["payments_queue_url"], outputs["payments_dlq_url"]):
        assert queue_kms_key(payment_platform.target, url) == outputs["data_key_arn"], url


def test_message_received_three_times_without_delete_lands_in_the_dlq(
    payment_platform: EphemeralEnvironment,
) -> None:
    outputs = payment_platform.outputs
    # GIVEN a payment message WHEN a consumer receives it three times without deleting it
    seen = message_reaches_dlq(
        payment_platform.target, outputs["payments_queue_url"], outputs["payments_dlq_url"], receives=3
    )
    # THEN it is no longer delivered from the work queue and waits in the DLQ
    assert seen.dlq_body.startswith("dlq-probe-")
    assert seen.receives == 3


@pytest.mark.emulator_gap("aws_sqs_queue_redrive_allow_policy")
def test_dlq_accepts_redrive_only_from_the_payments_queue(payment_platform: EphemeralEnvironment) -> None:
    outputs = payment_platform.outputs
    sqs = payment_platform.target.client("sqs")
    source_arn = sqs.get_queue_attributes(
        QueueUrl=outputs["payments_queue_url"], AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    allow = sqs.get_queue_attributes(
        QueueUrl=outputs["payments_dlq_url"], AttributeNames=["RedriveAllowPolicy"]
    )
    policy = json.loads(allow["Attributes"]["RedriveAllowPolicy"])
    assert policy == {"redrivePermission": "byQueue", "sourceQueueArns": [source_arn]}


def test_teardown_destroys_everything_and_the_sweep_finds_no_orphans(
    payment_platform: EphemeralEnvironment,
) -> None:
    if skip_requested("teardown", payment_platform.environ):
        pytest.skip("SKIP_teardown is set: the environment is kept for inspection")
    # WHEN the environment is destroyed THEN nothing tagged or named with the run id remains
    assert payment_platform.teardown() == []
    assert payment_platform.torn_down
