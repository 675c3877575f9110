"""What a journey test does to a deployed stack: subscribe a probe queue, invoke a function, read its log.

A journey acts as a client or an AWS service would (a POST to the ALB, an object put in a bucket, an
event put on a bus, Secrets Manager invoking a rotation step) and observes what the deployed
resources did, through a probe it owns: a queue subscribed to a topic, the function's own result or
log lines, a row in the database. Everything a probe creates carries the run id in its name (so the
orphan sweep finds it if its cleanup did not run) and is deleted on exit.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.aws_target import AwsTarget
from harness.probes import ProbeError, eventually, message_matching

SERVICE_EVENTS_GAP = "behaviour:service_events"
"""Neither emulator emits AWS services' events, and the bus refuses ``aws.*`` sources (capability list)."""


@dataclass(frozen=True)
class ProbeQueue:
    """A queue subscribed to a topic for the length of a journey."""

    url: str
    arn: str
    subscription_arn: str


@contextmanager
def probe_queue_on_topic(target: AwsTarget, topic_arn: str, name: str) -> Iterator[ProbeQueue]:
    """A queue ``name`` (SSE on) subscribed to ``topic_arn`` with raw delivery off; deleted on exit.

    The queue policy lets only that topic send to it (``aws:SourceArn``).
    """
    sqs, sns = target.client("sqs"), target.client("sns")
    url = sqs.create_queue(QueueName=name, Attributes={"SqsManagedSseEnabled": "true"})["QueueUrl"]
    try:
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "FromTheTopicOnly",
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": arn,
                    "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
                }
            ],
        }
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
        subscription = sns.subscribe(
            TopicArn=topic_arn, Protocol="sqs", Endpoint=arn, ReturnSubscriptionArn=True
        )
        try:
            yield ProbeQueue(url, arn, subscription["SubscriptionArn"])
        finally:
            sns.unsubscribe(SubscriptionArn=subscription["SubscriptionArn"])
    finally:
        sqs.delete_queue(QueueUrl=url)


def notification_containing(
    target: AwsTarget, queue_url: str, needle: str, timeout: float = 60.0
) -> dict[str, Any]:
    """The SNS notification (its JSON envelope) on ``queue_url`` whose message contains ``needle``.

    ``queue_url`` is a probe queue of the check's own (:func:`probe_queue_on_topic`): the other
    notifications on it are made visible again at once, for the next probe; the one found is deleted.
    """

    def notifies(body: str) -> bool:
        try:
            envelope = json.loads(body)
        except ValueError:
            return False
        return isinstance(envelope, dict) and needle in str(envelope.get("Message", ""))

    body = message_matching(
        target, queue_url, f"a notification containing {needle!r}", notifies, timeout, release_others=True
    )
    found: dict[str, Any] = json.loads(body)
    return found


@dataclass(frozen=True)
class Invocation:
    """A function's answer to a synchronous invoke.

    Attributes:
        error: ``FunctionError`` (``Unhandled``) when the function failed, else ``None``.
        payload: Its result, or the error document ``{errorType, errorMessage, ...}``.
    """

    error: str | None
    payload: Any

    @property
    def error_message(self) -> str:
        """The failed function's ``errorType: errorMessage`` (empty when it succeeded)."""
        if self.error is None or not isinstance(self.payload, dict):
            return ""
        return f"{self.payload.get('errorType', '')}: {self.payload.get('errorMessage', '')}"


def invoke(target: AwsTarget, function_name: str, event: Any) -> Invocation:
    """Invoke ``function_name`` with ``event`` and wait for its result (RequestResponse)."""
    answer = target.client("lambda").invoke(
        FunctionName=function_name, InvocationType="RequestResponse", Payload=json.dumps(event).encode()
    )
    raw = answer["Payload"].read()
    payload = json.loads(raw) if raw else None
    return Invocation(answer.get("FunctionError"), payload)


def log_lines(target: AwsTarget, group: str, needle: str, timeout: float = 60.0) -> list[str]:
    """The lines of log group ``group`` containing ``needle``, once there is at least one."""
    logs = target.client("logs")

    def read() -> list[str]:
        lines: list[str] = []
        for page in logs.get_paginator("filter_log_events").paginate(logGroupName=group):
            lines += [str(event["message"]) for event in page.get("events", []) if needle in event["message"]]
        if not lines:
            raise ProbeError(f"a line containing {needle!r} in {group}")
        return lines

    found: list[str] = eventually(f"a log line containing {needle!r} in {group}", timeout, read, interval=2.0)
    return found


