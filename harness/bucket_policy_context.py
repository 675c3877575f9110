"""What a request to MiniStack lacks for a bucket policy to judge it as AWS would, and how probes add it.

MiniStack 1.5.33 evaluates bucket policies for every caller but the root, with two differences from
AWS, both in the capability list and both only where MiniStack hosts S3 (on AWS and on moto nothing
here changes anything):

* ``behaviour:secure_transport``: its gateway answers plain HTTP and judges ``aws:SecureTransport``
  from the scheme or ``X-Forwarded-Proto``. :func:`marked_secure` marks a boto3 client's requests
  ``X-Forwarded-Proto: https`` after signing (unsigned: the signature is unchanged), as the function
  workers' preload does; an unmarked client is then the insecure caller AWS would see over HTTP.
* ``behaviour:s3_kms_key_condition``: it never puts ``s3:x-amz-server-side-encryption-aws-kms-key-id``
  in a request's context, so the card buckets' ``DenyUploadsWithAnotherKey`` refuses every upload,
  the data key's too. :func:`key_condition_lifted` takes that one statement out for a block (every
  other statement stays in force) and puts the policy back exactly as it was; the statement itself
  is judged against the deployed policy by our evaluator
  (``test_deployed_card_bucket_policies_admit_only_uploads_with_the_deployed_data_key``).

Both that and ``probes.bucket_readable`` (moto's conditional Deny) change a policy for a block through
:func:`policy_replaced`, which puts the policy back exactly as it was, whatever happened inside.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from harness.aws_target import AwsTarget

SECURE_TRANSPORT_GAP = "behaviour:secure_transport"
KEY_CONDITION_GAP = "behaviour:s3_kms_key_condition"
KEY_CONDITION_STATEMENT = "DenyUploadsWithAnotherKey"
"""The card buckets' statement refusing an upload under any key but the data key."""


def marked_secure(target: AwsTarget, client: Any) -> Any:
    """``client`` with its requests marked as sent over TLS where the emulator reads the scheme; returned.

    The mark stays on ``client``: pass one of its own (:meth:`AwsTarget.new_client`), not a shared one.
    """
    if target.gap(SECURE_TRANSPORT_GAP) is not None:

        def mark(request: Any, **_: Any) -> None:
            request.headers["X-Forwarded-Proto"] = "https"

        client.meta.events.register("before-send", mark)
    return client


@contextmanager
def policy_replaced(
    target: AwsTarget, bucket: str, change: Callable[[dict[str, Any]], dict[str, Any] | None]
) -> Iterator[None]:
    """Inside, ``bucket``'s policy is ``change(policy)`` (``None``: no policy); after, the original text.

    The original is put back even when the block fails, so a probe never leaves a bucket less guarded.
    """
    s3 = target.client("s3")
    original = s3.get_bucket_policy(Bucket=bucket)["Policy"]
    changed = change(json.loads(original))
    if changed is None:
        s3.delete_bucket_policy(Bucket=bucket)
    else:
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(changed))
    try:
        yield
    finally:
        s3.put_bucket_policy(Bucket=bucket, Policy=original)


@contextmanager
def key_condition_lifted(target: AwsTarget, bucket: str) -> Iterator[bool]:
    """Inside, ``bucket``'s policy lacks :data:`KEY_CONDITION_STATEMENT` where the gap holds.

    Yields whether it was lifted (so a check of that statement knows it cannot be judged here).

    Raises:
        AssertionError: The bucket's policy has no such statement.
    """
    if target.gap(KEY_CONDITION_GAP) is None:
        yield False
        return

    def without_the_statement(document: dict[str, Any]) -> dict[str, Any]:
        kept = [s for s in document["Statement"] if s.get("Sid") != KEY_CONDITION_STATEMENT]
        assert len(kept) == len(document["Statement"]) - 1, (
            f"{bucket}: no {KEY_CONDITION_STATEMENT} statement"
        )
        return {**document, "Statement": kept}

    with policy_replaced(target, bucket, without_the_statement):
        yield True
