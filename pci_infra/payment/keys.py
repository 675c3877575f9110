"""Keys of the payment platform: one customer-managed key per purpose, from one table."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from pci_infra.app.names import PaymentNames as N
from pci_infra.blocks.kms_key import KmsKey, KmsKeyProps, RoleGrant, ServiceGrant, cloudwatch_logs_grant
from pci_infra.foundation.stack_context import StackContext

AUTOSCALING_ROLE = "role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
"""The service-linked role that encrypts the batch fleet's volumes (AWS names it; it appears on first use)."""


@dataclass(frozen=True)
class PaymentKeysProps:
    """Inputs of :class:`PaymentKeys`.

    Attributes:
        aliases: Alias of each key (``data``, ``aurora``, ``events``, ``ssm``, ``logs``).
    """

    aliases: dict[str, str]

    def __post_init__(self) -> None:
        """Every key of the table needs its alias."""
        missing = sorted(set(KEY_PURPOSES) - set(self.aliases))
        if missing:
            raise ValueError(f"PaymentKeysProps.aliases: no alias for {missing}")


KEY_PURPOSES = {
    "data": "Payment data at rest: S3, SQS, EBS, Lambda environments, Firehose, X-Ray",
    "aurora": "Aurora storage and its RDS-managed master secret",
    "events": "Payment event bus and the alert topic",
    "ssm": "SSM SecureString parameters of the payment platform",
    "logs": "CloudWatch Logs groups of the payment platform",
}
"""Each key and what it protects, in creation order."""

KEY_NAMES = {
    "data": N.DATA_KEY,
    "aurora": N.AURORA_KEY,
    "events": N.EVENTS_KEY,
    "ssm": N.SSM_KEY,
    "logs": N.LOGS_KEY,
}
"""The catalogue entry of each key's alias."""


def _key_props(purpose: str, alias: str, ctx: StackContext) -> KmsKeyProps:
    """Who may use the key of ``purpose``: the services it protects data for, and nothing else."""
    via: dict[str, tuple[str, ...]] = {
        "data": ("s3", "sqs", "ec2", "lambda", "firehose", "xray"),
        "aurora": ("rds", "secretsmanager"),
        "events": ("sns",),
        "ssm": ("ssm",),
    }
    services: dict[str, tuple[ServiceGrant, ...]] = {
        "data": (
            ServiceGrant("delivery.logs.amazonaws.com"),
            ServiceGrant("events.amazonaws.com"),
            ServiceGrant("guardduty.amazonaws.com", actions=("kms:GenerateDataKey",)),
        ),
        # CloudWatch alarms publish to the alert topic this key encrypts, as EventBridge rules do.
        "events": (ServiceGrant("events.amazonaws.com"), ServiceGrant("cloudwatch.amazonaws.com")),
        "logs": (cloudwatch_logs_grant(ctx),),
    }
    roles = {
        "data": (RoleGrant("AutoScalingEncryptsBatchVolumes", ctx.arn("iam", AUTOSCALING_ROLE, region="")),),
    }
    return KmsKeyProps(
        alias=alias,
        description=KEY_PURPOSES[purpose],
        via_services=via.get(purpose, ()),
        service_grants=services.get(purpose, ()),
        role_grants=roles.get(purpose, ()),
    )


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
        """Create the keys, one per row of :data:`KEY_PURPOSES`."""
        super().__init__(scope, construct_id)
        ctx = StackContext.of(self)
        keys = {
            purpose: KmsKey(self, purpose, props=_key_props(purpose, props.aliases[purpose], ctx))
            for purpose in KEY_PURPOSES
        }
        self.data = keys["data"]
        self.aurora = keys["aurora"]
        self.events = keys["events"]
        self.ssm = keys["ssm"]
        self.logs = keys["logs"]
