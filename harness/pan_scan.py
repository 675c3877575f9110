"""PAN discovery scan: no clear primary account number at rest in any store of a run.

PCI DSS v4.0 requirement 3.5.1 (PAN unreadable anywhere it is stored) and 12.5.2 (the scope,
with every location of account data, confirmed at least every 12 months and after significant
change). For one run id, the scan reads:

* every object of every S3 bucket, every version of it (a PAN overwritten or deleted in a
  versioned bucket is still at rest in the old version); content that starts with the gzip magic
  bytes is decompressed first, whatever its name;
* every event of every CloudWatch log group;
* every message left in every SQS queue (without consuming it: see :func:`scan_queue`);
* every version of every SSM parameter, decrypted;
* every version of every Secrets Manager secret.

"The run's" stores are found the way the orphan sweep (:mod:`harness.sweep`) finds a run's
resources: the ``RunId`` tag (Resource Groups Tagging API) and direct listings of names carrying
the 6-character run id (both stacks append it to every name). Every listing is paginated.

Each Luhn-valid PAN candidate (rules in :mod:`harness.luhn`) is reported with its place and
masked (``411111******1111``). The scan never prints, logs, returns or raises a clear PAN.

There is no allow-list of known non-PAN values: the candidate rules already exclude the false
positives foreseeable in these stores (epoch timestamps, VPC flow log records, hashes and ids), and
an entry, each with the reason it is not a PAN, belongs here only once a real run shows one.
Well-known test card numbers such as 4111 1111 1111 1111 are reported like any other: a test
value at rest means the path would have stored a real one.
"""

from __future__ import annotations

import itertools
import json
import zlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from harness.aws_target import AwsTarget
from harness.cli_target import TARGETS, open_target
from harness.environment import EphemeralEnvironment, OutputsT_co
from harness.luhn import PanHit, PanStream, find_pans
from harness.run_id import RUN_ID_LENGTH, is_run_id
from harness.stages import timed
from harness.sweep import RUN_ID_TAG, Orphan, by_tagging_api, log_groups

S3, LOGS, SQS, SSM, SECRETS = "s3", "logs", "sqs", "ssm", "secretsmanager"
KINDS = (S3, LOGS, SQS, SSM, SECRETS)
"""The store kinds, in report order."""

_NOUNS = {
    S3: (("object", "objects"), ("bucket", "buckets")),
    LOGS: (("event", "events"), ("log group", "log groups")),
    SQS: (("message", "messages"), ("queue", "queues")),
    SSM: (("value", "values"), ("parameter", "parameters")),
    SECRETS: (("value", "values"), ("secret", "secrets")),
}
_VERSION_LABEL = {S3: "version", LOGS: "event", SSM: "version", SECRETS: "version"}

GZIP_MAGIC = b"\x1f\x8b"
CHUNK_BYTES = 1 << 20
"""Bytes read (and decompressed) at a time from an object."""
SCAN_THREADS = 6
"""Stores read at once, as many as the sweep's listings in flight."""
QUEUE_VISIBILITY_SECONDS = 20
"""How long the scan hides a message it received; it makes each one visible again when done."""
QUEUE_WAIT_SECONDS = 1
"""Long-poll wait of each receive: an empty long poll asks every SQS server, so the queue is empty."""
QUEUE_MAX_MESSAGES = 10_000
"""Messages read from one queue at most (the scan then says the queue was read in part)."""


class PanScanError(RuntimeError):
    """The scan could not list the run's stores, so it cannot say where account data is."""


