"""Which key encrypts what, how the queue redrives, what the bucket keeps: the first platform slice."""

from __future__ import annotations

import json
from typing import Any

from unit_tests.conftest import RUN_ID, SUFFIX
from unit_tests.synth_json import StackJson


def data_key(stack: StackJson) -> tuple[str, dict[str, Any]]:
    return stack.at("aws_kms_key", "keys/data/key")


def test_data_key_rotates_and_is_destroyable_within_a_week(stack: StackJson) -> None:
    _, key = data_key(stack)
    assert key["enable_key_rotation"] is True
    assert key["deletion_window_in_days"] == 7


def test_data_key_alias_follows_the_payment_convention(stack: StackJson) -> None:
    key_id, _ = data_key(stack)
    _, alias = stack.at("aws_kms_alias", "keys/data/alias")
    assert alias["name"] == f"alias/payment-data-{SUFFIX}-{RUN_ID}"
    assert alias["target_key_id"] == stack.ref("aws_kms_key", key_id, "key_id")


def test_data_key_policy_grants_use_only_through_the_data_services_of_this_account(stack: StackJson) -> None:
    _, key = data_key(stack)
    statements = {s["Sid"]: s for s in json.loads(key["policy"])["Statement"]}
    admin = statements["KeyAdministrationByAccount"]
    assert admin["Principal"]["AWS"].endswith(":root")
    use = statements["UseThroughServices"]
    assert "kms:*" not in use["Action"]
    assert use["Condition"]["ForAnyValue:StringEquals"]["kms:ViaService"] == [
        f"{service}.us-east-1.amazonaws.com" for service in ("s3", "sqs", "ec2", "lambda", "firehose", "xray")
    ]
    assert "kms:CallerAccount" in use["Condition"]["StringEquals"]
    wildcard = [s for s in statements.values() if s["Principal"] == {"AWS": "*"} and "Condition" not in s]
    assert wildcard == [], "a statement open to every principal must carry a condition"


def test_transaction_log_bucket_default_encryption_is_the_data_key(stack: StackJson) -> None:
    key_id, _ = data_key(stack)
    bucket_id, bucket = stack.at("aws_s3_bucket", "storage/transaction-logs/bucket")
    _, sse = stack.at(
        "aws_s3_bucket_server_side_encryption_configuration", "storage/transaction-logs/encryption"
    )
    assert sse["bucket"] == stack.ref("aws_s3_bucket", bucket_id, "id")
    default = sse["rule"][0]["apply_server_side_encryption_by_default"]
    assert default == {
        "sse_algorithm": "aws:kms",
        "kms_master_key_id": stack.ref("aws_kms_key", key_id, "arn"),
    }
    assert bucket["bucket"] == f"transaction-logs-{SUFFIX}-{RUN_ID}"
    assert bucket["force_destroy"] is True


def test_transaction_log_bucket_is_private_versioned_and_expires_old_versions(stack: StackJson) -> None:
    bucket_id, _ = stack.at("aws_s3_bucket", "storage/transaction-logs/bucket")
    bucket_ref = stack.ref("aws_s3_bucket", bucket_id, "id")
    _, pab = stack.at("aws_s3_bucket_public_access_block", "storage/transaction-logs/public-access-block")
    assert pab["bucket"] == bucket_ref
    assert all(
        pab[k] is True
        for k in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    )
    _, versioning = stack.at("aws_s3_bucket_versioning", "storage/transaction-logs/versioning")
    assert versioning["versioning_configuration"]["status"] == "Enabled"
    _, lifecycle = stack.at("aws_s3_bucket_lifecycle_configuration", "storage/transaction-logs/lifecycle")
    (rule,) = lifecycle["rule"]
    assert rule["status"] == "Enabled"
    assert rule["noncurrent_version_expiration"] == [{"noncurrent_days": 90}]
    assert rule["abort_incomplete_multipart_upload"] == [{"days_after_initiation": 7}]


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


def test_outputs_point_at_the_resources_the_live_tests_probe(stack: StackJson) -> None:
    key_id, _ = data_key(stack)
    bucket_id, _ = stack.at("aws_s3_bucket", "storage/transaction-logs/bucket")
    dlq_id, _ = stack.at("aws_sqs_queue", "payments-queue/dlq")
    outputs = {name: body["value"] for name, body in stack.doc["output"].items()}
    assert outputs["data_key_arn"] == stack.ref("aws_kms_key", key_id, "arn")
    assert outputs["transaction_logs_bucket_name"] == stack.ref("aws_s3_bucket", bucket_id, "bucket")
    assert outputs["payments_dlq_url"] == stack.ref("aws_sqs_queue", dlq_id, "url")
