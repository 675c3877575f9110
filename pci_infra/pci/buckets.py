"""Buckets of the PCI environment.

* raw and processed card data: SSE-KMS with the data key, uploads refused unless they ask for
  exactly that key, deletes refused without MFA, access logged, versioned (MFA delete when the root
  user's device is given), kept a year;
* flow logs: SSE-KMS with the data key, written by log delivery, expired after 90 days;
* trail: CloudTrail log files of the environment's trail, SSE-KMS with the logs key, kept a year;
* access logs: server access logs of all the above (SSE-S3, the only encryption S3 log delivery
  supports), kept a year.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from constructs import Construct

from pci_infra.app.settings import Target
from pci_infra.blocks.access_log_bucket import access_log_bucket, logging_into
from pci_infra.blocks.secure_bucket import (
    LifecycleRule,
    SecureBucket,
    SecureBucketProps,
)
from pci_infra.foundation.capabilities import hosts
from pci_infra.policies.bucket_guards import require_kms_uploads, require_mfa_for_deletes
from pci_infra.policies.log_delivery import (
    cloudtrail_delivery,
    log_delivery_service,
)

FLOW_LOG_PREFIX = "vpc-flow-logs/"
"""Where flow logs land inside their bucket (the bucket root on the emulator: capability list)."""
ACCESS_LOG_PREFIXES = {"raw": "raw/", "processed": "processed/", "flow-logs": "flow-logs/", "trail": "trail/"}
"""Key prefix of each bucket's server access logs inside the access-log bucket."""


def flow_log_prefix(target: Target) -> str:
    """The flow-log key prefix the target can take."""
    return FLOW_LOG_PREFIX if hosts(target, "behaviour:flow_logs_s3_prefix") else ""


ONE_YEAR = LifecycleRule("expire-after-1-year", expiration_days=365, noncurrent_expiration_days=30)


@dataclass(frozen=True)
class PciBucketsProps:
    """Inputs of :class:`PciBuckets`.

    Attributes:
        raw_bucket: Raw card data bucket name.
        processed_bucket: Tokenized data bucket name.
        flow_logs_bucket: Flow log bucket name.
        trail_bucket: Trail bucket name.
        access_logs_bucket: Access log bucket name.
        trail_arn: ARN of the environment's trail (the only writer of the trail bucket).
        data_key_arn: Data key.
        logs_key_arn: Logs key.
        mfa_delete_device: Root MFA ``"<serial> <code>"`` to turn on MFA delete, or ``None``.
        target: Deployment target.
        account_id: Account id (token).
        partition: Partition (token).
        region: Region.
    """

    raw_bucket: str
    processed_bucket: str
    flow_logs_bucket: str
    trail_bucket: str
    access_logs_bucket: str
    trail_arn: str
    data_key_arn: str
    logs_key_arn: str
    mfa_delete_device: str | None
    target: Target
    account_id: str
    partition: str
    region: str


class PciBuckets(Construct):
    """The five buckets.

    Attributes:
        raw: Raw card data.
        processed: Tokenized data.
        flow_logs: VPC flow logs.
        trail: CloudTrail log files.
        access_logs: Server access logs of the other four.
        flow_log_prefix: Key prefix flow logs must be delivered under.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: PciBucketsProps) -> None:
        """Create the access-log bucket first, then the buckets that log into it."""
        super().__init__(scope, construct_id)

        def arn(name: str) -> str:
            return f"arn:{props.partition}:s3:::{name}"

        self.access_logs = access_log_bucket(
            self,
            "access-logs",
            bucket_name=props.access_logs_bucket,
            partition=props.partition,
            account_id=props.account_id,
        )

        def logged(key: str) -> dict[str, Any]:
            return logging_into(self.access_logs, ACCESS_LOG_PREFIXES[key])

        card_data = {}
        for key, name in (("raw", props.raw_bucket), ("processed", props.processed_bucket)):
            card_data[key] = SecureBucket(
                self,
                key,
                props=SecureBucketProps(
                    bucket_name=name,
                    bucket_arn=arn(name),
                    kms_key_arn=props.data_key_arn,
                    lifecycle_rules=(ONE_YEAR,),
                    policy_statements=(
                        *require_kms_uploads(arn(name), props.data_key_arn),
                        *require_mfa_for_deletes(arn(name)),
                    ),
                    mfa_delete_device=props.mfa_delete_device,
                    **logged(key),
                ),
            )
        self.raw = card_data["raw"]
        self.processed = card_data["processed"]
        self.flow_logs = SecureBucket(
            self,
            "flow-logs",
            props=SecureBucketProps(
                bucket_name=props.flow_logs_bucket,
                bucket_arn=arn(props.flow_logs_bucket),
                kms_key_arn=props.data_key_arn,
                lifecycle_rules=(
                    LifecycleRule("expire-after-90-days", expiration_days=90, noncurrent_expiration_days=1),
                ),
                policy_statements=log_delivery_service(
                    arn(props.flow_logs_bucket),
                    props.account_id,
                    props.partition,
                    props.region,
                    prefix=flow_log_prefix(props.target),
                ),
                **logged("flow-logs"),
            ),
        )
        self.flow_log_prefix = flow_log_prefix(props.target)
        self.trail = SecureBucket(
            self,
            "trail",
            props=SecureBucketProps(
                bucket_name=props.trail_bucket,
                bucket_arn=arn(props.trail_bucket),
                kms_key_arn=props.logs_key_arn,
                lifecycle_rules=(ONE_YEAR,),
                policy_statements=cloudtrail_delivery(
                    arn(props.trail_bucket), props.trail_arn, props.account_id
                ),
                **logged("trail"),
            ),
        )
