"""Batch fleet and DNS failover as synthesized."""

from __future__ import annotations

import base64
import json

from unit_tests.conftest import STANDBY, Synthesized
from unit_tests.synth_json import StackJson


def test_batch_instances_require_imdsv2_and_boot_from_cmk_encrypted_volumes(stack: StackJson) -> None:
    key_id, _ = stack.at("aws_kms_key", "keys/data/key")
    _, template = stack.at("aws_launch_template", "batch/template")
    assert template["metadata_options"] == {
        "http_endpoint": "enabled",
        "http_tokens": "required",
        "http_put_response_hop_limit": 1,
    }
    (device,) = template["block_device_mappings"]
    assert device["ebs"]["encrypted"] == "true"
    assert device["ebs"]["kms_key_id"] == stack.ref("aws_kms_key", key_id, "arn")
    sg_id, _ = stack.at("aws_security_group", "network/batch-sg")
    assert template["vpc_security_group_ids"] == [stack.ref("aws_security_group", sg_id, "id")]
    assert template["image_id"].startswith("resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023")
    assert {spec["resource_type"] for spec in template["tag_specifications"]} == {"instance", "volume"}
    assert all(spec["tags"]["RunId"] == "ut1234" for spec in template["tag_specifications"])


def test_batch_instances_publish_memory_through_the_cloudwatch_agent(stack: StackJson) -> None:
    _, template = stack.at("aws_launch_template", "batch/template")
    script = base64.b64decode(template["user_data"]).decode()
    config = json.loads(script.split("<<'JSON'\n", 1)[1].split("\nJSON", 1)[0])
    assert config["metrics"]["namespace"] == "CWAgent"
    assert config["metrics"]["metrics_collected"]["mem"]["measurement"] == ["mem_used_percent"]
    assert config["metrics"]["append_dimensions"] == {"AutoScalingGroupName": "${aws:AutoScalingGroupName}"}


def test_batch_group_spans_the_private_subnets_with_no_inbound_access(stack: StackJson) -> None:
    _, group = stack.at("aws_autoscaling_group", "batch/group")
    assert "private_subnet_ids" in str(group["vpc_zone_identifier"])
    assert (group["min_size"], group["max_size"]) == (1, 4)
    assert not [
        body
        for _, body in stack.resources("aws_vpc_security_group_ingress_rule").items()
        if "batch" in body["//"]["metadata"]["path"]
    ]
    _, policy = stack.at("aws_autoscaling_policy", "batch/cpu-target")
    assert policy["target_tracking_configuration"]["target_value"] == 60


def test_data_key_lets_the_autoscaling_service_role_encrypt_volumes(stack: StackJson) -> None:
    _, key = stack.at("aws_kms_key", "keys/data/key")
    statements = {s["Sid"]: s for s in json.loads(key["policy"])["Statement"]}
    grant = statements["AutoScalingEncryptsBatchVolumesGrants"]
    assert grant["Action"] == ["kms:CreateGrant"]
    assert grant["Condition"]["Bool"] == {"kms:GrantIsForAWSResource": "true"}
    assert grant["Condition"]["ArnEquals"]["aws:PrincipalArn"].endswith(
        ":role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
    )


def test_api_name_fails_over_from_the_alb_to_the_standby(synthesized: Synthesized) -> None:
    stack = synthesized.aws
    zone_id, zone = stack.at("aws_route53_zone", "dns/zone")
    assert zone["name"] == "pay-unit-ut1234.internal" and zone["force_destroy"] is True
    assert "vpc_id" in zone["vpc"][0], "a private zone: the ALB is internal"
    _, emulator_zone = synthesized.emulator.at("aws_route53_zone", "dns/zone")
    assert "vpc" not in emulator_zone, "left out on the emulator only (capability list)"
    _, primary = stack.at("aws_route53_record", "dns/api-primary")
    _, secondary = stack.at("aws_route53_record", "dns/api-secondary")
    assert primary["name"] == secondary["name"] == "api.pay-unit-ut1234.internal"
    assert primary["failover_routing_policy"] == {"type": "PRIMARY"}
    assert secondary["failover_routing_policy"] == {"type": "SECONDARY"}
    assert "lb_dns_name" in primary["records"][0]
    assert secondary["records"] == [STANDBY]
    primary_check_id, primary_check = stack.at("aws_route53_health_check", "dns/primary-check")
    secondary_check_id, secondary_check = stack.at("aws_route53_health_check", "dns/secondary-check")
    assert primary["health_check_id"] == stack.ref("aws_route53_health_check", primary_check_id, "id")
    assert secondary["health_check_id"] == stack.ref("aws_route53_health_check", secondary_check_id, "id")
    alarm_id, alarm = stack.at("aws_cloudwatch_metric_alarm", "dns/primary-unhealthy")
    assert primary_check["type"] == "CLOUDWATCH_METRIC"
    assert primary_check["cloudwatch_alarm_name"] == stack.ref(
        "aws_cloudwatch_metric_alarm", alarm_id, "alarm_name"
    )
    assert (alarm["metric_name"], alarm["threshold"], alarm["comparison_operator"]) == (
        "HealthyHostCount",
        1,
        "LessThanThreshold",
    )
    assert (secondary_check["type"], secondary_check["fqdn"], secondary_check["resource_path"]) == (
        "HTTPS",
        STANDBY,
        "/health",
    )
    assert zone_id
