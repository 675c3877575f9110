"""The bucket receiving a stack's S3 server access logs (PCI DSS 10.2), and how a bucket logs into it."""

from __future__ import annotations

from typing import Any

from constructs import Construct

from pci_infra.blocks.secure_bucket import (
    SERVER_ACCESS_LOGS_SSE_S3,
    LifecycleRule,
    SecureBucket,
    SecureBucketProps,
)
from pci_infra.foundation.stack_context import StackContext
from pci_infra.policies.log_delivery import s3_server_access_logging

ACCESS_LOG_RETENTION = LifecycleRule(
    "expire-after-1-year", expiration_days=365, noncurrent_expiration_days=30
)
"""A year of access logs: PCI DSS 10.5.1."""


def access_log_bucket(scope: Construct, construct_id: str, *, bucket_name: str) -> SecureBucket:
    """A private, TLS-only, versioned bucket that S3 log delivery of this account may write to.

    SSE-S3, the only default encryption S3 server access logging delivers to.
    """
    bucket = SecureBucket(
        scope,
        construct_id,
        props=SecureBucketProps(
            bucket_name=bucket_name,
            kms_key_arn=None,
            sse_s3_reason=SERVER_ACCESS_LOGS_SSE_S3,
            lifecycle_rules=(ACCESS_LOG_RETENTION,),
        ),
    )
    bucket.add_to_resource_policy(*s3_server_access_logging(bucket.static_arn, StackContext.of(bucket)))
    return bucket


def logging_into(access_logs: SecureBucket, prefix: str) -> dict[str, Any]:
    """:class:`SecureBucketProps` arguments sending a bucket's access logs to ``access_logs``.

    They name the bucket through its policy, so logging is configured only once S3 may deliver.
    """
    return {"access_log_bucket": access_logs.policy.bucket, "access_log_prefix": prefix}
