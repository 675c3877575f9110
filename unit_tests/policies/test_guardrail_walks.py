"""Walks over every security group rule and every taggable resource of both stacks (and the HCL
modules they use): no open ingress, a description on every rule, the three required tags."""

from __future__ import annotations

import re

import pytest

from pci_infra.app.paths import MODULES_DIR
from unit_tests.synth_json import StackJson

MODULES = MODULES_DIR
REQUIRED_TAGS = ("DataClassification", "Environment", "Owner")
RULE_TYPES = (
    "aws_vpc_security_group_ingress_rule",
    "aws_vpc_security_group_egress_rule",
    "aws_security_group_rule",
)
OPEN = ("0.0.0.0/0", "::/0")


@pytest.mark.pci_dss("1")
def test_every_security_group_rule_is_described_and_no_ingress_is_open(any_stack: StackJson) -> None:
    rules = [(rtype, body) for rtype in RULE_TYPES for body in any_stack.resources(rtype).values()]
    assert rules
    for rtype, body in rules:
        assert body.get("description"), (rtype, body["//"]["metadata"]["path"])
        ingress = rtype.endswith("ingress_rule") or body.get("type") == "ingress"
        if ingress:
            assert body.get("cidr_ipv4") not in OPEN and body.get("cidr_ipv6") not in OPEN
            assert not set(body.get("cidr_blocks", [])) & set(OPEN)
    for body in any_stack.resources("aws_security_group").values():
        assert "ingress" not in body, "rules are separate resources, each with a description"


@pytest.mark.pci_dss("1")
def test_module_security_group_rules_are_described_and_no_ingress_is_open() -> None:
    blocks = []
    for tf in MODULES.glob("*/*.tf"):
        text = tf.read_text()
        for match in re.finditer(
            r'resource "(aws_vpc_security_group_(?:ingress|egress)_rule)" "(\w+)" \{', text
        ):
            end = text.find("\n}\n", match.end())
            blocks.append((tf.parent.name, match.group(1), match.group(2), text[match.end() : end]))
    assert len(blocks) >= 5
    for module, rtype, name, body in blocks:
        assert re.search(r"^\s*description\s*=", body, re.M), (module, name)
        if rtype.endswith("ingress_rule"):
            assert "0.0.0.0/0" not in body and "::/0" not in body, (module, name)


def test_every_taggable_resource_carries_the_three_required_tags(any_stack: StackJson) -> None:
    default_tags = any_stack.provider()["default_tags"][0]["tags"]
    for tag in REQUIRED_TAGS:
        assert default_tags.get(tag), f"provider default_tags lack {tag}"
    for rtype, _, body in any_stack.every_resource():
        tags = body.get("tags") or {}
        if isinstance(tags, dict):
            assert not {t for t in REQUIRED_TAGS if t in tags and not tags[t]}, (
                rtype,
                "blanks a required tag",
            )
    for body in any_stack.resources("aws_launch_template").values():
        for spec in body.get("tag_specifications", []):
            assert all(spec["tags"].get(t) for t in REQUIRED_TAGS), (
                "instances and volumes do not get default tags"
            )
