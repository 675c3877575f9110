"""Typed wrapper of the ``alb`` HCL module: the only place holding its variables and reading its outputs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cdktf import Fn, TerraformHclModule
from constructs import Construct

from pci_infra.hcl_modules.hcl_module import module_source

MODULE_VERSION = "1.1.0"
"""Version of modules/alb this wrapper was written for (see its CHANGELOG)."""


@dataclass(frozen=True)
class TargetGroupSpec:
    """One target group.

    Attributes:
        name: Target group name from the naming helper (32 max).
        target_type: ``instance``, ``ip`` or ``lambda``.
        port: Target port (ignored for Lambda).
        health_check_path: Health check path.
    """

    name: str
    target_type: str = "instance"
    port: int = 80
    health_check_path: str = "/health"


@dataclass(frozen=True)
class PathRule:
    """Forward requests matching ``path_patterns`` to the target group ``target_group_key``."""

    priority: int
    path_patterns: tuple[str, ...]
    target_group_key: str


@dataclass(frozen=True)
class AlbModuleProps:
    """Inputs of :class:`AlbModule` (see modules/alb/README.md).

    Attributes:
        name: Load balancer name (from the naming helper, 32 max).
        vpc_id: VPC.
        vpc_cidr_block: VPC CIDR (egress to targets inside only).
        subnet_ids: Subnets in at least two zones.
        access_logs_bucket: Bucket for access logs.
        access_logs_prefix: Key prefix of access logs (the bucket policy admits only this prefix).
        target_groups: Target groups by key.
        path_rules: Path rules by key.
        ingress_cidr_blocks: Admitted client ranges (never ``0.0.0.0/0``).
        ingress_security_group_ids: Admitted client groups.
        certificate_arn: HTTPS certificate; ``None`` gives plain HTTP (emulator).
        internal: Internal load balancer.
        ephemeral: Turn off deletion protection (throwaway environments).
    """

    name: str
    vpc_id: str
    vpc_cidr_block: str
    subnet_ids: list[str]
    access_logs_bucket: str
    target_groups: dict[str, TargetGroupSpec]
    access_logs_prefix: str = "alb"
    path_rules: dict[str, PathRule] = field(default_factory=dict)
    ingress_cidr_blocks: tuple[str, ...] = ()
    ingress_security_group_ids: tuple[str, ...] = ()
    certificate_arn: str | None = None
    internal: bool = True
    ephemeral: bool = False

    def __post_init__(self) -> None:
        """Refuse open ingress and dangling rule targets before anything is created."""
        if "0.0.0.0/0" in self.ingress_cidr_blocks:
            raise ValueError("AlbModuleProps.ingress_cidr_blocks: 0.0.0.0/0 is not allowed in this project")
        missing = {r.target_group_key for r in self.path_rules.values()} - set(self.target_groups)
        if missing:
            raise ValueError(f"AlbModuleProps.path_rules: unknown target group keys {sorted(missing)}")

    def variables(self) -> dict[str, Any]:
        """The module's input variables."""
        return {
            "name": self.name,
            "vpc_id": self.vpc_id,
            "vpc_cidr_block": self.vpc_cidr_block,
            "subnet_ids": self.subnet_ids,
            "internal": self.internal,
            "ingress_cidr_blocks": list(self.ingress_cidr_blocks),
            "ingress_security_group_ids": list(self.ingress_security_group_ids),
            "certificate_arn": self.certificate_arn,
            "access_logs_bucket": self.access_logs_bucket,
            "access_logs_prefix": self.access_logs_prefix,
            "deletion_protection": not self.ephemeral,
            "target_groups": {
                key: {
                    "target_type": tg.target_type,
                    "port": tg.port,
                    "health_check_path": tg.health_check_path,
                }
                for key, tg in self.target_groups.items()
            },
            "path_rules": {
                key: {
                    "priority": r.priority,
                    "path_patterns": list(r.path_patterns),
                    "target_group_key": r.target_group_key,
                }
                for key, r in self.path_rules.items()
            },
        }


class AlbModule(Construct):
    """The payment load balancer, from the vetted ``alb`` module.

    Attributes:
        lb_arn: Load balancer ARN.
        lb_arn_suffix: ARN suffix (CloudWatch dimension).
        lb_dns_name: DNS name.
        lb_zone_id: Hosted zone id (Route 53 alias).
        security_group_id: Load balancer security group.
        listener_arn: Serving listener.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: AlbModuleProps) -> None:
        """Instantiate the module."""
        super().__init__(scope, construct_id)
        self._module = TerraformHclModule(
            self, "module", source=module_source("alb"), variables=props.variables()
        )
        self.lb_arn: str = self._module.get_string("lb_arn")
        self.lb_arn_suffix: str = self._module.get_string("lb_arn_suffix")
        self.lb_dns_name: str = self._module.get_string("lb_dns_name")
        self.lb_zone_id: str = self._module.get_string("lb_zone_id")
        self.security_group_id: str = self._module.get_string("lb_security_group_id")
        self.listener_arn: str = self._module.get_string("listener_arn")

    def target_group_arn(self, key: str) -> str:
        """ARN of the target group ``key``."""
        return str(Fn.lookup(self._module.get("target_group_arns"), key))

    def target_group_arn_suffix(self, key: str) -> str:
        """ARN suffix of the target group ``key`` (CloudWatch dimension)."""
        return str(Fn.lookup(self._module.get("target_group_arn_suffixes"), key))
