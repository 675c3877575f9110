"""Live probes of deployed behaviour: one helper per behaviour, retries around the probe only.

Used by the integration tests and by the main command's smoke check. Each helper returns what it
observed (or raises :class:`ProbeError` saying what it waited for), so callers assert on real values.
"""

from __future__ import annotations

import gzip
import json
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, cast

from tenacity import RetryError, Retrying, retry_if_exception_type, stop_after_delay, wait_fixed

from harness.aws_target import AwsTarget
from harness.bucket_policy_context import policy_replaced
from harness.sweep import functions_and_fleets, log_groups, s3_buckets, sqs_queues


class ProbeError(AssertionError):
    """A probe did not observe the behaviour it waited for."""


def eventually(what: str, timeout: float, probe: Any, interval: float = 1.0) -> Any:
    """Call ``probe`` until it returns without raising ProbeError; fail with ``what`` after ``timeout``."""
    try:
        for attempt in Retrying(
            stop=stop_after_delay(timeout),
            wait=wait_fixed(interval),
            retry=retry_if_exception_type(ProbeError),
        ):
            with attempt:
                return probe()
    except RetryError as err:
        last = err.last_attempt.exception()
        raise ProbeError(f"gave up after {timeout:.0f}s waiting for {what}: {last}") from None
    raise AssertionError("unreachable")


def key_rotation_enabled(target: AwsTarget, key_arn: str) -> bool:
    """Whether automatic rotation is on for ``key_arn``."""
    return bool(target.client("kms").get_key_rotation_status(KeyId=key_arn)["KeyRotationEnabled"])


def bucket_default_kms_key(target: AwsTarget, bucket: str) -> tuple[str, str | None]:
    """The bucket's default encryption as ``(algorithm, kms key id)``."""
    rules = target.client("s3").get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"][
        "Rules"
    ]
    default = rules[0]["ApplyServerSideEncryptionByDefault"]
    return default["SSEAlgorithm"], default.get("KMSMasterKeyID")


def queue_kms_key(target: AwsTarget, queue_url: str) -> str | None:
    """The CMK a queue is encrypted with."""
    attrs = target.client("sqs").get_queue_attributes(QueueUrl=queue_url, AttributeNames=["KmsMasterKeyId"])
    value: str | None = attrs.get("Attributes", {}).get("KmsMasterKeyId")
    return value


@dataclass(frozen=True)
class RedriveObservation:
    """What :func:`receives_until_redriven` saw.

    Attributes:
        receive_counts: ``ApproximateReceiveCount`` SQS reported at each delivery of the message from
            the work queue, in order (one entry per receive that returned it).
        dlq_body: Body of the message found in the DLQ.
    """

    receive_counts: tuple[int, ...]
    dlq_body: str

    @property
    def receives(self) -> int:
        """Times the work queue delivered the message before it left for the DLQ."""
        return len(self.receive_counts)


def _take_message(
    sqs: Any, queue_url: str, body: str, *, visibility: int | None, wait: int
) -> dict[str, Any] | None:
    """Receive once (long-polling ``wait`` seconds); the message with ``body`` if it came, else ``None``."""
    params: dict[str, Any] = {
        "QueueUrl": queue_url,
        "MaxNumberOfMessages": 10,
        "WaitTimeSeconds": wait,
        "AttributeNames": ["ApproximateReceiveCount"],
    }
    if visibility is not None:
        params["VisibilityTimeout"] = visibility
    for message in sqs.receive_message(**params).get("Messages", []):
        if message["Body"] == body:
            found: dict[str, Any] = message
            return found
    return None


def receives_until_redriven(
    target: AwsTarget, queue_url: str, dlq_url: str, *, give_up_after: int = 10, timeout: float = 90.0
) -> RedriveObservation:
    """Receive a new message without delete until the work queue stops delivering it; find it in the DLQ.

    Each receive hides the message for one second and the next long-polls past that, so a message
    still on the work queue is delivered again; only when a receive no longer returns it is the
    DLQ looked at. The queue's own redrive setting is never read: the count is what SQS did.

    Raises:
        ProbeError: The work queue was still delivering the message after ``give_up_after``
            receives, or it was in neither queue within ``timeout`` seconds.
    """
    sqs = target.client("sqs")
    body = f"redrive-probe-{uuid.uuid4()}"
    sqs.send_message(QueueUrl=queue_url, MessageBody=body)
    counts: list[int] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        delivered = _take_message(sqs, queue_url, body, visibility=1, wait=3)
        if delivered is not None:
            counts.append(int(delivered.get("Attributes", {}).get("ApproximateReceiveCount", "0")))
            if len(counts) > give_up_after:
                raise ProbeError(
                    f"the work queue delivered the probe message {len(counts)} times without moving it"
                )
            continue
        parked = _take_message(sqs, dlq_url, body, visibility=None, wait=1)
        if parked is not None:
            sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=parked["ReceiptHandle"])
            return RedriveObservation(tuple(counts), str(parked["Body"]))
    raise ProbeError(
        f"gave up after {timeout:.0f}s: the probe message, received {len(counts)} times, is in neither queue"
    )


