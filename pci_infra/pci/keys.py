"""Keys of the PCI environment: one CMK for card data, one for logs.

Each key policy names exactly who may use it: the account root administers; the data key is used
by the tokenizer's role and the rotation role (matched by ``aws:PrincipalArn``, so the policy is
valid before the roles exist) and by S3, Lambda, SQS and Secrets Manager on their behalf; the logs
key by CloudWatch Logs of this account and region and by CloudTrail for this account's trails.
"""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from pci_infra.blocks.kms_key import KmsKey, KmsKeyProps, RoleGrant, ServiceGrant, cloudwatch_logs_grant


@dataclass(frozen=True)
class PciKeysProps:
    """Inputs of :class:`PciKeys`.

    Attributes:
        data_alias: Alias of the card data key.
        logs_alias: Alias of the logs key.
        data_user_role_arns: Roles allowed to use the data key directly, by purpose.
        account_id: Account id (token).
        partition: Partition (token).
        region: Region.
    """

    data_alias: str
    logs_alias: str
    data_user_role_arns: dict[str, str]
    account_id: str
    partition: str
    region: str


class PciKeys(Construct):
    """The two CMKs.

    Attributes:
        data: Card data: buckets, function environments, DLQs, the tokenization secret.
        logs: Log groups (functions, firewall, trail), the trail's log files and the security topic
            (published to by CloudWatch alarms and EventBridge of this account).
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: PciKeysProps) -> None:
        """Create the keys."""
        super().__init__(scope, construct_id)
        self.data = KmsKey(
            self,
            "data",
            props=KmsKeyProps(
                alias=props.data_alias,
                description="PCI card data: buckets, function environments, DLQs, tokenization secret",
                via_services=("s3", "lambda", "sqs", "secretsmanager"),
                service_grants=(ServiceGrant("delivery.logs.amazonaws.com"),),
                role_grants=tuple(
                    RoleGrant(f"UseBy{purpose.capitalize()}Role", arn)
                    for purpose, arn in sorted(props.data_user_role_arns.items())
                ),
                account_id=props.account_id,
                partition=props.partition,
                region=props.region,
            ),
        )
        trails = f"arn:{props.partition}:cloudtrail:*:{props.account_id}:trail/*"
        self.logs = KmsKey(
            self,
            "logs",
            props=KmsKeyProps(
                alias=props.logs_alias,
                description="PCI log groups, CloudTrail log files and the security topic",
                service_grants=(
                    cloudwatch_logs_grant(props.partition, props.region, props.account_id),
                    ServiceGrant("events.amazonaws.com"),
                    ServiceGrant("cloudwatch.amazonaws.com"),
                    ServiceGrant(
                        "cloudtrail.amazonaws.com",
                        actions=("kms:GenerateDataKey*", "kms:DescribeKey"),
                        conditions={"StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": trails}},
                    ),
                ),
                account_id=props.account_id,
                partition=props.partition,
                region=props.region,
            ),
        )
