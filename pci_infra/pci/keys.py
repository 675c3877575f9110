"""Keys of the PCI environment: one CMK for card data, one for logs.

Each key policy names exactly who may use it. The account root administers both keys (without
that statement a key whose policy names only workload roles could never be changed or deleted).
The card data key is usable by the roles of the functions that handle card data, each named by the
stack once the role exists (:meth:`PciKeys.allow_card_data_use`), and by log delivery writing flow
logs into the flow-log bucket; there is no statement for "any principal of the account through a
service". The logs key serves CloudWatch Logs of this account and region, EventBridge and
CloudWatch alarms publishing to the security topic, and CloudTrail for this account's trails.
"""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from pci_infra.blocks.grants import Grantable
from pci_infra.blocks.kms_key import KmsKey, KmsKeyProps, RoleGrant, ServiceGrant, cloudwatch_logs_grant
from pci_infra.foundation.stack_context import StackContext


@dataclass(frozen=True)
class PciKeysProps:
    """Inputs of :class:`PciKeys`.

    Attributes:
        data_alias: Alias of the card data key.
        logs_alias: Alias of the logs key.
    """

    data_alias: str
    logs_alias: str


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
        ctx = StackContext.of(self)
        self.data = KmsKey(
            self,
            "data",
            props=KmsKeyProps(
                alias=props.data_alias,
                description="PCI card data: buckets, function environments, DLQs, tokenization secret",
                service_grants=(ServiceGrant("delivery.logs.amazonaws.com"),),
            ),
        )
        self.logs = KmsKey(
            self,
            "logs",
            props=KmsKeyProps(
                alias=props.logs_alias,
                description="PCI log groups, CloudTrail log files and the security topic",
                service_grants=(
                    cloudwatch_logs_grant(ctx),
                    ServiceGrant("events.amazonaws.com"),
                    ServiceGrant("cloudwatch.amazonaws.com"),
                    ServiceGrant(
                        "cloudtrail.amazonaws.com",
                        actions=("kms:GenerateDataKey*", "kms:DescribeKey"),
                        conditions={
                            "StringLike": {
                                "kms:EncryptionContext:aws:cloudtrail:arn": ctx.arn(
                                    "cloudtrail", "trail/*", region="*"
                                )
                            }
                        },
                    ),
                ),
            ),
        )

    def allow_card_data_use(self, purpose: str, user: Grantable) -> None:
        """Name ``user``'s role in the card data key's policy (use, and grants for AWS resources)."""
        self.data.allow_role(RoleGrant(f"UseBy{purpose[0].upper()}{purpose[1:]}Role", user.role_arn))
