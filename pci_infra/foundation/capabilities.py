"""The emulator capability list: every resource type the embedded emulator cannot host, and why.

This is the only place such gaps are recorded. Constructs ask :func:`hosts` before creating a listed
resource type and leave it out of *emulator* deployments only (an AWS target always gets it, and so
does synthesis for AWS). Tests ask :func:`gap_for` to skip the matching live check with the reason,
and the run summary counts those skips by reason.

Measured with Terraform 1.11.4, AWS provider 5.100.0 and moto server 5.2.5; re-check when they move.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pci_infra.app.settings import Target


class Symptom(StrEnum):
    """How the gap shows itself when the resource is applied to the emulator."""

    FAILS_FAST = "the API call fails at once"
    HANGS = "the provider waits 15+ minutes for a state the emulator never reports"
    DESTROY_FAILS = "create works but destroy fails, leaving state that blocks teardown"
    NOT_EXECUTED = "the API answers but does not execute the behaviour"


@dataclass(frozen=True)
class Gap:
    """One thing the emulator cannot do.

    Attributes:
        resource_type: Terraform resource type, or a ``behaviour:`` key for a live behaviour.
        symptom: How it fails.
        reason: What was measured, in one sentence.
    """

    resource_type: str
    symptom: Symptom
    reason: str

    def describe(self) -> str:
        """One line for skip messages and the run summary."""
        return f"emulator gap [{self.resource_type}]: {self.symptom.value}: {self.reason}"


EMULATOR_GAPS: dict[str, Gap] = {
    gap.resource_type: gap
    for gap in (
        Gap(
            "aws_networkfirewall_rule_group",
            Symptom.FAILS_FAST,
            "CreateRuleGroup is not implemented (HTTP 500)",
        ),
        Gap(
            "aws_networkfirewall_firewall_policy",
            Symptom.FAILS_FAST,
            "CreateFirewallPolicy is not implemented (HTTP 500)",
        ),
        Gap("aws_networkfirewall_firewall", Symptom.DESTROY_FAILS, "DeleteFirewall returns HTTP 500"),
        Gap(
            "aws_networkfirewall_logging_configuration",
            Symptom.FAILS_FAST,
            "needs a firewall, which the emulator cannot destroy",
        ),
        Gap("aws_xray_sampling_rule", Symptom.FAILS_FAST, "X-Ray API returns HTTP 404"),
        Gap("aws_xray_encryption_config", Symptom.FAILS_FAST, "X-Ray API returns HTTP 404"),
        Gap("aws_xray_group", Symptom.FAILS_FAST, "X-Ray API returns HTTP 404"),
        Gap(
            "aws_guardduty_publishing_destination",
            Symptom.FAILS_FAST,
            "CreatePublishingDestination returns HTTP 404",
        ),
        Gap(
            "aws_config_remediation_configuration",
            Symptom.FAILS_FAST,
            "PutRemediationConfigurations returns HTTP 500",
        ),
        Gap("aws_cloudwatch_query_definition", Symptom.FAILS_FAST, "PutQueryDefinition returns HTTP 500"),
        Gap("aws_cloudwatch_composite_alarm", Symptom.FAILS_FAST, "PutCompositeAlarm returns HTTP 500"),
        Gap(
            "aws_sqs_queue_redrive_allow_policy",
            Symptom.HANGS,
            "the provider waits ~20 minutes for an attribute never returned; "
            "use redrive_policy on the source",
        ),
        Gap(
            "aws_secretsmanager_secret_rotation",
            Symptom.NOT_EXECUTED,
            "rotation cannot invoke the Lambda (no container runtime), leaving an AWSPENDING version",
        ),
        Gap(
            "behaviour:lambda_invoke",
            Symptom.NOT_EXECUTED,
            "Invoke answers FunctionError without running code (no container runtime); handlers are "
            "tested with node directly",
        ),
        Gap(
            "behaviour:eventbridge_to_sns",
            Symptom.NOT_EXECUTED,
            "PutEvents returns HTTP 500 when a matching rule targets SNS; routes are proven by pattern",
        ),
        Gap(
            "behaviour:s3_policy_conditions",
            Symptom.NOT_EXECUTED,
            "any Deny for Principal * blocks the request whatever its Condition; conditions are proven "
            "by evaluating the synthesized policy in unit tests",
        ),
        Gap(
            "behaviour:rds_automated_snapshot_kept",
            Symptom.NOT_EXECUTED,
            "the automated cluster snapshot (rds:<cluster>-<date>) outlives the deleted cluster; "
            "AWS deletes it with the cluster",
        ),
        Gap(
            "behaviour:alb_cross_zone_attribute",
            Symptom.NOT_EXECUTED,
            "load_balancing.cross_zone.enabled reads false for ALBs; on AWS it is always on for ALBs "
            "and the provider does not send it",
        ),
        Gap(
            "behaviour:test_event_pattern",
            Symptom.NOT_EXECUTED,
            "TestEventPattern answers without a Result; probes match rule patterns with the emulator's own "
            "matcher (the one its PutEvents uses) instead",
        ),
        Gap(
            "behaviour:firehose_processing",
            Symptom.NOT_EXECUTED,
            "PutRecord writes the raw record to the bucket: no transformation Lambda, no GZIP, no backup",
        ),
        Gap(
            "behaviour:route53_private_zone",
            Symptom.NOT_EXECUTED,
            "a zone created with a VPC reads back public (the provider does not send "
            "HostedZoneConfig.PrivateZone), so the next apply tries to re-associate the VPC and fails; "
            "emulator zones are created without the VPC",
        ),
        Gap(
            "behaviour:lambda_dead_letter_config",
            Symptom.NOT_EXECUTED,
            "a function's DeadLetterConfig is accepted but neither stored nor reported",
        ),
        Gap(
            "behaviour:flow_logs_s3_prefix",
            Symptom.FAILS_FAST,
            "an S3 flow-log destination with a key prefix is refused ('<bucket>/<prefix> does not exist'); "
            "emulator flow logs go to the bucket root",
        ),
        Gap(
            "behaviour:cloudtrail_delete_by_arn",
            Symptom.NOT_EXECUTED,
            "DeleteTrail with the trail's ARN (as the provider calls it) answers OK but deletes only by "
            "name, so the trail outlives terraform destroy; AWS deletes it",
        ),
        Gap(
            "behaviour:cloudtrail_describe_filter",
            Symptom.NOT_EXECUTED,
            "DescribeTrails ignores trailNameList, so with two trails the provider's read fails "
            "('wanted 1, got 2'): one PCI environment per emulator (each test worker starts its own)",
        ),
        Gap(
            "behaviour:config_evaluation",
            Symptom.NOT_EXECUTED,
            "Config does not evaluate rules (DescribeComplianceByConfigRule returns HTTP 500)",
        ),
    )
}
"""Resource types (and behaviours) the emulator cannot host, keyed by Terraform type."""


EMULATOR_DRIFTS: dict[str, str] = {
    "aws_lambda_function": "dead_letter_config and logging_config are accepted but not read back",
    "aws_autoscaling_policy": "a target tracking policy reads back disabled, with a predictive block",
    "aws_launch_template": "tag_specifications are not read back, so a new version is planned",
    "aws_route53_health_check": "a CLOUDWATCH_METRIC check reads back with HTTP defaults "
    "(port 80, interval 30), which forces replacement",
    "aws_route53_record": "follows the health check the emulator makes the plan replace",
    "aws_sqs_queue": "redrive_policy JSON reads back with other whitespace",
    "aws_rds_cluster": "a Serverless v2 cluster reads back without its scaling configuration",
    "aws_vpc_security_group_ingress_rule": "description is not read back and a referenced group "
    "id comes back as <account>/<id>",
    "aws_vpc_security_group_egress_rule": "description is not read back and a referenced group "
    "id comes back as <account>/<id>",
}
"""Resource types whose second plan on the emulator shows a change AWS would not, and why
(measured with a second ``terraform plan -detailed-exitcode`` after apply)."""


def drift_for(resource_type: str) -> str | None:
    """Why the emulator makes ``resource_type`` show a change on a second plan, or ``None``."""
    return EMULATOR_DRIFTS.get(resource_type)


def gap_for(key: str) -> Gap | None:
    """The recorded gap for a resource type or behaviour key, or ``None`` if the emulator hosts it."""
    return EMULATOR_GAPS.get(key)


def hosts(target: Target, resource_type: str) -> bool:
    """Whether ``target`` can host ``resource_type``: always true for AWS."""
    return target is Target.AWS or resource_type not in EMULATOR_GAPS
