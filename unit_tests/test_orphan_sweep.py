"""The orphan sweep finds what carries the run id and ignores what is gone or belongs to others."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto import mock_aws

from harness.aws_target import AwsTarget
from harness.sweep import sweep

RUN = "sw1234"


@pytest.fixture
def target(monkeypatch: pytest.MonkeyPatch) -> Iterator[AwsTarget]:
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(var, "testing")
    with mock_aws():
        yield AwsTarget(region="us-east-1")


def test_clean_account_has_no_orphans(target: AwsTarget) -> None:
    target.client("s3").create_bucket(Bucket="someone-elses-bucket")
    assert sweep(target, RUN) == []


def test_leftovers_are_found_by_name_and_by_tag(target: AwsTarget) -> None:
    target.client("s3").create_bucket(Bucket=f"transaction-logs-ci-{RUN}")
    target.client("sqs").create_queue(QueueName=f"payments-ci-{RUN}")
    key = target.client("kms").create_key(Tags=[{"TagKey": "RunId", "TagValue": RUN}])["KeyMetadata"]
    target.client("kms").create_alias(AliasName=f"alias/payment-data-ci-{RUN}", TargetKeyId=key["KeyId"])
    target.client("logs").create_log_group(logGroupName=f"/payments/ci-{RUN}")
    found = {(o.service, o.identifier) for o in sweep(target, RUN)}
    assert ("s3", f"transaction-logs-ci-{RUN}") in found
    assert any(s == "sqs" and i.endswith(f"payments-ci-{RUN}") for s, i in found)
    assert ("kms", key["Arn"]) in found
    assert ("kms", f"alias/payment-data-ci-{RUN}") in found
    assert ("logs", f"/payments/ci-{RUN}") in found


def test_key_pending_deletion_counts_as_gone(target: AwsTarget) -> None:
    kms = target.client("kms")
    key = kms.create_key(Tags=[{"TagKey": "RunId", "TagValue": RUN}])["KeyMetadata"]
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    assert sweep(target, RUN) == []


def test_sweep_refuses_an_empty_run_id(target: AwsTarget) -> None:
    with pytest.raises(ValueError, match="run_id: required"):
        sweep(target, "")