@dataclass(frozen=True)
class PanFinding:
    """One Luhn-valid PAN candidate at rest, masked.

    Attributes:
        kind: Store kind: ``s3``, ``logs``, ``sqs``, ``ssm`` or ``secretsmanager``.
        resource: Bucket, log group, queue, parameter or secret name.
        item: Object key, log stream, message id (``<id> attribute <name>`` for a message
            attribute), ``value`` of a parameter, ``SecretString`` or ``SecretBinary`` of a secret.
        version: S3 object version id (``None`` in a bucket that never kept versions), log event
            id, parameter version, secret version id; ``None`` for a queue message.
        offset: Byte offset of the first digit in the item's content (decompressed, for gzip;
            UTF-8, for text).
        masked: The number with all but the first 6 and last 4 digits as ``*``.
    """

    kind: str
    resource: str
    item: str
    version: str | None
    offset: int
    masked: str

    @property
    def place(self) -> tuple[str, str, str, str | None, int]:
        """``(kind, resource, item, version, offset)``."""
        return (self.kind, self.resource, self.item, self.version, self.offset)

    def __str__(self) -> str:
        """One line for reports, masked."""
        version = f" {_VERSION_LABEL.get(self.kind, 'version')} {self.version}" if self.version else ""
        return f"{self.kind} {self.resource} {self.item}{version} at byte {self.offset}: {self.masked}"


@dataclass(frozen=True)
class StoreScan:
    """What the scan read from one store.

    Attributes:
        kind: Store kind (see :data:`KINDS`).
        resource: Bucket, log group, queue, parameter or secret name.
        items: Object versions, log events, messages or values read.
        findings: PAN candidates found, masked.
        unreadable: What could not be read, with the reason (never content).
    """

    kind: str
    resource: str
    items: int
    findings: tuple[PanFinding, ...] = ()
    unreadable: tuple[str, ...] = ()


def _count(n: int, nouns: tuple[str, str]) -> str:
    return f"{n} {nouns[0] if n == 1 else nouns[1]}"


@dataclass(frozen=True)
class PanScanResult:
    """The scan of one run: every store read and every PAN candidate found.

    Attributes:
        run_id: The run scanned.
        kinds: Store kinds scanned (``sqs`` is left out when queues were not read).
        stores: One entry per store read, in report order.
    """

    run_id: str
    kinds: tuple[str, ...]
    stores: tuple[StoreScan, ...]

    @property
    def findings(self) -> list[PanFinding]:
        """Every finding of every store, in report order."""
        return [finding for store in self.stores for finding in store.findings]

    @property
    def unreadable(self) -> list[str]:
        """``<kind> <resource>: <what and why>`` for each thing that could not be read."""
        return [f"{s.kind} {s.resource}: {reason}" for s in self.stores for reason in s.unreadable]

    @property
    def stores_read(self) -> int:
        """Buckets, log groups, queues, parameters and secrets read."""
        return len(self.stores)

    def kind_lines(self) -> list[str]:
        """``s3: 12 objects in 5 buckets, 0 PANs``: one line per store kind scanned."""
        lines = []
        for kind in self.kinds:
            stores = [s for s in self.stores if s.kind == kind]
            item_nouns, store_nouns = _NOUNS[kind]
            line = (
                f"{kind}: {_count(sum(s.items for s in stores), item_nouns)} in "
                f"{_count(len(stores), store_nouns)}, "
                f"{_count(sum(len(s.findings) for s in stores), ('PAN', 'PANs'))}"
            )
            unreadable = sum(len(s.unreadable) for s in stores)
            lines.append(line + (f", {unreadable} unreadable" if unreadable else ""))
        return lines

    def summary(self, label: str) -> str:
        """``PAN scan <label>: N stores read, 0 PANs`` (and how much could not be read, if any)."""
        line = (
            f"PAN scan {label}: {_count(self.stores_read, ('store', 'stores'))} read, "
            f"{_count(len(self.findings), ('PAN', 'PANs'))}"
        )
        unreadable = len(self.unreadable)
        return line + (f", {_count(unreadable, ('item', 'items'))} unreadable" if unreadable else "")

    def report_lines(self) -> list[str]:
        """Per-kind lines, then each finding (masked) and each thing that could not be read."""
        return (
            self.kind_lines()
            + [f"PAN found: {finding}" for finding in self.findings]
            + [f"unreadable: {line}" for line in self.unreadable]
        )

    def to_json(self) -> dict[str, Any]:
        """The result as JSON-ready data (masked numbers only), for the run's record."""
        return {
            "run_id": self.run_id,
            "kinds": list(self.kinds),
            "stores_read": self.stores_read,
            "summary": self.kind_lines(),
            "findings": [{"place": list(f.place), "masked": f.masked, "text": str(f)} for f in self.findings],
            "unreadable": self.unreadable,
        }


