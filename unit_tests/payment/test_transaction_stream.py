"""Unit (synthesized configuration): the payment platform's transaction stream."""

from __future__ import annotations

import json

from unit_tests.synth_json import StackJson


def arn_of(stack: StackJson, rtype: str, path: str) -> str:
    return stack.ref(rtype, stack.at(rtype, path)[0], "arn")


def test_stream_lands_gzip_encrypted_transformed_and_backed_up(stack: StackJson) -> None:
    _, stream = stack.at("aws_kinesis_firehose_delivery_stream", "streaming/stream")
    data_key = arn_of(stack, "aws_kms_key", "keys/data/key")
    bucket = arn_of(stack, "aws_s3_bucket", "storage/stream/bucket")
    s3 = stream["extended_s3_configuration"]
    assert (s3["compression_format"], s3["kms_key_arn"], s3["bucket_arn"]) == ("GZIP", data_key, bucket)
    assert stream["server_side_encryption"] == {
        "enabled": True,
        "key_type": "CUSTOMER_MANAGED_CMK",
        "key_arn": data_key,
    }
    (processor,) = s3["processing_configuration"]["processors"]
    (parameter,) = processor["parameters"]
    transformer = arn_of(stack, "aws_lambda_function", "streaming/transformer/function")
    assert (processor["type"], parameter["parameter_value"]) == ("Lambda", f"{transformer}:$LATEST")
    assert s3["s3_backup_mode"] == "Enabled"
    assert s3["s3_backup_configuration"]["bucket_arn"] == bucket
    assert s3["error_output_prefix"].startswith("errors/")


def test_delivery_role_reaches_exactly_its_bucket_key_function_and_log_stream(stack: StackJson) -> None:
    _, policy = stack.at("aws_iam_role_policy", "streaming/policy")
    statements = {s["Sid"]: s for s in json.loads(policy["policy"])["Statement"]}
    bucket = arn_of(stack, "aws_s3_bucket", "storage/stream/bucket")
    transformer = arn_of(stack, "aws_lambda_function", "streaming/transformer/function")
    assert statements["WriteTheStreamBucketOnly"]["Resource"] == [bucket, f"{bucket}/*"]
    assert statements["EncryptWithTheDataKeyThroughS3"]["Resource"] == [
        arn_of(stack, "aws_kms_key", "keys/data/key")
    ]
    assert statements["InvokeTheTransformerOnly"]["Resource"] == [transformer, f"{transformer}:*"]
    assert len(statements["OwnLogStreamOnly"]["Resource"]) == 1
    assert not [s for s in statements.values() if "*" in s["Resource"]]
