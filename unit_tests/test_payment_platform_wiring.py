"""How the payment platform wires its keys, buckets and modules together (synthesized values)."""

from __future__ import annotations

import json

from unit_tests.conftest import CERT_ARN, Synthesized
from unit_tests.synth_json import StackJson


def key_arn(stack: StackJson, purpose: str) -> str:
    key_id, _ = stack.at("aws_kms_key", f"keys/{purpose}/key")
    return stack.ref("aws_kms_key", key_id, "arn")


def test_flow_logs_go_to_a_logs_cmk_group_kept_30_days(stack: StackJson) -> None:
    _, vpc = stack.module_at("network/vpc/module")
    assert vpc["flow_logs"] == {
        "traffic_type": "ALL",
        "enable_cloudwatch": True,
        "cloudwatch_kms_key_arn": key_arn(stack, "logs"),
        "cloudwatch_retention": 30,
    }
    assert vpc["az_count"] == 3
    assert vpc["nat_gateway_mode"] == "one_per_az"


def test_logs_key_lets_only_cloudwatch_logs_of_this_account_and_region_use_it(stack: StackJson) -> None:
    _, key = stack.at("aws_kms_key", "keys/logs/key")
    statements = {s["Sid"]: s for s in json.loads(key["policy"])["Statement"]}
    grant = statements["UseByLogs"]
    assert grant["Principal"] == {"Service": "logs.us-east-1.amazonaws.com"}
    context = grant["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]
    assert (
        context.startswith("arn:${data.aws_partition.")
        and ":logs:us-east-1:${data.aws_caller_identity." in context
    )


def test_aurora_uses_its_own_key_and_is_destroyable_by_default(stack: StackJson) -> None:
    vpc_key, _ = stack.module_at("network/vpc/module")
    _, aurora = stack.module_at("database/aurora/module")
    assert aurora["kms_key_arn"] == key_arn(stack, "aurora")
    assert aurora["kms_key_arn"] != key_arn(stack, "data")
    assert aurora["reader_count"] == 2
    assert aurora["subnet_ids"] == f"${{module.{vpc_key}.private_subnet_ids}}"
    assert (aurora["deletion_protection"], aurora["skip_final_snapshot"]) == (False, True)


def test_alb_is_internal_logs_access_and_serves_https_on_aws(synthesized: Synthesized) -> None:
    stack = synthesized.aws
    vpc_key, _ = stack.module_at("network/vpc/module")
    bucket_id, _ = stack.at("aws_s3_bucket", "storage/alb-logs/bucket")
    _, alb = stack.module_at("compute/alb/module")
    assert alb["internal"] is True
    assert alb["certificate_arn"] == CERT_ARN
    assert alb["access_logs_bucket"] == stack.ref("aws_s3_bucket", bucket_id, "bucket")
    assert alb["ingress_cidr_blocks"] == [f"${{module.{vpc_key}.vpc_cidr_block}}"]
    assert alb["target_groups"]["api"]["target_type"] == "lambda"


def test_emulator_alb_has_no_certificate(synthesized: Synthesized) -> None:
    _, alb = synthesized.emulator.module_at("compute/alb/module")
    assert alb.get("certificate_arn") is None, "the emulator has no ACM certificate: plain HTTP listener"


def test_waf_protects_the_alb_with_1000_per_ip_and_logs_to_its_bucket(stack: StackJson) -> None:
    alb_key, _ = stack.module_at("compute/alb/module")
    bucket_id, _ = stack.at("aws_s3_bucket", "storage/waf-logs/bucket")
    _, waf = stack.module_at("security/waf/module")
    assert waf["resource_arn"] == f"${{module.{alb_key}.lb_arn}}"
    assert waf["rate_limit"] == 1000
    assert waf["log_bucket_arn"] == stack.ref("aws_s3_bucket", bucket_id, "arn")


def test_every_bucket_policy_denies_plain_http(stack: StackJson) -> None:
    buckets = stack.resources("aws_s3_bucket")
    policies = stack.resources("aws_s3_bucket_policy")
    assert len(policies) == len(buckets)
    for _, body in policies.items():
        statements = {s["Sid"]: s for s in json.loads(body["policy"])["Statement"]}
        deny = statements["DenyInsecureTransport"]
        assert deny["Effect"] == "Deny" and deny["Action"] == ["s3:*"]
        assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_alb_log_bucket_admits_elb_delivery_to_its_prefix_only_and_uses_sse_s3(stack: StackJson) -> None:
    _, policy = stack.at("aws_s3_bucket_policy", "storage/alb-logs/policy")
    statements = {s["Sid"]: s for s in json.loads(policy["policy"])["Statement"]}
    delivery = statements["AlbAccessLogDelivery"]
    assert delivery["Principal"] == {"AWS": "arn:aws:iam::127311923021:root"}
    assert delivery["Action"] == ["s3:PutObject"]
    (resource,) = delivery["Resource"]
    assert resource.endswith(
        "/alb/AWSLogs/${data.aws_caller_identity.account_identity_B7F107C0.account_id}/*"
    )
    _, sse = stack.at("aws_s3_bucket_server_side_encryption_configuration", "storage/alb-logs/encryption")
    assert sse["rule"][0]["apply_server_side_encryption_by_default"]["sse_algorithm"] == "AES256"


def test_waf_log_bucket_uses_the_data_key_and_admits_log_delivery(stack: StackJson) -> None:
    _, sse = stack.at("aws_s3_bucket_server_side_encryption_configuration", "storage/waf-logs/encryption")
    assert sse["rule"][0]["apply_server_side_encryption_by_default"]["kms_master_key_id"] == key_arn(
        stack, "data"
    )
    _, policy = stack.at("aws_s3_bucket_policy", "storage/waf-logs/policy")
    statements = {s["Sid"]: s for s in json.loads(policy["policy"])["Statement"]}
    assert statements["LogDeliveryWrite"]["Principal"] == {"Service": "delivery.logs.amazonaws.com"}
    assert (
        statements["LogDeliveryWrite"]["Condition"]["StringEquals"]["s3:x-amz-acl"]
        == "bucket-owner-full-control"
    )
    _, lifecycle = stack.at("aws_s3_bucket_lifecycle_configuration", "storage/waf-logs/lifecycle")
    assert lifecycle["rule"][0]["expiration"] == [{"days": 365}]
