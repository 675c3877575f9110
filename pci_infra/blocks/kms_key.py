"""A customer-managed KMS key with rotation, a least-privilege key policy and an alias."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cdktf_cdktf_provider_aws import kms_alias, kms_key
from constructs import Construct

from pci_infra.blocks.grants import Grantable, LazyPolicy
from pci_infra.foundation.stack_context import StackContext
from pci_infra.policies.policy_document import Statement

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
        ctx = StackContext.of(self)
        # Administration by the account root keeps the key manageable (without it a key whose
        # policy names only workload roles cannot be changed or deleted by anyone); use is granted
        # only by the statements below.
        self._policy = LazyPolicy(
            Statement("KeyAdministrationByAccount", ("kms:*",), principals={"AWS": ctx.root_arn}),
        )
        if props.via_services:
            self._policy.add(
                Statement(
                    "UseThroughServices",
                    KEY_USE_ACTIONS,
                    principals={"AWS": "*"},
                    conditions={
                        "StringEquals": {"kms:CallerAccount": ctx.account_id},
                        "ForAnyValue:StringEquals": {
                            "kms:ViaService": [ctx.service_principal(s) for s in props.via_services]
                        },
                    },
                )
            )
        for grant in props.service_grants:
            sid = "UseBy" + "".join(w.capitalize() for w in grant.service.split(".")[0].split("-"))
            self._policy.add(
                Statement(
                    sid,
                    grant.actions,
                    principals={"Service": grant.service},
                    conditions=grant.conditions or {"StringEquals": {"aws:SourceAccount": ctx.account_id}},
                )
            )
        for role in props.role_grants:
            self.allow_role(role)
        key = kms_key.KmsKey(
            self,
            "key",
            description=props.description,
            enable_key_rotation=True,
            deletion_window_in_days=props.deletion_window_days,
            policy=self._policy.to_json(),
        )
        alias = kms_alias.KmsAlias(self, "alias", name=props.alias, target_key_id=key.key_id)
        self.key_arn: str = key.arn
        self.key_id: str = key.key_id
        self.alias_name: str = alias.name

    def allow_role(self, grant: RoleGrant) -> None:
        """Name ``grant.role_arn`` in the key policy: it may use the key and grant AWS resources its use."""
        who = {"ArnEquals": {"aws:PrincipalArn": grant.role_arn}}
        self._policy.add(Statement(grant.sid, KEY_USE_ACTIONS, principals={"AWS": "*"}, conditions=who))
        self._policy.add(
            Statement(
                f"{grant.sid}Grants",
                ("kms:CreateGrant",),
                principals={"AWS": "*"},
                conditions={**who, "Bool": {"kms:GrantIsForAWSResource": "true"}},
            )
        )

    def grant(self, grantee: Grantable, *, sid: str, actions: tuple[str, ...]) -> None:
        """Let ``grantee``'s role perform ``actions`` on this key (its identity policy)."""
        grantee.add_to_role_policy(Statement(sid, actions, resources=(self.key_arn,)))

    def grant_encrypt_decrypt(self, grantee: Grantable, *, sid: str) -> None:
        """Let ``grantee`` decrypt and make data keys (reading and writing what the key protects)."""
        self.grant(grantee, sid=sid, actions=("kms:Decrypt", "kms:GenerateDataKey"))


LOGS_KEY_ACTIONS = ("kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*")
"""What CloudWatch Logs needs of a key that encrypts log groups."""


def cloudwatch_logs_grant(ctx: StackContext) -> ServiceGrant:
    """Use of a key by CloudWatch Logs of this region, for this account's log groups only."""
    log_groups = ctx.arn("logs", "log-group:*")
    return ServiceGrant(
        ctx.service_principal("logs"),
        actions=LOGS_KEY_ACTIONS,
        conditions={"ArnLike": {"kms:EncryptionContext:aws:logs:arn": log_groups}},
    )
