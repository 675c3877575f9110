"""A workload's security group: nothing may connect in; it may go out only on the TCP ports it names."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_aws import security_group, vpc_security_group_egress_rule
from constructs import Construct


@dataclass(frozen=True)
class Egress:
    """One TCP egress rule.

    Attributes:
        port: Destination port.
        cidr: Destination range.
        description: Why the workload goes there.
    """

    port: int
    cidr: str
    description: str


def workload_security_group(
    scope: Construct, key: str, *, name: str, description: str, vpc_id: str, egress: dict[str, Egress]
) -> str:
    """Create ``<key>-sg`` with no inbound rule and one ``<key>-egress-<rule>`` per entry; return its id."""
    group = security_group.SecurityGroup(
        scope, f"{key}-sg", name=name, description=description, vpc_id=vpc_id, tags={"Name": name}
    )
    for rule, allowed in egress.items():
        vpc_security_group_egress_rule.VpcSecurityGroupEgressRule(
            scope,
            f"{key}-egress-{rule}",
            security_group_id=group.id,
            description=allowed.description,
            ip_protocol="tcp",
            from_port=allowed.port,
            to_port=allowed.port,
            cidr_ipv4=allowed.cidr,
        )
    return str(group.id)
