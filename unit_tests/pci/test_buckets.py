"""Unit (synthesized configuration): the PCI environment's buckets."""

from __future__ import annotations

import json
from typing import Any

import pytest

from unit_tests.synth_json import StackJson


def arn(stack: StackJson, rtype: str, path: str) -> str:
    return stack.ref(rtype, stack.at(rtype, path)[0], "arn")


def sids(policy: str) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in json.loads(policy)["Statement"]}


@pytest.mark.pci_dss("3", "8")
def test_card_buckets_refuse_uploads_without_our_key_and_deletes_without_mfa(pci: StackJson) -> None:
    data_key = arn(pci, "aws_kms_key", "keys/data/key")
    for bucket in ("raw", "processed"):
        _, policy = pci.at("aws_s3_bucket_policy", f"data/{bucket}/policy")
        statements = sids(policy["policy"])
        no_kms = statements["DenyUploadsWithoutKms"]
        assert (no_kms["Effect"], no_kms["Action"]) == ("Deny", ["s3:PutObject"])
        assert no_kms["Condition"] == {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}
        other_key = statements["DenyUploadsWithAnotherKey"]
        assert other_key["Condition"] == {
            "StringNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": data_key}
        }
        mfa = statements["DenyDeletesWithoutMfa"]
        assert mfa["Action"] == ["s3:DeleteObject", "s3:DeleteObjectVersion"]
        assert mfa["Condition"] == {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}
        assert statements["DenyInsecureTransport"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        _, versioning = pci.at("aws_s3_bucket_versioning", f"data/{bucket}/versioning")
        assert versioning["versioning_configuration"]["status"] == "Enabled"
        assert "mfa" not in versioning, "MFA delete needs the root user's device: off unless given"


def test_every_bucket_but_the_log_bucket_logs_access_into_it(pci: StackJson) -> None:
    # The target is named through the log bucket's policy, so logging starts only once S3 may deliver.
    log_bucket = pci.ref(
        "aws_s3_bucket_policy", pci.at("aws_s3_bucket_policy", "data/access-logs/policy")[0], "bucket"
    )
    _, log_policy = pci.at("aws_s3_bucket_policy", "data/access-logs/policy")
    admitted = sids(log_policy["policy"])["S3ServerAccessLogs"]
    assert admitted["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert admitted["Resource"].endswith(":::dev-pci-access-logs-unit-ut1234/*")
    for bucket in ("raw", "processed", "flow-logs", "trail"):
        _, logging = pci.at("aws_s3_bucket_logging", f"data/{bucket}/access-logging")
        assert logging["target_bucket"] == log_bucket, bucket
        assert logging["target_prefix"] == f"{bucket}/", bucket
    _, sse = pci.at("aws_s3_bucket_server_side_encryption_configuration", "data/access-logs/encryption")
    assert sse["rule"][0]["apply_server_side_encryption_by_default"]["sse_algorithm"] == "AES256"
    _, flow = pci.at("aws_s3_bucket_lifecycle_configuration", "data/flow-logs/lifecycle")
    # 90 days hot, as the environment asks; kept a year in all (PCI DSS 10.5.1).
    assert flow["rule"][0]["transition"] == [{"days": 90, "storage_class": "GLACIER_IR"}]
    assert flow["rule"][0]["expiration"] == [{"days": 365}]
    _, policy = pci.at("aws_s3_bucket_policy", "data/flow-logs/policy")
    (resource,) = sids(policy["policy"])["LogDeliveryWrite"]["Resource"]
    _, vpc = pci.module_at("network/vpc/module")
    prefix = vpc["flow_logs"]["s3_key_prefix"]
    assert prefix in ("vpc-flow-logs/", ""), "the bucket root on moto alone only (capability list)"
    assert f":::dev-pci-flow-logs-unit-ut1234/{prefix}AWSLogs/" in resource