@dataclass(frozen=True)
class DlqObservation:
    """What :func:`message_reaches_dlq` saw.

    Attributes:
        receives: Times the message was received from the work queue without being deleted.
        dlq_body: Body of the message found in the DLQ.
        dlq_receive_count: ``ApproximateReceiveCount`` at the last receive from the work queue.
    """

    receives: int
    dlq_body: str
    dlq_receive_count: int


def message_reaches_dlq(
    target: AwsTarget, queue_url: str, dlq_url: str, receives: int, timeout: float = 90.0
) -> DlqObservation:
    """A message received ``receives`` times without delete, and no more, is found in the DLQ.

    Raises:
        ProbeError: The work queue delivered it another number of times before it left, or it
            did not reach the DLQ (see :func:`receives_until_redriven`).
    """
    seen = receives_until_redriven(target, queue_url, dlq_url, give_up_after=receives + 1, timeout=timeout)
    if seen.receives != receives:
        raise ProbeError(f"the message left the work queue after {seen.receives} receives, not {receives}")
    return DlqObservation(seen.receives, seen.dlq_body, seen.receive_counts[-1] if seen.receive_counts else 0)


def subnet_zones(target: AwsTarget, vpc_id: str, tier: str) -> list[str]:
    """Availability zones of the VPC's subnets tagged ``Tier=<tier>``, one entry per subnet."""
    subnets = target.client("ec2").describe_subnets(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "tag:Tier", "Values": [tier]}]
    )["Subnets"]
    return sorted(s["AvailabilityZone"] for s in subnets)


def tier_subnets(target: AwsTarget, vpc_id: str, tier: str) -> dict[str, str]:
    """The VPC's subnets tagged ``Tier=<tier>``, as subnet id -> availability zone."""
    subnets = target.client("ec2").describe_subnets(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "tag:Tier", "Values": [tier]}]
    )["Subnets"]
    return {s["SubnetId"]: s["AvailabilityZone"] for s in subnets}


def load_balancer_subnets(target: AwsTarget, arn: str) -> dict[str, str]:
    """The subnets the load balancer has nodes in, as subnet id -> availability zone (elbv2's own answer)."""
    (balancer,) = target.client("elbv2").describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"]
    return {zone["SubnetId"]: zone["ZoneName"] for zone in balancer["AvailabilityZones"]}


def flow_logs(target: AwsTarget, vpc_id: str) -> list[dict[str, Any]]:
    """Flow logs attached to the VPC."""
    result: list[dict[str, Any]] = target.client("ec2").describe_flow_logs(
        Filters=[{"Name": "resource-id", "Values": [vpc_id]}]
    )["FlowLogs"]
    return result


def log_group(target: AwsTarget, name: str) -> dict[str, Any]:
    """The log group called ``name`` (retention, KMS key)."""
    groups = target.client("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    match = [g for g in groups if g["logGroupName"] == name]
    if not match:
        raise ProbeError(f"log group {name} does not exist")
    found: dict[str, Any] = match[0]
    return found


def default_security_group_rules(target: AwsTarget, vpc_id: str) -> tuple[list[Any], list[Any]]:
    """Ingress and egress rules of the VPC's default security group."""
    (group,) = target.client("ec2").describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"]
    return group["IpPermissions"], group["IpPermissionsEgress"]


def aurora_cluster(target: AwsTarget, identifier: str) -> dict[str, Any]:
    """The Aurora cluster as RDS describes it."""
    (cluster,) = target.client("rds").describe_db_clusters(DBClusterIdentifier=identifier)["DBClusters"]
    found: dict[str, Any] = cluster
    return found


def aurora_instances(target: AwsTarget, identifier: str) -> list[dict[str, Any]]:
    """Instances of the cluster."""
    result: list[dict[str, Any]] = target.client("rds").describe_db_instances(
        Filters=[{"Name": "db-cluster-id", "Values": [identifier]}]
    )["DBInstances"]
    return result


def db_proxy(target: AwsTarget, name: str) -> dict[str, Any]:
    """The RDS Proxy called ``name``."""
    (proxy,) = target.client("rds").describe_db_proxies(DBProxyName=name)["DBProxies"]
    found: dict[str, Any] = proxy
    return found


def load_balancer_attributes(target: AwsTarget, arn: str) -> dict[str, str]:
    """Attributes of a load balancer as a dict."""
    attrs = target.client("elbv2").describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]
    return {a["Key"]: a["Value"] for a in attrs}


