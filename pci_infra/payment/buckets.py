"""Buckets of the payment platform and the access-log bucket recording every request to them.

Transaction logs, ALB and WAF logs, GuardDuty findings, Config snapshots and the Firehose destination.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from constructs import Construct

from pci_infra.blocks.access_log_bucket import access_log_bucket, logging_into
from pci_infra.blocks.secure_bucket import (
    ALB_LOG_DELIVERY_SSE_S3,
    LifecycleRule,
    SecureBucket,
    SecureBucketProps,
)
from pci_infra.policies.log_delivery import (
    alb_access_log_delivery,
    config_delivery,
    guardduty_findings_export,
    log_delivery_service,
)

ALB_LOG_PREFIX = "alb"


@dataclass(frozen=True)
class PaymentStorageProps:
    """Inputs of :class:`PaymentStorage`.

    Attributes:
        transaction_logs_bucket: Name of the transaction log bucket.
        alb_logs_bucket: Name of the ALB access log bucket.
        waf_logs_bucket: Name of the WAF log bucket (must start with ``aws-waf-logs-``).
        guardduty_bucket: Name of the GuardDuty findings bucket.
        config_bucket: Name of the Config snapshots bucket.
        stream_bucket: Name of the Firehose destination bucket.
        access_logs_bucket: Name of the bucket receiving the others' server access logs.
        data_key_arn: CMK of the buckets that can use one.
        account_id: Account id (token).
        partition: Partition (token).
        region: Region.
    """

    transaction_logs_bucket: str
    alb_logs_bucket: str
    waf_logs_bucket: str
    guardduty_bucket: str
    config_bucket: str
    stream_bucket: str
    access_logs_bucket: str
    data_key_arn: str
    account_id: str
    partition: str
    region: str

    def __post_init__(self) -> None:
        """WAF only delivers to buckets named ``aws-waf-logs-*``."""
        if not self.waf_logs_bucket.startswith("aws-waf-logs-"):
            raise ValueError(
                "PaymentStorageProps.waf_logs_bucket: must start with aws-waf-logs- "
                f"(got {self.waf_logs_bucket!r})"
            )


class PaymentStorage(Construct):
    """The platform's buckets, each private, versioned, TLS-only and with a retention rule.

    Attributes:
        transaction_logs: Transaction log bucket (CMK).
        alb_logs: ALB access logs (SSE-S3: the only encryption ALB delivery supports), 90 days.
        waf_logs: Blocked-request logs (CMK), kept a year for compliance.
        guardduty_findings: Exported GuardDuty findings (CMK), deleted after 90 days.
        config_snapshots: AWS Config snapshots and history (CMK, versioned), old versions kept a year.
        stream: Firehose destination (CMK), in S3 Intelligent-Tiering from day 0.
        alb_log_prefix: Key prefix of ALB access logs.
        access_logs: Server access logs of all the above (SSE-S3, the only encryption S3 log
            delivery supports), kept a year (PCI DSS 10.5.1); each bucket under its own prefix.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: PaymentStorageProps) -> None:
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
            return logging_into(self.access_logs, f"{key}/")

        self.transaction_logs = SecureBucket(
            self,
            "transaction-logs",
            props=SecureBucketProps(
                bucket_name=props.transaction_logs_bucket,
                bucket_arn=arn(props.transaction_logs_bucket),
                kms_key_arn=props.data_key_arn,
                lifecycle_rules=(LifecycleRule("expire-noncurrent-versions", noncurrent_expiration_days=90),),
                **logged("transaction-logs"),
            ),
        )
        self.alb_log_prefix = ALB_LOG_PREFIX
        self.alb_logs = SecureBucket(
            self,
            "alb-logs",
            props=SecureBucketProps(
                bucket_name=props.alb_logs_bucket,
                bucket_arn=arn(props.alb_logs_bucket),
                kms_key_arn=None,
                sse_s3_reason=ALB_LOG_DELIVERY_SSE_S3,
                lifecycle_rules=(
                    LifecycleRule("expire-after-90-days", expiration_days=90, noncurrent_expiration_days=1),
                ),
                policy_statements=alb_access_log_delivery(
                    arn(props.alb_logs_bucket), ALB_LOG_PREFIX, props.account_id, props.region
                ),
                **logged("alb-logs"),
            ),
        )
        self.waf_logs = SecureBucket(
            self,
            "waf-logs",
            props=SecureBucketProps(
                bucket_name=props.waf_logs_bucket,
                bucket_arn=arn(props.waf_logs_bucket),
                kms_key_arn=props.data_key_arn,
                lifecycle_rules=(
                    LifecycleRule(
                        "compliance-retention-1-year", expiration_days=365, noncurrent_expiration_days=30
                    ),
                ),
                policy_statements=log_delivery_service(
                    arn(props.waf_logs_bucket), props.account_id, props.partition, props.region
                ),
                **logged("waf-logs"),
            ),
        )
        self.guardduty_findings = SecureBucket(
            self,
            "guardduty-findings",
            props=SecureBucketProps(
                bucket_name=props.guardduty_bucket,
                bucket_arn=arn(props.guardduty_bucket),
                kms_key_arn=props.data_key_arn,
                lifecycle_rules=(
                    LifecycleRule("expire-after-90-days", expiration_days=90, noncurrent_expiration_days=1),
                ),
                policy_statements=guardduty_findings_export(
                    arn(props.guardduty_bucket), props.account_id, props.partition, props.region
                ),
                **logged("guardduty-findings"),
            ),
        )
        self.config_snapshots = SecureBucket(
            self,
            "config-snapshots",
            props=SecureBucketProps(
                bucket_name=props.config_bucket,
                bucket_arn=arn(props.config_bucket),
                kms_key_arn=props.data_key_arn,
                lifecycle_rules=(LifecycleRule("expire-old-versions", noncurrent_expiration_days=365),),
                policy_statements=config_delivery(arn(props.config_bucket), props.account_id),
                **logged("config-snapshots"),
            ),
        )
        self.stream = SecureBucket(
            self,
            "stream",
            props=SecureBucketProps(
                bucket_name=props.stream_bucket,
                bucket_arn=arn(props.stream_bucket),
                kms_key_arn=props.data_key_arn,
                lifecycle_rules=(
                    LifecycleRule(
                        "intelligent-tiering", intelligent_tiering_days=0, noncurrent_expiration_days=30
                    ),
                ),
                **logged("stream"),
            ),
        )
