"""A customer-managed KMS key with rotation, a least-privilege key policy and an alias."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cdktf_cdktf_provider_aws import kms_alias, kms_key
from constructs import Construct

from pci_infra.policies.policy_document import Statement, policy_json

KEY_USE_ACTIONS = ("kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey")
"""What a user of a key may do with it; administration stays with the account root."""


@dataclass(frozen=True)
class ServiceGrant:
    """Use of the key by an AWS service principal on behalf of this account.

    Attributes:
        service: Service principal, e.g. ``logs.us-east-1.amazonaws.com``.
        actions: KMS actions the service needs.
        conditions: Extra conditions (e.g. an encryption-context ARN pattern), merged with the
            ``aws:SourceAccount`` or encryption-context guard.
    """

    service: str
    actions: tuple[str, ...] = ("kms:Decrypt", "kms:GenerateDataKey*")
    conditions: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class RoleGrant:
    """Use of the key, and grants for AWS resources, by one role of this account.

    For example the service-linked role that encrypts volumes on our behalf.

    The role is matched by ``aws:PrincipalArn`` rather than named as principal, so the key policy is
    valid before the role exists (service-linked roles appear on first use).

    Attributes:
        sid: Statement id prefix; says what the grant is for.
        role_arn: ARN of the role.
    """

    sid: str
    role_arn: str


@dataclass(frozen=True)
class KmsKeyProps:
    """Inputs of :class:`KmsKey`.

    Attributes:
        alias: Full alias name (``alias/...``) from the naming helper.
        description: What the key protects.
        account_id: Owning account id (token).
        partition: AWS partition (token).
        region: Region, for ``kms:ViaService`` names.
        via_services: Short service names (``s3``, ``sqs``) through which principals of this account
            may use the key; no direct use is granted.
        service_grants: Service principals that use the key themselves; each is limited to this
            account by its conditions (``aws:SourceAccount`` unless the grant brings its own).
        role_grants: Roles of this account that use the key directly and create grants for AWS
            resources with it.
        deletion_window_days: Waiting period before deletion (7 keeps ephemeral runs cheap).
    """

    alias: str
    description: str
    account_id: str
    partition: str
    region: str
    via_services: tuple[str, ...] = ()
    service_grants: tuple[ServiceGrant, ...] = ()
    role_grants: tuple[RoleGrant, ...] = ()
    deletion_window_days: int = 7

    def __post_init__(self) -> None:
        """Check the alias and the deletion window before anything is created."""
        if not self.alias.startswith("alias/"):
            raise ValueError(f"KmsKeyProps.alias: must start with 'alias/' (got {self.alias!r})")
        if not 7 <= self.deletion_window_days <= 30:
            raise ValueError(
                f"KmsKeyProps.deletion_window_days: AWS allows 7-30 (got {self.deletion_window_days})"
            )


class KmsKey(Construct):
    """A rotating CMK whose policy grants administration to the account and use only as configured.

    Attributes:
        key_arn: ARN of the key.
        key_id: Id of the key.
        alias_name: The alias, e.g. ``alias/payment-data-dev``.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: KmsKeyProps) -> None:
        """Create the key and its alias."""
        super().__init__(scope, construct_id)
        root = f"arn:{props.partition}:iam::{props.account_id}:root"
        statements = [
            Statement("KeyAdministrationByAccount", ("kms:*",), principals={"AWS": root}),
        ]
        if props.via_services:
            statements.append(
                Statement(
                    "UseThroughServices",
                    KEY_USE_ACTIONS,
                    principals={"AWS": "*"},
                    conditions={
                        "StringEquals": {"kms:CallerAccount": props.account_id},
                        "ForAnyValue:StringEquals": {
                            "kms:ViaService": [
                                f"{s}.{props.region}.amazonaws.com" for s in props.via_services
                            ]
                        },
                    },
                )
            )
        for grant in props.service_grants:
            sid = "UseBy" + "".join(w.capitalize() for w in grant.service.split(".")[0].split("-"))
            statements.append(
                Statement(
                    sid,
                    grant.actions,
                    principals={"Service": grant.service},
                    conditions=grant.conditions or {"StringEquals": {"aws:SourceAccount": props.account_id}},
                )
            )
        for role in props.role_grants:
            who = {"ArnEquals": {"aws:PrincipalArn": role.role_arn}}
            statements.append(Statement(role.sid, KEY_USE_ACTIONS, principals={"AWS": "*"}, conditions=who))
            statements.append(
                Statement(
                    f"{role.sid}Grants",
                    ("kms:CreateGrant",),
                    principals={"AWS": "*"},
                    conditions={**who, "Bool": {"kms:GrantIsForAWSResource": "true"}},
                )
            )
        key = kms_key.KmsKey(
            self,
            "key",
            description=props.description,
            enable_key_rotation=True,
            deletion_window_in_days=props.deletion_window_days,
            policy=policy_json(*statements),
        )
        alias = kms_alias.KmsAlias(self, "alias", name=props.alias, target_key_id=key.key_id)
        self.key_arn: str = key.arn
        self.key_id: str = key.key_id
        self.alias_name: str = alias.name


LOGS_KEY_ACTIONS = ("kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*")
"""What CloudWatch Logs needs of a key that encrypts log groups."""


def cloudwatch_logs_grant(partition: str, region: str, account_id: str) -> ServiceGrant:
    """Use of a key by CloudWatch Logs of this region, for this account's log groups only."""
    log_groups = f"arn:{partition}:logs:{region}:{account_id}:log-group:*"
    return ServiceGrant(
        f"logs.{region}.amazonaws.com",
        actions=LOGS_KEY_ACTIONS,
        conditions={"ArnLike": {"kms:EncryptionContext:aws:logs:arn": log_groups}},
    )
