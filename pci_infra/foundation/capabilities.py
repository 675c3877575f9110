"""The emulator capability list: what the local emulators cannot host or do, on which emulator, and why.

This is the only place such gaps are recorded. Every gap names the service that shows it (its provider
endpoint key) and the emulators it was measured on; with the emulator pair (``INFRA_EMULATORS``,
:mod:`pci_infra.foundation.service_routing`) a gap holds only where the emulator hosting that service
is one of them, so what MiniStack hosts or executes is deployed and checked live there. Constructs ask
:func:`hosts` (with the stack's target and emulators) before creating a listed resource type, or
shaping a resource around a listed behaviour, and leave it out of *emulator* deployments where the gap
holds (an AWS target always gets it, and so does synthesis for AWS). Tests ask :func:`gap_for` to
skip the matching live check with the reason, and the run summary counts those skips by reason. The
second part, :data:`EMULATOR_DRIFTS`, lists the changes a second plan on an emulator shows that AWS
would not, each with the attributes it touches and the emulator showing it; the idempotency check
tolerates exactly those.

Measured with Terraform 1.11.4, AWS provider 5.100.0, moto server 5.2.5 and MiniStack 1.5.33;
re-check when they move.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from pci_infra.app.settings import Target
from pci_infra.app.stack_kind import StackKind
from pci_infra.foundation.service_routing import MOTO_ALONE, Emulator, EmulatorSet, emulators_wanted, host_of

MOTO = (Emulator.MOTO,)
MINISTACK = (Emulator.MINISTACK,)
BOTH = (Emulator.MOTO, Emulator.MINISTACK)


class Symptom(StrEnum):
    """How the gap shows itself when the resource is applied to the emulator."""

    FAILS_FAST = "the API call fails at once"
    HANGS = "the provider waits 15+ minutes for a state the emulator never reports"
    DESTROY_FAILS = "create works but destroy fails, leaving state that blocks teardown"
    NOT_EXECUTED = "the API answers but does not execute the behaviour"


@dataclass(frozen=True)
class Gap:
    """One thing an emulator cannot do.

    Attributes:
        resource_type: Terraform resource type, or a ``behaviour:`` key for a live behaviour.
        symptom: How it fails.
        reason: What was measured, in one sentence.
        service: The provider endpoint key of the service showing it.
        on: The emulators it was measured on; it holds where that service is hosted on one of them.
    """

    resource_type: str
    symptom: Symptom
    reason: str
    service: str
    on: tuple[Emulator, ...] = MOTO

    def describe(self) -> str:
        """One line for skip messages and the run summary."""
        where = (
            "/".join(self.on) if self.is_behaviour else f"left out of emulator synthesis, {'/'.join(self.on)}"
        )
        return f"emulator gap [{self.resource_type}] ({where}): {self.symptom.value}: {self.reason}"

    @property
    def is_behaviour(self) -> bool:
        """A live behaviour, not a resource type left out of emulator synthesis."""
        return self.resource_type.startswith("behaviour:")

    def holds(self, emulators: EmulatorSet) -> bool:
        """Whether the gap holds when ``emulators`` run: the emulator hosting its service shows it."""
        return host_of(self.service, emulators) in self.on


EMULATOR_GAPS: dict[str, Gap] = {
    gap.resource_type: gap
    for gap in (
        Gap(
            "aws_networkfirewall_rule_group",
            Symptom.FAILS_FAST,
            "moto: CreateRuleGroup is not implemented (HTTP 500); MiniStack 1.5.33 has no Network "
            "Firewall API",
            service="networkfirewall",
            on=BOTH,
        ),
        Gap(
            "aws_networkfirewall_firewall_policy",
            Symptom.FAILS_FAST,
            "moto: CreateFirewallPolicy is not implemented (HTTP 500); MiniStack 1.5.33 has no Network "
            "Firewall API",
            service="networkfirewall",
            on=BOTH,
        ),
        Gap(
            "aws_networkfirewall_firewall",
            Symptom.DESTROY_FAILS,
            "moto: DeleteFirewall returns HTTP 500; MiniStack 1.5.33 has no Network Firewall API",
            service="networkfirewall",
            on=BOTH,
        ),
        Gap(
            "aws_networkfirewall_logging_configuration",
            Symptom.FAILS_FAST,
            "needs a firewall, which moto cannot destroy and MiniStack 1.5.33 cannot create",
            service="networkfirewall",
            on=BOTH,
        ),
        Gap(
            "aws_xray_sampling_rule",
            Symptom.FAILS_FAST,
            "moto's X-Ray API returns HTTP 404; MiniStack 1.5.33 has no X-Ray API",
            service="xray",
            on=BOTH,
        ),
        Gap(
            "aws_xray_encryption_config",
            Symptom.FAILS_FAST,
            "moto's X-Ray API returns HTTP 404; MiniStack 1.5.33 has no X-Ray API",
            service="xray",
            on=BOTH,
        ),
        Gap(
            "aws_guardduty_publishing_destination",
            Symptom.FAILS_FAST,
            "moto: CreatePublishingDestination returns HTTP 404; MiniStack 1.5.33 has no GuardDuty API",
            service="guardduty",
            on=BOTH,
        ),
        Gap(
            "aws_cloudwatch_query_definition",
            Symptom.FAILS_FAST,
            "moto: PutQueryDefinition returns HTTP 500; MiniStack 1.5.33 answers it 400 "
            "InvalidOperationException (no such action)",
            service="logs",
            on=BOTH,
        ),
        Gap(
            "aws_sqs_queue_redrive_allow_policy",
            Symptom.HANGS,
            "moto: the provider waits ~20 minutes for an attribute never returned; "
            "use redrive_policy on the source (MiniStack 1.5.33 applies it and reads it back whole)",
            service="sqs",
            on=MOTO,
        ),
        Gap(
            "aws_secretsmanager_secret_rotation",
            Symptom.NOT_EXECUTED,
            "moto: rotation cannot invoke the Lambda (no container runtime), leaving an AWSPENDING version "
            "(MiniStack 1.5.33 creates the schedule and reads it back; its RotateSecret copies the current "
            "value to a new current version and never calls the function, which the journeys call instead)",
            service="secretsmanager",
            on=MOTO,
        ),
        Gap(
            "behaviour:cancel_rotate_secret",
            Symptom.DESTROY_FAILS,
            "MiniStack 1.5.33 answers CancelRotateSecret, which the provider calls to delete a rotation "
            "schedule, 400 InvalidRequestException (no such action); the teardown forgets the schedules "
            "(terraform state rm) before destroy, and deleting each secret removes its schedule with it",
            service="secretsmanager",
            on=MINISTACK,
        ),
        Gap(
            "behaviour:lambda_invoke",
            Symptom.NOT_EXECUTED,
            "Invoke answers FunctionError without running code (no container runtime); handlers are "
            "tested with node directly",
            service="lambda",
            on=MOTO,
        ),
        Gap(
            "behaviour:s3_policy_conditions",
            Symptom.NOT_EXECUTED,
            "moto: any Deny for Principal * blocks the request whatever its Condition; conditions are "
            "proven by evaluating the deployed and the synthesized policy (MiniStack 1.5.33 evaluates them "
            "for any caller but the account root, so there a probe role uploads: harness/probe_role.py)",
            service="s3",
            on=MOTO,
        ),
        Gap(
            "behaviour:rds_automated_snapshot_kept",
            Symptom.NOT_EXECUTED,
            "the automated cluster snapshot (rds:<cluster>-<date>) outlives the deleted cluster; "
            "AWS deletes it with the cluster",
            service="rds",
            on=MOTO,
        ),
        Gap(
            "behaviour:test_event_pattern",
            Symptom.NOT_EXECUTED,
            "TestEventPattern answers without a Result; probes match rule patterns with the emulator's own "
            "matcher (the one its PutEvents uses) instead",
            service="events",
            on=MOTO,
        ),
        Gap(
            "behaviour:firehose_processing",
            Symptom.NOT_EXECUTED,
            "PutRecord writes the raw record to the bucket: no transformation Lambda, no GZIP, no backup",
            service="firehose",
            on=MOTO,
        ),
        Gap(
            "behaviour:route53_private_zone",
            Symptom.NOT_EXECUTED,
            "a zone created with a VPC reads back public (the provider does not send "
            "HostedZoneConfig.PrivateZone), so the next apply tries to re-associate the VPC and fails; "
            "emulator zones are created without the VPC",
            service="route53",
            on=MOTO,
        ),
        Gap(
            "behaviour:route53_get_dnssec",
            Symptom.DESTROY_FAILS,
            "MiniStack 1.5.33 answers GetDNSSEC, which the provider calls before deleting a hosted zone, "
            "400 InvalidInput (no such endpoint), so destroy stops at the zone; the teardown forgets the "
            "zone (terraform state rm) before destroy, which deletes its records and health checks, then "
            "deletes the zone of the run itself (harness/sweep.py clear_emulator_gaps)",
            service="route53",
            on=MINISTACK,
        ),
        Gap(
            "behaviour:route53_health_check_readback",
            Symptom.NOT_EXECUTED,
            "a CLOUDWATCH_METRIC health check reads back request_interval 30, port 80 and no "
            "insufficient_data_health_status, so every second plan replaces it (request_interval "
            "forces a new check); emulator deployments ignore changes to those three attributes",
            service="route53",
            on=MOTO,
        ),
        Gap(
            "behaviour:lambda_dead_letter_config",
            Symptom.NOT_EXECUTED,
            "a function's DeadLetterConfig is accepted but neither stored nor reported",
            service="lambda",
            on=MOTO,
        ),
        Gap(
            "behaviour:flow_logs_s3_prefix",
            Symptom.FAILS_FAST,
            "moto: an S3 flow-log destination with a key prefix is refused ('<bucket>/<prefix> does not "
            "exist'), so moto's flow logs go to the bucket root (MiniStack 1.5.33 takes the prefix)",
            service="ec2",
            on=MOTO,
        ),
        Gap(
            "behaviour:cloudtrail_delete_by_arn",
            Symptom.NOT_EXECUTED,
            "DeleteTrail with the trail's ARN (as the provider calls it) answers OK but deletes only by "
            "name, so the trail outlives terraform destroy; AWS deletes it",
            service="cloudtrail",
            on=MOTO,
        ),
        Gap(
            "behaviour:cloudtrail_describe_filter",
            Symptom.NOT_EXECUTED,
            "DescribeTrails ignores trailNameList, so with two trails the provider's read fails "
            "('wanted 1, got 2'): one PCI environment per emulator (each test worker starts its own)",
            service="cloudtrail",
            on=MOTO,
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
            service="logs",
            on=BOTH,
        ),
        Gap(
            "behaviour:cloudtrail_insight_selectors",
            Symptom.FAILS_FAST,
            "on the emulator pair (INFRA_EMULATORS=pair) the trail is on MiniStack 1.5.33, which creates "
            "it but answers PutInsightSelectors with 400 InvalidParameterException (an action its "
            "CloudTrail lacks), so the apply stops at the trail; the pair's override applies it without "
            "insight selectors (moto alone keeps them)",
            service="cloudtrail",
            on=MINISTACK,
        ),
        Gap(
            "behaviour:database_network",
            Symptom.NOT_EXECUTED,
            "the cluster and proxy endpoints RDS returns are names no DNS resolves and no process serves "
            "(moto runs no database, MiniStack would need Docker); on the pair the harness serves "
            "PostgreSQL 15 behind the proxy name with a test CA the functions trust, IAM tokens not checked "
            "(harness/ledger_database.py)",
            service="rds",
            on=BOTH,
        ),
        Gap(
            "behaviour:iam_flow_log_resources",
            Symptom.NOT_EXECUTED,
            "MiniStack 1.5.33 authorizes ec2:CreateFlowLogs against resource * (it reads no ResourceId.N "
            "parameter), so a grant scoped to vpc/* and vpc-flow-log/* as AWS documents is refused "
            "('no identity-based policy allows'); the remediation code is run with the deployed settings "
            "instead",
            service="ec2",
            on=MINISTACK,
        ),
        Gap(
            "behaviour:flow_log_readback",
            Symptom.NOT_EXECUTED,
            "MiniStack 1.5.33 reads a CloudWatch Logs flow log back with the log group name as "
            "LogDestination, no LogGroupName and no DeliverLogsPermissionArn (the aws_flow_log drift "
            "entries show the same read-back)",
            service="ec2",
            on=MINISTACK,
        ),
        Gap(
            "behaviour:s3_kms_key_condition",
            Symptom.NOT_EXECUTED,
            "MiniStack 1.5.33 never puts s3:x-amz-server-side-encryption-aws-kms-key-id in a request's "
            "context (core/iam_actions.py _s3_object_context), so the card buckets' "
            "DenyUploadsWithAnotherKey refuses every role's upload, the data key's too; a journey whose "
            "function writes to a card bucket lifts that one statement for its duration and puts the "
            "policy back",
            service="s3",
            on=MINISTACK,
        ),
        Gap(
            "behaviour:secure_transport",
            Symptom.NOT_EXECUTED,
            "MiniStack's gateway answers plain HTTP here (USE_SSL would bind port 443) and judges "
            "aws:SecureTransport from the scheme or X-Forwarded-Proto, so every DenyInsecureTransport "
            "statement refuses the functions' calls; the function workers' preload marks their calls "
            "to the gateway X-Forwarded-Proto: https (unsigned, so the signature is unchanged)",
            service="s3",
            on=MINISTACK,
        ),
        Gap(
            "behaviour:service_events",
            Symptom.NOT_EXECUTED,
            "neither emulator emits the CloudTrail, sign-in, GuardDuty or Config events the security "
            "rules are for, and PutEvents answers an aws.* source with NotAuthorizedForSourceException "
            "for every caller (as AWS does); "
            "MiniStack 1.5.33 checks only a string Source, so the journeys put the source as a "
            "one-element list, which its matcher accepts (harness/journeys.py put_service_event)",
            service="events",
            on=BOTH,
        ),
        Gap(
            "behaviour:firehose_gzip",
            Symptom.NOT_EXECUTED,
            "the S3 destination says GZIP, but moto writes the raw record and MiniStack 1.5.33 writes the "
            "transformed records uncompressed",
            service="firehose",
            on=BOTH,
        ),
        Gap(
            "behaviour:vpc_interface_endpoint_network",
            Symptom.NOT_EXECUTED,
            "MiniStack 1.5.33 creates an interface endpoint with no network interfaces (DescribeVpcEndpoints "
            "returns no NetworkInterfaceIds), so no path to it can be traced from describe_* answers; "
            "paths to the endpoints are traced on moto alone and in the synthesized configuration",
            service="ec2",
            on=MINISTACK,
        ),
        Gap(
            "behaviour:security_group_rule_descriptions",
            Symptom.NOT_EXECUTED,
            "MiniStack 1.5.33 answers DescribeSecurityGroupRules without the rules' Description",
            service="ec2",
            on=MINISTACK,
        ),
        Gap(
            "behaviour:security_group_default_egress",
            Symptom.NOT_EXECUTED,
            "the provider revokes a new group's allow-all egress rule naming FromPort/ToPort 0, which "
            "MiniStack 1.5.33's stored default rule lacks, so RevokeSecurityGroupEgress answers true, "
            "revokes nothing and the rule stays (AWS removes it)",
            service="ec2",
            on=MINISTACK,
        ),
        Gap(
            "behaviour:launch_template_volume_key",
            Symptom.NOT_EXECUTED,
            "MiniStack 1.5.33 reads a launch template's EBS mapping back without its KmsKeyId",
            service="ec2",
            on=MINISTACK,
        ),
    )
}
"""Resource types (and behaviours) the emulator cannot host, keyed by Terraform type."""


@dataclass(frozen=True)
class Drift:
    """A change a second plan on the emulator shows and AWS would not: tolerated on the emulator only.

    A planned change of ``resource_type`` in one of ``stacks`` is tolerated only if its action is
    exactly ``action`` (``update``; ``replace`` only where listed, then forced by listed attributes
    only; never a delete or create) and every attribute that differs between the plan's ``before``
    and ``after`` (known only after apply counts as differing) lies under one of ``paths``. An entry,
    or a path of it, that explains no change of a stack's second plan is stale.

    Attributes:
        resource_type: Terraform resource type.
        paths: Attribute paths that may differ: an attribute (``logging_config``) covers everything
            under it, a nested path (``predictive_scaling_configuration[0]``) only that part.
        stacks: The stacks whose second plan shows it (by stack name).
        reason: What the emulator does, as measured, in one sentence.
        service: The provider endpoint key of the resource's service (where it is hosted decides).
        on: The emulators showing it.
        action: The only planned action tolerated.
    """

    resource_type: str
    paths: tuple[str, ...]
    stacks: tuple[StackKind, ...]
    reason: str
    service: str
    on: tuple[Emulator, ...] = MOTO
    action: Literal["update", "replace"] = "update"

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
        service="lambda",
    ),
    Drift(
        "aws_autoscaling_policy",
        ("enabled", "predictive_scaling_configuration[0]"),
        _PAYMENT,
        "a target tracking policy reads back disabled, with an empty predictive_scaling_configuration block",
        service="autoscaling",
    ),
    Drift(
        "aws_launch_template",
        ("tag_specifications[2]", "latest_version", "default_version"),
        _PAYMENT,
        "the template's own tags read back as a third tag_specifications entry (resource_type "
        "launch-template), so a new version is planned (latest and default version known after apply)",
        service="ec2",
    ),
    Drift(
        "aws_sqs_queue",
        ("redrive_policy",),
        _PAYMENT,
        "redrive_policy JSON reads back with other whitespace",
        service="sqs",
        on=BOTH,
    ),
    Drift(
        "aws_rds_cluster",
        ("scaling_configuration[0]",),
        _PAYMENT,
        "a provisioned (Serverless v2) cluster reads back an empty Serverless v1 scaling_configuration "
        "block, which the plan fills with the block's defaults",
        service="rds",
    ),
    Drift(
        "aws_vpc_security_group_ingress_rule",
        ("description", "referenced_security_group_id"),
        _PAYMENT,
        "description is not read back and a referenced group id comes back as <account>/<id>",
        service="ec2",
    ),
    Drift(
        "aws_vpc_security_group_egress_rule",
        ("description", "referenced_security_group_id"),
        _PAYMENT,
        "description is not read back and a referenced group id comes back as <account>/<id>",
        service="ec2",
    ),
    Drift(
        "aws_vpc_security_group_ingress_rule",
        ("referenced_security_group_id",),
        _PAYMENT,
        "MiniStack 1.5.33 reads a referenced group id back as <account>/<id>",
        service="ec2",
        on=MINISTACK,
    ),
    Drift(
        "aws_vpc_security_group_egress_rule",
        ("referenced_security_group_id",),
        _PAYMENT,
        "MiniStack 1.5.33 reads a referenced group id back as <account>/<id>",
        service="ec2",
        on=MINISTACK,
    ),
    Drift(
        "aws_kinesis_firehose_delivery_stream",
        ("extended_s3_configuration[0].custom_time_zone",),
        _PAYMENT,
        "MiniStack 1.5.33 reads the S3 destination back without its custom_time_zone",
        service="firehose",
        on=MINISTACK,
    ),
    Drift(
        "aws_launch_template",
        ("block_device_mappings[0].ebs[0].kms_key_id", "latest_version", "default_version"),
        _PAYMENT,
        "MiniStack 1.5.33 reads the EBS mapping back without its kms_key_id, so a new version is planned "
        "(latest and default version known after apply)",
        service="ec2",
        on=MINISTACK,
    ),
    Drift(
        "aws_rds_cluster",
        ("enabled_cloudwatch_logs_exports[0]",),
        _PAYMENT,
        "MiniStack 1.5.33 reads the cluster back without its exported log type (postgresql)",
        service="rds",
        on=MINISTACK,
    ),
    Drift(
        "aws_flow_log",
        ("iam_role_arn", "max_aggregation_interval"),
        _PAYMENT,
        "MiniStack 1.5.33 reads a CloudWatch Logs flow log back without its delivery role and with another "
        "max_aggregation_interval than the 60 s set; both force a new flow log",
        service="ec2",
        on=MINISTACK,
        action="replace",
    ),
    Drift(
        "aws_flow_log",
        ("max_aggregation_interval",),
        (StackKind.PCI_DATA_PROCESSING,),
        "MiniStack 1.5.33 reads an S3 flow log back with another max_aggregation_interval than the 60 s "
        "set, which forces a new flow log",
        service="ec2",
        on=MINISTACK,
        action="replace",
    ),
    Drift(
        "aws_cloudtrail",
        ("cloud_watch_logs_group_arn", "cloud_watch_logs_role_arn", "tags_all"),
        (StackKind.PCI_DATA_PROCESSING,),
        "MiniStack 1.5.33 reads the trail back without its CloudWatch Logs group and role and without tags",
        service="cloudtrail",
        on=MINISTACK,
    ),
    Drift(
        "aws_vpc_endpoint",
        ("private_dns_enabled", "security_group_ids"),
        (StackKind.PCI_DATA_PROCESSING,),
        "MiniStack 1.5.33 reads an interface endpoint back with private DNS off and without its security "
        "group",
        service="ec2",
        on=MINISTACK,
    ),
)
"""Changes a second ``terraform plan`` after apply shows on the emulator and AWS would not, and why
(measured from the plan JSON of that second plan, ``before`` against ``after``). A replace is listed
only for MiniStack's read-back of flow logs (``action="replace"``, forced by the listed attributes
only); on moto, and for anything a construct can fix, a replace is fixed in the construct instead."""


EXTERNAL_MOTO_VARIABLE = "EMULATOR_ENDPOINT"
"""A running moto the live tests reuse instead of starting emulators: they then run on moto alone."""


def running_emulators() -> EmulatorSet:
    """The live run's emulators, as the harness starts them.

    moto alone when it reuses a running moto (``EMULATOR_ENDPOINT``), else ``INFRA_EMULATORS``
    (default the pair).
    """
    wanted = emulators_wanted(os.environ)
    return MOTO_ALONE if os.environ.get(EXTERNAL_MOTO_VARIABLE) else wanted


def drifts_for(stack: str, emulators: EmulatorSet | None = None) -> tuple[Drift, ...]:
    """The emulator drifts a second plan of ``stack`` may show with ``emulators`` (default: the run's)."""
    running = emulators or running_emulators()
    return tuple(
        drift
        for drift in EMULATOR_DRIFTS
        if stack in drift.stacks and host_of(drift.service, running) in drift.on
    )


def gap_for(key: str, emulators: EmulatorSet | None = None) -> Gap | None:
    """The gap recorded for a resource type or behaviour key, if it holds with ``emulators``.

    ``None`` when the emulators host it. ``emulators`` defaults to the live run's
    (:func:`running_emulators`).
    """
    gap = EMULATOR_GAPS.get(key)
    return gap if gap is not None and gap.holds(emulators or running_emulators()) else None


def hosts(target: Target, resource_type: str, emulators: EmulatorSet) -> bool:
    """Whether ``target`` can host ``resource_type`` (or show the behaviour): always true for AWS.

    On the emulator target, false where the capability list's gap holds with ``emulators``.
    """
    gap = EMULATOR_GAPS.get(resource_type)
    return target is Target.AWS or gap is None or not gap.holds(emulators)