# --- finding the run's stores ------------------------------------------------------------------


@dataclass(frozen=True)
class RunStores:
    """The stores of one run.

    Attributes:
        buckets: Bucket names.
        log_groups: Log group names.
        queue_urls: Queue URLs.
        parameters: SSM parameter names.
        secrets: ``(ARN, name)`` of each secret.
    """

    buckets: tuple[str, ...]
    log_groups: tuple[str, ...]
    queue_urls: tuple[str, ...]
    parameters: tuple[str, ...]
    secrets: tuple[tuple[str, str], ...]


def _bucket_names(target: AwsTarget, run_id: str) -> Iterator[str]:
    """Buckets whose name carries the run id (the sweep's rule), every page of the listing."""
    for page in target.client("s3").get_paginator("list_buckets").paginate():
        for bucket in page.get("Buckets", []):
            if run_id in bucket["Name"]:
                yield bucket["Name"]


def _queue_urls(target: AwsTarget, run_id: str) -> Iterator[str]:
    """Queues whose name carries the run id; ``PageSize`` makes SQS page past its 1,000-URL cap."""
    paginator = target.client("sqs").get_paginator("list_queues")
    for page in paginator.paginate(PaginationConfig={"PageSize": 1000}):
        for url in page.get("QueueUrls", []):
            if run_id in url.rsplit("/", 1)[-1]:
                yield url


def _parameter_names(target: AwsTarget, run_id: str) -> Iterator[str]:
    """SSM parameters whose name carries the run id."""
    for page in target.client("ssm").get_paginator("describe_parameters").paginate():
        for parameter in page["Parameters"]:
            if run_id in parameter["Name"]:
                yield parameter["Name"]


def _secrets(target: AwsTarget, run_id: str) -> Iterator[tuple[str, str]]:
    """Secrets named with the run id or tagged with it, not scheduled for deletion.

    Unlike the sweep, the name counts too: the PCI stack's database secret exists before the
    stack (the sweep leaves it to its owner) but its value is at rest in the run all the same.
    """
    for page in target.client("secretsmanager").get_paginator("list_secrets").paginate():
        for secret in page["SecretList"]:
            tags = {t["Key"]: t["Value"] for t in secret.get("Tags", [])}
            if secret.get("DeletedDate"):
                continue
            if run_id in secret["Name"] or tags.get(RUN_ID_TAG) == run_id:
                yield secret["ARN"], secret["Name"]


def find_run_stores(target: AwsTarget, run_id: str) -> RunStores:
    """Every bucket, log group, queue, parameter and secret of the run, by name and by tag.

    Raises:
        PanScanError: A listing failed: the scan cannot know every store of the run.
    """
    try:
        buckets = set(_bucket_names(target, run_id))
        groups = {orphan.identifier for orphan in log_groups(target, run_id)}
        queues = set(_queue_urls(target, run_id))
        parameters = set(_parameter_names(target, run_id))
        secrets = dict(_secrets(target, run_id))
        for orphan in by_tagging_api(target, run_id):  # the sweep's RunId-tag probe
            arn = orphan.identifier
            if orphan.service == "s3" and ":::" in arn:
                buckets.add(arn.split(":::", 1)[1])
            elif orphan.service == "logs" and ":log-group:" in arn:
                groups.add(arn.split(":log-group:", 1)[1].removesuffix(":*"))
            elif orphan.service == "sqs":
                _, _, _, _, account, name = arn.split(":", 5)
                queues.add(
                    target.client("sqs").get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)[
                        "QueueUrl"
                    ]
                )
            elif orphan.service == "ssm" and ":parameter/" in arn:
                path = arn.split(":parameter/", 1)[1]
                parameters.add(f"/{path}" if "/" in path else path)
    except (ClientError, BotoCoreError) as err:
        raise PanScanError(f"could not list the stores of run {run_id}: {err}") from err
    return RunStores(
        buckets=tuple(sorted(buckets)),
        log_groups=tuple(sorted(groups)),
        queue_urls=tuple(sorted(queues)),
        parameters=tuple(sorted(parameters)),
        secrets=tuple(sorted(secrets.items(), key=lambda item: item[1])),
    )


