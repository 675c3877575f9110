"""Unit (policy evaluation): which requests the card-data buckets' policies refuse, and why.

The emulator cannot evaluate these conditions (capability list: ``behaviour:s3_policy_conditions``),
so the synthesized documents are evaluated here with the documented IAM semantics
(:mod:`harness.policy_evaluation`); on AWS the live test uploads the same requests.
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from harness.policy_evaluation import Request, evaluate
from unit_tests.policy_documents import concretize
from unit_tests.synth_json import StackJson

TLS = {"aws:SecureTransport": "true"}
SSE = "s3:x-amz-server-side-encryption"
SSE_KEY = "s3:x-amz-server-side-encryption-aws-kms-key-id"
MFA = "aws:MultiFactorAuthPresent"
OTHER_KEY = "arn:aws:kms:us-east-1:111122223333:key/another"


def _policy_and_object(pci: StackJson, bucket: str) -> tuple[str, str]:
    _, policy = pci.at("aws_s3_bucket_policy", f"data/{bucket}/policy")
    _, resource = pci.at("aws_s3_bucket", f"data/{bucket}/bucket")
    return concretize(policy["policy"]), f"arn:aws:s3:::{resource['bucket']}/incoming/cards.jsonl"


def _data_key(pci: StackJson) -> str:
    return concretize(pci.ref("aws_kms_key", pci.at("aws_kms_key", "keys/data/key")[0], "arn"))


UPLOADS: dict[str, tuple[Mapping[str, str], frozenset[str]]] = {
    # upload: (its request context, "<data key>" standing for the data key ARN; the statements refusing it)
    "SSE-KMS with our key over TLS": ({**TLS, SSE: "aws:kms", SSE_KEY: "<data key>"}, frozenset()),
    "no encryption header": (TLS, frozenset({"DenyUploadsWithoutKms", "DenyUploadsWithAnotherKey"})),
    "SSE-S3 (AES256)": (
        {**TLS, SSE: "AES256"},
        frozenset({"DenyUploadsWithoutKms", "DenyUploadsWithAnotherKey"}),
    ),
    "SSE-KMS with another key": (
        {**TLS, SSE: "aws:kms", SSE_KEY: OTHER_KEY},
        frozenset({"DenyUploadsWithAnotherKey"}),
    ),
    "SSE-KMS naming no key (the default key)": (
        {**TLS, SSE: "aws:kms"},
        frozenset({"DenyUploadsWithAnotherKey"}),
    ),
    "our key over plain HTTP": (
        {"aws:SecureTransport": "false", SSE: "aws:kms", SSE_KEY: "<data key>"},
        frozenset({"DenyInsecureTransport"}),
    ),
}


@pytest.mark.pci_dss("3", "4")
@pytest.mark.parametrize("bucket", ["raw", "processed"])
@pytest.mark.parametrize("upload", sorted(UPLOADS))
def test_only_an_sse_kms_upload_with_our_key_over_tls_is_admitted(
    pci: StackJson, bucket: str, upload: str
) -> None:
    policy, obj = _policy_and_object(pci, bucket)
    data_key = _data_key(pci)
    context, refused_by = UPLOADS[upload]
    request = Request(
        "s3:PutObject", obj, context={k: data_key if v == "<data key>" else v for k, v in context.items()}
    )
    # Each non-compliant upload is refused by the statement that names its own fault, and only by it.
    assert set(evaluate(policy, request).denied_by) == refused_by


@pytest.mark.pci_dss("3", "8")
@pytest.mark.parametrize("bucket", ["raw", "processed"])
def test_deleting_needs_mfa_and_reading_over_tls_is_not_refused(pci: StackJson, bucket: str) -> None:
    policy, obj = _policy_and_object(pci, bucket)
    for action in ("s3:DeleteObject", "s3:DeleteObjectVersion"):
        without = Request(action, obj, context={**TLS, MFA: "false"})
        absent = Request(action, obj, context=TLS)  # long-term keys carry no MFA key at all
        with_mfa = Request(action, obj, context={**TLS, MFA: "true"})
        assert evaluate(policy, without).denied_by == ("DenyDeletesWithoutMfa",), action
        assert evaluate(policy, absent).denied_by == ("DenyDeletesWithoutMfa",), action
        assert evaluate(policy, with_mfa).denied_by == (), action
    assert evaluate(policy, Request("s3:GetObject", obj, context=TLS)).denied_by == ()
    assert evaluate(
        policy, Request("s3:GetObject", obj, context={"aws:SecureTransport": "false"})
    ).denied_by == ("DenyInsecureTransport",)
