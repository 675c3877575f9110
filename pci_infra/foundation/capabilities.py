"""The emulator capability list: every resource type the embedded emulator cannot host, and why.

This is the only place such gaps are recorded. Constructs ask :func:`hosts` before creating a listed
resource type and leave it out of *emulator* deployments only (an AWS target always gets it, and so
does synthesis for AWS). Tests ask :func:`gap_for` to skip the matching live check with the reason,
and the run summary counts those skips by reason. The second part, :data:`EMULATOR_DRIFTS`, lists the
changes a second plan on the emulator shows that AWS would not, each with the attributes it touches;
the idempotency check tolerates exactly those.

Measured with Terraform 1.11.4, AWS provider 5.100.0 and moto server 5.2.5; re-check when they move.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from pci_infra.app.settings import Target
from pci_infra.app.stack_kind import StackKind


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
        Gap(
            "aws_guardduty_publishing_destination",
            Symptom.FAILS_FAST,
            "CreatePublishingDestination returns HTTP 404",
        ),
        Gap("aws_cloudwatch_query_definition", Symptom.FAILS_FAST, "PutQueryDefinition returns HTTP 500"),
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
            "behaviour:route53_health_check_readback",
            Symptom.NOT_EXECUTED,
            "a CLOUDWATCH_METRIC health check reads back request_interval 30, port 80 and no "
            "insufficient_data_health_status, so every second plan replaces it (request_interval "
            "forces a new check); emulator deployments ignore changes to those three attributes",
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
            "behaviour:logs_filter_pattern_evaluation",
            Symptom.NOT_EXECUTED,
            "metric filters are stored but never applied: moto answers TestMetricFilter with HTTP 500 "
            "(not implemented), its FilterLogEvents returns every event for a { ... } JSON pattern and no "
            "metric is emitted; MiniStack 1.5.33 refuses TestMetricFilter (400 InvalidOperationException) "
            "and treats any { ... } pattern as match-all; the deployed CIS patterns are judged with "
            "harness/metric_filter_evaluation.py instead, as unit_tests/pci/test_cis_metric_filters.py "
            "judges the synthesized ones",
        ),
        Gap(
            "behaviour:cloudtrail_insight_selectors",
            Symptom.FAILS_FAST,
            "on the emulator pair (INFRA_EMULATORS=pair) the trail is on MiniStack 1.5.33, which creates "
            "it but answers PutInsightSelectors with 400 InvalidParameterException (an action its "
            "CloudTrail lacks), so the apply stops at the trail; the pair's override applies it without "
            "insight selectors (moto alone keeps them)",
        ),
    )
}
"""Resource types (and behaviours) the emulator cannot host, keyed by Terraform type."""


@dataclass(frozen=True)
class Drift:
    """A change a second plan on the emulator shows and AWS would not: tolerated on the emulator only.

    A planned change of ``resource_type`` in one of ``stacks`` is tolerated only if its action is
    exactly ``update`` (never a replace, delete or create) and every attribute that differs between the
    plan's ``before`` and ``after`` (known only after apply counts as differing) lies under one of
    ``paths``. An entry, or a path of it, that explains no change of a stack's second plan is stale.

    Attributes:
        resource_type: Terraform resource type.
        paths: Attribute paths that may differ: an attribute (``logging_config``) covers everything
            under it, a nested path (``predictive_scaling_configuration[0]``) only that part.
        stacks: The stacks whose second plan shows it (by stack name).
        reason: What the emulator does, as measured, in one sentence.
        action: The only planned action tolerated.
    """

    resource_type: str
    paths: tuple[str, ...]
    stacks: tuple[StackKind, ...]
    reason: str
    action: Literal["update"] = "update"

    def label(self) -> str:
        """How reports name this entry: ``aws_sqs_queue [redrive_policy]``."""
        return f"{self.resource_type} [{', '.join(self.paths)}]"


_PAYMENT = (StackKind.PAYMENT_PLATFORM,)
_BOTH_STACKS = (StackKind.PAYMENT_PLATFORM, StackKind.PCI_DATA_PROCESSING)

EMULATOR_DRIFTS: tuple[Drift, ...] = (
    Drift(
        "aws_lambda_function",
        ("dead_letter_config", "logging_config"),
        _BOTH_STACKS,
        "dead_letter_config and logging_config are accepted but read back empty",
    ),
    Drift(
        "aws_autoscaling_policy",
        ("enabled", "predictive_scaling_configuration[0]"),
        _PAYMENT,
        "a target tracking policy reads back disabled, with an empty predictive_scaling_configuration block",
    ),
    Drift(
        "aws_launch_template",
        ("tag_specifications[2]", "latest_version", "default_version"),
        _PAYMENT,
        "the template's own tags read back as a third tag_specifications entry (resource_type "
        "launch-template), so a new version is planned (latest and default version known after apply)",
    ),
    Drift(
        "aws_sqs_queue",
        ("redrive_policy",),
        _PAYMENT,
        "redrive_policy JSON reads back with other whitespace",
    ),
    Drift(
        "aws_rds_cluster",
        ("scaling_configuration[0]",),
        _PAYMENT,
        "a provisioned (Serverless v2) cluster reads back an empty Serverless v1 scaling_configuration "
        "block, which the plan fills with the block's defaults",
    ),
    Drift(
        "aws_vpc_security_group_ingress_rule",
        ("description", "referenced_security_group_id"),
        _PAYMENT,
        "description is not read back and a referenced group id comes back as <account>/<id>",
    ),
    Drift(
        "aws_vpc_security_group_egress_rule",
        ("description", "referenced_security_group_id"),
        _PAYMENT,
        "description is not read back and a referenced group id comes back as <account>/<id>",
    ),
)
"""Changes a second ``terraform plan`` after apply shows on the emulator and AWS would not, and why
(measured from the plan JSON of that second plan, ``before`` against ``after``). A replace is never
listed: it is fixed in the construct instead."""


def drifts_for(stack: str) -> tuple[Drift, ...]:
    """The emulator drifts a second plan of ``stack`` may show."""
    return tuple(drift for drift in EMULATOR_DRIFTS if stack in drift.stacks)


def gap_for(key: str) -> Gap | None:
    """The recorded gap for a resource type or behaviour key, or ``None`` if the emulator hosts it."""
    return EMULATOR_GAPS.get(key)


def hosts(target: Target, resource_type: str) -> bool:
    """Whether ``target`` can host ``resource_type``: always true for AWS."""
    return target is Target.AWS or resource_type not in EMULATOR_GAPS
