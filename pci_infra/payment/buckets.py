"""Buckets of the payment platform and the access-log bucket recording every request to them.

Transaction logs, ALB and WAF logs, GuardDuty findings, Config snapshots and the Firehose destination,
from one table: each row says the bucket's encryption, retention and which service may deliver into it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from constructs import Construct

from pci_infra.app.names import PaymentNames as N
from pci_infra.blocks.access_log_bucket import access_log_bucket, logging_into
from pci_infra.blocks.kms_key import KmsKey
from pci_infra.blocks.secure_bucket import (
    ALB_LOG_DELIVERY_SSE_S3,
    LifecycleRule,
    SecureBucket,
    SecureBucketProps,
    audit_log_lifecycle,
)
from pci_infra.foundation.stack_context import StackContext
from pci_infra.policies.log_delivery import (
    alb_access_log_delivery,
    config_delivery,
    guardduty_findings_export,
    log_delivery_service,
)
from pci_infra.policies.policy_document import Statement

ALB_LOG_PREFIX = "alb"
WAF_LOG_PREFIX = "aws-waf-logs-"

DeliveryPolicy = Callable[[str, StackContext], tuple[Statement, ...]]
"""Statements letting a service deliver into a bucket, given the bucket's ARN."""


@dataclass(frozen=True)
class BucketSpec:
    """One payment bucket.

    Attributes:
        key: Attribute name on :class:`PaymentStorage` and access-log prefix.
        sse_s3_reason: Why the bucket cannot use the data key (``None``: it does).
        lifecycle: Its retention rule.
        delivery: Which service may deliver into it (``None``: none).
    """

    key: str
    lifecycle: LifecycleRule
    sse_s3_reason: str | None = None
    delivery: DeliveryPolicy | None = None


BUCKETS = (
    BucketSpec(
        "transaction_logs", LifecycleRule("expire-noncurrent-versions", noncurrent_expiration_days=90)
    ),
    BucketSpec(
        "alb_logs",
        audit_log_lifecycle(),
        sse_s3_reason=ALB_LOG_DELIVERY_SSE_S3,
        delivery=lambda arn, ctx: alb_access_log_delivery(arn, ALB_LOG_PREFIX, ctx),
    ),
    BucketSpec(
        "waf_logs",
        LifecycleRule("compliance-retention-1-year", expiration_days=365, noncurrent_expiration_days=30),
        delivery=log_delivery_service,
    ),
    BucketSpec("guardduty_findings", audit_log_lifecycle(), delivery=guardduty_findings_export),
    BucketSpec(
        "config_snapshots",
        LifecycleRule("expire-old-versions", noncurrent_expiration_days=365),
        delivery=config_delivery,
    ),
    BucketSpec(
        "stream",
        LifecycleRule("intelligent-tiering", intelligent_tiering_days=0, noncurrent_expiration_days=30),
    ),
)
"""The platform's buckets, in creation order."""

BUCKET_NAMES = {
    "transaction_logs": N.TRANSACTION_LOGS_BUCKET,
    "alb_logs": N.ALB_LOGS_BUCKET,
    "waf_logs": N.WAF_LOGS_BUCKET,
    "guardduty_findings": N.GUARDDUTY_BUCKET,
    "config_snapshots": N.CONFIG_BUCKET,
    "stream": N.STREAM_BUCKET,
}
"""The catalogue entry of each bucket's name."""


@dataclass(frozen=True)
class PaymentStorageProps:
    """Inputs of :class:`PaymentStorage`.

    Attributes:
        bucket_names: Name of each bucket of :data:`BUCKETS`, by key.
        access_logs_bucket: Name of the bucket receiving the others' server access logs.
        data_key: CMK of the buckets that can use one.
    """

    bucket_names: dict[str, str]
    access_logs_bucket: str
    data_key: KmsKey

    def __post_init__(self) -> None:
        """Every bucket needs a name; WAF only delivers to buckets named ``aws-waf-logs-*``."""
        missing = sorted({b.key for b in BUCKETS} - set(self.bucket_names))
        if missing:
            raise ValueError(f"PaymentStorageProps.bucket_names: no name for {missing}")
        if not self.bucket_names["waf_logs"].startswith(WAF_LOG_PREFIX):
            raise ValueError(
                f"PaymentStorageProps.bucket_names: waf_logs must start with {WAF_LOG_PREFIX} "
                f"(got {self.bucket_names['waf_logs']!r})"
            )


class PaymentStorage(Construct):
    """The platform's buckets, each private, versioned, TLS-only and with a retention rule.

    Attributes:
        transaction_logs: Transaction log bucket (CMK).
        alb_logs: ALB access logs (SSE-S3: the only encryption ALB delivery supports), 90 days in
            S3 Standard, then archived to a year (PCI DSS 10.5.1).
        waf_logs: Blocked-request logs (CMK), kept a year for compliance.
        guardduty_findings: Exported GuardDuty findings (CMK), 90 days hot, archived to a year.
        config_snapshots: AWS Config snapshots and history (CMK, versioned), old versions kept a year.
        stream: Firehose destination (CMK), in S3 Intelligent-Tiering from day 0.
        alb_log_prefix: Key prefix of ALB access logs.
        access_logs: Server access logs of all the above (SSE-S3, the only encryption S3 log
            delivery supports), kept a year (PCI DSS 10.5.1); each bucket under its own prefix.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: PaymentStorageProps) -> None:
        """Create the access-log bucket first, then the buckets that log into it."""
        super().__init__(scope, construct_id)
        ctx = StackContext.of(self)
        self.access_logs = access_log_bucket(self, "access-logs", bucket_name=props.access_logs_bucket)
        self.alb_log_prefix = ALB_LOG_PREFIX
        buckets: dict[str, SecureBucket] = {}
        for spec in BUCKETS:
            label = spec.key.replace("_", "-")
            bucket = SecureBucket(
                self,
                label,
                props=SecureBucketProps(
                    bucket_name=props.bucket_names[spec.key],
                    kms_key_arn=None if spec.sse_s3_reason else props.data_key.key_arn,
                    sse_s3_reason=spec.sse_s3_reason,
                    lifecycle_rules=(spec.lifecycle,),
                    **logging_into(self.access_logs, f"{label}/"),
                ),
            )
            if spec.delivery:
                bucket.add_to_resource_policy(*spec.delivery(bucket.static_arn, ctx))
            buckets[spec.key] = bucket
        self.transaction_logs = buckets["transaction_logs"]
        self.alb_logs = buckets["alb_logs"]
        self.waf_logs = buckets["waf_logs"]
        self.guardduty_findings = buckets["guardduty_findings"]
        self.config_snapshots = buckets["config_snapshots"]
        self.stream = buckets["stream"]
