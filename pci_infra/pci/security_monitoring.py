"""Security monitoring of the PCI environment: trail, CIS metric filters and alarms, alert topic.

The trail (KMS, log file validation) delivers to its bucket and to a KMS-encrypted log group, so
the CIS benchmark metric filters have input; each filter feeds an alarm that notifies the security
topic (CMK) on the first matching event in five minutes. CloudTrail Insights watches the trail's
management events for unusual call volume and error rates (a burst of denied or destructive calls
that no single filter matches) and writes what it finds into the trail's bucket too.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_aws import (
    cloudtrail,
    cloudwatch_log_metric_filter,
    cloudwatch_metric_alarm,
)
from constructs import Construct

from pci_infra.blocks.alert_topic import AlertTopicSpec, alert_topic
from pci_infra.blocks.delivery_log_group import DeliveryLogGroupSpec, delivery_log_group
from pci_infra.blocks.kms_key import KmsKey
from pci_infra.foundation.stack_context import StackContext

INSIGHT_TYPES = ("ApiCallRateInsight", "ApiErrorRateInsight")
"""CloudTrail Insights on the trail: unusual API call volume and unusual error rates."""


def _either(*names: str) -> str:
    return " || ".join(f"($.eventName = {n})" for n in names)


def _any_event(*names: str) -> str:
    return "{ " + _either(*names) + " }"


def _any_event_of(source: str, *names: str) -> str:
    """One of ``names`` called on ``source``.

    The same name on another service (API Gateway's ``CreateRoute``, IAM's ``CreatePolicy``) is not
    counted.
    """
    return f"{{ ($.eventSource = {source}) && ({_either(*names)}) }}"


CIS_FILTERS: dict[str, str] = {
    "unauthorized-api-calls": (
        '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }'
    ),
    "console-sign-in-without-mfa": (
        '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") '
        '&& ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }'
    ),
    "root-account-usage": (
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS '
        '&& $.eventType != "AwsServiceEvent" }'
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
    "console-authentication-failures": (
        '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }'
    ),
    "kms-key-disable-or-delete": _any_event_of("kms.amazonaws.com", "DisableKey", "ScheduleKeyDeletion"),
    "s3-bucket-policy-changes": _any_event_of(
        "s3.amazonaws.com",
        "PutBucketAcl",
        "PutBucketPolicy",
        "PutBucketCors",
        "PutBucketLifecycle",
        "PutBucketReplication",
        "DeleteBucketPolicy",
        "DeleteBucketCors",
        "DeleteBucketLifecycle",
        "DeleteBucketReplication",
    ),
    "config-changes": _any_event_of(
        "config.amazonaws.com",
        "StopConfigurationRecorder",
        "DeleteDeliveryChannel",
        "PutDeliveryChannel",
        "PutConfigurationRecorder",
    ),
    "security-group-changes": _any_event(
        "AuthorizeSecurityGroupIngress",
        "AuthorizeSecurityGroupEgress",
        "RevokeSecurityGroupIngress",
        "RevokeSecurityGroupEgress",
        "CreateSecurityGroup",
        "DeleteSecurityGroup",
        "ModifySecurityGroupRules",
    ),
    "nacl-changes": _any_event(
        "CreateNetworkAcl",
        "CreateNetworkAclEntry",
        "DeleteNetworkAcl",
        "DeleteNetworkAclEntry",
        "ReplaceNetworkAclEntry",
        "ReplaceNetworkAclAssociation",
    ),
    "network-gateway-changes": _any_event(
        "CreateCustomerGateway",
        "DeleteCustomerGateway",
        "AttachInternetGateway",
        "CreateInternetGateway",
        "DeleteInternetGateway",
        "DetachInternetGateway",
    ),
    "route-table-changes": _any_event_of(
        "ec2.amazonaws.com",
        "CreateRoute",
        "CreateRouteTable",
        "ReplaceRoute",
        "ReplaceRouteTableAssociation",
        "DeleteRouteTable",
        "DeleteRoute",
        "DisassociateRouteTable",
        "AssociateRouteTable",
    ),
    "vpc-changes": _any_event(
        "CreateVpc",
        "DeleteVpc",
        "ModifyVpcAttribute",
        "AcceptVpcPeeringConnection",
        "CreateVpcPeeringConnection",
        "DeleteVpcPeeringConnection",
        "RejectVpcPeeringConnection",
        "AttachClassicLinkVpc",
        "DetachClassicLinkVpc",
        "DisableVpcClassicLink",
        "EnableVpcClassicLink",
    ),
    "organizations-changes": _any_event_of(
        "organizations.amazonaws.com",
        "AcceptHandshake",
        "AttachPolicy",
        "CreateAccount",
        "CreateOrganizationalUnit",
        "CreatePolicy",
        "DeclineHandshake",
        "DeleteOrganization",
        "DeleteOrganizationalUnit",
        "DeletePolicy",
        "DetachPolicy",
        "DisablePolicyType",
        "EnablePolicyType",
        "InviteAccountToOrganization",
        "LeaveOrganization",
        "MoveAccount",
        "RemoveAccountFromOrganization",
        "UpdatePolicy",
        "UpdateOrganizationalUnit",
    ),
}
"""CIS AWS Foundations Benchmark v3.0 (section 4, monitoring) metric filter patterns, by metric key.

