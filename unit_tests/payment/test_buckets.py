"""Unit (synthesized configuration): the payment platform's buckets."""

from __future__ import annotations

import json
from typing import Any

import pytest

from unit_tests.conftest import RUN_ID, SUFFIX
from unit_tests.synth_json import StackJson


def data_key(stack: StackJson) -> tuple[str, dict[str, Any]]:
    return stack.at("aws_kms_key", "keys/data/key")


def key_arn(stack: StackJson, purpose: str) -> str:
    key_id, _ = stack.at("aws_kms_key", f"keys/{purpose}/key")
    return stack.ref("aws_kms_key", key_id, "arn")


def lifecycle(stack: StackJson, bucket: str) -> dict[str, Any]:
    _, body = stack.at("aws_s3_bucket_lifecycle_configuration", f"storage/{bucket}/lifecycle")
    return {rule["id"]: rule for rule in body["rule"]}


def policy_sids(stack: StackJson, bucket: str) -> dict[str, dict[str, Any]]:
    _, body = stack.at("aws_s3_bucket_policy", f"storage/{bucket}/policy")
    return {s["Sid"]: s for s in json.loads(body["policy"])["Statement"]}


def test_stream_bucket_moves_everything_to_intelligent_tiering_at_once(stack: StackJson) -> None:
    _, body = stack.at("aws_s3_bucket_lifecycle_configuration", "storage/stream/lifecycle")
    rules = {r["id"]: r for r in body["rule"]}
    assert rules["intelligent-tiering"]["transition"] == [{"days": 0, "storage_class": "INTELLIGENT_TIERING"}]


@pytest.mark.pci_dss("3")
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


def test_every_bucket_policy_denies_plain_http(stack: StackJson) -> None:
    buckets = stack.resources("aws_s3_bucket")
    policies = stack.resources("aws_s3_bucket_policy")
    assert len(policies) == len(buckets)
    for _, body in policies.items():
        statements = {s["Sid"]: s for s in json.loads(body["policy"])["Statement"]}
        deny = statements["DenyInsecureTransport"]
        assert deny["Effect"] == "Deny" and deny["Action"] == ["s3:*"]
        assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


@pytest.mark.pci_dss("7")
def test_alb_log_bucket_admits_elb_delivery_to_its_prefix_only_and_uses_sse_s3(stack: StackJson) -> None:
    _, policy = stack.at("aws_s3_bucket_policy", "storage/alb-logs/policy")
    statements = {s["Sid"]: s for s in json.loads(policy["policy"])["Statement"]}
    delivery = statements["AlbAccessLogDelivery"]
    partition = "${data.aws_partition.account_partition_32ACE770.partition}"
    assert delivery["Principal"] == {"AWS": f"arn:{partition}:iam::127311923021:root"}
    assert delivery["Action"] == ["s3:PutObject"]
    (resource,) = delivery["Resource"]
    assert resource.endswith(
        "/alb/AWSLogs/${data.aws_caller_identity.account_identity_B7F107C0.account_id}/*"
    )
    _, sse = stack.at("aws_s3_bucket_server_side_encryption_configuration", "storage/alb-logs/encryption")
    assert sse["rule"][0]["apply_server_side_encryption_by_default"]["sse_algorithm"] == "AES256"


@pytest.mark.pci_dss("1", "3")
def test_waf_log_bucket_uses_the_data_key_and_admits_log_delivery(stack: StackJson) -> None:
    _, sse = stack.at("aws_s3_bucket_server_side_encryption_configuration", "storage/waf-logs/encryption")
    assert sse["rule"][0]["apply_server_side_encryption_by_default"]["kms_master_key_id"] == key_arn(
        stack, "data"
    )
    _, policy = stack.at("aws_s3_bucket_policy", "storage/waf-logs/policy")
    statements = {s["Sid"]: s for s in json.loads(policy["policy"])["Statement"]}
    assert statements["LogDeliveryWrite"]["Principal"] == {"Service": "delivery.logs.amazonaws.com"}
    assert (
        statements["LogDeliveryWrite"]["Condition"]["StringEquals"]["s3:x-amz-acl"]
        == "bucket-owner-full-control"
    )
    _, lifecycle = stack.at("aws_s3_bucket_lifecycle_configuration", "storage/waf-logs/lifecycle")
    assert lifecycle["rule"][0]["expiration"] == [{"days": 365}]


@pytest.mark.pci_dss("11")
def test_findings_bucket_keeps_90_days_hot_a_year_in_all_and_admits_guardduty(stack: StackJson) -> None:
    rule = lifecycle(stack, "guardduty-findings")["hot-90-days-archive-to-1-year"]
    assert rule["transition"] == [{"days": 90, "storage_class": "GLACIER_IR"}]
    assert rule["expiration"] == [{"days": 365}]
    export = policy_sids(stack, "guardduty-findings")["GuardDutyExport"]
    assert export["Principal"] == {"Service": "guardduty.amazonaws.com"}
    assert export["Condition"]["ArnLike"]["aws:SourceArn"].endswith(":detector/*")
    _, key = stack.at("aws_kms_key", "keys/data/key")
    grants = {s["Sid"]: s for s in json.loads(key["policy"])["Statement"]}
    assert grants["UseByGuardduty"]["Action"] == ["kms:GenerateDataKey"]


@pytest.mark.pci_dss("11")
def test_config_bucket_is_versioned_keeps_old_versions_a_year_and_admits_config(stack: StackJson) -> None:
    _, versioning = stack.at("aws_s3_bucket_versioning", "storage/config-snapshots/versioning")
    assert versioning["versioning_configuration"]["status"] == "Enabled"
    rule = lifecycle(stack, "config-snapshots")["expire-old-versions"]
    assert rule["noncurrent_version_expiration"] == [{"noncurrent_days": 365}]
    delivery = policy_sids(stack, "config-snapshots")["ConfigDelivery"]
    assert delivery["Principal"] == {"Service": "config.amazonaws.com"}
    (resource,) = delivery["Resource"]
    assert ":s3:::config-snapshots-unit-ut1234/AWSLogs/" in resource and resource.endswith("/Config/*")
