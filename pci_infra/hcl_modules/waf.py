"""Typed wrapper of the ``waf`` HCL module: the only place holding its variables and reading its outputs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cdktf import TerraformHclModule
from constructs import Construct

from pci_infra.hcl_modules.hcl_module import module_source

MODULE_VERSION = "1.0.0"
"""Version of modules/waf this wrapper was written for (see its CHANGELOG)."""


@dataclass(frozen=True)
class WafModuleProps:
    """Inputs of :class:`WafModule` (see modules/waf/README.md).

    Attributes:
        name: Web ACL name (from the naming helper).
        resource_arn: Load balancer to protect.
        log_bucket_arn: ``aws-waf-logs-`` bucket receiving blocked requests.
        rate_limit: Requests per IP per 5 minutes.
        geo_block_countries: ISO alpha-2 codes to block.
        payment_api_path: Protected payment API prefix.
    """

    name: str
    resource_arn: str
    log_bucket_arn: str
    rate_limit: int = 1000
    geo_block_countries: tuple[str, ...] = ()
    payment_api_path: str = "/api/payments"

    def __post_init__(self) -> None:
        """Refuse malformed country codes before anything is created."""
        bad = [c for c in self.geo_block_countries if len(c) != 2 or not c.isupper()]
        if bad:
            raise ValueError(f"WafModuleProps.geo_block_countries: ISO alpha-2 upper-case codes (got {bad})")

    def variables(self) -> dict[str, Any]:
        """The module's input variables."""
        return {
            "name": self.name,
            "resource_arn": self.resource_arn,
            "create_association": True,
            "log_bucket_arn": self.log_bucket_arn,
            "rate_limit": self.rate_limit,
            "geo_block_countries": list(self.geo_block_countries),
            "payment_api_path": self.payment_api_path,
        }


class WafModule(Construct):
    """The payment web ACL, from the vetted ``waf`` module.

    Attributes:
        web_acl_arn: Web ACL ARN.
        web_acl_name: Web ACL name.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: WafModuleProps) -> None:
        """Instantiate the module."""
        super().__init__(scope, construct_id)
        module = TerraformHclModule(self, "module", source=module_source("waf"), variables=props.variables())
        self.web_acl_arn: str = module.get_string("web_acl_arn")
        self.web_acl_name: str = module.get_string("web_acl_name")