In the benchmark's order (4.1 to 4.15) and with its patterns; a bare event name matches as its quoted
form does (the benchmark quotes the Organizations ones). Where the benchmark offers a narrower
alternative, that one: console sign-in without MFA counts only successful sign-ins of IAM users, since
a federated (IAM Identity Center, SAML) sign-in reports ``MFAUsed`` ``"No"`` while its identity
provider did the second factor, and a root sign-in is root usage already. Route table changes are
limited to EC2, as the benchmark's audit step asks (its remediation leaves the clause out), so API
Gateway's ``CreateRoute`` and ``DeleteRoute`` are not counted. Beyond the benchmark's lists:
``ModifySecurityGroupRules`` (edits a rule in place, as a revoke plus an authorize would) and
``AssociateRouteTable`` (moves a subnet onto another route table).
"""


@dataclass(frozen=True)
class SecurityMonitoringProps:
    """Inputs of :class:`SecurityMonitoring`.

    Attributes:
        trail_name: Trail name.
        trail_bucket: Trail bucket name (token carrying the bucket policy dependency).
        trail_log_group: Log group the trail delivers to.
        trail_role_name: Role CloudTrail uses to write that log group.
        topic_name: Security topic name.
        alarm_prefix: Alarm name prefix.
        metric_namespace: Namespace of the CIS metrics.
        logs_key: CMK of the trail, its log group and the topic.
        alert_email: Address subscribed to the topic (``None``: nobody).
    """

    trail_name: str
    trail_bucket: str
    trail_log_group: str
    trail_role_name: str
    topic_name: str
    alarm_prefix: str
    metric_namespace: str
    logs_key: KmsKey
    alert_email: str | None


def trail_arn(ctx: StackContext, trail_name: str) -> str:
    """The ARN the trail ``trail_name`` gets.

    Its bucket's policy names it before the trail exists, since CloudTrail checks that policy when
    the trail is created.
    """
    return ctx.arn("cloudtrail", f"trail/{trail_name}")


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
        logs_key_arn = props.logs_key.key_arn
        topic = alert_topic(
            self,
            AlertTopicSpec(
                topic_name=props.topic_name,
                kms_key_arn=logs_key_arn,
                publishers=("cloudwatch.amazonaws.com", "events.amazonaws.com"),
                publish_sid="PublishFromAlarmsAndRulesOfThisAccount",
                alert_email=props.alert_email,
            ),
        )
        group, role, policy = delivery_log_group(
            self,
            DeliveryLogGroupSpec(
                group_name=props.trail_log_group,
                kms_key_arn=logs_key_arn,
                role_name=props.trail_role_name,
                role_description="CloudTrail delivery to the trail log group",
                service="cloudtrail.amazonaws.com",
                policy_name="deliver-to-trail-log-group",
                sid="TrailLogGroupOnly",
                ids=("trail-logs", "trail-role", "trail-delivery"),
            ),
        )
        cloudtrail.Cloudtrail(
            self,
            "trail",
            name=props.trail_name,
            s3_bucket_name=props.trail_bucket,
            kms_key_id=logs_key_arn,
            enable_log_file_validation=True,
            include_global_service_events=True,
            is_multi_region_trail=True,
            cloud_watch_logs_group_arn=f"{group.arn}:*",
            cloud_watch_logs_role_arn=role.arn,
            insight_selector=[
                cloudtrail.CloudtrailInsightSelector(insight_type=kind) for kind in INSIGHT_TYPES
            ],
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
