"""The orphan sweep finds what carries the run id and ignores what is gone or belongs to others."""

from __future__ import annotations

import pytest

from harness.aws_target import AwsTarget
from harness.sweep import sweep

RUN = "sw1234"


def test_clean_account_has_no_orphans(mock_target: AwsTarget) -> None:
    mock_target.client("s3").create_bucket(Bucket="someone-elses-bucket")
    assert sweep(mock_target, RUN) == []


def test_leftovers_are_found_by_name_and_by_tag(mock_target: AwsTarget) -> None:
    mock_target.client("s3").create_bucket(Bucket=f"transaction-logs-ci-{RUN}")
    mock_target.client("sqs").create_queue(QueueName=f"payments-ci-{RUN}")
    key = mock_target.client("kms").create_key(Tags=[{"TagKey": "RunId", "TagValue": RUN}])["KeyMetadata"]
    mock_target.client("kms").create_alias(AliasName=f"alias/payment-data-ci-{RUN}", TargetKeyId=key["KeyId"])
    mock_target.client("logs").create_log_group(logGroupName=f"/payments/ci-{RUN}")
    found = {(o.service, o.identifier) for o in sweep(mock_target, RUN)}
    assert ("s3", f"transaction-logs-ci-{RUN}") in found
    assert any(s == "sqs" and i.endswith(f"payments-ci-{RUN}") for s, i in found)
    assert ("kms", key["Arn"]) in found
    assert ("kms", f"alias/payment-data-ci-{RUN}") in found
    assert ("logs", f"/payments/ci-{RUN}") in found


def test_key_pending_deletion_counts_as_gone(mock_target: AwsTarget) -> None:
    kms = mock_target.client("kms")
    key = kms.create_key(Tags=[{"TagKey": "RunId", "TagValue": RUN}])["KeyMetadata"]
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    assert sweep(mock_target, RUN) == []


def test_sweep_refuses_an_empty_run_id(mock_target: AwsTarget) -> None:
    with pytest.raises(ValueError, match="run_id: required"):
        sweep(mock_target, "")
