"""The web ACL in front of the payment API's load balancer (through the waf module)."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from pci_infra.hcl_modules.waf import WafModule, WafModuleProps


@dataclass(frozen=True)
class PaymentFirewallProps:
    """Inputs of :class:`PaymentFirewall`.

    Attributes:
        acl_name: Web ACL name.
        alb_arn: Load balancer to protect.
        log_bucket_arn: ``aws-waf-logs-`` bucket for blocked requests.
        geo_block_countries: Countries to block.
    """

    acl_name: str
    alb_arn: str
    log_bucket_arn: str
    geo_block_countries: tuple[str, ...] = ()


class PaymentFirewall(Construct):
    """The web ACL of the payment API: 1000 requests / 5 min / IP, SQLi, XSS, geo and API rules.

    Attributes:
        web_acl_arn: ARN of the web ACL.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: PaymentFirewallProps) -> None:
        """Create the ACL from the waf module, associated with the ALB."""
        super().__init__(scope, construct_id)
        acl = WafModule(
            self,
            "waf",
            props=WafModuleProps(
                name=props.acl_name,
                resource_arn=props.alb_arn,
                log_bucket_arn=props.log_bucket_arn,
                rate_limit=1000,
                geo_block_countries=props.geo_block_countries,
            ),
        )
        self.web_acl_arn: str = acl.web_acl_arn
