"""The orphan sweep finds what carries the run id and ignores what is gone or belongs to others."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from harness.aws_target import AwsTarget
from harness.sweep import SingletonsBefore, clear_emulator_gaps, snapshot_singletons, sweep
from pci_infra.foundation.service_routing import EmulatorSet

RUN = "sw1234"
OTHER = "zz9876"
ACCOUNT = "123456789012"
"""The in-process account's id."""
AUDIT_BUCKET = "shared-audit-logs"
"""Where the planted trail and delivery channel write: the account's, not any run's."""
PATTERN = json.dumps({"source": ["payments"]})


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
    assert {"cloudtrail", "secretsmanager", "cloudwatch"} <= {o.service for o in orphans}
    assert not [o for o in orphans if "/database" in o.identifier]


@dataclass(frozen=True)
class Planted:
    """Ids the services gave the planted leftovers."""

    detector_id: str
    primary_check_id: str
    secondary_check_id: str
    automated_snapshot: str


def plant_leftovers(target: AwsTarget, run: str) -> Planted:
    """One leftover of each kind a stack can leave, named (or tagged) the way the stacks do for ``run``."""
    target.client("s3").create_bucket(Bucket=AUDIT_BUCKET)
    detector_id = target.client("guardduty").create_detector(Enable=True, Tags={"RunId": run})["DetectorId"]
    config = target.client("config")
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": f"config-recorder-ci-{run}",
            "roleARN": f"arn:aws:iam::{ACCOUNT}:role/c",
        }
    )
    config.put_delivery_channel(
        DeliveryChannel={"name": f"config-recorder-ci-{run}", "s3BucketName": AUDIT_BUCKET}
    )
    route53 = target.client("route53")
    https = {"Type": "HTTPS", "FullyQualifiedDomainName": "standby.example.org", "Port": 443}
    primary = route53.create_health_check(CallerReference="terraform-20250101", HealthCheckConfig=https)
    primary_id = primary["HealthCheck"]["Id"]
    route53.change_tags_for_resource(
        ResourceType="healthcheck",
        ResourceId=primary_id,
        AddTags=[{"Key": "Name", "Value": f"payments-ci-{run}.internal primary (ALB)"}],
    )
    secondary = route53.create_health_check(CallerReference=f"{run}-secondary", HealthCheckConfig=https)
    target.client("cloudtrail").create_trail(Name=f"dev-pci-trail-{run}", S3BucketName=AUDIT_BUCKET)
    rds = target.client("rds")
    cluster = f"payments-db-ci-{run}"
    rds.create_db_cluster(
        DBClusterIdentifier=cluster,
        Engine="aurora-postgresql",
        MasterUsername="u",
        MasterUserPassword="pw123456",
    )
    rds.create_db_cluster_snapshot(
        DBClusterIdentifier=cluster, DBClusterSnapshotIdentifier=f"{cluster}-final"
    )
    (automated,) = rds.describe_db_cluster_snapshots(SnapshotType="automated")["DBClusterSnapshots"]
    rds.delete_db_cluster(DBClusterIdentifier=cluster, SkipFinalSnapshot=True)
    events = target.client("events")
    events.create_event_bus(Name=f"payments-ci-{run}")
    events.put_rule(
        Name=f"payment-succeeded-ci-{run}", EventBusName=f"payments-ci-{run}", EventPattern=PATTERN
    )
    events.put_rule(Name=f"db-failover-ci-{run}", EventPattern=PATTERN)
    return Planted(
        detector_id=detector_id,
        primary_check_id=primary_id,
        secondary_check_id=secondary["HealthCheck"]["Id"],
        automated_snapshot=automated["DBClusterSnapshotIdentifier"],
    )


