"""Unit (synthesized configuration): the PCI environment's firewall."""

from __future__ import annotations

from unit_tests.conftest import Synthesized


def test_firewall_allows_only_tls_to_the_aws_endpoints_in_strict_order(synthesized: Synthesized) -> None:
    stack = synthesized.aws_pci
    _, rules = stack.at("aws_networkfirewall_rule_group", "firewall/allowlist")
    assert rules["type"] == "STATEFUL"
    group = rules["rule_group"]
    assert group["stateful_rule_options"] == {"rule_order": "STRICT_ORDER"}
    source = group["rules_source"]["rules_source_list"]
    assert (source["generated_rules_type"], source["target_types"]) == ("ALLOWLIST", ["TLS_SNI"])
    assert "kms.us-east-1.amazonaws.com" in source["targets"]
    assert all(t.endswith(".amazonaws.com") for t in source["targets"])
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
    routes = [
        b
        for b in stack.resources("aws_route").values()
        if "firewall/workload-default" in b["//"]["metadata"]["path"]
    ]
    assert len(routes) == 3
    assert all(
        r["destination_cidr_block"] == "0.0.0.0/0" and "endpoint-by-zone" in r["vpc_endpoint_id"]
        for r in routes
    )


def test_emulator_leaves_out_the_firewall_but_keeps_its_log_groups(synthesized: Synthesized) -> None:
    types = synthesized.emulator_pci.resource_types()
    assert not {t for t in types if t.startswith("aws_networkfirewall")}
    assert len(synthesized.emulator_pci.resources("aws_cloudwatch_log_group")) == len(
        synthesized.aws_pci.resources("aws_cloudwatch_log_group")
    )
