"""Explicit deny statements every PCI workload role carries, whatever else it is allowed.

An explicit deny wins over any allow, so these hold even if a broader policy is attached later:
no action outside the approved regions, no deleting or rewriting logs, no disabling, deleting or
re-policying keys, no loosening bucket policies or public access blocks.
"""

from __future__ import annotations

from pci_infra.policies.policy_document import Statement

GLOBAL_SERVICE_ACTIONS = ("iam:*", "sts:*", "cloudfront:*", "route53:*", "support:*", "organizations:*")
"""Actions of global services, whose requests are not tied to the caller's region."""


def guardrail_denies(approved_regions: tuple[str, ...]) -> tuple[Statement, ...]:
    """The deny statements, for roles confined to ``approved_regions``."""
    return (
        Statement(
            "DenyOutsideApprovedRegions",
            ("*",),
            effect="Deny",
            conditions={"StringNotEquals": {"aws:RequestedRegion": list(approved_regions)}},
        ),
        Statement(
            "DenyLogTampering",
            (
                "logs:DeleteLogGroup",
                "logs:DeleteLogStream",
                "logs:DeleteRetentionPolicy",
                "logs:PutRetentionPolicy",
            ),
            effect="Deny",
        ),
        Statement(
            "DenyKeyTampering",
            ("kms:DisableKey", "kms:ScheduleKeyDeletion", "kms:PutKeyPolicy", "kms:DisableKeyRotation"),
            effect="Deny",
        ),
        Statement(
            "DenyLooseningBuckets",
            (
                "s3:DeleteBucketPolicy",
                "s3:PutBucketPolicy",
                "s3:PutBucketPublicAccessBlock",
                "s3:PutBucketAcl",
                "s3:PutEncryptionConfiguration",
            ),
            effect="Deny",
        ),
    )
