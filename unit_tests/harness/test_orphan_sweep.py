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


@pytest.mark.pci_dss("3")
def test_key_pending_deletion_counts_as_gone(mock_target: AwsTarget) -> None:
    kms = mock_target.client("kms")
    key = kms.create_key(Tags=[{"TagKey": "RunId", "TagValue": RUN}])["KeyMetadata"]
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    assert sweep(mock_target, RUN) == []


def test_sweep_refuses_an_empty_run_id(mock_target: AwsTarget) -> None:
    with pytest.raises(ValueError, match="run_id: required"):
        sweep(mock_target, "")


@pytest.mark.pci_dss("10")
def test_trails_tagged_secrets_and_alarms_are_swept_too(mock_target: AwsTarget) -> None:
    mock_target.client("s3").create_bucket(Bucket=f"trail-{RUN}")
    mock_target.client("cloudtrail").create_trail(Name=f"dev-pci-trail-{RUN}", S3BucketName=f"trail-{RUN}")
    secrets = mock_target.client("secretsmanager")
    secrets.create_secret(
        Name=f"dev-pci-tokenization-key-{RUN}", SecretString="x", Tags=[{"Key": "RunId", "Value": RUN}]
    )
    # The database secret exists before the stack: its name may carry the run id, it is not an orphan.
    secrets.create_secret(Name=f"dev/pci/it-{RUN}/database", SecretString="x")
    mock_target.client("cloudwatch").put_metric_alarm(
        AlarmName=f"payments-alarm-{RUN}-x",
        MetricName="Errors",
        Namespace="AWS/Lambda",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=0,
        ComparisonOperator="GreaterThanThreshold",
    )
    orphans = sweep(mock_target, RUN)
    # An AWS target (no emulator endpoint): the emulator's trail-deletion gap does not apply.
    assert {"cloudtrail", "secretsmanager", "cloudwatch"} <= {o.service for o in orphans}
    assert not [o for o in orphans if "/database" in o.identifier]
