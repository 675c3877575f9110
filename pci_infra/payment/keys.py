"""Security of the payment platform: its customer-managed keys and the web ACL in front of the ALB."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from pci_infra.blocks.kms_key import KmsKey, KmsKeyProps, RoleGrant, ServiceGrant, cloudwatch_logs_grant
from pci_infra.hcl_modules.waf import WafModule, WafModuleProps


@dataclass(frozen=True)
class PaymentKeysProps:
    """Inputs of :class:`PaymentKeys`.

    Attributes:
        data_alias: Alias of the key for S3 and SQS data.
        aurora_alias: Alias of the key for Aurora storage and its managed secret.
        logs_alias: Alias of the key for CloudWatch Logs groups.
        events_alias: Alias of the key for the event bus and the alert topic.
        ssm_alias: Alias of the key for SSM SecureString parameters.
        account_id: Account id (token).
        partition: Partition (token).
        region: Region.
    """

    data_alias: str
    aurora_alias: str
    logs_alias: str
    events_alias: str
    ssm_alias: str
    account_id: str
    partition: str
    region: str


class PaymentKeys(Construct):
    """One CMK per purpose, each with rotation and a policy naming only the services that use it.

    Attributes:
        data: S3 buckets, SQS queues, EBS volumes, Lambda environments, Firehose, X-Ray traces (and
            WAF log delivery and GuardDuty export into their buckets).
        aurora: Aurora storage, the RDS-managed master secret.
        logs: CloudWatch Logs groups of this account in this region.
        events: The payment event bus and the alert topic EventBridge publishes to.
        ssm: SSM SecureString parameters.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: PaymentKeysProps) -> None:
        """Create the keys."""
        super().__init__(scope, construct_id)
        self.data = KmsKey(
            self,
            "data",
            props=KmsKeyProps(
                alias=props.data_alias,
                description="Payment data at rest: S3, SQS, EBS, Lambda environments, Firehose, X-Ray",
                via_services=("s3", "sqs", "ec2", "lambda", "firehose", "xray"),
                service_grants=(
                    ServiceGrant("delivery.logs.amazonaws.com"),
                    ServiceGrant("events.amazonaws.com"),
                    ServiceGrant("guardduty.amazonaws.com", actions=("kms:GenerateDataKey",)),
                ),
                role_grants=(
                    RoleGrant(
                        "AutoScalingEncryptsBatchVolumes",
                        f"arn:{props.partition}:iam::{props.account_id}:role/aws-service-role/"
                        "autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
                    ),
                ),
                account_id=props.account_id,
                partition=props.partition,
                region=props.region,
            ),
        )
        self.aurora = KmsKey(
            self,
            "aurora",
            props=KmsKeyProps(
                alias=props.aurora_alias,
                description="Aurora storage and its RDS-managed master secret",
                via_services=("rds", "secretsmanager"),
                account_id=props.account_id,
                partition=props.partition,
                region=props.region,
            ),
        )
        self.events = KmsKey(
            self,
            "events",
            props=KmsKeyProps(
                alias=props.events_alias,
                description="Payment event bus and the alert topic",
                via_services=("sns",),
                service_grants=(ServiceGrant("events.amazonaws.com"),),
                account_id=props.account_id,
                partition=props.partition,
                region=props.region,
            ),
        )
        self.ssm = KmsKey(
            self,
            "ssm",
            props=KmsKeyProps(
                alias=props.ssm_alias,
                description="SSM SecureString parameters of the payment platform",
                via_services=("ssm",),
                account_id=props.account_id,
                partition=props.partition,
                region=props.region,
            ),
        )
        self.logs = KmsKey(
            self,
            "logs",
            props=KmsKeyProps(
                alias=props.logs_alias,
                description="CloudWatch Logs groups of the payment platform",
                service_grants=(cloudwatch_logs_grant(props.partition, props.region, props.account_id),),
                account_id=props.account_id,
                partition=props.partition,
                region=props.region,
            ),
        )


@dataclass(frozen=True)
class PaymentFirewallProps:
    """Inputs of :class:`PaymentFirewall`.

    Attributes:
        acl_name: Web ACL name.
        alb_arn: Load balancer to protect.
        log_bucket_arn: ``aws-waf-logs-`` bucket for blocked requests.
        geo_block_countries: Countries to block.
    """

    acl_name: str
    alb_arn: str
    log_bucket_arn: str
    geo_block_countries: tuple[str, ...] = ()


class PaymentFirewall(Construct):
    """The web ACL of the payment API: 1000 requests / 5 min / IP, SQLi, XSS, geo and API rules.

    Attributes:
        web_acl_arn: ARN of the web ACL.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: PaymentFirewallProps) -> None:
        """Create the ACL from the waf module, associated with the ALB."""
        super().__init__(scope, construct_id)
        acl = WafModule(
            self,
            "waf",
            props=WafModuleProps(
                name=props.acl_name,
                resource_arn=props.alb_arn,
                log_bucket_arn=props.log_bucket_arn,
                rate_limit=1000,
                geo_block_countries=props.geo_block_countries,
            ),
        )
        self.web_acl_arn: str = acl.web_acl_arn
