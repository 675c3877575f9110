"""Unit (synthesized configuration): the payment platform's batch."""

from __future__ import annotations

import base64
import json

import pytest

from unit_tests.synth_json import StackJson


@pytest.mark.pci_dss("3")
def test_batch_template_sets_imdsv2_instance_role_detailed_monitoring_and_cmk_volumes(
    stack: StackJson,
) -> None:
    key_id, _ = stack.at("aws_kms_key", "keys/data/key")
    _, template = stack.at("aws_launch_template", "batch/template")
    assert template["metadata_options"] == {
        "http_endpoint": "enabled",
        "http_tokens": "required",
        "http_put_response_hop_limit": 1,
    }
    profile_id, _ = stack.at("aws_iam_instance_profile", "batch/profile")
    assert template["iam_instance_profile"] == {
        "arn": stack.ref("aws_iam_instance_profile", profile_id, "arn")
    }
    assert template["monitoring"] == {"enabled": True}
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
