"""Compliance: AWS Config recording, three managed rules, and remediation on non-compliance.

One recorder per account and region: an existing one is adopted (with its delivery channel),
otherwise this stack records everything to the versioned, CMK-encrypted snapshots bucket and tells
the compliance topic. The managed rules check EBS encryption, RDS storage encryption and VPC flow
logs. A NON_COMPLIANT result of any of them triggers the remediation function through EventBridge:
it enables flow logs on a VPC without them and reports what cannot be fixed in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cdktf_cdktf_provider_aws import (
    config_config_rule,
    lambda_permission,
)
from constructs import Construct

from pci_infra.app.names import PaymentNames as N
from pci_infra.app.settings import CREATE
from pci_infra.blocks.alert_topic import AlertTopicSpec, alert_topic
from pci_infra.blocks.config_recording import ConfigRecording, ConfigRecordingProps
from pci_infra.blocks.delivery_log_group import DeliveryLogGroupSpec, delivery_log_group
from pci_infra.blocks.kms_key import KmsKey
from pci_infra.blocks.node_function import FunctionHome, NodeFunction, NodeFunctionProps
from pci_infra.blocks.secure_bucket import SecureBucket
from pci_infra.foundation.stack_context import StackContext
from pci_infra.policies.policy_document import Statement

MANAGED_RULES = {
    "volumes": ("ENCRYPTED_VOLUMES", "AWS::EC2::Volume"),
    "rds": ("RDS_STORAGE_ENCRYPTED", "AWS::RDS::DBInstance"),
    "flow_logs": ("VPC_FLOW_LOGS_ENABLED", "AWS::EC2::VPC"),
}
"""Rule key -> (managed rule identifier, resource type it evaluates)."""
REMEDIATION_CONCURRENCY = 2
RULE_NAMES = {
    "volumes": N.CONFIG_RULE_VOLUMES,
    "rds": N.CONFIG_RULE_RDS,
    "flow_logs": N.CONFIG_RULE_FLOW_LOGS,
}
"""The catalogue entry of each managed rule's name."""


@dataclass(frozen=True)
class ComplianceProps:
    """Inputs of :class:`Compliance`.

    Attributes:
        recorder: ``create``, or the name of the existing recorder to adopt.
        recorder_name: Name of the recorder this stack creates.
        role_name: Config service role name.
        bucket: Snapshots bucket.
        topic_name: Compliance topic name.
        rule_names: Config rule names by key of :data:`MANAGED_RULES`.
        remediation_name: Remediation function name.
        flow_logs_role_name: Role the remediation hands to VPC Flow Logs.
        flow_log_group_name: Log group of flow logs the remediation enables.
        data_key: CMK of the bucket, function environment and DLQ.
        events_key: CMK of the compliance topic.
        logs_key: CMK of the log groups.
        home: Where the remediation function runs and the keys of its DLQ, environment and logs.
    """

    recorder: str
    recorder_name: str
    role_name: str
    bucket: SecureBucket
    topic_name: str
    rule_names: dict[str, str]
    remediation_name: str
    flow_logs_role_name: str
    flow_log_group_name: str
    data_key: KmsKey
    events_key: KmsKey
    logs_key: KmsKey
    home: FunctionHome

    def __post_init__(self) -> None:
        """Every managed rule needs a name."""
        if set(self.rule_names) != set(MANAGED_RULES):
            raise ValueError(f"ComplianceProps.rule_names: need exactly {sorted(MANAGED_RULES)}")


