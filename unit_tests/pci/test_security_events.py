"""Unit (synthesized configuration): the PCI environment's security events."""

from __future__ import annotations

import json

import pytest

from unit_tests.synth_json import StackJson


def arn(stack: StackJson, rtype: str, path: str) -> str:
    return stack.ref(rtype, stack.at(rtype, path)[0], "arn")


@pytest.mark.pci_dss("11")
def test_critical_security_events_reach_the_security_topic(pci: StackJson) -> None:
    topic = arn(pci, "aws_sns_topic", "monitoring/topic")
    patterns = {}
    for key in ("guardduty_high", "sg_change", "noncompliant", "root_signin"):
        _, rule = pci.at("aws_cloudwatch_event_rule", f"security-events/{key}-rule")
        _, target = pci.at("aws_cloudwatch_event_target", f"security-events/{key}-target")
        assert target["arn"] == topic
        patterns[key] = json.loads(rule["event_pattern"])
    assert patterns["guardduty_high"]["detail"]["severity"] == [{"numeric": [">=", 7]}]
    assert "AuthorizeSecurityGroupIngress" in patterns["sg_change"]["detail"]["eventName"]
    assert patterns["root_signin"]["detail"]["userIdentity"]["type"] == ["Root"]
    assert len(patterns["noncompliant"]["detail"]["configRuleName"]) == 5
