"""Orphan sweep: after destroy, find anything still carrying the run id.

Two sources: the Resource Groups Tagging API (``RunId`` tag) and direct listings of the services
whose resources are missing from it or untaggable (aliases, some queues, roles, log groups, health
checks, event rules ...). Every listing follows all its pages. A KMS key pending deletion counts as
gone: AWS never deletes a key at once.

Account singletons (the GuardDuty detector, the Config recorder and delivery channel) carry no run id
in their name and may be adopted rather than created (see
:mod:`pci_infra.foundation.account_singletons`), so a left-over one would be adopted silently by the
next run. The sweep reports one tagged with (or named after) the run id and, given the
:class:`SingletonsBefore` snapshot taken before deploy (:func:`snapshot_singletons`), any that did not
exist before the run: a run that created one leaves the account as it found it. One that existed
before is the account's, never reported.

On the emulator, what a recorded emulator gap leaves behind although AWS would delete it (the trail
destroy does not delete, the automated snapshot of a deleted cluster) is deleted by
:func:`clear_emulator_gaps` before the sweep, which then lists trails and snapshots as on AWS.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from harness.aws_target import AwsTarget

RUN_ID_TAG = "RunId"


@dataclass(frozen=True)
class Orphan:
    """A resource left behind by a run.

    Attributes:
        service: AWS service, e.g. ``s3``.
        identifier: ARN, URL or name.
        found_by: Which listing found it.
    """

    service: str
    identifier: str
    found_by: str

    def __str__(self) -> str:
        """One line for reports."""
        return f"{self.service}: {self.identifier} (found by {self.found_by})"


Probe = Callable[[AwsTarget, str], Iterable[Orphan]]


def _kms_key_is_live(target: AwsTarget, key_id: str) -> bool:
    state = target.client("kms").describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"]
    return bool(state not in ("PendingDeletion", "PendingReplicaDeletion"))


def _nat_gateway_is_live(target: AwsTarget, arn: str) -> bool:
    nat_id = arn.rsplit("/", 1)[-1]
    gateways = target.client("ec2").describe_nat_gateways(NatGatewayIds=[nat_id])["NatGateways"]
    return any(g["State"] not in ("deleted", "deleting") for g in gateways)


def _instance_is_live(target: AwsTarget, arn: str) -> bool:
    instance_id = arn.rsplit("/", 1)[-1]
    reservations = target.client("ec2").describe_instances(InstanceIds=[instance_id])["Reservations"]
    states = [i["State"]["Name"] for r in reservations for i in r["Instances"]]
    return any(s not in ("terminated", "shutting-down") for s in states)


def _token_pages(call: Callable[..., Any], items: str, token: str, **params: Any) -> Iterator[Any]:
    """The items of every page of a listing boto3 has no paginator for, following ``token``.

    Stops at a page without a token or without items (a listing may answer its last page with a
    marker, then an empty page), and at a token seen before (a repeated page would loop for ever).
    """
    seen: set[str] = set()
    while True:
        page = call(**params)
        listed = page.get(items) or []
        yield from listed
        next_token = page.get(token)
        if not next_token or not listed or next_token in seen:
            return
        seen.add(next_token)
        params = {**params, token: next_token}


def _paginated(target: AwsTarget, service: str, operation: str, items: str, **params: Any) -> Iterator[Any]:
    """The items of every page of ``operation``, with the boto3 paginator."""
    for page in target.client(service).get_paginator(operation).paginate(**params):
        yield from page.get(items) or []


def by_tagging_api(target: AwsTarget, run_id: str) -> Iterable[Orphan]:
    """Everything the tagging API lists with ``RunId=<run_id>``.

    Excluded, because AWS keeps listing them after deletion: KMS keys pending deletion, NAT
    gateways in the deleted state and terminated instances (the batch group's, after it is deleted).
    """
    paginator = target.client("resourcegroupstaggingapi").get_paginator("get_resources")
    for page in paginator.paginate(TagFilters=[{"Key": RUN_ID_TAG, "Values": [run_id]}]):
        for item in page["ResourceTagMappingList"]:
            arn = item["ResourceARN"]
            service = arn.split(":")[2]
            if service == "kms" and not _kms_key_is_live(target, arn):
                continue
            if ":natgateway/" in arn and not _nat_gateway_is_live(target, arn):
                continue
            if ":instance/" in arn and not _instance_is_live(target, arn):
                continue
            yield Orphan(service, arn, "tagging API")


def s3_buckets(target: AwsTarget, run_id: str) -> Iterable[Orphan]:
    """Buckets whose name carries the run id.

    No page size: the emulator honours ``MaxBuckets`` but returns no continuation token, so a page
    size would silently cut its listing short; the paginator follows any token AWS returns.
    """
    for bucket in _paginated(target, "s3", "list_buckets", "Buckets"):
        if run_id in bucket["Name"]:
            yield Orphan("s3", bucket["Name"], "ListBuckets")


def sqs_queues(target: AwsTarget, run_id: str) -> Iterable[Orphan]:
    """Queues whose URL carries the run id; ``PageSize`` makes SQS page past its 1,000-URL cap."""
    for url in _paginated(target, "sqs", "list_queues", "QueueUrls", PaginationConfig={"PageSize": 1000}):
        if run_id in url.rsplit("/", 1)[-1]:
            yield Orphan("sqs", url, "ListQueues")


def kms_keys(target: AwsTarget, run_id: str) -> Iterable[Orphan]:
    """Aliases carrying the run id, and live keys tagged with it."""
    for alias in _paginated(target, "kms", "list_aliases", "Aliases"):
        if run_id in alias["AliasName"]:
            yield Orphan("kms", alias["AliasName"], "ListAliases")
    for key in _paginated(target, "kms", "list_keys", "Keys"):
        if not _kms_key_is_live(target, key["KeyId"]):
            continue
        tags = _paginated(target, "kms", "list_resource_tags", "Tags", KeyId=key["KeyId"])
        if any(t["TagKey"] == RUN_ID_TAG and t["TagValue"] == run_id for t in tags):
            yield Orphan("kms", key["KeyArn"], "ListKeys")


def iam_roles(target: AwsTarget, run_id: str) -> Iterable[Orphan]:
    """Roles and customer-managed policies whose name carries the run id."""
    for role in _paginated(target, "iam", "list_roles", "Roles"):
        if run_id in role["RoleName"]:
            yield Orphan("iam", role["Arn"], "ListRoles")
    for policy in _paginated(target, "iam", "list_policies", "Policies", Scope="Local"):
        if run_id in policy["PolicyName"]:
            yield Orphan("iam", policy["Arn"], "ListPolicies")


def log_groups(target: AwsTarget, run_id: str) -> Iterable[Orphan]:
    """Log groups whose name carries the run id."""
    for group in _paginated(target, "logs", "describe_log_groups", "logGroups"):
        if run_id in group["logGroupName"]:
            yield Orphan("logs", group["logGroupName"], "DescribeLogGroups")


def vpcs(target: AwsTarget, run_id: str) -> Iterable[Orphan]:
    """VPCs (and with them their subnets, gateways, groups) tagged with the run id."""
    by_tag = [{"Name": f"tag:{RUN_ID_TAG}", "Values": [run_id]}]
    for vpc in _paginated(target, "ec2", "describe_vpcs", "Vpcs", Filters=by_tag):
        yield Orphan("ec2", vpc["VpcId"], "DescribeVpcs")
    # DescribeAddresses has no pages: it answers every address at once.
    for address in target.client("ec2").describe_addresses(Filters=by_tag)["Addresses"]:
        yield Orphan("ec2", address.get("AllocationId", address.get("PublicIp", "?")), "DescribeAddresses")


def rds_resources(target: AwsTarget, run_id: str) -> Iterable[Orphan]:
    """Aurora clusters, instances and proxies whose identifier carries the run id."""
    for cluster in _paginated(target, "rds", "describe_db_clusters", "DBClusters"):
        if run_id in cluster["DBClusterIdentifier"]:
            yield Orphan("rds", cluster["DBClusterArn"], "DescribeDBClusters")
    for instance in _paginated(target, "rds", "describe_db_instances", "DBInstances"):
        if run_id in instance["DBInstanceIdentifier"]:
            yield Orphan("rds", instance["DBInstanceArn"], "DescribeDBInstances")
    for proxy in _paginated(target, "rds", "describe_db_proxies", "DBProxies"):
        if run_id in proxy["DBProxyName"]:
            yield Orphan("rds", proxy["DBProxyArn"], "DescribeDBProxies")


def _cluster_snapshots(target: AwsTarget, run_id: str) -> Iterator[dict[str, Any]]:
    """Manual and automated cluster snapshots whose identifier or cluster carries the run id."""
    for snapshot in _paginated(target, "rds", "describe_db_cluster_snapshots", "DBClusterSnapshots"):
        if run_id in snapshot["DBClusterSnapshotIdentifier"] or run_id in snapshot.get(
            "DBClusterIdentifier", ""
        ):
            yield snapshot


def cluster_snapshots(target: AwsTarget, run_id: str) -> Iterable[Orphan]:
    """Cluster snapshots, manual (a final snapshot) and automated, carrying the run id.

    AWS deletes a cluster's automated snapshots with the cluster: one still listed means the
    cluster is still there, or (on the emulator) :func:`clear_emulator_gaps` did not run.
    """
    for snapshot in _cluster_snapshots(target, run_id):
        kind = snapshot.get("SnapshotType", "?")
        yield Orphan("rds", snapshot["DBClusterSnapshotArn"], f"DescribeDBClusterSnapshots ({kind})")


def load_balancers(target: AwsTarget, run_id: str) -> Iterable[Orphan]:
    """Load balancers and target groups whose name carries the run id."""
    for lb in _paginated(target, "elbv2", "describe_load_balancers", "LoadBalancers"):
        if run_id in lb["LoadBalancerName"]:
            yield Orphan("elbv2", lb["LoadBalancerArn"], "DescribeLoadBalancers")
    for tg in _paginated(target, "elbv2", "describe_target_groups", "TargetGroups"):
        if run_id in tg["TargetGroupName"]:
            yield Orphan("elbv2", tg["TargetGroupArn"], "DescribeTargetGroups")


def web_acls(target: AwsTarget, run_id: str) -> Iterable[Orphan]:
    """Regional web ACLs whose name carries the run id."""
    wafv2 = target.client("wafv2")
    for acl in _token_pages(wafv2.list_web_acls, "WebACLs", "NextMarker", Scope="REGIONAL"):
        if run_id in acl["Name"]:
            yield Orphan("wafv2", acl["ARN"], "ListWebACLs")


def _delivery_stream_names(target: AwsTarget) -> Iterator[str]:
    """Every Firehose stream name: the listing pages by the last name seen, not by a token."""
    firehose = target.client("firehose")
    start: str | None = None
    while True:
        page = firehose.list_delivery_streams(
            **({"ExclusiveStartDeliveryStreamName": start} if start else {})
        )
        names: list[str] = page.get("DeliveryStreamNames") or []
        yield from names
        if not page.get("HasMoreDeliveryStreams") or not names or names[-1] == start:
            return
        start = names[-1]


def functions_and_fleets(target: AwsTarget, run_id: str) -> Iterable[Orphan]:
    """Lambda functions, Auto Scaling groups and Firehose streams whose name carries the run id."""
    for function in _paginated(target, "lambda", "list_functions", "Functions"):
        if run_id in function["FunctionName"]:
            yield Orphan("lambda", function["FunctionArn"], "ListFunctions")
    for group in _paginated(target, "autoscaling", "describe_auto_scaling_groups", "AutoScalingGroups"):
        if run_id in group["AutoScalingGroupName"]:
            yield Orphan("autoscaling", group["AutoScalingGroupName"], "DescribeAutoScalingGroups")
    for name in _delivery_stream_names(target):
        if run_id in name:
            yield Orphan("firehose", name, "ListDeliveryStreams")


def _trails(target: AwsTarget, run_id: str) -> Iterator[dict[str, Any]]:
    """Trails (this region's and multi-region ones) whose name carries the run id."""
    for trail in _paginated(target, "cloudtrail", "list_trails", "Trails"):
        if run_id in trail["Name"]:
            yield trail


def trails_and_secrets(target: AwsTarget, run_id: str) -> Iterable[Orphan]:
    """CloudTrail trails named with the run id, and secrets tagged with it.

    Secrets are matched by tag, not name: the PCI stack's database secret exists before the stack
    (its owner keeps it) and may carry the run id in its name without being the stack's to delete.
    """
    for trail in _trails(target, run_id):
        yield Orphan("cloudtrail", trail["TrailARN"], "ListTrails")
    for secret in _paginated(target, "secretsmanager", "list_secrets", "SecretList"):
        tags = {t["Key"]: t["Value"] for t in secret.get("Tags", [])}
        if tags.get(RUN_ID_TAG) == run_id and not secret.get("DeletedDate"):
            yield Orphan("secretsmanager", secret["ARN"], "ListSecrets")


def monitoring_and_config(target: AwsTarget, run_id: str) -> Iterable[Orphan]:
    """Alarms, SSM parameters, hosted zones and Config rules whose name carries the run id."""
    for alarm in _paginated(target, "cloudwatch", "describe_alarms", "MetricAlarms"):
        if run_id in alarm["AlarmName"]:
            yield Orphan("cloudwatch", alarm["AlarmName"], "DescribeAlarms")
    for parameter in _paginated(target, "ssm", "describe_parameters", "Parameters"):
        if run_id in parameter["Name"]:
            yield Orphan("ssm", parameter["Name"], "DescribeParameters")
    for zone in _run_zones(target, run_id):
        yield Orphan("route53", zone["Id"], "ListHostedZones")
    for rule in _paginated(target, "config", "describe_config_rules", "ConfigRules"):
        if run_id in rule["ConfigRuleName"]:
            yield Orphan("config", rule["ConfigRuleName"], "DescribeConfigRules")


ROUTE53_TAGS_PER_CALL = 10
"""``ListTagsForResources`` takes at most ten ids."""


def health_checks(target: AwsTarget, run_id: str) -> Iterable[Orphan]:
    """Route 53 health checks with the run id in their ``Name`` tag or caller reference, or tagged with it.

    The stack names its checks after the run's zone (``Name`` tag); the provider's caller reference
    is its own unique id, a check created another way may carry the run id there.
    """
    route53 = target.client("route53")
    checks = list(_paginated(target, "route53", "list_health_checks", "HealthChecks"))
    tags: dict[str, dict[str, str]] = {}
    ids = [check["Id"] for check in checks]
    for start in range(0, len(ids), ROUTE53_TAGS_PER_CALL):
        batch = ids[start : start + ROUTE53_TAGS_PER_CALL]
        answer = route53.list_tags_for_resources(ResourceType="healthcheck", ResourceIds=batch)
        for tag_set in answer["ResourceTagSets"]:
            tags[tag_set["ResourceId"]] = {t["Key"]: t["Value"] for t in tag_set.get("Tags", [])}
    for check in checks:
        check_tags = tags.get(check["Id"], {})
        name = check_tags.get("Name", "")
        if (
            run_id in name
            or run_id in check.get("CallerReference", "")
            or check_tags.get(RUN_ID_TAG) == run_id
        ):
            yield Orphan(
                "route53",
                f"healthcheck/{check['Id']} ({name or check['CallerReference']})",
                "ListHealthChecks",
            )


def event_buses_and_rules(target: AwsTarget, run_id: str) -> Iterable[Orphan]:
    """Custom event buses named with the run id, and rules so named on any bus (the default one too)."""
    events = target.client("events")
    for bus in list(_token_pages(events.list_event_buses, "EventBuses", "NextToken")):
        if bus["Name"] != "default" and run_id in bus["Name"]:
            yield Orphan("events", bus["Arn"], "ListEventBuses")
        for rule in _paginated(target, "events", "list_rules", "Rules", EventBusName=bus["Name"]):
            if run_id in rule["Name"]:
                yield Orphan("events", rule["Arn"], "ListRules")


@dataclass(frozen=True)
class SingletonsBefore:
    """The account singletons that existed before a run deployed; the sweep never reports these.

    Attributes:
        detector_ids: GuardDuty detectors of the target's region.
        recorder_names: Config configuration recorders.
        delivery_channel_names: Config delivery channels.
    """

    detector_ids: frozenset[str] = frozenset()
    recorder_names: frozenset[str] = frozenset()
    delivery_channel_names: frozenset[str] = frozenset()


def _detector_ids(target: AwsTarget) -> list[str]:
    return list(_paginated(target, "guardduty", "list_detectors", "DetectorIds"))


def _recorder_names(target: AwsTarget) -> list[str]:
    # DescribeConfigurationRecorders and DescribeDeliveryChannels have no pages (one of each per region).
    answer = target.client("config").describe_configuration_recorders()
    return [r["name"] for r in answer.get("ConfigurationRecorders", [])]


def _delivery_channel_names(target: AwsTarget) -> list[str]:
    answer = target.client("config").describe_delivery_channels()
    return [c["name"] for c in answer.get("DeliveryChannels", [])]


def snapshot_singletons(target: AwsTarget) -> SingletonsBefore:
    """The detectors, recorders and delivery channels there are now: take it before deploy.

    Raises:
        RuntimeError: A listing failed (without the snapshot the sweep cannot tell what the run made).
    """
    try:
        return SingletonsBefore(
            detector_ids=frozenset(_detector_ids(target)),
            recorder_names=frozenset(_recorder_names(target)),
            delivery_channel_names=frozenset(_delivery_channel_names(target)),
        )
    except (ClientError, BotoCoreError) as err:
        raise RuntimeError(f"could not list the account singletons before deploy: {err}") from err


def account_singletons(before: SingletonsBefore | None) -> Probe:
    """The probe of the GuardDuty detector, Config recorder and delivery channel.

    Reported: one tagged ``RunId=<run id>`` (detector) or named with the run id (recorder, channel);
    with ``before``, also one that did not exist before the deploy, unless a ``RunId`` tag gives it
    to another run (detectors are taggable). One listed in ``before`` is never reported.
    """

    def guardduty_and_config(target: AwsTarget, run_id: str) -> Iterable[Orphan]:
        guardduty = target.client("guardduty")
        for detector_id in _detector_ids(target):
            if before is not None and detector_id in before.detector_ids:
                continue
            owner = (guardduty.get_detector(DetectorId=detector_id).get("Tags") or {}).get(RUN_ID_TAG)
            if owner == run_id:
                yield Orphan("guardduty", f"detector/{detector_id}", "ListDetectors (tagged with the run id)")
            elif before is not None and owner is None:
                yield Orphan("guardduty", f"detector/{detector_id}", "ListDetectors (none before deploy)")
        named: tuple[tuple[str, str, list[str], frozenset[str] | None], ...] = (
            (
                "configuration-recorder",
                "DescribeConfigurationRecorders",
                _recorder_names(target),
                None if before is None else before.recorder_names,
            ),
            (
                "delivery-channel",
                "DescribeDeliveryChannels",
                _delivery_channel_names(target),
                None if before is None else before.delivery_channel_names,
            ),
        )
        for kind, operation, names, existed in named:
            for name in names:
                if existed is not None and name in existed:
                    continue
                if run_id in name:
                    yield Orphan("config", f"{kind}/{name}", f"{operation} (named with the run id)")
                elif existed is not None:
                    yield Orphan("config", f"{kind}/{name}", f"{operation} (none before deploy)")

    return guardduty_and_config


DEFAULT_PROBES: tuple[Probe, ...] = (
    by_tagging_api,
    s3_buckets,
    sqs_queues,
    kms_keys,
    iam_roles,
    log_groups,
    vpcs,
    rds_resources,
    cluster_snapshots,
    load_balancers,
    web_acls,
    functions_and_fleets,
    monitoring_and_config,
    health_checks,
    event_buses_and_rules,
    trails_and_secrets,
)
"""The listings of resources carrying the run id; :func:`sweep` adds :func:`account_singletons`."""


def sweep(
    target: AwsTarget,
    run_id: str,
    probes: Iterable[Probe] = DEFAULT_PROBES,
    *,
    singletons_before: SingletonsBefore | None = None,
) -> list[Orphan]:
    """Every resource still carrying ``run_id``, de-duplicated; an unreachable listing is an error.

    Args:
        target: Where to look.
        run_id: The run whose leftovers are wanted.
        probes: The listings (the account singletons' is always added).
        singletons_before: :func:`snapshot_singletons` taken before deploy: a detector, recorder or
            delivery channel made since is reported too. Without it, only those carrying the run id.

    The probes only list, so they run side by side (each service's listing is a few round trips).
    """
    if not run_id:
        raise ValueError("run_id: required; sweeping without one would report every resource")

    def listed(probe: Probe) -> list[Orphan]:
        try:
            return list(probe(target, run_id))
        except (ClientError, BotoCoreError) as err:
            name = getattr(probe, "__name__", repr(probe))
            raise RuntimeError(f"orphan sweep could not list with {name}: {err}") from err

    found: dict[str, Orphan] = {}
    with ThreadPoolExecutor(max_workers=SWEEP_THREADS) as pool:
        for orphans in pool.map(listed, (*probes, account_singletons(singletons_before))):
            for orphan in orphans:
                found.setdefault(orphan.identifier, orphan)
    return sorted(found.values(), key=lambda o: (o.service, o.identifier))


SWEEP_THREADS = 6
"""Listings in flight at once: enough to hide round trips, few enough not to trip API throttling."""


TRAIL_GAP = "behaviour:cloudtrail_delete_by_arn"
AUTOMATED_SNAPSHOT_GAP = "behaviour:rds_automated_snapshot_kept"
ZONE_GAP = "behaviour:route53_get_dnssec"


def clear_emulator_gaps(target: AwsTarget, run_id: str) -> list[Orphan]:
    """On the emulator, delete what AWS deletes with the stack but a recorded gap leaves; what was deleted.

    Run after destroy, before :func:`sweep`. Only while the capability list records the gap:

    - ``behaviour:cloudtrail_delete_by_arn``: the run's trails, deleted by name (destroy deletes by
      ARN, which the emulator answers without deleting).
    - ``behaviour:rds_automated_snapshot_kept``: automated snapshots of the run's clusters that are
      gone (a cluster still there keeps its snapshots, and both are reported).
    - ``behaviour:route53_get_dnssec``: the run's hosted zones, which the teardown forgot before
      destroy (the provider cannot delete them there); records destroy left are deleted first.

    Nothing is done on AWS. Each deletion is returned with the gap as ``found_by``.

    Raises:
        RuntimeError: A listing or deletion failed.
    """
    if not target.is_emulator or not run_id:
        return []
    try:
        return _clear_emulator_gaps(target, run_id)
    except (ClientError, BotoCoreError) as err:
        raise RuntimeError(f"could not clear the emulator's leftovers of run {run_id}: {err}") from err


def _run_zones(target: AwsTarget, run_id: str) -> Iterator[dict[str, Any]]:
    """Hosted zones whose name carries the run id."""
    for zone in _paginated(target, "route53", "list_hosted_zones", "HostedZones"):
        if run_id in zone["Name"]:
            yield zone


def _delete_zone(target: AwsTarget, zone_id: str) -> None:
    """Delete every record set a zone must not hold when deleted (all but its apex SOA and NS), then it."""
    route53 = target.client("route53")
    zone = route53.get_hosted_zone(Id=zone_id)["HostedZone"]
    extra = [
        record
        for record in _paginated(
            target, "route53", "list_resource_record_sets", "ResourceRecordSets", HostedZoneId=zone_id
        )
        if not (record["Type"] in ("SOA", "NS") and record["Name"] == zone["Name"])
    ]
    if extra:
        route53.change_resource_record_sets(
            HostedZoneId=zone_id,
            ChangeBatch={"Changes": [{"Action": "DELETE", "ResourceRecordSet": record} for record in extra]},
        )
    route53.delete_hosted_zone(Id=zone_id)


def _clear_emulator_gaps(target: AwsTarget, run_id: str) -> list[Orphan]:
    cleared: list[Orphan] = []
    if target.gap(TRAIL_GAP):
        for trail in list(_trails(target, run_id)):
            if trail.get("HomeRegion", target.region) != target.region:
                continue  # another region's trail: deleted (or reported) from its home region
            target.client("cloudtrail").delete_trail(Name=trail["Name"])
            cleared.append(Orphan("cloudtrail", trail["TrailARN"], f"emulator gap {TRAIL_GAP}"))
    if target.gap(AUTOMATED_SNAPSHOT_GAP):
        rds = target.client("rds")
        clusters = {
            c["DBClusterIdentifier"] for c in _paginated(target, "rds", "describe_db_clusters", "DBClusters")
        }
        for snapshot in list(_cluster_snapshots(target, run_id)):
            if snapshot.get("SnapshotType") != "automated" or snapshot.get("DBClusterIdentifier") in clusters:
                continue
            rds.delete_db_cluster_snapshot(
                DBClusterSnapshotIdentifier=snapshot["DBClusterSnapshotIdentifier"]
            )
            cleared.append(
                Orphan("rds", snapshot["DBClusterSnapshotArn"], f"emulator gap {AUTOMATED_SNAPSHOT_GAP}")
            )
    if target.gap(ZONE_GAP):
        for zone in list(_run_zones(target, run_id)):
            _delete_zone(target, zone["Id"])
            cleared.append(Orphan("route53", zone["Id"], f"emulator gap {ZONE_GAP}"))
    return cleared