class Compliance(Construct):
    """Recorder (created or adopted), rules, compliance topic and the remediation function.

    Attributes:
        recorder_created: Whether this stack owns the recorder.
        topic_arn: Compliance topic.
        rule_names: Config rule names by key.
        remediation: The remediation function.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: ComplianceProps) -> None:
        """Create recording, rules, topic and remediation."""
        super().__init__(scope, construct_id)
        ctx = StackContext.of(self)
        topic = alert_topic(
            self,
            AlertTopicSpec(
                topic_name=props.topic_name,
                kms_key_arn=props.events_key.key_arn,
                publishers=("config.amazonaws.com", "events.amazonaws.com"),
                publish_sid="PublishFromConfigAndEventBridgeOfThisAccount",
            ),
        )
        self.recorder_created = props.recorder == CREATE
        recording: list[Any] = []
        if self.recorder_created:
            recording = [
                ConfigRecording(
                    self,
                    "recording",
                    props=ConfigRecordingProps(
                        recorder_name=props.recorder_name,
                        role_name=props.role_name,
                        bucket=props.bucket,
                        topic_arn=topic.arn,
                        bucket_key_arn=props.data_key.key_arn,
                        topic_key_arn=props.events_key.key_arn,
                    ),
                ).ready
            ]
        self.rule_names: dict[str, str] = {}
        for key, (identifier, resource_type) in MANAGED_RULES.items():
            rule = config_config_rule.ConfigConfigRule(
                self,
                f"rule-{key}",
                name=props.rule_names[key],
                source=config_config_rule.ConfigConfigRuleSource(owner="AWS", source_identifier=identifier),
                scope=config_config_rule.ConfigConfigRuleScope(compliance_resource_types=[resource_type]),
                depends_on=recording,
            )
            self.rule_names[key] = rule.name
        flow_log_group, flow_logs_role, _ = delivery_log_group(
            self,
            DeliveryLogGroupSpec(
                group_name=props.flow_log_group_name,
                kms_key_arn=props.logs_key.key_arn,
                role_name=props.flow_logs_role_name,
                role_description="VPC Flow Logs delivery for flow logs enabled by Config remediation",
                service="vpc-flow-logs.amazonaws.com",
                policy_name="deliver-to-remediation-log-group",
                sid="DeliverFlowLogs",
                extra_actions=("logs:DescribeLogStreams",),
                on_group_too=True,
                ids=("remediation-flow-logs", "flow-logs-role", "flow-logs-delivery"),
            ),
        )
        self.remediation = NodeFunction(
            self,
            "remediation",
            props=NodeFunctionProps(
                function_name=props.remediation_name,
                source="config-remediation",
                description="Remediates Config non-compliance: flow logs on VPCs; reports the rest",
                reserved_concurrency=REMEDIATION_CONCURRENCY,
                home=props.home,
                environment={
                    "FLOW_LOGS_RULE_NAME": props.rule_names["flow_logs"],
                    "FLOW_LOGS_LOG_GROUP": flow_log_group.name,
                    "FLOW_LOGS_ROLE_ARN": flow_logs_role.arn,
                    "COMPLIANCE_TOPIC_ARN": topic.arn,
                },
                statements=(
                    Statement("InspectFlowLogs", ("ec2:DescribeFlowLogs",)),
                    Statement(
                        "EnableFlowLogsOnVpcs",
                        ("ec2:CreateFlowLogs",),
                        resources=(
                            ctx.arn("ec2", "vpc/*", region="*"),
                            ctx.arn("ec2", "vpc-flow-log/*", region="*"),
                        ),
                    ),
                    Statement(
                        "FlowLogsLogGroup",
                        ("logs:CreateLogDelivery", "logs:DescribeLogGroups"),
                    ),
                    Statement("HandOverFlowLogsRole", ("iam:PassRole",), resources=(flow_logs_role.arn,)),
                    Statement("Report", ("sns:Publish",), resources=(topic.arn,)),
                    Statement(
                        "TopicKey",
                        ("kms:GenerateDataKey", "kms:Decrypt"),
                        resources=(props.events_key.key_arn,),
                    ),
                ),
            ),
        )
        self.topic_arn: str = topic.arn

    def allow_invocation_by_rule(self, rule_arn: str) -> None:
        """Let the EventBridge rule ``rule_arn`` invoke the remediation function."""
        lambda_permission.LambdaPermission(
            self,
            "rule-invokes-remediation",
            statement_id="AllowConfigNonComplianceRule",
            action="lambda:InvokeFunction",
            function_name=self.remediation.function_name,
            principal="events.amazonaws.com",
            source_arn=rule_arn,
        )