def web_acl(target: AwsTarget, arn: str) -> dict[str, Any]:
    """The regional web ACL at ``arn``."""
    name, acl_id = arn.split("/")[-2:]
    found: dict[str, Any] = target.client("wafv2").get_web_acl(Name=name, Scope="REGIONAL", Id=acl_id)[
        "WebACL"
    ]
    return found


def web_acl_of(target: AwsTarget, resource_arn: str) -> str | None:
    """ARN of the web ACL protecting ``resource_arn``, if any."""
    acl = target.client("wafv2").get_web_acl_for_resource(ResourceArn=resource_arn).get("WebACL")
    return str(acl["ARN"]) if acl else None


def web_acl_logging(target: AwsTarget, acl_arn: str) -> dict[str, Any]:
    """Logging configuration of the web ACL."""
    found: dict[str, Any] = target.client("wafv2").get_logging_configuration(ResourceArn=acl_arn)[
        "LoggingConfiguration"
    ]
    return found


def put_payment_event(target: AwsTarget, bus_name: str, detail_type: str, detail: dict[str, Any]) -> None:
    """Publish one payment lifecycle event on the payment bus, as the processor does."""
    result = target.client("events").put_events(
        Entries=[
            {
                "EventBusName": bus_name,
                "Source": "payments.processor",
                "DetailType": detail_type,
                "Detail": json.dumps(detail),
            }
        ]
    )
    if result.get("FailedEntryCount"):
        raise ProbeError(f"PutEvents refused the event: {result['Entries']}")


def message_matching(
    target: AwsTarget,
    queue_url: str,
    what: str,
    matches: Callable[[str], bool],
    timeout: float = 60.0,
    *,
    release_others: bool = False,
) -> str:
    """Wait for a message on ``queue_url`` whose body ``matches``; delete it and return its body.

    ``what`` names the message awaited in the error if none comes within ``timeout`` seconds. The
    others received on the way stay hidden for the queue's visibility timeout, unless
    ``release_others``: then they are visible again at once. Release only on a probe queue of the
    check's own: each receive counts toward a queue's redrive, so releasing on a shared queue with a
    DLQ would move another consumer's message there within a few polls.
    """
    sqs = target.client("sqs")

    def receive() -> str:
        answer = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=2)
        found: str | None = None
        for message in answer.get("Messages", []):
            if found is None and matches(message["Body"]):
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
                found = str(message["Body"])
            elif release_others:
                sqs.change_message_visibility(
                    QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                )
        if found is None:
            raise ProbeError(f"{what} on {queue_url}")
        return found

    body: str = eventually(what, timeout, receive)
    return body


def message_containing(target: AwsTarget, queue_url: str, needle: str, timeout: float = 60.0) -> str:
    """Wait for a message whose body contains ``needle``; delete it and return its body."""
    return message_matching(
        target, queue_url, f"a message containing {needle!r}", lambda body: needle in body, timeout
    )


TEST_EVENT_PATTERN_GAP = "behaviour:test_event_pattern"


def rule_routes(
    target: AwsTarget, rule_name: str, bus_name: str, event: dict[str, Any]
) -> list[dict[str, Any]]:
    """The targets of ``rule_name`` if the deployed rule's pattern matches ``event``, else an empty list.

    The pattern is read back from the deployed rule. On AWS the service's own TestEventPattern
    matches it; the emulator answers that call without evaluating it (capability list:
    ``behaviour:test_event_pattern``), so there, while the list records that gap, the emulator's own
    rule matcher is applied instead.
    """
    events = target.client("events")
    rule = events.describe_rule(Name=rule_name, EventBusName=bus_name)
    full_event = {
        "id": str(uuid.uuid4()),
        "account": "123456789012",
        "time": "2026-01-01T00:00:00Z",
        "region": target.region,
        "resources": [],
        **event,
    }
    if target.gap(TEST_EVENT_PATTERN_GAP):
        from moto.events.models import EventPattern

        matched = EventPattern.load(rule["EventPattern"]).matches_event(cast(Any, full_event))
    else:
        result = events.test_event_pattern(EventPattern=rule["EventPattern"], Event=json.dumps(full_event))
        matched = bool(result["Result"])
    if not matched:
        return []
    targets: list[dict[str, Any]] = events.list_targets_by_rule(Rule=rule_name, EventBusName=bus_name)[
        "Targets"
    ]
    return targets


