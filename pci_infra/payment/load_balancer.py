"""Compute of the payment platform: the internal load balancer of the payment API."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from pci_infra.blocks.secure_bucket import SecureBucket
from pci_infra.hcl_modules.alb import AlbModule, AlbModuleProps, PathRule, TargetGroupSpec
from pci_infra.hcl_modules.vpc import VpcModule


@dataclass(frozen=True)
class PaymentLoadBalancerProps:
    """Inputs of :class:`PaymentLoadBalancer`.

    Attributes:
        name: Load balancer name.
        api_target_group_name: Name of the payment API target group.
        vpc: The network (private subnets; its CIDR is the only admitted client range).
        access_logs: Bucket for access logs.
        access_logs_prefix: Prefix admitted by that bucket's policy.
        certificate_arn: HTTPS certificate (``None`` on the emulator: plain HTTP).
        deletion_protection: Protect the load balancer.
    """

    name: str
    api_target_group_name: str
    vpc: VpcModule
    access_logs: SecureBucket
    access_logs_prefix: str
    certificate_arn: str | None = None
    deletion_protection: bool = False


class PaymentLoadBalancer(Construct):
    """Internal ALB: cross-zone, invalid headers dropped, access logs, TLS 1.2+ given a certificate.

    Attributes:
        alb: The alb module wrapper.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: PaymentLoadBalancerProps) -> None:
        """Create the load balancer from the alb module."""
        super().__init__(scope, construct_id)
        self.alb = AlbModule(
            self,
            "alb",
            props=AlbModuleProps(
                name=props.name,
                vpc_id=props.vpc.vpc_id,
                vpc_cidr_block=props.vpc.vpc_cidr_block,
                subnet_ids=props.vpc.private_subnet_ids,
                access_logs_bucket=props.access_logs.bucket_name,
                access_logs_prefix=props.access_logs_prefix,
                target_groups={
                    "api": TargetGroupSpec(
                        name=props.api_target_group_name, target_type="lambda", health_check_path="/health"
                    )
                },
                path_rules={"payments": PathRule(10, ("/api/payments", "/api/payments/*"), "api")},
                ingress_cidr_blocks=(props.vpc.vpc_cidr_block,),
                certificate_arn=props.certificate_arn,
                internal=True,
                ephemeral=not props.deletion_protection,
            ),
        )
