"""An S3 bucket encrypted with our CMK, versioned, private, with lifecycle rules; destroyable."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_aws import (
    s3_bucket,
    s3_bucket_lifecycle_configuration,
    s3_bucket_logging,
    s3_bucket_ownership_controls,
    s3_bucket_policy,
    s3_bucket_public_access_block,
    s3_bucket_server_side_encryption_configuration,
    s3_bucket_versioning,
)
from constructs import Construct

from pci_infra.blocks.grants import Grantable, LazyPolicy
from pci_infra.foundation.stack_context import StackContext
from pci_infra.policies.log_retention import AUDIT_LOG_RETENTION_DAYS, HOT_LOG_DAYS
from pci_infra.policies.policy_document import Statement

ALB_LOG_DELIVERY_SSE_S3 = "ALB access-log delivery writes with SSE-S3 only; it cannot use a KMS key"
SERVER_ACCESS_LOGS_SSE_S3 = (
    "S3 server access logging delivers only to buckets whose default encryption is SSE-S3"
)
SSE_S3_ONLY_REASONS = frozenset({ALB_LOG_DELIVERY_SSE_S3, SERVER_ACCESS_LOGS_SSE_S3})
"""The only accepted reasons for a bucket without our CMK."""


@dataclass(frozen=True)
class LifecycleRule:
    """One lifecycle rule; each ``*_days`` left ``None`` is omitted.

    Attributes:
        rule_id: Rule id, says what the rule is for.
        expiration_days: Delete current objects after this many days.
        noncurrent_expiration_days: Delete non-current versions after this many days.
        abort_multipart_days: Abort incomplete multipart uploads after this many days.
        intelligent_tiering_days: Move objects to S3 Intelligent-Tiering after this many days (0: at once).
        archive_days: Move objects to Glacier Instant Retrieval (readable at once) after this many days.
        prefix: Only objects under this prefix.
    """

    rule_id: str
    expiration_days: int | None = None
    noncurrent_expiration_days: int | None = None
    abort_multipart_days: int | None = 7
    intelligent_tiering_days: int | None = None
    archive_days: int | None = None
    prefix: str = ""

    def __post_init__(self) -> None:
        """A rule must act on something."""
        if self.intelligent_tiering_days is not None and self.intelligent_tiering_days < 0:
            raise ValueError(f"LifecycleRule {self.rule_id!r}: intelligent_tiering_days must be >= 0")
        days = (self.expiration_days, self.noncurrent_expiration_days, self.abort_multipart_days)
        if (
            all(d is None for d in days)
            and self.intelligent_tiering_days is None
            and self.archive_days is None
        ):
            raise ValueError(f"LifecycleRule {self.rule_id!r}: set at least one *_days field")
        if any(d is not None and d < 1 for d in days):
            raise ValueError(f"LifecycleRule {self.rule_id!r}: days must be >= 1 (got {days})")
        archive, expiry = self.archive_days, self.expiration_days
        if archive is not None and expiry is not None and not 0 < archive < expiry:
            raise ValueError(
                f"LifecycleRule {self.rule_id!r}: archive_days must fall before expiration_days "
                f"(got {archive} and {expiry})"
            )


def audit_log_lifecycle(rule_id: str = "hot-90-days-archive-to-1-year") -> LifecycleRule:
    """Log objects: S3 Standard for 90 days, then Glacier Instant Retrieval, deleted after a year.

    PCI DSS 10.5.1: twelve months of history, the last three immediately available (Glacier Instant
    Retrieval is read at once, too).
    """
    return LifecycleRule(
        rule_id,
        archive_days=HOT_LOG_DAYS,
        expiration_days=AUDIT_LOG_RETENTION_DAYS,
        noncurrent_expiration_days=30,
    )


@dataclass(frozen=True)
class SecureBucketProps:
    """Inputs of :class:`SecureBucket`.

    Attributes:
        bucket_name: Name from the naming helper.
        kms_key_arn: CMK for default SSE-KMS encryption; ``None`` only with ``sse_s3_reason``.
        lifecycle_rules: At least one rule; buckets without retention rules grow forever.
        versioning: Keep object versions.
        force_destroy: Let ``terraform destroy`` empty the bucket (ephemeral and test environments).
        sse_s3_reason: Why this bucket uses SSE-S3 instead of our CMK (one of SSE_S3_ONLY_REASONS).
        access_log_bucket: Bucket receiving this bucket's server access logs (``None``: none).
        access_log_prefix: Key prefix of those logs.
        mfa_delete_device: ``"<mfa serial> <current code>"`` of the root user's MFA device, to turn on
            MFA delete in the versioning configuration (AWS accepts it from the root user only);
            ``None`` leaves it off.
    """

    bucket_name: str
    kms_key_arn: str | None
    lifecycle_rules: tuple[LifecycleRule, ...]
    versioning: bool = True
    force_destroy: bool = True
    sse_s3_reason: str | None = None
    access_log_bucket: str | None = None
    access_log_prefix: str = ""
    mfa_delete_device: str | None = None

    def __post_init__(self) -> None:
        """Refuse a bucket without lifecycle rules, or without our CMK and no accepted reason."""
        if not self.lifecycle_rules:
            raise ValueError(f"SecureBucketProps.lifecycle_rules: {self.bucket_name} needs at least one rule")
        if self.kms_key_arn is None and self.sse_s3_reason not in SSE_S3_ONLY_REASONS:
            raise ValueError(
                f"SecureBucketProps.kms_key_arn: {self.bucket_name} must use our CMK unless sse_s3_reason is "
                "one of "
                f"{sorted(SSE_S3_ONLY_REASONS)}"
            )


class SecureBucket(Construct):
    """Private, CMK-encrypted, versioned bucket with lifecycle rules.

    Attributes:
        bucket_name: The bucket's name.
        bucket_arn: The bucket's ARN.
        static_arn: The same ARN built from the name (no reference to the bucket), as the bucket's
            own policy and statements granting on it name it.
        bucket_id: The bucket's id (its name, as a dependency-carrying token).
        policy: The bucket policy resource, for services that check it when configured.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: SecureBucketProps) -> None:
        """Create the bucket and its encryption, versioning, access block and lifecycle settings."""
        super().__init__(scope, construct_id)
        self.static_arn: str = StackContext.of(self).arn("s3", props.bucket_name, region="", account="")
        bucket = s3_bucket.S3Bucket(
            self, "bucket", bucket=props.bucket_name, force_destroy=props.force_destroy
        )
        public_access_block = s3_bucket_public_access_block.S3BucketPublicAccessBlock(
            self,
            "public-access-block",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
        )
        s3_bucket_ownership_controls.S3BucketOwnershipControls(
            self,
            "ownership",
            bucket=bucket.id,
            rule=s3_bucket_ownership_controls.S3BucketOwnershipControlsRule(
                object_ownership="BucketOwnerEnforced"
            ),
        )
        sse = s3_bucket_server_side_encryption_configuration
        sse.S3BucketServerSideEncryptionConfigurationA(
            self,
            "encryption",
            bucket=bucket.id,
            rule=[
                sse.S3BucketServerSideEncryptionConfigurationRuleA(
                    apply_server_side_encryption_by_default=sse.S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                        sse_algorithm="aws:kms" if props.kms_key_arn else "AES256",
                        kms_master_key_id=props.kms_key_arn,
                    ),
                    bucket_key_enabled=True if props.kms_key_arn else None,
                )
            ],
        )
        versioning = s3_bucket_versioning.S3BucketVersioningA(
            self,
            "versioning",
            bucket=bucket.id,
            versioning_configuration=s3_bucket_versioning.S3BucketVersioningVersioningConfiguration(
                status="Enabled" if props.versioning else "Suspended",
                mfa_delete="Enabled" if props.mfa_delete_device else None,
            ),
            mfa=props.mfa_delete_device,
        )
        if props.access_log_bucket:
            s3_bucket_logging.S3BucketLoggingA(
                self,
                "access-logging",
                bucket=bucket.id,
                target_bucket=props.access_log_bucket,
                target_prefix=props.access_log_prefix,
            )
        lc = s3_bucket_lifecycle_configuration
        lc.S3BucketLifecycleConfiguration(
            self,
            "lifecycle",
            bucket=bucket.id,
            rule=[_lifecycle_rule(r) for r in props.lifecycle_rules],
            depends_on=[versioning],
        )
        deny_insecure = Statement(
            "DenyInsecureTransport",
            ("s3:*",),
            resources=(self.static_arn, f"{self.static_arn}/*"),
            effect="Deny",
            principals={"AWS": "*"},
            conditions={"Bool": {"aws:SecureTransport": "false"}},
        )
        self._resource_policy = LazyPolicy(deny_insecure)
        self.policy = s3_bucket_policy.S3BucketPolicy(
            self,
            "policy",
            bucket=bucket.id,
            policy=self._resource_policy.to_json(),
            depends_on=[public_access_block],
        )
        self.bucket_name: str = bucket.bucket
        self.bucket_arn: str = bucket.arn
        self.bucket_id: str = bucket.id

    def add_to_resource_policy(self, *statements: Statement) -> None:
        """Add service delivery or guard statements to the bucket policy (after the TLS-only deny)."""
        for statement in statements:
            self._resource_policy.add(statement)

    @property
    def resource_policy_statements(self) -> tuple[Statement, ...]:
        """The bucket policy's statements so far."""
        return self._resource_policy.statements

    def grant_write(self, grantee: Grantable, *, sid: str, prefix: str = "") -> None:
        """Let ``grantee`` put objects (under ``prefix``) into this bucket."""
        grantee.add_to_role_policy(
            Statement(sid, ("s3:PutObject",), resources=(f"{self.bucket_arn}/{prefix}*",))
        )

    def grant_read(self, grantee: Grantable, *, sid: str, prefix: str = "") -> None:
        """Let ``grantee`` get objects (under ``prefix``) from this bucket."""
        grantee.add_to_role_policy(
            Statement(sid, ("s3:GetObject",), resources=(f"{self.bucket_arn}/{prefix}*",))
        )


