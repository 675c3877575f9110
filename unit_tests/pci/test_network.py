"""Unit (synthesized configuration): the PCI environment's network."""

from __future__ import annotations

import pytest

from unit_tests.synth_json import StackJson


def arn(stack: StackJson, rtype: str, path: str) -> str:
    return stack.ref(rtype, stack.at(rtype, path)[0], "arn")


@pytest.mark.pci_dss("7")
def test_network_is_private_only_with_three_tiers_and_endpoints(pci: StackJson) -> None:
    _, vpc = pci.module_at("network/vpc/module")
    assert vpc["create_public_subnets"] is False and vpc["nat_gateway_mode"] == "none"
    assert set(vpc["extra_subnet_tiers"]) == {"firewall", "endpoints"}
    assert vpc["interface_endpoints"] == ["s3", "kms", "secretsmanager", "logs", "sts", "ssm"]
    assert vpc["interface_endpoint_tier"] == "endpoints"
    assert vpc["flow_logs"]["s3_bucket_arn"] == arn(pci, "aws_s3_bucket", "data/flow-logs/bucket")
    assert vpc["flow_logs"]["enable_s3"] is True
    assert "enable_cloudwatch" not in vpc["flow_logs"]


@pytest.mark.pci_dss("7")
def test_s3_is_reached_through_its_interface_endpoint_only_never_a_gateway_endpoint(pci: StackJson) -> None:
    # A gateway endpoint's prefix-list route would take S3 traffic past (or, behind it, around) the
    # firewall; the S3 interface endpoint sits behind the same inspection routes as the other APIs.
    _, vpc = pci.module_at("network/vpc/module")
    assert vpc["gateway_endpoints"] == []
    assert "aws_vpc_endpoint" not in pci.resource_types()
