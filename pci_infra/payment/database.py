"""Database of the payment platform: Aurora PostgreSQL Serverless v2 behind an RDS Proxy."""

from __future__ import annotations

from dataclasses import dataclass, field

from constructs import Construct

from pci_infra.hcl_modules.aurora import AuroraModule, AuroraModuleProps
from pci_infra.hcl_modules.vpc import VpcModule


@dataclass(frozen=True)
class PaymentDatabaseProps:
    """Inputs of :class:`PaymentDatabase`.

    Attributes:
        cluster_name: Cluster identifier.
        vpc: The network (its private subnets and zones, writer in the first).
        kms_key_arn: Aurora CMK.
        client_security_groups: Groups allowed to connect (through the proxy), by static name.
        deletion_protection: Protect the cluster and keep a final snapshot.
    """

    cluster_name: str
    vpc: VpcModule
    kms_key_arn: str
    client_security_groups: dict[str, str] = field(default_factory=dict)
    deletion_protection: bool = False


class PaymentDatabase(Construct):
    """One writer and two readers in different zones, encrypted with our key, reached through the proxy.

    Attributes:
        aurora: The aurora module wrapper (cluster and proxy attributes).
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: PaymentDatabaseProps) -> None:
        """Create the cluster from the aurora module."""
        super().__init__(scope, construct_id)
        self.aurora = AuroraModule(
            self,
            "aurora",
            props=AuroraModuleProps(
                name=props.cluster_name,
                vpc_id=props.vpc.vpc_id,
                subnet_ids=props.vpc.private_subnet_ids,
                availability_zones=props.vpc.availability_zones,
                kms_key_arn=props.kms_key_arn,
                allowed_security_groups=props.client_security_groups,
                reader_count=2,
                ephemeral=not props.deletion_protection,
            ),
        )
