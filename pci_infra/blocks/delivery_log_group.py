"""A CMK-encrypted log group that one AWS service delivers into, with the role it assumes to do so."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_aws import cloudwatch_log_group, iam_role, iam_role_policy
from constructs import Construct

from pci_infra.foundation.stack_context import StackContext
from pci_infra.policies.log_retention import AUDIT_LOG_RETENTION_DAYS
from pci_infra.policies.policy_document import Statement, policy_json, trust_policy_json

DELIVERY_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents")


@dataclass(frozen=True)
class DeliveryLogGroupSpec:
    """One log group and its delivery role.

    Attributes:
        group_name: Log group name.
        kms_key_arn: CMK of the log group.
        role_name: Name of the role the service assumes (this account's service only).
        role_description: What the role is for.
        service: Service principal that assumes the role, e.g. ``cloudtrail.amazonaws.com``.
        policy_name: Name of the role's inline policy.
        sid: Statement id of the delivery grant.
        extra_actions: Actions the service needs beyond creating streams and putting events.
        on_group_too: Grant on the group itself as well as on its streams.
        retention_days: Retention (PCI DSS 10.5.1: a year by default).
        ids: Construct ids of the group, the role and the policy (kept where they always were).
    """

    group_name: str
    kms_key_arn: str
    role_name: str
    role_description: str
    service: str
    policy_name: str
    sid: str
    extra_actions: tuple[str, ...] = ()
    on_group_too: bool = False
    retention_days: int = AUDIT_LOG_RETENTION_DAYS
    ids: tuple[str, str, str] = ("logs", "delivery-role", "delivery")


def delivery_log_group(
    scope: Construct, spec: DeliveryLogGroupSpec
) -> tuple[cloudwatch_log_group.CloudwatchLogGroup, iam_role.IamRole, iam_role_policy.IamRolePolicy]:
    """Create the group, the role ``spec.service`` assumes and its policy, in ``scope``.

    The role may only create streams in and write to this one group.
    """
    group_id, role_id, policy_id = spec.ids
    group = cloudwatch_log_group.CloudwatchLogGroup(
        scope,
        group_id,
        name=spec.group_name,
        retention_in_days=spec.retention_days,
        kms_key_id=spec.kms_key_arn,
    )
    role = iam_role.IamRole(
        scope,
        role_id,
        name=spec.role_name,
        description=spec.role_description,
        assume_role_policy=trust_policy_json(spec.service, source_account=StackContext.of(scope).account_id),
    )
    streams = f"{group.arn}:*"
    policy = iam_role_policy.IamRolePolicy(
        scope,
        policy_id,
        name=spec.policy_name,
        role=role.id,
        policy=policy_json(
            Statement(
                spec.sid,
                (*DELIVERY_ACTIONS, *spec.extra_actions),
                resources=(group.arn, streams) if spec.on_group_too else (streams,),
            )
        ),
    )
    return group, role, policy
