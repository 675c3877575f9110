"""Network of the PCI environment: private only, three zones, three tiers, flow logs to S3.

No public subnets, internet gateway or NAT: workload subnets (the module's private tier), firewall
subnets and endpoint subnets, each tier with its own route table per zone. AWS APIs, S3 included,
are reached only through interface endpoints with private DNS in the endpoint tier, which the
firewall construct puts behind the Network Firewall (its routes between the workload and endpoint
tiers). Every flow is logged to the flow-log bucket.
"""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from pci_infra.blocks.workload_security_group import Egress, workload_security_group
from pci_infra.hcl_modules.vpc import FlowLogsProps, VpcModule, VpcModuleProps

INTERFACE_ENDPOINTS = ("s3", "kms", "secretsmanager", "logs", "sts", "ssm")
"""Interface endpoints (private DNS) in the endpoint tier: every AWS API the workloads call."""
FIREWALL_TIER = "firewall"
ENDPOINT_TIER = "endpoints"


@dataclass(frozen=True)
class PciNetworkProps:
    """Inputs of :class:`PciNetwork`.

    Attributes:
        name: VPC name prefix.
        flow_log_bucket_arn: Bucket receiving the flow logs.
        flow_log_prefix: Key prefix of the flow logs in that bucket.
        workload_groups: Security group names of the workloads, by key.
        database_clients: Keys of the groups that also reach PostgreSQL (5432) inside the VPC.
        cidr: VPC CIDR.
    """

    name: str
    flow_log_bucket_arn: str
    flow_log_prefix: str
    workload_groups: dict[str, str]
    database_clients: tuple[str, ...] = ()
    cidr: str = "10.40.0.0/16"


class PciNetwork(Construct):
    """The VPC, its tiers and endpoints, and the workload security groups.

    Attributes:
        vpc: The vpc module wrapper.
        availability_zones: Zones, in the index order of every per-zone list below.
        workload_subnet_ids: Workload subnets, one per zone.
        workload_subnet_cidrs: Their CIDRs.
        workload_route_table_ids: Their route tables.
        firewall_subnet_ids: Firewall subnets, one per zone.
        endpoint_subnet_cidrs: CIDRs of the endpoint subnets, one per zone.
        endpoint_route_table_ids: Their route tables.
        security_group_ids: Workload security groups by key: no inbound; HTTPS out (which reaches
            only the VPC endpoints, through the firewall); PostgreSQL inside the VPC for database
            clients.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: PciNetworkProps) -> None:
        """Create the VPC from the vpc module and the workload groups."""
        super().__init__(scope, construct_id)
        self.vpc = VpcModule(
            self,
            "vpc",
            props=VpcModuleProps(
                name=props.name,
                cidr=props.cidr,
                az_count=3,
                create_public_subnets=False,
                nat_gateway_mode="none",
                extra_subnet_tiers={FIREWALL_TIER: 20, ENDPOINT_TIER: 30},
                flow_logs=FlowLogsProps(
                    s3_bucket_arn=props.flow_log_bucket_arn, s3_key_prefix=props.flow_log_prefix
                ),
                # S3 through an interface endpoint in the endpoint tier, and no S3 gateway endpoint
                # at all. A gateway endpoint is a prefix-list route in a route table: on a workload
                # table it beats the default route to the firewall (a bypass); on the firewall
                # subnets' table (the only other place workload traffic passes) the request would be
                # inspected, but S3's answer comes back through the gateway straight to the
                # workload (a gateway endpoint takes no edge route table), so Network Firewall sees
                # one direction only and, as it does not support asymmetric routing, drops or
                # misjudges the flow. The interface endpoint sits behind the same inspection
                # routes, both ways, as every other AWS API.
                gateway_endpoints=(),
                interface_endpoints=INTERFACE_ENDPOINTS,
                interface_endpoint_tier=ENDPOINT_TIER,
            ),
        )
        self.availability_zones: list[str] = self.vpc.availability_zones
        self.workload_subnet_ids: list[str] = self.vpc.private_subnet_ids
        self.workload_subnet_cidrs: list[str] = self.vpc.private_subnet_cidrs
        self.workload_route_table_ids: list[str] = self.vpc.private_route_table_ids
        self.firewall_subnet_ids: list[str] = self.vpc.tier_subnet_ids(FIREWALL_TIER)
        self.endpoint_subnet_cidrs: list[str] = self.vpc.tier_subnet_cidrs(ENDPOINT_TIER)
        self.endpoint_route_table_ids: list[str] = self.vpc.tier_route_table_ids(ENDPOINT_TIER)
        self.security_group_ids: dict[str, str] = {}
        for key, name in props.workload_groups.items():
            egress = {"https": Egress(443, "0.0.0.0/0", "HTTPS: VPC endpoints, and the firewall allow-list")}
            if key in props.database_clients:
                egress["postgres"] = Egress(5432, self.vpc.vpc_cidr_block, "PostgreSQL inside the VPC")
            self.security_group_ids[key] = workload_security_group(
                self,
                key,
                name=name,
                description=f"PCI {key}: no inbound; HTTPS out through endpoints and the firewall",
                vpc_id=self.vpc.vpc_id,
                egress=egress,
            )
