"""Orphan sweep: after destroy, find anything still carrying the run id.

Two sources: the Resource Groups Tagging API (``RunId`` tag) and direct listings of the services
whose resources are missing from it or untaggable (aliases, some queues, roles, log groups ...).
A KMS key pending deletion counts as gone: AWS never deletes a key at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError

from harness.aws_target import AwsTarget
from pci_infra.foundation.capabilities import gap_for

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


def _emulator_artifact(target: AwsTarget, arn: str) -> bool:
    """A leftover the emulator makes and AWS does not (see the capability list)."""
    if not target.is_emulator:
        return False
    if gap_for("behaviour:rds_automated_snapshot_kept") and ":cluster-snapshot:rds:" in arn:
        return True
    return bool(gap_for("behaviour:cloudtrail_delete_by_arn") and ":cloudtrail:" in arn and ":trail/" in arn)


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
            if _emulator_artifact(target, arn):
                continue
            yield Orphan(service, arn, "tagging API")


def s3_buckets(target: AwsTarget, run_id: str) -> Iterable[Orphan]:
    """Buckets whose name carries the run id."""
    for bucket in target.client("s3").list_buckets().get("Buckets", []):
        if run_id in bucket["Name"]:
            yield Orphan("s3", bucket["Name"], "ListBuckets")


def sqs_queues(target: AwsTarget, run_id: str) -> Iterable[Orphan]:
    """Queues whose URL carries the run id."""
    for url in target.client("sqs").list_queues().get("QueueUrls", []):
        if run_id in url.rsplit("/", 1)[-1]:
            yield Orphan("sqs", url, "ListQueues")


def kms_keys(target: AwsTarget, run_id: str) -> Iterable[Orphan]:
    """Aliases carrying the run id, and live keys tagged with it."""
    kms = target.client("kms")
    for page in kms.get_paginator("list_aliases").paginate():
        for alias in page["Aliases"]:
            if run_id in alias["AliasName"]:
                yield Orphan("kms", alias["AliasName"], "ListAliases")
    for page in kms.get_paginator("list_keys").paginate():
        for key in page["Keys"]:
            if not _kms_key_is_live(target, key["KeyId"]):
                continue
            tags = kms.list_resource_tags(KeyId=key["KeyId"]).get("Tags", [])
            if any(t["TagKey"] == RUN_ID_TAG and t["TagValue"] == run_id for t in tags):
                yield Orphan("kms", key["KeyArn"], "ListKeys")


def iam_roles(target: AwsTarget, run_id: str) -> Iterable[Orphan]:
    """Roles and customer-managed policies whose name carries the run id."""
    iam = target.client("iam")
    for page in iam.get_paginator("list_roles").paginate():
        for role in page["Roles"]:
            if run_id in role["RoleName"]:
                yield Orphan("iam", role["Arn"], "ListRoles")
    for page in iam.get_paginator("list_policies").paginate(Scope="Local"):
        for policy in page["Policies"]:
            if run_id in policy["PolicyName"]:
                yield Orphan("iam", policy["Arn"], "ListPolicies")


def log_groups(target: AwsTarget, run_id: str) -> Iterable[Orphan]:
    """Log groups whose name carries the run id."""
    for page in target.client("logs").get_paginator("describe_log_groups").paginate():
        for group in page["logGroups"]:
            if run_id in group["logGroupName"]:
                yield Orphan("logs", group["logGroupName"], "DescribeLogGroups")


def vpcs(target: AwsTarget, run_id: str) -> Iterable[Orphan]:
    """VPCs (and with them their subnets, gateways, groups) tagged with the run id."""
    ec2 = target.client("ec2")
    for vpc in ec2.describe_vpcs(Filters=[{"Name": f"tag:{RUN_ID_TAG}", "Values": [run_id]}])["Vpcs"]:
        yield Orphan("ec2", vpc["VpcId"], "DescribeVpcs")
    for address in ec2.describe_addresses(Filters=[{"Name": f"tag:{RUN_ID_TAG}", "Values": [run_id]}])[
        "Addresses"
    ]:
        yield Orphan("ec2", address.get("AllocationId", address.get("PublicIp", "?")), "DescribeAddresses")


def rds_resources(target: AwsTarget, run_id: str) -> Iterable[Orphan]:
    """Aurora clusters, instances and proxies whose identifier carries the run id."""
    rds = target.client("rds")
    for cluster in rds.describe_db_clusters()["DBClusters"]:
        if run_id in cluster["DBClusterIdentifier"]:
            yield Orphan("rds", cluster["DBClusterArn"], "DescribeDBClusters")
    for instance in rds.describe_db_instances()["DBInstances"]:
        if run_id in instance["DBInstanceIdentifier"]:
            yield Orphan("rds", instance["DBInstanceArn"], "DescribeDBInstances")
    for proxy in rds.describe_db_proxies()["DBProxies"]:
        if run_id in proxy["DBProxyName"]:
            yield Orphan("rds", proxy["DBProxyArn"], "DescribeDBProxies")


def load_balancers(target: AwsTarget, run_id: str) -> Iterable[Orphan]:
    """Load balancers and target groups whose name carries the run id."""
    elbv2 = target.client("elbv2")
    for lb in elbv2.describe_load_balancers()["LoadBalancers"]:
        if run_id in lb["LoadBalancerName"]:
            yield Orphan("elbv2", lb["LoadBalancerArn"], "DescribeLoadBalancers")
    for tg in elbv2.describe_target_groups()["TargetGroups"]:
        if run_id in tg["TargetGroupName"]:
            yield Orphan("elbv2", tg["TargetGroupArn"], "DescribeTargetGroups")


def web_acls(target: AwsTarget, run_id: str) -> Iterable[Orphan]:
    """Regional web ACLs whose name carries the run id."""
    for acl in target.client("wafv2").list_web_acls(Scope="REGIONAL")["WebACLs"]:
        if run_id in acl["Name"]:
            yield Orphan("wafv2", acl["ARN"], "ListWebACLs")


def functions_and_fleets(target: AwsTarget, run_id: str) -> Iterable[Orphan]:
    """Lambda functions, Auto Scaling groups and Firehose streams whose name carries the run id."""
    for page in target.client("lambda").get_paginator("list_functions").paginate():
        for function in page["Functions"]:
            if run_id in function["FunctionName"]:
                yield Orphan("lambda", function["FunctionArn"], "ListFunctions")
    for group in target.client("autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"]:
        if run_id in group["AutoScalingGroupName"]:
            yield Orphan("autoscaling", group["AutoScalingGroupName"], "DescribeAutoScalingGroups")
    for name in target.client("firehose").list_delivery_streams()["DeliveryStreamNames"]:
        if run_id in name:
            yield Orphan("firehose", name, "ListDeliveryStreams")


def trails_and_secrets(target: AwsTarget, run_id: str) -> Iterable[Orphan]:
    """CloudTrail trails named with the run id, and secrets tagged with it.

    Secrets are matched by tag, not name: the PCI stack's database secret exists before the stack
    (its owner keeps it) and may carry the run id in its name without being the stack's to delete.
    """
    for trail in target.client("cloudtrail").describe_trails().get("trailList", []):
        if run_id in trail["Name"] and not _emulator_artifact(target, trail["TrailARN"]):
            yield Orphan("cloudtrail", trail["TrailARN"], "DescribeTrails")
    for page in target.client("secretsmanager").get_paginator("list_secrets").paginate():
        for secret in page["SecretList"]:
            tags = {t["Key"]: t["Value"] for t in secret.get("Tags", [])}
            if tags.get(RUN_ID_TAG) == run_id and not secret.get("DeletedDate"):
                yield Orphan("secretsmanager", secret["ARN"], "ListSecrets")


def monitoring_and_config(target: AwsTarget, run_id: str) -> Iterable[Orphan]:
    """Alarms, SSM parameters, hosted zones and Config rules whose name carries the run id."""
    for page in target.client("cloudwatch").get_paginator("describe_alarms").paginate():
        for alarm in page["MetricAlarms"]:
            if run_id in alarm["AlarmName"]:
                yield Orphan("cloudwatch", alarm["AlarmName"], "DescribeAlarms")
    for page in target.client("ssm").get_paginator("describe_parameters").paginate():
        for parameter in page["Parameters"]:
            if run_id in parameter["Name"]:
                yield Orphan("ssm", parameter["Name"], "DescribeParameters")
    for zone in target.client("route53").list_hosted_zones()["HostedZones"]:
        if run_id in zone["Name"]:
            yield Orphan("route53", zone["Id"], "ListHostedZones")
    for rule in target.client("config").describe_config_rules().get("ConfigRules", []):
        if run_id in rule["ConfigRuleName"]:
            yield Orphan("config", rule["ConfigRuleName"], "DescribeConfigRules")


DEFAULT_PROBES: tuple[Probe, ...] = (
    by_tagging_api,
    s3_buckets,
    sqs_queues,
    kms_keys,
    iam_roles,
    log_groups,
    vpcs,
    rds_resources,
    load_balancers,
    web_acls,
    functions_and_fleets,
    monitoring_and_config,
    trails_and_secrets,
)


def sweep(target: AwsTarget, run_id: str, probes: Iterable[Probe] = DEFAULT_PROBES) -> list[Orphan]:
    """Every resource still carrying ``run_id``, de-duplicated; an unreachable listing is an error.

    The probes only list, so they run side by side (each service's listing is a few round trips).
    """
    if not run_id:
        raise ValueError("run_id: required; sweeping without one would report every resource")

    def listed(probe: Probe) -> list[Orphan]:
        try:
            return list(probe(target, run_id))
        except (ClientError, BotoCoreError) as err:
            raise RuntimeError(f"orphan sweep could not list with {probe.__name__}: {err}") from err

    found: dict[str, Orphan] = {}
    with ThreadPoolExecutor(max_workers=SWEEP_THREADS) as pool:
        for orphans in pool.map(listed, probes):
            for orphan in orphans:
                found.setdefault(orphan.identifier, orphan)
    return sorted(found.values(), key=lambda o: (o.service, o.identifier))


SWEEP_THREADS = 6
"""Listings in flight at once: enough to hide round trips, few enough not to trip API throttling."""
