"""Network of the payment platform: three zones, private and public tiers, NAT, flow logs."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from constructs_py.vpc_module import FlowLogsProps, VpcModule, VpcModuleProps

FLOW_LOG_RETENTION_DAYS = 30


@dataclass(frozen=True)
class PaymentNetworkProps:
    """Inputs of :class:`PaymentNetwork`.

    Attributes:
        name: VPC name prefix.
        cidr: VPC CIDR.
        logs_key_arn: CMK of the flow log group.
    """

    name: str
    logs_key_arn: str
    cidr: str = "10.20.0.0/16"


class PaymentNetwork(Construct):
    """VPC over three zones with a NAT gateway per zone and all traffic logged for 30 days.

    Attributes:
        vpc: The vpc module wrapper (ids, subnets, zones).
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: PaymentNetworkProps) -> None:
        """Create the VPC from the vpc module."""
        super().__init__(scope, construct_id)
        self.vpc = VpcModule(
            self,
            "vpc",
            props=VpcModuleProps(
                name=props.name,
                cidr=props.cidr,
                az_count=3,
                create_public_subnets=True,
                nat_gateway_mode="one_per_az",
                flow_logs=FlowLogsProps(
                    cloudwatch_kms_key_arn=props.logs_key_arn,
                    cloudwatch_retention_days=FLOW_LOG_RETENTION_DAYS,
                ),
            ),
        )