# --- reading content ---------------------------------------------------------------------------


def plain_chunks(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """``chunks`` as they are, or decompressed when the content starts with the gzip magic bytes.

    Judged by content, not name: Firehose, ALB, CloudTrail and Config write gzip under any key.
    Concatenated gzip members (what appending writers produce) are decompressed one after another.

    Raises:
        ValueError: Content that starts like gzip is corrupt or truncated (after yielding what
            could be decompressed).
    """
    iterator = iter(chunks)
    head = b""
    for chunk in iterator:
        head += chunk
        if len(head) >= len(GZIP_MAGIC):
            break
    if not head.startswith(GZIP_MAGIC):
        if head:
            yield head
        yield from iterator
        return
    yield from _gunzip(itertools.chain([head], iterator))


def _gunzip(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Decompress gzip members one after another, at most :data:`CHUNK_BYTES` out at a time."""
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    fed = False
    try:
        for chunk in chunks:
            data = chunk
            while data:
                fed = True
                out = decompressor.decompress(data, CHUNK_BYTES)
                if out:
                    yield out
                if decompressor.eof:  # a member ended: whatever follows is the next member
                    data = decompressor.unused_data
                    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
                    fed = False
                else:
                    data = decompressor.unconsumed_tail
        while fed and not decompressor.eof:  # drain output held back by the CHUNK_BYTES limit
            out = decompressor.decompress(decompressor.unconsumed_tail, CHUNK_BYTES)
            if not out:
                break
            yield out
    except zlib.error as err:
        raise ValueError(f"corrupt gzip content ({err})") from err
    if fed and not decompressor.eof:
        raise ValueError("truncated gzip content")


def _hits_in_stream(chunks: Iterable[bytes]) -> tuple[list[PanHit], str | None]:
    """Hits in streamed content (gunzipped by magic bytes), and why reading stopped early, if it did."""
    stream = PanStream()
    hits: list[PanHit] = []
    problem: str | None = None
    try:
        for chunk in plain_chunks(chunks):
            hits += stream.feed(chunk)
    except ValueError as err:
        problem = str(err)
    hits += stream.finish()
    return hits, problem


def _hits_in_bytes(content: bytes) -> tuple[list[PanHit], str | None]:
    if content.startswith(GZIP_MAGIC):
        return _hits_in_stream([content])
    return find_pans(content), None


def _error_text(err: Exception) -> str:
    """The error code and message of an AWS error (never content)."""
    if isinstance(err, ClientError):
        error = err.response.get("Error", {})
        return f"{error.get('Code', 'error')}: {error.get('Message', '')}".rstrip(": ")
    return type(err).__name__


# --- one store each ----------------------------------------------------------------------------


EMULATOR_POLICY_GAP = "behaviour:s3_policy_conditions"
"""moto applies a conditional Deny whatever its condition, so the TLS-only deny every bucket carries
refuses even the scan's TLS reads there (capability list; MiniStack lets the scan, as root, past)."""


def _lift_emulator_policy(target: AwsTarget, bucket: str) -> bool:
    """On the emulator only, delete ``bucket``'s policy so its objects can be read; say whether it did."""
    if not target.is_emulator:
        return False
    target.client("s3").delete_bucket_policy(Bucket=bucket)
    return True


def scan_bucket(
    target: AwsTarget, bucket: str, chunk_bytes: int = CHUNK_BYTES, *, lift_emulator_policy: bool = False
) -> StoreScan:
    """Every version of every object of ``bucket`` (delete markers hold nothing), streamed.

    ``ListObjectVersions`` also lists unversioned buckets (version id ``null``), so one listing
    covers both; an object is read by its version id, so an old version is read as stored.
    ``lift_emulator_policy``: where the emulator refuses a read (HTTP 403, see
    :data:`EMULATOR_POLICY_GAP`), delete the bucket policy and read again. Only for an environment
    about to be destroyed; never done on AWS, where the TLS-only deny does not refuse a TLS read.
    """
    s3 = target.client("s3")
    lifted = False
    findings: list[PanFinding] = []
    unreadable: list[str] = []
    items = 0
    try:
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
            for entry in page.get("Versions", []):
                key, version_id = entry["Key"], entry["VersionId"]
                version = None if version_id == "null" else version_id
                where = f"{key}" + (f" version {version}" if version else "")
                try:
                    try:
                        body = s3.get_object(Bucket=bucket, Key=key, VersionId=version_id)["Body"]
                    except ClientError as err:
                        refused = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 403
                        if not (refused and lift_emulator_policy and not lifted):
                            raise
                        lifted = _lift_emulator_policy(target, bucket)
                        if not lifted:
                            raise
                        body = s3.get_object(Bucket=bucket, Key=key, VersionId=version_id)["Body"]
                    hits, problem = _hits_in_stream(body.iter_chunks(chunk_bytes))
                except (ClientError, BotoCoreError) as err:
                    unreadable.append(f"{where}: {_error_text(err)}")
                    continue
                items += 1
                findings += [PanFinding(S3, bucket, key, version, h.offset, h.masked) for h in hits]
                if problem:
                    unreadable.append(f"{where}: {problem}")
    except (ClientError, BotoCoreError) as err:
        unreadable.append(f"listing objects: {_error_text(err)}")
    return StoreScan(S3, bucket, items, tuple(findings), tuple(unreadable))


def scan_log_group(target: AwsTarget, group: str) -> StoreScan:
    """Every event of every stream of ``group`` (``FilterLogEvents`` without a pattern)."""
    findings: list[PanFinding] = []
    items = 0
    try:
        paginator = target.client("logs").get_paginator("filter_log_events")
        for page in paginator.paginate(logGroupName=group):
            for event in page["events"]:
                items += 1
                for hit in find_pans(event.get("message", "").encode("utf-8", "surrogatepass")):
                    findings.append(
                        PanFinding(
                            LOGS, group, event["logStreamName"], event.get("eventId"), hit.offset, hit.masked
                        )
                    )
    except (ClientError, BotoCoreError) as err:
        return StoreScan(LOGS, group, items, tuple(findings), (f"reading events: {_error_text(err)}",))
    return StoreScan(LOGS, group, items, tuple(findings))


def scan_queue(
    target: AwsTarget,
    queue_url: str,
    visibility_seconds: int = QUEUE_VISIBILITY_SECONDS,
    wait_seconds: int = QUEUE_WAIT_SECONDS,
    max_messages: int = QUEUE_MAX_MESSAGES,
) -> StoreScan:
    """Every message waiting in the queue (body and message attributes), left in the queue.

    Each message is received with a short visibility timeout (so the next receive returns the
    others), never deleted, and made visible again (``ChangeMessageVisibility`` to 0) as soon as
    the queue is read; if that fails, it reappears after ``visibility_seconds``.

    Receiving is not free on AWS: every receive adds one to the message's
    ``ApproximateReceiveCount``. On a queue with a redrive policy the scan's receive counts towards
    ``maxReceiveCount``, so a message already received ``maxReceiveCount`` times moves to the
    dead-letter queue, and messages in flight to a consumer (hidden) are not seen at all. Scan the
    queues of a live environment only when that is acceptable (``scan_run(..., queues=False)``,
    ``pan-scan --no-queues`` otherwise).

    A FIFO queue hands out a message group's next messages only once the ones before them are
    deleted: without consuming, only the head of each group can be read. When fewer messages were
    read than the queue holds, the scan says so (neither stack has a FIFO queue today).
    """
    sqs = target.client("sqs")
    name = queue_url.rsplit("/", 1)[-1]
    findings: list[PanFinding] = []
    unreadable: list[str] = []
    seen: set[str] = set()
    handles: list[str] = []
    try:
        while len(seen) < max_messages:
            messages = sqs.receive_message(
                QueueUrl=queue_url,
                MaxNumberOfMessages=10,
                VisibilityTimeout=visibility_seconds,
                WaitTimeSeconds=wait_seconds,
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            handles += [m["ReceiptHandle"] for m in messages]
            fresh = [m for m in messages if m["MessageId"] not in seen]
            if not fresh:  # empty, or only messages whose visibility ran out: all were seen
                break
            for message in fresh:
                seen.add(message["MessageId"])
                findings += _message_findings(name, message)
        else:
            unreadable.append(f"read the first {max_messages} messages only")
        if queue_url.endswith(".fifo"):
            held = int(
                sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"])[
                    "Attributes"
                ]["ApproximateNumberOfMessages"]
            )
            if held > 0:  # the read ones are hidden now: what is still visible waits behind them
                unreadable.append(f"FIFO queue: ~{held} messages wait behind the {len(seen)} read")
    except (ClientError, BotoCoreError) as err:
        unreadable.append(f"receiving: {_error_text(err)}")
    finally:
        _release(sqs, queue_url, handles)
    return StoreScan(SQS, name, len(seen), tuple(findings), tuple(unreadable))


def _message_findings(queue: str, message: dict[str, Any]) -> list[PanFinding]:
    message_id = message["MessageId"]
    parts: list[tuple[str, bytes]] = [(message_id, message.get("Body", "").encode("utf-8", "surrogatepass"))]
    for attribute, value in sorted(message.get("MessageAttributes", {}).items()):
        content = value.get("BinaryValue") or value.get("StringValue", "").encode("utf-8", "surrogatepass")
        parts.append((f"{message_id} attribute {attribute}", content))
    findings = []
    for item, content in parts:
        hits, _ = _hits_in_bytes(content)
        findings += [PanFinding(SQS, queue, item, None, h.offset, h.masked) for h in hits]
    return findings


def _release(sqs: Any, queue_url: str, handles: list[str]) -> None:
    """Make received messages visible again at once; best effort (they reappear on their own)."""
    for start in range(0, len(handles), 10):
        entries = [
            {"Id": str(index), "ReceiptHandle": handle, "VisibilityTimeout": 0}
            for index, handle in enumerate(handles[start : start + 10])
        ]
        try:
            sqs.change_message_visibility_batch(QueueUrl=queue_url, Entries=entries)
        except (ClientError, BotoCoreError):
            continue


def scan_parameter(target: AwsTarget, name: str) -> StoreScan:
    """Every version of the parameter, decrypted (``GetParameterHistory`` with decryption)."""
    findings: list[PanFinding] = []
    items = 0
    try:
        paginator = target.client("ssm").get_paginator("get_parameter_history")
        for page in paginator.paginate(Name=name, WithDecryption=True):
            for version in page["Parameters"]:
                items += 1
                hits, _ = _hits_in_bytes(version.get("Value", "").encode("utf-8", "surrogatepass"))
                findings += [
                    PanFinding(SSM, name, "value", str(version["Version"]), h.offset, h.masked) for h in hits
                ]
    except (ClientError, BotoCoreError) as err:
        return StoreScan(SSM, name, items, tuple(findings), (f"reading versions: {_error_text(err)}",))
    return StoreScan(SSM, name, items, tuple(findings))


def scan_secret(target: AwsTarget, arn: str, name: str) -> StoreScan:
    """Every version of the secret (current, previous, pending and deprecated ones still kept)."""
    client = target.client("secretsmanager")
    findings: list[PanFinding] = []
    unreadable: list[str] = []
    items = 0
    try:
        version_ids: list[str] = []
        token: dict[str, str] = {}
        while True:
            page = client.list_secret_version_ids(SecretId=arn, IncludeDeprecated=True, **token)
            version_ids += [v["VersionId"] for v in page.get("Versions", [])]
            if not page.get("NextToken"):
                break
            token = {"NextToken": page["NextToken"]}
    except (ClientError, BotoCoreError) as err:
        return StoreScan(SECRETS, name, 0, (), (f"listing versions: {_error_text(err)}",))
    for version_id in version_ids:
        try:
            value = client.get_secret_value(SecretId=arn, VersionId=version_id)
        except (ClientError, BotoCoreError) as err:
            unreadable.append(f"version {version_id}: {_error_text(err)}")
            continue
        items += 1
        for item, content in (
            ("SecretString", value.get("SecretString", "").encode("utf-8", "surrogatepass")),
            ("SecretBinary", value.get("SecretBinary", b"")),
        ):
            hits, _ = _hits_in_bytes(content)
            findings += [PanFinding(SECRETS, name, item, version_id, h.offset, h.masked) for h in hits]
    return StoreScan(SECRETS, name, items, tuple(findings), tuple(unreadable))


# --- the run -----------------------------------------------------------------------------------


def scan_run(
    target: AwsTarget,
    run_id: str,
    *,
    queues: bool = True,
    queue_visibility_seconds: int = QUEUE_VISIBILITY_SECONDS,
    queue_wait_seconds: int = QUEUE_WAIT_SECONDS,
    chunk_bytes: int = CHUNK_BYTES,
    threads: int = SCAN_THREADS,
    lift_emulator_policies: bool = False,
) -> PanScanResult:
    """Read every store of the run and report each PAN candidate, masked.

    Args:
        target: Where the run's resources are.
        run_id: The run (6 lowercase letters or digits).
        queues: Read the messages waiting in the run's queues (default). On AWS each receive adds
            to a message's receive count and may move it to a dead-letter queue (see
            :func:`scan_queue`); ``False`` leaves queues alone.
        queue_visibility_seconds: How long a received message stays hidden during the scan.
        queue_wait_seconds: Long-poll wait of each receive.
        chunk_bytes: Bytes read from an object at a time.
        threads: Stores read at once.
        lift_emulator_policies: On the emulator, delete a bucket policy that refuses the scan's reads
            (see :func:`scan_bucket`); for an environment about to be destroyed only.

    Raises:
        ValueError: ``run_id`` is not a run id (an empty one would scan every store).
        PanScanError: The run's stores could not be listed.
    """
    if not is_run_id(run_id):
        raise ValueError(f"run_id: {RUN_ID_LENGTH} lowercase letters or digits (got {run_id!r})")
    stores = find_run_stores(target, run_id)  # also makes, in this thread, every client the tasks share
    tasks: list[Callable[[], StoreScan]] = [
        *(
            partial(scan_bucket, target, bucket, chunk_bytes, lift_emulator_policy=lift_emulator_policies)
            for bucket in stores.buckets
        ),
        *(partial(scan_log_group, target, group) for group in stores.log_groups),
        *(
            partial(scan_queue, target, url, queue_visibility_seconds, queue_wait_seconds)
            for url in (stores.queue_urls if queues else ())
        ),
        *(partial(scan_parameter, target, name) for name in stores.parameters),
        *(partial(scan_secret, target, arn, name) for arn, name in stores.secrets),
    ]
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        scans = list(pool.map(lambda task: task(), tasks))
    kinds = tuple(kind for kind in KINDS if queues or kind != SQS)
    return PanScanResult(run_id=run_id, kinds=kinds, stores=tuple(scans))


# --- the command -------------------------------------------------------------------------------


def command(
    run_id: str,
    target_kind: str,
    endpoint: str | None,
    region: str,
    *,
    queues: bool,
    say: Callable[[str], None],
) -> int:
    """``python -m harness pan-scan``: 0 when no PAN is at rest, 1 when any is, 2 on bad input.

    Bad input (unknown target, malformed run id or endpoint, an emulator that does not answer) is
    refused before anything is read. 3 when the run's stores could not be listed.
    """
    if target_kind not in TARGETS:
        say(f"pan-scan: --target must be one of {', '.join(TARGETS)} (got {target_kind!r})")
        return 2
    if not is_run_id(run_id):
        say(f"pan-scan: --run-id must be {RUN_ID_LENGTH} lowercase letters or digits (got {run_id!r})")
        return 2
    target = open_target("pan-scan", target_kind, endpoint, region, say=say)
    if target is None:
        return 2
    where = target.endpoint or f"AWS {region}"
    say(f"pan-scan: run {run_id} on {where}" + ("" if queues else " (queues not read)"))
    try:
        result = scan_run(target, run_id, queues=queues)
    except PanScanError as err:
        say(f"pan-scan FAILED: {err}")
        return 3
    for line in result.report_lines():
        say(line)
    if not result.stores:
        say(f"pan-scan: no store is named or tagged with run {run_id}: is it the right run and target?")
    say(result.summary(f"run {run_id}"))
    return 1 if result.findings else 0


# --- the live flow -----------------------------------------------------------------------------


class ClearPanAtRestError(RuntimeError):
    """The scan before teardown found PAN candidates at rest (listed masked)."""


def record_path(workdir: Path, stack: str) -> Path:
    """Where the scan of ``stack`` before its teardown is recorded (JSON, masked numbers only)."""
    return workdir / f"{stack}.pan-scan.json"


@dataclass
class PanScannedEnvironment(EphemeralEnvironment[OutputsT_co]):
    """An :class:`EphemeralEnvironment` whose first teardown scans the run for clear PANs first.

    After the live checks, right before ``terraform destroy`` (or instead of it, with
    ``SKIP_teardown``), the run's stores are scanned once (:func:`scan_run`); the summary line
    (``PAN scan <stack>: N stores read, 0 PANs``) goes to the progress output and the result to
    :func:`record_path`. Teardown runs whatever the scan finds or raises; afterwards a finding
    raises :class:`ClearPanAtRestError`, failing the check (or fixture) that tore down.
    """

    pan_scan: PanScanResult | None = field(default=None, init=False)

    def teardown(self) -> list[Orphan]:
        """Scan once (when deployed), then destroy and sweep; raise when a PAN was found."""
        if self.pan_scan is not None or self.torn_down or not self.raw_outputs:
            return super().teardown()
        try:
            with timed("PAN scan before teardown", self._say):
                # Right before the destroy, so the emulator's over-strict bucket policies may go.
                result = self.pan_scan = scan_run(self.target, self.run_id, lift_emulator_policies=True)
            summary = result.summary(self.stack_name)
            record = {"stack": self.stack_name, "line": summary, **result.to_json()}
            record_path(self.workdir, self.stack_name).write_text(json.dumps(record, indent=2))
            for line in [*result.report_lines(), summary]:
                self._say(line)
        finally:
            orphans = super().teardown()
        if result.findings:
            listing = "\n".join(f"  - {finding}" for finding in result.findings)
            raise ClearPanAtRestError(f"{summary} (PCI DSS 3.5.1: no clear PAN at rest):\n{listing}")
        return orphans