S3_POLICY_GAP = "behaviour:s3_policy_conditions"


@contextmanager
def bucket_readable(target: AwsTarget, bucket: str) -> Iterator[None]:
    """Inside, ``bucket``'s objects can be read over the API that reaches the target.

    On AWS nothing is changed: the TLS-only deny does not refuse a TLS read; nor on MiniStack, which
    lets the account root (the harness) past bucket policies. moto refuses every object request of a
    bucket whose policy has a Deny for ``Principal *`` whatever its condition (capability list:
    ``behaviour:s3_policy_conditions``); there, while the list records that gap, the policy is lifted
    for the block and put back exactly as it was after it.
    """
    if not (target.gap(S3_POLICY_GAP)):
        yield
        return
    with policy_replaced(target, bucket, lambda _: None):
        yield


def object_keys(target: AwsTarget, bucket: str, prefix: str = "") -> list[str]:
    """Every key of ``bucket`` under ``prefix``, all pages."""
    keys: list[str] = []
    for page in target.client("s3").get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys += [item["Key"] for item in page.get("Contents", [])]
    return keys


@dataclass(frozen=True)
class StoredObject:
    """One object as S3 keeps it.

    Attributes:
        key: Its key.
        text: Its content as text (GZIP content decompressed).
        gzip: Whether the stored content is GZIP.
        encryption: ``ServerSideEncryption`` S3 reports for it.
        kms_key_id: ``SSEKMSKeyId`` S3 reports for it (``None`` without SSE-KMS).
    """

    key: str
    text: str
    gzip: bool
    encryption: str | None
    kms_key_id: str | None


def objects_containing(
    target: AwsTarget, bucket: str, needle: str, timeout: float = 300.0
) -> list[StoredObject]:
    """Wait until some object of ``bucket`` holds ``needle``; every such object, read and described.

    Objects are read whole (GZIP ones decompressed) and described with ``HeadObject``; the caller
    makes the bucket readable (:func:`bucket_readable`).
    """
    s3 = target.client("s3")

    def find() -> list[StoredObject]:
        found: list[StoredObject] = []
        for key in object_keys(target, bucket):
            body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
            packed = body.startswith(b"\x1f\x8b")
            text = (gzip.decompress(body) if packed else body).decode(errors="replace")
            if needle in text:
                head = s3.head_object(Bucket=bucket, Key=key)
                found.append(
                    StoredObject(key, text, packed, head.get("ServerSideEncryption"), head.get("SSEKMSKeyId"))
                )
        if not found:
            raise ProbeError(f"an object in {bucket} containing {needle!r}")
        return found

    objects: list[StoredObject] = eventually(
        f"delivery of {needle!r} to {bucket}", timeout, find, interval=5.0
    )
    return objects


def delivered_text(target: AwsTarget, bucket: str, prefix: str, needle: str, timeout: float = 300.0) -> str:
    """Wait for a GZIP object under ``prefix`` whose text contains ``needle``; return that text."""
    s3 = target.client("s3")

    def find() -> str:
        for item in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", []):
            body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
            text = gzip.decompress(body).decode()
            if needle in text:
                return text
        raise ProbeError(f"a GZIP object under s3://{bucket}/{prefix} containing {needle!r}")

    text: str = eventually(f"delivery of {needle!r}", timeout, find, interval=10.0)
    return text


@dataclass(frozen=True)
class ListedResource:
    """A resource of a run found through its service's own listing, with the tags that service reports.

    Attributes:
        service: AWS service, e.g. ``s3``.
        identifier: Name, URL, ARN or id, as the listing gives it.
        tags: Its tags, read with the service's tag API.
    """

    service: str
    identifier: str
    tags: dict[str, str] = field(default_factory=dict)


def _tag_pairs(items: list[dict[str, str]], key: str = "Key", value: str = "Value") -> dict[str, str]:
    return {item[key]: item[value] for item in items}


def _bucket_tags(target: AwsTarget, bucket: str) -> dict[str, str]:
    from botocore.exceptions import ClientError

    try:
        return _tag_pairs(target.client("s3").get_bucket_tagging(Bucket=bucket)["TagSet"])
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") == "NoSuchTagSet":
            return {}
        raise


