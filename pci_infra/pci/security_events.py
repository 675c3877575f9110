"""EventBridge rules that tell the security team about critical events at once.

GuardDuty findings of severity 7 or more, security group changes, Config non-compliance of the
PCI rules and root console sign-ins go from the default bus to the security topic.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from cdktf_cdktf_provider_aws import cloudwatch_event_rule, cloudwatch_event_target
from constructs import Construct

from pci_infra.policies.event_patterns import high_severity_pattern

SECURITY_GROUP_EVENTS = (
    "AuthorizeSecurityGroupIngress",
    "AuthorizeSecurityGroupEgress",
    "RevokeSecurityGroupIngress",
    "RevokeSecurityGroupEgress",
    "CreateSecurityGroup",
    "DeleteSecurityGroup",
)


def security_patterns(config_rule_names: list[str]) -> dict[str, dict[str, Any]]:
    """Event patterns by rule key."""
    return {
        "guardduty_high": high_severity_pattern(),
        "sg_change": {
            "source": ["aws.ec2"],
            "detail-type": ["AWS API Call via CloudTrail"],
            "detail": {"eventSource": ["ec2.amazonaws.com"], "eventName": list(SECURITY_GROUP_EVENTS)},
        },
        "noncompliant": {
            "source": ["aws.config"],
            "detail-type": ["Config Rules Compliance Change"],
            "detail": {
                "configRuleName": config_rule_names,
                "newEvaluationResult": {"complianceType": ["NON_COMPLIANT"]},
            },
        },
        "root_signin": {
            "source": ["aws.signin"],
            "detail-type": ["AWS Console Sign In via CloudTrail"],
            "detail": {"userIdentity": {"type": ["Root"]}},
        },
    }


@dataclass(frozen=True)
class SecurityEventsProps:
    """Inputs of :class:`SecurityEvents`.

    Attributes:
        rule_names: Rule names by key of :func:`security_patterns`.
        config_rule_names: The PCI Config rules whose non-compliance is reported.
        topic_arn: Security topic.
    """

    rule_names: dict[str, str]
    config_rule_names: list[str]
    topic_arn: str


class SecurityEvents(Construct):
    """The four rules, each targeting the security topic.

    Attributes:
        rule_names: Rule names by key.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: SecurityEventsProps) -> None:
        """Create rules and targets."""
        super().__init__(scope, construct_id)
        self.rule_names: dict[str, str] = {}
        for key, pattern in security_patterns(props.config_rule_names).items():
            rule = cloudwatch_event_rule.CloudwatchEventRule(
                self,
                f"{key}-rule",
                name=props.rule_names[key],
                description=f"Security event for the security team: {key.replace('_', ' ')}",
                event_pattern=json.dumps(pattern),
            )
            cloudwatch_event_target.CloudwatchEventTarget(
                self, f"{key}-target", rule=rule.name, arn=props.topic_arn
            )
            self.rule_names[key] = rule.name