def test_every_kind_a_stack_can_leave_is_found(mock_target: AwsTarget) -> None:
    planted = plant_leftovers(mock_target, RUN)
    assert planted.automated_snapshot.startswith(f"rds:payments-db-ci-{RUN}-")
    found = {(o.service, o.identifier, o.found_by) for o in sweep(mock_target, RUN)}
    assert found == {
        ("guardduty", f"detector/{planted.detector_id}", "ListDetectors (tagged with the run id)"),
        (
            "config",
            f"configuration-recorder/config-recorder-ci-{RUN}",
            "DescribeConfigurationRecorders (named with the run id)",
        ),
        (
            "config",
            f"delivery-channel/config-recorder-ci-{RUN}",
            "DescribeDeliveryChannels (named with the run id)",
        ),
        (
            "route53",
            f"healthcheck/{planted.primary_check_id} (payments-ci-{RUN}.internal primary (ALB))",
            "ListHealthChecks",
        ),
        ("route53", f"healthcheck/{planted.secondary_check_id} ({RUN}-secondary)", "ListHealthChecks"),
        ("cloudtrail", f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/dev-pci-trail-{RUN}", "ListTrails"),
        (
            "rds",
            f"arn:aws:rds:us-east-1:{ACCOUNT}:cluster-snapshot:payments-db-ci-{RUN}-final",
            "DescribeDBClusterSnapshots (manual)",
        ),
        (
            "rds",
            f"arn:aws:rds:us-east-1:{ACCOUNT}:cluster-snapshot:{planted.automated_snapshot}",
            "DescribeDBClusterSnapshots (automated)",
        ),
        ("events", f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/payments-ci-{RUN}", "ListEventBuses"),
        (
            "events",
            f"arn:aws:events:us-east-1:{ACCOUNT}:rule/payments-ci-{RUN}/payment-succeeded-ci-{RUN}",
            "ListRules",
        ),
        ("events", f"arn:aws:events:us-east-1:{ACCOUNT}:rule/db-failover-ci-{RUN}", "ListRules"),
    }


def test_another_runs_leftovers_are_not_reported(mock_target: AwsTarget) -> None:
    plant_leftovers(mock_target, OTHER)
    assert sweep(mock_target, RUN) == []


def test_singletons_the_run_made_are_reported_against_the_snapshot_before_deploy(
    mock_target: AwsTarget,
) -> None:
    mock_target.client("s3").create_bucket(Bucket=AUDIT_BUCKET)
    before = snapshot_singletons(mock_target)
    assert before == SingletonsBefore()
    # What the run made, named and tagged as the account's own would be: nothing carries the run id.
    detector_id = mock_target.client("guardduty").create_detector(Enable=True)["DetectorId"]
    config = mock_target.client("config")
    config.put_configuration_recorder(
        ConfigurationRecorder={"name": "default", "roleARN": f"arn:aws:iam::{ACCOUNT}:role/c"}
    )
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": AUDIT_BUCKET})
    found = {(o.service, o.identifier, o.found_by) for o in sweep(mock_target, RUN, singletons_before=before)}
    assert found == {
        ("guardduty", f"detector/{detector_id}", "ListDetectors (none before deploy)"),
        ("config", "configuration-recorder/default", "DescribeConfigurationRecorders (none before deploy)"),
        ("config", "delivery-channel/default", "DescribeDeliveryChannels (none before deploy)"),
    }
    # Without the snapshot the sweep cannot tell them from the account's own: as before, not reported.
    assert sweep(mock_target, RUN) == []


def test_singletons_that_existed_before_the_run_are_left_alone(mock_target: AwsTarget) -> None:
    # Kept from an earlier attempt of the same run id, then adopted by this one: they carry the run id.
    planted = plant_leftovers(mock_target, RUN)
    before = snapshot_singletons(mock_target)
    assert before == SingletonsBefore(
        detector_ids=frozenset({planted.detector_id}),
        recorder_names=frozenset({f"config-recorder-ci-{RUN}"}),
        delivery_channel_names=frozenset({f"config-recorder-ci-{RUN}"}),
    )
    # A detector made meanwhile by another run (the emulator allows two) is tagged with that run's id.
    mock_target.client("guardduty").create_detector(Enable=True, Tags={"RunId": OTHER})
    services = {o.service for o in sweep(mock_target, RUN, singletons_before=before)}
    assert services == {"route53", "cloudtrail", "rds", "events"}


def test_every_page_of_a_listing_is_read(mock_target: AwsTarget) -> None:
    events = mock_target.client("events")
    for i in range(60):
        run = RUN if i == 59 else OTHER
        events.create_event_bus(Name=f"bus-{i:02d}-ci-{run}")
        events.put_rule(Name=f"rule-{i:02d}-ci-{run}", EventPattern=PATTERN)
    # One call answers the service's default page (50): the last bus and rule are on the second page.
    first_buses = events.list_event_buses()
    first_rules = events.list_rules()
    assert (len(first_buses["EventBuses"]), len(first_rules["Rules"])) == (50, 50)
    assert first_buses["NextToken"] and first_rules["NextToken"]
    assert f"bus-59-ci-{RUN}" not in {bus["Name"] for bus in first_buses["EventBuses"]}
    assert f"rule-59-ci-{RUN}" not in {rule["Name"] for rule in first_rules["Rules"]}
    assert [(o.service, o.identifier) for o in sweep(mock_target, RUN)] == [
        ("events", f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/bus-59-ci-{RUN}"),
        ("events", f"arn:aws:events:us-east-1:{ACCOUNT}:rule/rule-59-ci-{RUN}"),
    ]


@dataclass(frozen=True)
class InProcessEmulator(AwsTarget):
    """The in-process account standing in for the emulator (its clients need no endpoint)."""

    @property
    def is_emulator(self) -> bool:
        """True: the emulator's gaps apply."""
        return True

    @property
    def emulators(self) -> EmulatorSet | None:
        """moto's in-process account: moto's gaps hold."""
        return "moto"


def test_emulator_gaps_are_cleared_then_trails_and_snapshots_swept_as_on_aws(mock_target: AwsTarget) -> None:
    emulator = InProcessEmulator(region="us-east-1")
    planted = plant_leftovers(emulator, RUN)
    rds = emulator.client("rds")
    # A cluster destroy did not delete: it and its automated snapshot stay, both reported.
    rds.create_db_cluster(
        DBClusterIdentifier=f"ledger-db-ci-{RUN}",
        Engine="aurora-postgresql",
        MasterUsername="u",
        MasterUserPassword="pw123456",
    )
    assert clear_emulator_gaps(mock_target, RUN) == []  # an AWS target: nothing is deleted
    cleared = {(o.service, o.identifier, o.found_by) for o in clear_emulator_gaps(emulator, RUN)}
    assert cleared == {
        (
            "cloudtrail",
            f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/dev-pci-trail-{RUN}",
            "emulator gap behaviour:cloudtrail_delete_by_arn",
        ),
        (
            "rds",
            f"arn:aws:rds:us-east-1:{ACCOUNT}:cluster-snapshot:{planted.automated_snapshot}",
            "emulator gap behaviour:rds_automated_snapshot_kept",
        ),
    }
    rds_left = {o.identifier for o in sweep(emulator, RUN) if o.service in ("rds", "cloudtrail")}
    (ledger_automated,) = [
        s["DBClusterSnapshotIdentifier"]
        for s in rds.describe_db_cluster_snapshots(SnapshotType="automated")["DBClusterSnapshots"]
    ]
    assert ledger_automated.startswith(f"rds:ledger-db-ci-{RUN}-")
    assert rds_left == {
        f"arn:aws:rds:us-east-1:{ACCOUNT}:cluster:ledger-db-ci-{RUN}",
        f"arn:aws:rds:us-east-1:{ACCOUNT}:cluster-snapshot:{ledger_automated}",
        f"arn:aws:rds:us-east-1:{ACCOUNT}:cluster-snapshot:payments-db-ci-{RUN}-final",
    }