def _listed_by_name(target: AwsTarget, run_id: str) -> list[ListedResource]:
    """Buckets, queues, log groups and functions named with the run id (the orphan sweep's listings)."""
    sqs, logs, lam = (target.client(name) for name in ("sqs", "logs", "lambda"))
    found = [
        ListedResource("s3", o.identifier, _bucket_tags(target, o.identifier))
        for o in s3_buckets(target, run_id)
    ]
    found += [
        ListedResource("sqs", o.identifier, dict(sqs.list_queue_tags(QueueUrl=o.identifier).get("Tags", {})))
        for o in sqs_queues(target, run_id)
    ]
    found += [
        ListedResource(
            "logs", o.identifier, dict(logs.list_tags_log_group(logGroupName=o.identifier).get("tags", {}))
        )
        for o in log_groups(target, run_id)
    ]
    found += [
        ListedResource("lambda", o.identifier, dict(lam.list_tags(Resource=o.identifier).get("Tags", {})))
        for o in functions_and_fleets(target, run_id)
        if o.service == "lambda"
    ]
    return found


def _paged(target: AwsTarget, service: str, operation: str, items: str, **params: Any) -> list[Any]:
    found: list[Any] = []
    for page in target.client(service).get_paginator(operation).paginate(**params):
        found += page.get(items) or []
    return found


def _keys_topics_and_secrets(target: AwsTarget, run_id: str) -> list[ListedResource]:
    """KMS keys behind the aliases named with the run id, topics and secrets so named."""
    kms, sns, secrets = (target.client(name) for name in ("kms", "sns", "secretsmanager"))
    key_ids = {
        alias["TargetKeyId"]
        for alias in _paged(target, "kms", "list_aliases", "Aliases")
        if run_id in alias["AliasName"] and alias.get("TargetKeyId")
    }
    found = [
        ListedResource(
            "kms",
            kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"],
            _tag_pairs(
                _paged(target, "kms", "list_resource_tags", "Tags", KeyId=key_id), "TagKey", "TagValue"
            ),
        )
        for key_id in sorted(key_ids)
    ]
    found += [
        ListedResource(
            "sns",
            topic["TopicArn"],
            _tag_pairs(sns.list_tags_for_resource(ResourceArn=topic["TopicArn"])["Tags"]),
        )
        for topic in _paged(target, "sns", "list_topics", "Topics")
        if run_id in topic["TopicArn"].rsplit(":", 1)[-1]
    ]
    found += [
        ListedResource(
            "secretsmanager",
            secret["ARN"],
            _tag_pairs(secrets.describe_secret(SecretId=secret["ARN"]).get("Tags", [])),
        )
        for secret in _paged(target, "secretsmanager", "list_secrets", "SecretList")
        if run_id in secret["Name"]
    ]
    return found


def _network(target: AwsTarget, run_id: str) -> list[ListedResource]:
    """VPCs whose ``Name`` tag carries the run id, and their subnets and security groups so named."""
    named = [{"Name": "tag:Name", "Values": [f"*{run_id}*"]}]
    vpc_ids = [vpc["VpcId"] for vpc in _paged(target, "ec2", "describe_vpcs", "Vpcs", Filters=named)]
    if not vpc_ids:
        return []
    in_vpcs = [{"Name": "vpc-id", "Values": vpc_ids}]
    subnet_ids = [
        s["SubnetId"] for s in _paged(target, "ec2", "describe_subnets", "Subnets", Filters=in_vpcs + named)
    ]
    group_ids = [
        g["GroupId"]
        for g in _paged(target, "ec2", "describe_security_groups", "SecurityGroups", Filters=in_vpcs)
        if run_id in g["GroupName"]
    ]
    resources = [*vpc_ids, *subnet_ids, *group_ids]
    tags: dict[str, dict[str, str]] = {resource: {} for resource in resources}
    for tag in _paged(
        target, "ec2", "describe_tags", "Tags", Filters=[{"Name": "resource-id", "Values": resources}]
    ):
        tags[tag["ResourceId"]][tag["Key"]] = tag["Value"]
    return [ListedResource("ec2", resource, tags[resource]) for resource in resources]


def run_resources(target: AwsTarget, run_id: str) -> list[ListedResource]:
    """The run's resources found by name through each service's own listing, each with its tags.

    Found without asking for any tag: buckets, queues, log groups and functions named with the
    run id (the orphan sweep's listings), the KMS keys behind aliases so named, topics and secrets
    so named, and VPCs, subnets and security groups whose ``Name`` tag or group name carries it.
    Each one's tags are then read through its service's own tag API.
    """
    if not run_id:
        raise ValueError("run_id: required; listing without one would return every resource")
    return [
        *_listed_by_name(target, run_id),
        *_keys_topics_and_secrets(target, run_id),
        *_network(target, run_id),
    ]
