"""The probes that change a bucket policy for a block and wait for one message (moto in-process)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from harness.aws_target import AwsTarget
from harness.bucket_policy_context import policy_replaced
from harness.probes import ProbeError, message_matching

BUCKET = "probe-policy-bucket"
POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Keep",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:DeleteBucket",
            "Resource": f"arn:aws:s3:::{BUCKET}",
        },
        {
            "Sid": "Lift",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:PutObject",
            "Resource": f"arn:aws:s3:::{BUCKET}/*",
        },
    ],
}


def stored_policy(target: AwsTarget) -> str | None:
    try:
        return str(target.client("s3").get_bucket_policy(Bucket=BUCKET)["Policy"])
    except ClientError as err:
        assert err.response["Error"]["Code"] == "NoSuchBucketPolicy"
        return None


def test_a_replaced_policy_is_put_back_as_it_was_even_when_the_block_fails(mock_target: AwsTarget) -> None:
    s3 = mock_target.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(POLICY))
    original = stored_policy(mock_target)

    def lift(document: dict[str, Any]) -> dict[str, Any]:
        return {**document, "Statement": [s for s in document["Statement"] if s["Sid"] != "Lift"]}

    with pytest.raises(RuntimeError, match="inside"), policy_replaced(mock_target, BUCKET, lift):
        inside = json.loads(stored_policy(mock_target) or "{}")
        assert [s["Sid"] for s in inside["Statement"]] == ["Keep"]
        raise RuntimeError("inside")
    assert stored_policy(mock_target) == original
    with policy_replaced(mock_target, BUCKET, lambda _: None):
        assert stored_policy(mock_target) is None
    assert stored_policy(mock_target) == original


@pytest.mark.parametrize("release_others", [True, False])
def test_the_matching_message_is_taken_and_the_others_kept(
    mock_target: AwsTarget, release_others: bool
) -> None:
    sqs = mock_target.client("sqs")
    url = sqs.create_queue(QueueName="probe", Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    for body in ("payment other-1", "payment wanted-2"):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    found = message_matching(
        mock_target,
        url,
        "the wanted payment",
        lambda body: "wanted" in body,
        timeout=5,
        release_others=release_others,
    )
    assert found == "payment wanted-2"
    visible = [
        m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    ]
    # released: the other is there for the next probe; kept hidden: it waits out the visibility timeout
    assert visible == (["payment other-1"] if release_others else [])


def test_no_matching_message_is_a_probe_error_naming_what_was_awaited(mock_target: AwsTarget) -> None:
    sqs = mock_target.client("sqs")
    url = sqs.create_queue(QueueName="empty-probe")["QueueUrl"]
    with pytest.raises(ProbeError, match="gave up after 1s waiting for the wanted payment"):
        message_matching(mock_target, url, "the wanted payment", lambda body: "wanted" in body, timeout=1)
