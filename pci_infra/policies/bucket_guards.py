"""Bucket policy statements that guard card-data buckets (PCI DSS 3.4, 10.5).

* uploads must be SSE-KMS with our key: a request without the header, with ``AES256`` or with
  another key is denied;
* object deletion needs MFA: a principal signed in without MFA cannot delete objects or versions.

These deny for ``Principal *`` with conditions; the emulator applies such a deny whatever its
condition (capability list: ``behaviour:s3_policy_conditions``), so they are proven by evaluating
the synthesized documents, and exercised live on AWS.
"""

from __future__ import annotations

from pci_infra.policies.policy_document import Statement


def require_kms_uploads(bucket_arn: str, key_arn: str) -> tuple[Statement, ...]:
    """Deny ``PutObject`` unless it asks for SSE-KMS with ``key_arn``."""
    objects = (f"{bucket_arn}/*",)
    anyone = {"AWS": "*"}
    return (
        Statement(
            "DenyUploadsWithoutKms",
            ("s3:PutObject",),
            objects,
            effect="Deny",
            principals=anyone,
            conditions={"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}},
        ),
        Statement(
            "DenyUploadsWithAnotherKey",
            ("s3:PutObject",),
            objects,
            effect="Deny",
            principals=anyone,
            conditions={"StringNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": key_arn}},
        ),
    )


def require_mfa_for_deletes(bucket_arn: str) -> tuple[Statement, ...]:
    """Deny deleting objects and object versions to a principal signed in without MFA."""
    return (
        Statement(
            "DenyDeletesWithoutMfa",
            ("s3:DeleteObject", "s3:DeleteObjectVersion"),
            (f"{bucket_arn}/*",),
            effect="Deny",
            principals={"AWS": "*"},
            conditions={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
        ),
    )
