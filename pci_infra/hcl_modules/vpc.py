"""Typed wrapper of the ``vpc`` HCL module: the only place holding its variables and reading its outputs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cdktf import Fn, TerraformHclModule, Token
from constructs import Construct

from pci_infra.hcl_modules.hcl_module import module_source

MODULE_VERSION = "2.1.0"
"""Version of modules/vpc this wrapper was written for (see its CHANGELOG)."""


@dataclass(frozen=True)
class FlowLogsProps:
    """Where VPC Flow Logs go.

    Attributes:
        cloudwatch_kms_key_arn: CMK of the log group; setting it turns CloudWatch delivery on.
        cloudwatch_retention_days: Retention of the log group.
        s3_bucket_arn: Bucket for S3 delivery; ``None`` for none.
        s3_key_prefix: Key prefix of S3 delivery (empty: the bucket root).
        traffic_type: ``ALL``, ``ACCEPT`` or ``REJECT``.
    """

    cloudwatch_kms_key_arn: str | None = None
    cloudwatch_retention_days: int = 30
    s3_bucket_arn: str | None = None
    s3_key_prefix: str = "vpc-flow-logs/"
    traffic_type: str = "ALL"


@dataclass(frozen=True)
class VpcModuleProps:
    """Inputs of :class:`VpcModule` (see modules/vpc/README.md).

    Attributes:
        name: Name prefix of every resource.
        cidr: VPC CIDR (/16 to /24).
        az_count: Zones to spread each tier over.
        create_public_subnets: Public subnets and an internet gateway.
        nat_gateway_mode: ``none``, ``single`` or ``one_per_az``.
        extra_subnet_tiers: Extra tiers by name with their subnet index offset.
        flow_logs: Flow log destinations.
        gateway_endpoints: ``s3`` / ``dynamodb`` gateway endpoints.
        interface_endpoints: Interface endpoint service names.
        interface_endpoint_tier: Tier hosting the interface endpoints.
    """

    name: str
    cidr: str
    az_count: int = 3
    create_public_subnets: bool = False
    nat_gateway_mode: str = "none"
    extra_subnet_tiers: dict[str, int] = field(default_factory=dict)
    flow_logs: FlowLogsProps = field(default_factory=FlowLogsProps)
    gateway_endpoints: tuple[str, ...] = ()
    interface_endpoints: tuple[str, ...] = ()
    interface_endpoint_tier: str = "private"

    def __post_init__(self) -> None:
        """Catch what the module would refuse at plan, earlier and with the same field names."""
        if self.nat_gateway_mode not in ("none", "single", "one_per_az"):
            raise ValueError(
                f"VpcModuleProps.nat_gateway_mode: none, single or one_per_az (got {self.nat_gateway_mode!r})"
            )
        if self.nat_gateway_mode != "none" and not self.create_public_subnets:
            raise ValueError("VpcModuleProps.nat_gateway_mode: NAT gateways need create_public_subnets=True")

    def variables(self) -> dict[str, Any]:
        """The module's input variables."""
        flow: dict[str, Any] = {"traffic_type": self.flow_logs.traffic_type}
        if self.flow_logs.cloudwatch_kms_key_arn:
            flow |= {
                "enable_cloudwatch": True,
                "cloudwatch_kms_key_arn": self.flow_logs.cloudwatch_kms_key_arn,
                "cloudwatch_retention": self.flow_logs.cloudwatch_retention_days,
            }
        if self.flow_logs.s3_bucket_arn:
            flow |= {
                "enable_s3": True,
                "s3_bucket_arn": self.flow_logs.s3_bucket_arn,
                "s3_key_prefix": self.flow_logs.s3_key_prefix,
            }
        return {
            "name": self.name,
            "cidr": self.cidr,
            "az_count": self.az_count,
            "create_public_subnets": self.create_public_subnets,
            "nat_gateway_mode": self.nat_gateway_mode,
            "extra_subnet_tiers": {
                tier: {"offset": offset} for tier, offset in self.extra_subnet_tiers.items()
            },
            "flow_logs": flow,
            "gateway_endpoints": list(self.gateway_endpoints),
            "interface_endpoints": list(self.interface_endpoints),
            "interface_endpoint_tier": self.interface_endpoint_tier,
        }


class VpcModule(Construct):
    """The network of a stack, from the vetted ``vpc`` module.

    Attributes:
        vpc_id: VPC id.
        vpc_cidr_block: VPC CIDR.
        availability_zones: Zones in index order.
        private_subnet_ids: Private subnets, one per zone.
        private_subnet_cidrs: CIDRs of the private subnets, one per zone.
        private_route_table_ids: Private route tables, one per zone.
        public_subnet_ids: Public subnets (may be empty).
        default_security_group_id: The rule-less default security group.
        flow_log_group_name: CloudWatch group of the flow logs (token; null when not enabled).
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: VpcModuleProps) -> None:
        """Instantiate the module."""
        super().__init__(scope, construct_id)
        self._module = TerraformHclModule(
            self, "module", source=module_source("vpc"), variables=props.variables()
        )
        self.vpc_id: str = self._module.get_string("vpc_id")
        self.vpc_cidr_block: str = self._module.get_string("vpc_cidr_block")
        self.availability_zones: list[str] = self._module.get_list("availability_zones")
        self.private_subnet_ids: list[str] = self._module.get_list("private_subnet_ids")
        self.private_subnet_cidrs: list[str] = self._module.get_list("private_subnet_cidrs")
        self.private_route_table_ids: list[str] = self._module.get_list("private_route_table_ids")
        self.public_subnet_ids: list[str] = self._module.get_list("public_subnet_ids")
        self.default_security_group_id: str = self._module.get_string("default_security_group_id")
        self.flow_log_group_name: str = self._module.get_string("flow_log_group_name")

    def tier_subnet_ids(self, tier: str) -> list[str]:
        """Subnets of an extra tier, one per zone."""
        return Token.as_list(Fn.lookup(self._module.get("extra_subnet_ids"), tier))

    def tier_subnet_cidrs(self, tier: str) -> list[str]:
        """CIDRs of the subnets of an extra tier, one per zone."""
        return Token.as_list(Fn.lookup(self._module.get("extra_subnet_cidrs"), tier))

    def tier_route_table_ids(self, tier: str) -> list[str]:
        """Route tables of an extra tier, one per zone."""
        return Token.as_list(Fn.lookup(self._module.get("extra_route_table_ids"), tier))
