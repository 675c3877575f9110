"""Typed wrapper of the ``aurora`` HCL module: the one holder of its variables and reader of its outputs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cdktf import TerraformHclModule
from constructs import Construct

from pci_infra.blocks.grants import Grantable
from pci_infra.foundation.stack_context import StackContext
from pci_infra.hcl_modules.hcl_module import module_source
from pci_infra.policies.policy_document import Statement

MODULE_VERSION = "2.1.1"
"""Version of modules/aurora this wrapper was written for (see its CHANGELOG)."""


DATABASE_NAME = "payments"
"""The module's default initial database."""
MASTER_USERNAME = "payments_admin"
"""The module's default master user: the proxy authenticates it with IAM (its password stays with RDS)."""


@dataclass(frozen=True)
class AuroraModuleProps:
    """Inputs of :class:`AuroraModule` (see modules/aurora/README.md).

    Attributes:
        name: Cluster identifier (from the naming helper).
        vpc_id: VPC of the cluster.
        subnet_ids: Private subnets in at least two zones.
        availability_zones: Zones for the instances, writer first.
        kms_key_arn: CMK for storage and the managed master secret.
        allowed_security_groups: Groups admitted on 5432 (proxy and cluster), by static name.
        reader_count: Readers besides the writer.
        min_capacity: Serverless v2 minimum ACU.
        max_capacity: Serverless v2 maximum ACU.
        ephemeral: Turn off deletion protection and skip the final snapshot (throwaway environments).
        create_proxy: RDS Proxy in front of the cluster.
    """

    name: str
    vpc_id: str
    subnet_ids: list[str]
    availability_zones: list[str]
    kms_key_arn: str
    allowed_security_groups: dict[str, str] = field(default_factory=dict)
    reader_count: int = 2
    min_capacity: float = 0.5
    max_capacity: float = 4
    ephemeral: bool = False
    create_proxy: bool = True

    def __post_init__(self) -> None:
        """Catch what the module would refuse at plan, earlier and with the same field names."""
        if not 0 <= self.reader_count <= 15:
            raise ValueError(f"AuroraModuleProps.reader_count: 0 to 15 (got {self.reader_count})")
        if self.max_capacity < self.min_capacity:
            raise ValueError(
                "AuroraModuleProps.max_capacity: must be >= min_capacity "
                f"({self.max_capacity} < {self.min_capacity})"
            )

    def variables(self) -> dict[str, Any]:
        """The module's input variables."""
        return {
            "name": self.name,
            "vpc_id": self.vpc_id,
            "subnet_ids": self.subnet_ids,
            "availability_zones": self.availability_zones,
            "kms_key_arn": self.kms_key_arn,
            "allowed_security_groups": dict(self.allowed_security_groups),
            "reader_count": self.reader_count,
            "min_capacity": self.min_capacity,
            "max_capacity": self.max_capacity,
            "deletion_protection": not self.ephemeral,
            "skip_final_snapshot": self.ephemeral,
            "create_proxy": self.create_proxy,
        }


class AuroraModule(Construct):
    """Aurora PostgreSQL Serverless v2 with an RDS Proxy, from the vetted ``aurora`` module.

    Attributes:
        cluster_arn: Cluster ARN.
        cluster_identifier: Cluster identifier.
        cluster_resource_id: Resource id (for ``rds-db:connect`` policies).
        cluster_endpoint: Writer endpoint.
        master_user_secret_arn: RDS-managed master secret ARN.
        cluster_security_group_id: Cluster security group.
        proxy_arn: Proxy ARN.
        proxy_name: Proxy name.
        proxy_endpoint: Endpoint the applications use (TLS, IAM auth).
        proxy_resource_id: Proxy resource id (``prx-...``) for ``rds-db:connect`` policies.
        proxy_security_group_id: Proxy security group.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: AuroraModuleProps) -> None:
        """Instantiate the module."""
        super().__init__(scope, construct_id)
        module = TerraformHclModule(
            self, "module", source=module_source("aurora"), variables=props.variables()
        )
        self.cluster_arn: str = module.get_string("cluster_arn")
        self.cluster_identifier: str = module.get_string("cluster_identifier")
        self.cluster_resource_id: str = module.get_string("cluster_resource_id")
        self.cluster_endpoint: str = module.get_string("cluster_endpoint")
        self.master_user_secret_arn: str = module.get_string("cluster_master_user_secret_arn")
        self.cluster_security_group_id: str = module.get_string("cluster_security_group_id")
        self.proxy_arn: str = module.get_string("proxy_arn")
        self.proxy_name: str = module.get_string("proxy_name")
        self.proxy_endpoint: str = module.get_string("proxy_endpoint")
        self.proxy_resource_id: str = module.get_string("proxy_resource_id")
        self.proxy_security_group_id: str = module.get_string("proxy_security_group_id")

    def grant_connect(self, grantee: Grantable, *, sid: str, user: str) -> None:
        """Let ``grantee`` connect through the proxy as database user ``user`` (IAM authentication)."""
        resource = StackContext.of(self).arn("rds-db", f"dbuser:{self.proxy_resource_id}/{user}")
        grantee.add_to_role_policy(Statement(sid, ("rds-db:connect",), resources=(resource,)))
