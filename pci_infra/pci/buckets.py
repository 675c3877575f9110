"""Buckets of the PCI environment.

* raw and processed card data: SSE-KMS with the data key, uploads refused unless they ask for
  exactly that key, deletes refused without MFA, access logged, versioned (MFA delete when the root
  user's device is given), kept a year;
* flow logs: SSE-KMS with the data key, written by log delivery, 90 days in S3 Standard (the
  environment's requirement), then Glacier Instant Retrieval to a year (PCI DSS 10.5.1);
* trail: CloudTrail log files of the environment's trail, SSE-KMS with the logs key, kept a year;
* access logs: server access logs of all the above (SSE-S3, the only encryption S3 log delivery
  supports), kept a year.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from constructs import Construct

from pci_infra.blocks.access_log_bucket import access_log_bucket, logging_into
from pci_infra.blocks.kms_key import KmsKey
from pci_infra.blocks.secure_bucket import (
    LifecycleRule,
    SecureBucket,
    SecureBucketProps,
    audit_log_lifecycle,
)
from pci_infra.foundation.stack_context import StackContext
from pci_infra.policies.bucket_guards import require_kms_uploads, require_mfa_for_deletes
from pci_infra.policies.log_delivery import (
    cloudtrail_delivery,
    flow_log_prefix,
    log_delivery_service,
)
from pci_infra.policies.policy_document import Statement

ONE_YEAR = LifecycleRule("expire-after-1-year", expiration_days=365, noncurrent_expiration_days=30)


@dataclass(frozen=True)
class PciBucketsProps:
    """Inputs of :class:`PciBuckets`.

    Attributes:
        bucket_names: Name of each bucket (``raw``, ``processed``, ``flow-logs``, ``trail``).
        access_logs_bucket: Access log bucket name.
        trail_arn: ARN of the environment's trail (the only writer of the trail bucket).
        data_key: Data key (card data and flow logs).
        logs_key: Logs key (trail log files).
        mfa_delete_device: Root MFA ``"<serial> <code>"`` to turn on MFA delete, or ``None``.
    """

    bucket_names: dict[str, str]
    access_logs_bucket: str
    trail_arn: str
    data_key: KmsKey
    logs_key: KmsKey
    mfa_delete_device: str | None

    def __post_init__(self) -> None:
        """Every bucket of the table needs its name."""
        missing = sorted(set(BUCKET_KEYS) - set(self.bucket_names))
        if missing:
            raise ValueError(f"PciBucketsProps.bucket_names: no name for {missing}")


BUCKET_KEYS = ("raw", "processed", "flow-logs", "trail")
"""The buckets, in creation order; each also names its access-log prefix (``<key>/``)."""
CARD_DATA = ("raw", "processed")


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
        ctx = StackContext.of(self)
        self.access_logs = access_log_bucket(self, "access-logs", bucket_name=props.access_logs_bucket)
        self.flow_log_prefix = flow_log_prefix(ctx)
        data_key_arn = props.data_key.key_arn
        policies: dict[str, Callable[[str], tuple[Statement, ...]]] = {
            "raw": lambda arn: (*require_kms_uploads(arn, data_key_arn), *require_mfa_for_deletes(arn)),
            "processed": lambda arn: (*require_kms_uploads(arn, data_key_arn), *require_mfa_for_deletes(arn)),
            "flow-logs": lambda arn: log_delivery_service(arn, ctx, prefix=self.flow_log_prefix),
            "trail": lambda arn: cloudtrail_delivery(arn, props.trail_arn, ctx),
        }
        buckets: dict[str, SecureBucket] = {}
        for key in BUCKET_KEYS:
            bucket = SecureBucket(
                self,
                key,
                props=SecureBucketProps(
                    bucket_name=props.bucket_names[key],
                    kms_key_arn=props.logs_key.key_arn if key == "trail" else data_key_arn,
                    lifecycle_rules=(audit_log_lifecycle() if key == "flow-logs" else ONE_YEAR,),
                    mfa_delete_device=props.mfa_delete_device if key in CARD_DATA else None,
                    **logging_into(self.access_logs, f"{key}/"),
                ),
            )
            bucket.add_to_resource_policy(*policies[key](bucket.static_arn))
            buckets[key] = bucket
        self.raw = buckets["raw"]
        self.processed = buckets["processed"]
        self.flow_logs = buckets["flow-logs"]
        self.trail = buckets["trail"]