def _lifecycle_rule(
    rule: LifecycleRule,
) -> s3_bucket_lifecycle_configuration.S3BucketLifecycleConfigurationRule:
    lc = s3_bucket_lifecycle_configuration
    return lc.S3BucketLifecycleConfigurationRule(
        id=rule.rule_id,
        status="Enabled",
        filter=[lc.S3BucketLifecycleConfigurationRuleFilter(prefix=rule.prefix)],
        expiration=[lc.S3BucketLifecycleConfigurationRuleExpiration(days=rule.expiration_days)]
        if rule.expiration_days
        else None,
        noncurrent_version_expiration=[
            lc.S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(
                noncurrent_days=rule.noncurrent_expiration_days
            )
        ]
        if rule.noncurrent_expiration_days
        else None,
        transition=[
            lc.S3BucketLifecycleConfigurationRuleTransition(days=days, storage_class=storage_class)
            for days, storage_class in (
                (rule.intelligent_tiering_days, "INTELLIGENT_TIERING"),
                (rule.archive_days, "GLACIER_IR"),
            )
            if days is not None
        ]
        or None,
        abort_incomplete_multipart_upload=[
            lc.S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(
                days_after_initiation=rule.abort_multipart_days
            )
        ]
        if rule.abort_multipart_days
        else None,
    )
