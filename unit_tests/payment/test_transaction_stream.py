"""Unit (synthesized configuration): the payment platform's transaction stream."""

from __future__ import annotations

import json

import pytest

from unit_tests.synth_json import StackJson


def arn_of(stack: StackJson, rtype: str, path: str) -> str:
    return stack.ref(rtype, stack.at(rtype, path)[0], "arn")


@pytest.mark.pci_dss("3")
def test_stream_lands_gzip_encrypted_and_transformed_with_no_raw_backup(stack: StackJson) -> None:
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
    # Raw source records carry full card numbers: no backup of them (PCI DSS 3.3/3.5).
    assert s3["s3_backup_mode"] == "Disabled"
    assert "s3_backup_configuration" not in s3
    assert s3["error_output_prefix"].startswith("errors/")


@pytest.mark.pci_dss("3")
def test_transformer_handling_full_card_numbers_runs_in_the_private_subnets(stack: StackJson) -> None:
    _, transformer = stack.at("aws_lambda_function", "streaming/transformer/function")
    _, processor = stack.at("aws_lambda_function", "functions/processor/function")
    assert (
        transformer["vpc_config"]["subnet_ids"] == "${module.network_vpc_module_872388F2.private_subnet_ids}"
    )
    assert transformer["vpc_config"] == processor["vpc_config"]


@pytest.mark.pci_dss("3")
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
