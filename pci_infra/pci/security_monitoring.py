"""Security monitoring of the PCI environment: trail, CIS metric filters and alarms, alert topic.

The trail (KMS, log file validation) delivers to its bucket and to a KMS-encrypted log group, so
the CIS benchmark metric filters have input; each filter feeds an alarm that notifies the security
topic (CMK) on the first matching event in five minutes.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_aws import (
    cloudtrail,
    cloudwatch_log_group,
    cloudwatch_log_metric_filter,
    cloudwatch_metric_alarm,
    iam_role,
    iam_role_policy,
    sns_topic,
    sns_topic_policy,
    sns_topic_subscription,
)
from constructs import Construct

from pci_infra.policies.log_retention import AUDIT_LOG_RETENTION_DAYS
from pci_infra.policies.policy_document import Statement, policy_json, topic_publish_policy, trust_policy_json


def _any_event(*names: str) -> str:
    return "{ " + " || ".join(f"($.eventName = {n})" for n in names) + " }"


CIS_FILTERS: dict[str, str] = {
    "unauthorized-api-calls": (
        '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }'
    ),
    "root-account-usage": (
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS '
        '&& $.eventType != "AwsServiceEvent" }'
    ),
    "security-group-changes": _any_event(
        "AuthorizeSecurityGroupIngress",
        "AuthorizeSecurityGroupEgress",
        "RevokeSecurityGroupIngress",
        "RevokeSecurityGroupEgress",
        "CreateSecurityGroup",
        "DeleteSecurityGroup",
    ),
    "iam-policy-changes": _any_event(
        "DeleteGroupPolicy",
        "DeleteRolePolicy",
        "DeleteUserPolicy",
        "PutGroupPolicy",
        "PutRolePolicy",
        "PutUserPolicy",
        "CreatePolicy",
        "DeletePolicy",
        "CreatePolicyVersion",
        "DeletePolicyVersion",
        "AttachRolePolicy",
        "DetachRolePolicy",
        "AttachUserPolicy",
        "DetachUserPolicy",
        "AttachGroupPolicy",
        "DetachGroupPolicy",
    ),
    "cloudtrail-changes": _any_event(
        "CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"
    ),
    "kms-key-disable-or-delete": (
        "{ ($.eventSource = kms.amazonaws.com) && "
        "(($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }"
    ),
    "nacl-changes": _any_event(
        "CreateNetworkAcl",
        "CreateNetworkAclEntry",
        "DeleteNetworkAcl",
        "DeleteNetworkAclEntry",
        "ReplaceNetworkAclEntry",
        "ReplaceNetworkAclAssociation",
    ),
    "route-table-changes": _any_event(
        "CreateRoute",
        "CreateRouteTable",
        "ReplaceRoute",
        "ReplaceRouteTableAssociation",
        "DeleteRouteTable",
        "DeleteRoute",
        "DisassociateRouteTable",
    ),
    "vpc-changes": _any_event(
        "CreateVpc",
        "DeleteVpc",
        "ModifyVpcAttribute",
        "AcceptVpcPeeringConnection",
        "CreateVpcPeeringConnection",
        "DeleteVpcPeeringConnection",
        "RejectVpcPeeringConnection",
    ),
}
"""CIS AWS Foundations Benchmark (monitoring section) metric filter patterns, by metric key."""


@dataclass(frozen=True)
class SecurityMonitoringProps:
    """Inputs of :class:`SecurityMonitoring`.

    Attributes:
        trail_name: Trail name.
        trail_arn: Trail ARN (known before creation, for the bucket policy).
        trail_bucket: Trail bucket name (token carrying the bucket policy dependency).
        trail_log_group: Log group the trail delivers to.
        trail_role_name: Role CloudTrail uses to write that log group.
        topic_name: Security topic name.
        alarm_prefix: Alarm name prefix.
        metric_namespace: Namespace of the CIS metrics.
        logs_key_arn: CMK of the trail, its log group and the topic.
        alert_email: Address subscribed to the topic (``None``: nobody).
        account_id: Account id (token).
    """

    trail_name: str
    trail_arn: str
    trail_bucket: str
    trail_log_group: str
    trail_role_name: str
    topic_name: str
    alarm_prefix: str
    metric_namespace: str
    logs_key_arn: str
    alert_email: str | None
    account_id: str


class SecurityMonitoring(Construct):
    """Topic, trail, its log group and role, metric filters and alarms.

    Attributes:
        topic_arn: Security topic.
        trail_log_group_name: Log group of the trail.
        alarm_names: Alarm names by CIS key.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: SecurityMonitoringProps) -> None:
        """Create everything."""
        super().__init__(scope, construct_id)
        topic = sns_topic.SnsTopic(self, "topic", name=props.topic_name, kms_master_key_id=props.logs_key_arn)
        sns_topic_policy.SnsTopicPolicy(
            self,
            "topic-policy",
            arn=topic.arn,
            policy=topic_publish_policy(
                "PublishFromAlarmsAndRulesOfThisAccount",
                topic.arn,
                ["cloudwatch.amazonaws.com", "events.amazonaws.com"],
                props.account_id,
            ),
        )
        if props.alert_email:
            sns_topic_subscription.SnsTopicSubscription(
                self, "email", topic_arn=topic.arn, protocol="email", endpoint=props.alert_email
            )
        group = cloudwatch_log_group.CloudwatchLogGroup(
            self,
            "trail-logs",
            name=props.trail_log_group,
            retention_in_days=AUDIT_LOG_RETENTION_DAYS,
            kms_key_id=props.logs_key_arn,
        )
        role = iam_role.IamRole(
            self,
            "trail-role",
            name=props.trail_role_name,
            description="CloudTrail delivery to the trail log group",
            assume_role_policy=trust_policy_json("cloudtrail.amazonaws.com", source_account=props.account_id),
        )
        policy = iam_role_policy.IamRolePolicy(
            self,
            "trail-delivery",
            name="deliver-to-trail-log-group",
            role=role.id,
            policy=policy_json(
                Statement(
                    "TrailLogGroupOnly", ("logs:CreateLogStream", "logs:PutLogEvents"), (f"{group.arn}:*",)
                )
            ),
        )
        cloudtrail.Cloudtrail(
            self,
            "trail",
            name=props.trail_name,
            s3_bucket_name=props.trail_bucket,
            kms_key_id=props.logs_key_arn,
            enable_log_file_validation=True,
            include_global_service_events=True,
            is_multi_region_trail=True,
            cloud_watch_logs_group_arn=f"{group.arn}:*",
            cloud_watch_logs_role_arn=role.arn,
            depends_on=[policy],
        )
        self.alarm_names: dict[str, str] = {}
        for key, pattern in CIS_FILTERS.items():
            metric = "".join(word.capitalize() for word in key.split("-"))
            cloudwatch_log_metric_filter.CloudwatchLogMetricFilter(
                self,
                f"filter-{key}",
                name=key,
                log_group_name=group.name,
                pattern=pattern,
                metric_transformation=cloudwatch_log_metric_filter.CloudwatchLogMetricFilterMetricTransformation(
                    name=metric, namespace=props.metric_namespace, value="1"
                ),
            )
            alarm = cloudwatch_metric_alarm.CloudwatchMetricAlarm(
                self,
                f"alarm-{key}",
                alarm_name=f"{props.alarm_prefix}-{key}",
                alarm_description=f"CIS: {key.replace('-', ' ')} seen in the trail",
                namespace=props.metric_namespace,
                metric_name=metric,
                statistic="Sum",
                period=300,
                evaluation_periods=1,
                threshold=1,
                comparison_operator="GreaterThanOrEqualToThreshold",
                treat_missing_data="notBreaching",
                alarm_actions=[topic.arn],
            )
            self.alarm_names[key] = alarm.alarm_name
        self.topic_arn: str = topic.arn
        self.trail_log_group_name: str = group.name
