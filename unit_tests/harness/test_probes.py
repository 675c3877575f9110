"""The live probes observe what the services do, on an in-process account: they can fail."""

from __future__ import annotations

import gzip
import io
import json
import zipfile

import pytest

from harness.aws_target import AwsTarget
from harness.probes import (
    ProbeError,
    message_reaches_dlq,
    objects_containing,
    receives_until_redriven,
    run_resources,
)

RUN = "pr1234"
OTHER = "zz9876"
REQUIRED = {"Environment": "dev", "Owner": "platform-engineering", "DataClassification": "confidential"}


def _queue_with_dlq(target: AwsTarget, name: str, max_receive_count: int) -> tuple[str, str]:
    sqs = target.client("sqs")
    dlq_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive_count})
    url = sqs.create_queue(QueueName=name, Attributes={"RedrivePolicy": redrive})["QueueUrl"]
    return url, dlq_url


def test_the_redrive_probe_counts_the_receives_sqs_allowed_before_the_move(mock_target: AwsTarget) -> None:
    url, dlq_url = _queue_with_dlq(mock_target, "work", 3)
    seen = receives_until_redriven(mock_target, url, dlq_url)
    assert seen.receive_counts == (1, 2, 3)
    assert seen.dlq_body.startswith("redrive-probe-")
    assert (
        mock_target.client("sqs").receive_message(QueueUrl=dlq_url, WaitTimeSeconds=0).get("Messages") is None
    )


def test_a_queue_that_redrives_after_one_receive_fails_an_expectation_of_three(
    mock_target: AwsTarget,
) -> None:
    url, dlq_url = _queue_with_dlq(mock_target, "hasty", 1)
    with pytest.raises(ProbeError, match="after 1 receives, not 3"):
        message_reaches_dlq(mock_target, url, dlq_url, receives=3)


def test_delivered_objects_are_read_whole_and_described_by_s3(mock_target: AwsTarget) -> None:
    s3 = mock_target.client("s3")
    key_arn = mock_target.client("kms").create_key()["KeyMetadata"]["Arn"]
    s3.create_bucket(Bucket="stream")
    packed = gzip.compress(b'{"paymentId":"marker-1"}\n')
    s3.put_object(
        Bucket="stream",
        Key="transactions/a.gz",
        Body=packed,
        ServerSideEncryption="aws:kms",
        SSEKMSKeyId=key_arn,
    )
    s3.put_object(Bucket="stream", Key="other/b", Body=b"marker-1 again")
    s3.put_object(Bucket="stream", Key="transactions/c", Body=b"unrelated")
    found = {o.key: o for o in objects_containing(mock_target, "stream", "marker-1", timeout=5)}
    assert set(found) == {"transactions/a.gz", "other/b"}
    assert (found["transactions/a.gz"].gzip, found["transactions/a.gz"].kms_key_id) == (True, key_arn)
    assert found["transactions/a.gz"].encryption == "aws:kms"
    assert (found["other/b"].gzip, found["other/b"].kms_key_id) == (False, None)
    with pytest.raises(ProbeError, match="marker-2"):
        objects_containing(mock_target, "stream", "marker-2", timeout=1)


def _function(target: AwsTarget, name: str, tags: dict[str, str]) -> None:
    role = target.client("iam").create_role(RoleName=f"role-{name}", AssumeRolePolicyDocument="{}")["Role"][
        "Arn"
    ]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("index.js", "exports.handler = async () => ({})")
    target.client("lambda").create_function(
        FunctionName=name,
        Runtime="nodejs22.x",
        Role=role,
        Handler="index.handler",
        Code={"ZipFile": code.getvalue()},
        Tags=tags,
    )


def test_run_resources_are_found_by_name_never_by_tag_and_report_their_own_tags(
    mock_target: AwsTarget,
) -> None:
    tagged = {**REQUIRED, "RunId": RUN}
    mock_target.client("s3").create_bucket(Bucket=f"raw-{RUN}")
    mock_target.client("s3").put_bucket_tagging(
        Bucket=f"raw-{RUN}", Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in tagged.items()]}
    )
    queue = mock_target.client("sqs").create_queue(QueueName=f"dlq-{RUN}", tags={"Owner": "someone"})[
        "QueueUrl"
    ]
    mock_target.client("logs").create_log_group(logGroupName=f"/aws/lambda/fn-{RUN}", tags=tagged)
    _function(mock_target, f"fn-{RUN}", tagged)
    kms = mock_target.client("kms")
    key = kms.create_key(Tags=[{"TagKey": k, "TagValue": v} for k, v in tagged.items()])["KeyMetadata"]
    kms.create_alias(AliasName=f"alias/data-{RUN}", TargetKeyId=key["KeyId"])
    topic = mock_target.client("sns").create_topic(
        Name=f"alerts-{RUN}", Tags=[{"Key": "Owner", "Value": "x"}]
    )
    ec2 = mock_target.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
    ec2.create_tags(
        Resources=[vpc], Tags=[{"Key": "Name", "Value": f"vpc-{RUN}"}, {"Key": "Owner", "Value": "y"}]
    )
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.8.1.0/24")["Subnet"]["SubnetId"]
    ec2.create_tags(Resources=[subnet], Tags=[{"Key": "Name", "Value": f"vpc-{RUN}-private-a"}])
    group = ec2.create_security_group(GroupName=f"tokenizer-sg-{RUN}", Description="d", VpcId=vpc)["GroupId"]
    # Tagged with the run id but not named with it, and named with another run: neither is the run's by name.
    mock_target.client("s3").create_bucket(Bucket="unnamed-but-tagged")
    mock_target.client("s3").put_bucket_tagging(
        Bucket="unnamed-but-tagged", Tagging={"TagSet": [{"Key": "RunId", "Value": RUN}]}
    )
    mock_target.client("sqs").create_queue(QueueName=f"dlq-{OTHER}")

    found = {(r.service, r.identifier): r.tags for r in run_resources(mock_target, RUN)}

    assert found == {
        ("s3", f"raw-{RUN}"): tagged,
        ("sqs", queue): {"Owner": "someone"},
        ("logs", f"/aws/lambda/fn-{RUN}"): tagged,
        (
            "lambda",
            mock_target.client("lambda").get_function(FunctionName=f"fn-{RUN}")["Configuration"][
                "FunctionArn"
            ],
        ): tagged,
        ("kms", key["Arn"]): tagged,
        ("sns", topic["TopicArn"]): {"Owner": "x"},
        ("ec2", vpc): {"Name": f"vpc-{RUN}", "Owner": "y"},
        ("ec2", subnet): {"Name": f"vpc-{RUN}-private-a"},
        ("ec2", group): {},
    }
    with pytest.raises(ValueError, match="run_id: required"):
        run_resources(mock_target, "")
