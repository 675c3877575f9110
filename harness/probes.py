"""Live probes of deployed behaviour: one helper per behaviour, retries around the probe only.

Used by the integration tests and by the main command's smoke check. Each helper returns what it
observed (or raises :class:`ProbeError` saying what it waited for), so callers assert on real values.
"""

from __future__ import annotations

import gzip
import json
import uuid
from dataclasses import dataclass
from typing import Any, cast

from tenacity import RetryError, Retrying, retry_if_exception_type, stop_after_delay, wait_fixed

from harness.aws_target import AwsTarget


class ProbeError(AssertionError):
    """A probe did not observe the behaviour it waited for."""


def _eventually(what: str, timeout: float, probe: Any, interval: float = 1.0) -> Any:
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
class DlqObservation:
    """What :func:`message_reaches_dlq` saw.

    Attributes:
        receives: Times the message was received from the work queue without being deleted.
        dlq_body: Body of the message found in the DLQ.
        dlq_receive_count: ``ApproximateReceiveCount`` as reported by the DLQ.
    """

    receives: int
    dlq_body: str
    dlq_receive_count: int


def message_reaches_dlq(
    target: AwsTarget, queue_url: str, dlq_url: str, receives: int, timeout: float = 60.0
) -> DlqObservation:
    """Send a message, receive it ``receives`` times without deleting it, and find it in the DLQ.

    Each receive hides the message for only one second, so the probe does not wait out the queue's
    own visibility timeout.
    """
    sqs = target.client("sqs")
    body = f"dlq-probe-{uuid.uuid4()}"
    sqs.send_message(QueueUrl=queue_url, MessageBody=body)

    def receive_once() -> None:
        messages = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=1, VisibilityTimeout=1, WaitTimeSeconds=1
        ).get("Messages", [])
        if not any(m["Body"] == body for m in messages):
            raise ProbeError("the probe message to be receivable from the work queue")

    for n in range(1, receives + 1):
        _eventually(f"receive #{n} of the probe message", timeout, receive_once)

    def found_in_dlq() -> DlqObservation:
        # A receive on the source queue is what makes SQS move an over-received message; if that
        # receive returns the message again, the queue allows more receives than it should.
        again = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=1, VisibilityTimeout=1, WaitTimeSeconds=1
        ).get("Messages", [])
        if any(m["Body"] == body for m in again):
            raise AssertionError(f"the work queue delivered the probe message a {receives + 1}th time")
        messages = sqs.receive_message(
            QueueUrl=dlq_url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=1,
            AttributeNames=["ApproximateReceiveCount"],
        ).get("Messages", [])
        for message in messages:
            if message["Body"] == body:
                sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=message["ReceiptHandle"])
                count = int(message.get("Attributes", {}).get("ApproximateReceiveCount", "0"))
                return DlqObservation(receives, message["Body"], count)
        raise ProbeError("the probe message in the DLQ")

    result: DlqObservation = _eventually("the probe message to move to the DLQ", timeout, found_in_dlq)
    return result


def subnet_zones(target: AwsTarget, vpc_id: str, tier: str) -> list[str]:
    """Availability zones of the VPC's subnets tagged ``Tier=<tier>``, one entry per subnet."""
    subnets = target.client("ec2").describe_subnets(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "tag:Tier", "Values": [tier]}]
    )["Subnets"]
    return sorted(s["AvailabilityZone"] for s in subnets)


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


def message_containing(target: AwsTarget, queue_url: str, needle: str, timeout: float = 60.0) -> str:
    """Wait for a message whose body contains ``needle``; delete it and return its body."""
    sqs = target.client("sqs")

    def receive() -> str:
        for message in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=2).get(
            "Messages", []
        ):
            if needle in message["Body"]:
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
                return str(message["Body"])
        raise ProbeError(f"a message containing {needle!r} on {queue_url}")

    body: str = _eventually(f"a message containing {needle!r}", timeout, receive)
    return body


def rule_routes(
    target: AwsTarget, rule_name: str, bus_name: str, event: dict[str, Any]
) -> list[dict[str, Any]]:
    """The targets of ``rule_name`` if the deployed rule's pattern matches ``event``, else an empty list.

    The pattern is read back from the deployed rule. On AWS the service's own TestEventPattern
    matches it; the emulator answers that call without evaluating it (capability list:
    ``behaviour:test_event_pattern``), so there the emulator's own rule matcher is applied instead.
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
    if target.is_emulator:
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


def bucket_objects(target: AwsTarget, bucket: str, timeout: float = 60.0) -> list[str]:
    """Wait until ``bucket`` holds at least one object; return the keys."""
    s3 = target.client("s3")

    def listing() -> list[str]:
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
        if not keys:
            raise ProbeError(f"an object in {bucket}")
        return keys

    keys: list[str] = _eventually(f"an object in {bucket}", timeout, listing, interval=2.0)
    return keys


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

    text: str = _eventually(f"delivery of {needle!r}", timeout, find, interval=10.0)
    return text