def post_json(url: str, body: Any, timeout: float = 60.0) -> tuple[int, Any]:
    """POST ``body`` as JSON to ``url`` (the emulator's loopback ALB); the status and the parsed answer."""
    request = urllib.request.Request(  # noqa: S310 (a loopback emulator URL built by the harness)
        url, data=json.dumps(body).encode(), headers={"content-type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status, text = int(response.status), response.read().decode(errors="replace")
    except urllib.error.HTTPError as err:
        status, text = err.code, err.read().decode(errors="replace")
    try:
        return status, json.loads(text)
    except json.JSONDecodeError:
        return status, text


def wait_for(what: str, timeout: float, check: Any, interval: float = 2.0) -> Any:
    """Call ``check`` until it returns a truthy value; that value, or ProbeError naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise ProbeError(f"gave up after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def put_service_event(target: AwsTarget, source: str, detail_type: str, detail: dict[str, Any]) -> str:
    """Put an event of the AWS service ``source`` (``aws.ec2``, ``aws.guardduty``) on the default bus; its id.

    Only AWS services emit ``aws.*`` events: PutEvents refuses such a source to every caller, on AWS
    and on MiniStack alike (``NotAuthorizedForSourceException``; MiniStack 1.5.33
    ``services/eventbridge.py`` ``_put_events``: ``source.startswith("aws.")`` unless a built-in
    emitter passes ``allow_aws_source``), and neither emulator emits the CloudTrail, sign-in,
    GuardDuty or Config events the security rules are for. MiniStack applies that check to a string
    ``Source`` only, so on the emulator the source goes as a one-element list (parameter validation
    off): its pattern matching treats an array value as matching when one element does, so each
    deployed rule matches the event exactly as it would match the service's own, and delivers it to
    its real targets. The delivered event then says ``"source": ["aws.ec2"]``. An emulator-only
    workaround of the event's origin, nothing else.

    Raises:
        ValueError: ``target`` is AWS (where no test can play the service).
        ProbeError: The bus did not take the event (its error code and message).
    """
    if not target.is_emulator:
        raise ValueError(f"only AWS emits {source} events on AWS: PutEvents refuses them to any caller")
    if target.gap(SERVICE_EVENTS_GAP) is None:
        raise ValueError(
            f"{SERVICE_EVENTS_GAP} does not hold here: this way of putting {source} events is not known"
        )
    from botocore.config import Config

    from pci_infra.foundation.aws_clients import client_factory

    events = client_factory(
        target.region, target.endpoint_for("events"), target.credentials, Config(parameter_validation=False)
    )("events")
    entry = {"Source": [source], "DetailType": detail_type, "Detail": json.dumps(detail)}
    answer = events.put_events(Entries=[entry])
    (result,) = answer["Entries"]
    if answer.get("FailedEntryCount") or "EventId" not in result:
        raise ProbeError(
            f"the bus refused the {source} event: {result.get('ErrorCode')}: {result.get('ErrorMessage')}"
        )
    return str(result["EventId"])


def notifications_within(target: AwsTarget, queue_url: str, seconds: float) -> list[dict[str, Any]]:
    """Every SNS notification (JSON envelope) arriving on ``queue_url`` within ``seconds``; each deleted."""
    sqs = target.client("sqs")
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        answer = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in answer.get("Messages", []):
            found.append(dict(json.loads(message["Body"])))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return found


def rotate_as_secrets_manager(
    target: AwsTarget, function_name: str, secret_arn: str, every_days: int
) -> tuple[str, list[Invocation]]:
    """Rotate ``secret_arn`` with ``function_name`` as Secrets Manager does; the token and each step's answer.

    Where rotation is not on yet (emulator synthesis leaves the stack's rotation schedule out), it is
    turned on first as that resource does: RotateSecret naming the function and the schedule.
    MiniStack's RotateSecret invokes nothing (1.5.33 ``services/secretsmanager.py`` ``_rotate_secret``,
    "RotateSecret stub"): it copies AWSCURRENT's value into a version under its own token and promotes
    that straight to AWSCURRENT, so its token is of no use to the steps (the protocol skips a current
    version). So this plays Secrets Manager's part with a token of its own: createSecret, setSecret,
    testSecret and finishSecret, one synchronous invoke each, in that order, each with the event
    Secrets Manager sends (``{SecretId, ClientRequestToken, Step}``), stopping at the first step that
    fails. AWS announces the version (AWSPENDING, no value) before createSecret; MiniStack cannot hold
    a version without a value, so createSecret finds none and makes it, which the protocol accepts for
    that step only.
    """
    secrets = target.client("secretsmanager")
    if not secrets.describe_secret(SecretId=secret_arn).get("RotationEnabled"):
        function = target.client("lambda").get_function(FunctionName=function_name)["Configuration"]
        secrets.rotate_secret(
            SecretId=secret_arn,
            RotationLambdaARN=function["FunctionArn"],
            RotationRules={"AutomaticallyAfterDays": every_days},
            RotateImmediately=False,
        )
    token = str(uuid.uuid4())
    answers: list[Invocation] = []
    for step in ROTATION_STEPS:
        event = {"SecretId": secret_arn, "ClientRequestToken": token, "Step": step}
        answers.append(invoke(target, function_name, event))
        if answers[-1].error is not None:
            break
    return token, answers


ROTATION_STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")
"""The steps Secrets Manager invokes a rotation function with, in order."""


def password_login(
    host: str, port: int, user: str, password: str, database: str, ca_file: Path
) -> str | None:
    """Log in to PostgreSQL as a client would: ``None`` when it worked, else psql's error.

    Over TLS, the server's certificate verified for ``host`` against ``ca_file``. The password goes in
    psql's environment only; its error messages never hold it.
    """
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "PGPASSWORD": password,
        "PGSSLMODE": "verify-full",
        "PGSSLROOTCERT": str(ca_file),
        "PGCONNECT_TIMEOUT": "10",
    }
    result = subprocess.run(
        [
            "psql",
            "-h",
            host,
            "-p",
            str(port),
            "-U",
            user,
            "-d",
            database,
            "-w",
            "-Atc",
            "SELECT current_user",
        ],
        capture_output=True,
        text=True,
        env=environment,
        timeout=30,
        check=False,
    )
    if result.returncode == 0 and result.stdout.strip() == user:
        return None
    return result.stderr.strip() or f"psql exited {result.returncode} answering {result.stdout.strip()!r}"


def delete_every_version(target: AwsTarget, bucket: str, key: str) -> int:
    """Delete every version and delete marker of ``key`` in ``bucket``, so nothing of it stays at rest.

    Returns how many were deleted.
    """
    s3 = target.client("s3")
    doomed = [
        {"Key": item["Key"], "VersionId": item["VersionId"]}
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=key)
        for item in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
        if item["Key"] == key
    ]
    for item in doomed:
        s3.delete_object(Bucket=bucket, **item)
    return len(doomed)
