"""Unit (synthesized configuration): the PCI environment's firewall and the routes through it."""

from __future__ import annotations

import pytest

from unit_tests.conftest import Synthesized
from unit_tests.synth_json import StackJson


def logs_key_arn(stack: StackJson) -> str:
    return stack.ref("aws_kms_key", stack.at("aws_kms_key", "keys/logs/key")[0], "arn")


@pytest.mark.pci_dss("1", "4", "7")
def test_firewall_allows_only_tls_to_the_aws_endpoints_in_strict_order(synthesized: Synthesized) -> None:
    stack = synthesized.aws_pci
    _, rules = stack.at("aws_networkfirewall_rule_group", "firewall/allowlist")
    assert rules["type"] == "STATEFUL"
    group = rules["rule_group"]
    assert group["stateful_rule_options"] == {"rule_order": "STRICT_ORDER"}
    source = group["rules_source"]["rules_source_list"]
    assert (source["generated_rules_type"], source["target_types"]) == ("ALLOWLIST", ["TLS_SNI"])
    assert source["targets"] == [
        "s3.us-east-1.amazonaws.com",
        "kms.us-east-1.amazonaws.com",
        "secretsmanager.us-east-1.amazonaws.com",
        "logs.us-east-1.amazonaws.com",
        "sts.us-east-1.amazonaws.com",
        "ssm.us-east-1.amazonaws.com",
        ".s3.us-east-1.amazonaws.com",
    ]
    _, policy = stack.at("aws_networkfirewall_firewall_policy", "firewall/policy")
    body = policy["firewall_policy"]
    assert body["stateful_default_actions"] == ["aws:drop_established", "aws:alert_established"]
    assert body["stateless_default_actions"] == ["aws:forward_to_sfe"]
    assert body["stateful_engine_options"] == {"rule_order": "STRICT_ORDER"}
    _, firewall = stack.at("aws_networkfirewall_firewall", "firewall/firewall")
    assert len(firewall["subnet_mapping"]) == 3
    _, logging = stack.at("aws_networkfirewall_logging_configuration", "firewall/logging")
    kinds = {c["log_type"] for c in logging["logging_configuration"]["log_destination_config"]}
    assert kinds == {"ALERT", "FLOW"}


@pytest.mark.pci_dss("1", "3")
def test_rule_group_policy_and_firewall_are_encrypted_with_the_customer_managed_key(
    synthesized: Synthesized,
) -> None:
    # CKV_AWS_345 / CKV_AWS_346 / CKV_AWS_344's neighbour: no AWS-owned key on any of the three
    stack = synthesized.aws_pci
    expected = {"type": "CUSTOMER_KMS", "key_id": logs_key_arn(stack)}
    for rtype, path in (
        ("aws_networkfirewall_rule_group", "firewall/allowlist"),
        ("aws_networkfirewall_firewall_policy", "firewall/policy"),
        ("aws_networkfirewall_firewall", "firewall/firewall"),
    ):
        assert stack.at(rtype, path)[1]["encryption_configuration"] == expected, rtype


@pytest.mark.pci_dss("1")
def test_firewall_protection_follows_the_environments_deletion_protection(synthesized: Synthesized) -> None:
    # The unit settings keep the default (false: ephemeral environments must be destroyable);
    # --deletion-protection true turns all three on.
    _, firewall = synthesized.aws_pci.at("aws_networkfirewall_firewall", "firewall/firewall")
    assert (
        firewall["delete_protection"],
        firewall["firewall_policy_change_protection"],
        firewall["subnet_change_protection"],
    ) == (False, False, False)


@pytest.mark.pci_dss("1")
def test_workload_traffic_to_anything_outside_its_tier_crosses_its_zones_firewall_both_ways(
    synthesized: Synthesized,
) -> None:
    stack = synthesized.aws_pci
    module, _ = stack.module_at("network/vpc/module")
    (local,) = [name for name in stack.doc["locals"] if name.startswith("firewall_endpoint-by-zone")]
    routes = {
        body["//"]["metadata"]["path"].removeprefix("pci-data-processing/firewall/"): body
        for body in stack.resources("aws_route").values()
    }
    assert len(routes) == 21

    def via(zone: int) -> str:
        return f"${{local.{local}[element(module.{module}.availability_zones, {zone})]}}"

    assert routes["workload-default-2"] == {
        "//": routes["workload-default-2"]["//"],
        "route_table_id": f"${{element(module.{module}.private_route_table_ids, 2)}}",
        "destination_cidr_block": "0.0.0.0/0",
        "vpc_endpoint_id": via(2),
    }
    # outbound: workload table of zone 0, endpoint subnet of zone 1, firewall endpoint of zone 0
    assert routes["workload-0-to-endpoints-1"]["route_table_id"] == (
        f"${{element(module.{module}.private_route_table_ids, 0)}}"
    )
    assert routes["workload-0-to-endpoints-1"]["destination_cidr_block"] == (
        f"${{element(module.{module}.extra_subnet_cidrs.endpoints, 1)}}"
    )
    assert routes["workload-0-to-endpoints-1"]["vpc_endpoint_id"] == via(0)
    # return: endpoint table of zone 2, workload subnet of zone 1, firewall endpoint of zone 1
    assert routes["endpoints-2-to-workload-1"]["route_table_id"] == (
        f"${{element(module.{module}.extra_route_table_ids.endpoints, 2)}}"
    )
    assert routes["endpoints-2-to-workload-1"]["destination_cidr_block"] == (
        f"${{element(module.{module}.private_subnet_cidrs, 1)}}"
    )
    assert routes["endpoints-2-to-workload-1"]["vpc_endpoint_id"] == via(1)
    assert sorted(routes) == sorted(
        [f"workload-default-{i}" for i in range(3)]
        + [f"workload-{i}-to-endpoints-{j}" for i in range(3) for j in range(3)]
        + [f"endpoints-{j}-to-workload-{i}" for i in range(3) for j in range(3)]
    )
    assert not any("firewall_route_table" in body["route_table_id"] for body in routes.values())
    assert not any("extra_route_table_ids.firewall" in body["route_table_id"] for body in routes.values())


@pytest.mark.pci_dss("1", "10")
def test_emulator_leaves_out_the_firewall_and_its_routes_but_keeps_its_log_groups(
    synthesized: Synthesized,
) -> None:
    types = synthesized.emulator_pci.resource_types()
    assert not {t for t in types if t.startswith("aws_networkfirewall")}
    assert "aws_route" not in types
    assert len(synthesized.emulator_pci.resources("aws_cloudwatch_log_group")) == len(
        synthesized.aws_pci.resources("aws_cloudwatch_log_group")
    )
