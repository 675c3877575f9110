"""AWS Network Firewall for the PCI VPC: egress only as TLS to an allow-list of AWS service names.

A stateful rule group in strict order allows TLS whose SNI is one of the listed AWS service
domains; the policy drops every other established flow and alerts on it, and sends everything the
stateless engine sees to the stateful one. Rule group, policy and firewall are encrypted with a
customer-managed key; the firewall's deletion, policy-change and subnet-change protection follow
the environment's deletion protection. Alert and flow logs go to CloudWatch Logs groups encrypted
with the logs key.

Every packet between the workload tier and anything else crosses the firewall endpoint of the
workload subnet's zone, both ways (Network Firewall does not support asymmetric routing):

* workload route table of zone *i*: ``0.0.0.0/0`` and each endpoint subnet's CIDR (routes more
  specific than the VPC's local route, which AWS accepts for a whole subnet CIDR with a firewall
  endpoint as target) via the firewall endpoint of zone *i*;
* endpoint route table of every zone: each workload subnet *i*'s CIDR via the firewall endpoint of
  zone *i*, so the answers go back through the endpoint that saw the request;
* firewall route tables keep only the local route: inspected traffic goes on to its subnet, and
  anything else (the internet: there is no gateway) ends there.

The emulator cannot host the firewall resources (capability list); they are left out there, and
with them these routes.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import Fn, TerraformLocal
from cdktf_cdktf_provider_aws import (
    cloudwatch_log_group,
    route,
)
from cdktf_cdktf_provider_aws import (
    networkfirewall_firewall as nf_firewall,
)
from cdktf_cdktf_provider_aws import (
    networkfirewall_firewall_policy as nf_policy,
)
from cdktf_cdktf_provider_aws import (
    networkfirewall_logging_configuration as nf_logging,
)
from cdktf_cdktf_provider_aws import (
    networkfirewall_rule_group as nf_rules,
)
from constructs import Construct

from pci_infra.foundation.stack_context import StackContext
from pci_infra.pci.network import INTERFACE_ENDPOINTS
from pci_infra.policies.log_retention import AUDIT_LOG_RETENTION_DAYS

ALLOWED_SERVICES = INTERFACE_ENDPOINTS
"""AWS services the workloads call, each through its interface endpoint: their regional names are
the only TLS destinations allowed (a service with no endpoint would have no way out to allow)."""
FIREWALL_TYPES = (
    "aws_networkfirewall_rule_group",
    "aws_networkfirewall_firewall_policy",
    "aws_networkfirewall_firewall",
    "aws_networkfirewall_logging_configuration",
)


def allowed_domains(region: str) -> list[str]:
    """TLS server names the firewall lets through: the services' regional endpoints.

    Network Firewall domain-list semantics: a name matches exactly; a leading dot matches the name
    itself and every subdomain. So the interface endpoints' private DNS names
    (``<service>.<region>.amazonaws.com``) match their explicit entries, and S3's (``s3.<region>``
    and the virtual-hosted ``<bucket>.s3.<region>``) match the S3 suffix entry too.
    """
    names = [f"{service}.{region}.amazonaws.com" for service in ALLOWED_SERVICES]
    return [*names, f".s3.{region}.amazonaws.com"]


@dataclass(frozen=True)
class PciFirewallProps:
    """Inputs of :class:`PciFirewall`.

    Attributes:
        firewall_name: Firewall name.
        policy_name: Firewall policy name.
        rule_group_name: Stateful rule group name.
        alert_log_group: Log group of alerts.
        flow_log_group: Log group of flows.
        vpc_id: VPC.
        availability_zones: Zones, in the order of every per-zone list here.
        firewall_subnet_ids: Firewall subnets, one per zone.
        workload_subnet_cidrs: CIDRs of the workload subnets, one per zone.
        workload_route_table_ids: Route tables of the workload subnets, one per zone.
        endpoint_subnet_cidrs: CIDRs of the endpoint subnets, one per zone.
        endpoint_route_table_ids: Route tables of the endpoint subnets, one per zone.
        logs_key_arn: CMK of the log groups.
        encryption_key_arn: CMK encrypting the rule group, the policy and the firewall.
        deletion_protection: Protect the firewall from deletion and its policy and subnets from change.
        az_count: Number of zones.
    """

    firewall_name: str
    policy_name: str
    rule_group_name: str
    alert_log_group: str
    flow_log_group: str
    vpc_id: str
    availability_zones: list[str]
    firewall_subnet_ids: list[str]
    workload_subnet_cidrs: list[str]
    workload_route_table_ids: list[str]
    endpoint_subnet_cidrs: list[str]
    endpoint_route_table_ids: list[str]
    logs_key_arn: str
    encryption_key_arn: str
    deletion_protection: bool
    az_count: int = 3


class PciFirewall(Construct):
    """Rule group, policy, firewall, logging and the routes through it.

    Attributes:
        firewall_arn: Firewall ARN (``None`` where not hosted).
        rule_group_arn: Rule group ARN (``None`` where not hosted).
        alert_log_group_name: Alert log group.
        flow_log_group_name: Flow log group.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: PciFirewallProps) -> None:
        """Create the log groups always, the firewall where hosted."""
        super().__init__(scope, construct_id)
        ctx = StackContext.of(self)
        groups = {
            kind: cloudwatch_log_group.CloudwatchLogGroup(
                self,
                f"{kind}-logs",
                name=name,
                retention_in_days=AUDIT_LOG_RETENTION_DAYS,
                kms_key_id=props.logs_key_arn,
            )
            for kind, name in (("alert", props.alert_log_group), ("flow", props.flow_log_group))
        }
        self.alert_log_group_name: str = groups["alert"].name
        self.flow_log_group_name: str = groups["flow"].name
        self.firewall_arn: str | None = None
        self.rule_group_arn: str | None = None
        if not all(ctx.hosts(t) for t in FIREWALL_TYPES):
            return
        rules = nf_rules.NetworkfirewallRuleGroup(
            self,
            "allowlist",
            name=props.rule_group_name,
            type="STATEFUL",
            capacity=100,
            description="TLS to the AWS service endpoints the workloads use; nothing else",
            encryption_configuration=nf_rules.NetworkfirewallRuleGroupEncryptionConfiguration(
                type="CUSTOMER_KMS", key_id=props.encryption_key_arn
            ),
            rule_group=nf_rules.NetworkfirewallRuleGroupRuleGroup(
                stateful_rule_options=nf_rules.NetworkfirewallRuleGroupRuleGroupStatefulRuleOptions(
                    rule_order="STRICT_ORDER"
                ),
                rules_source=nf_rules.NetworkfirewallRuleGroupRuleGroupRulesSource(
                    rules_source_list=nf_rules.NetworkfirewallRuleGroupRuleGroupRulesSourceRulesSourceListStruct(
                        generated_rules_type="ALLOWLIST",
                        target_types=["TLS_SNI"],
                        targets=allowed_domains(ctx.region),
                    )
                ),
            ),
        )
        policy = nf_policy.NetworkfirewallFirewallPolicy(
            self,
            "policy",
            name=props.policy_name,
            encryption_configuration=nf_policy.NetworkfirewallFirewallPolicyEncryptionConfiguration(
                type="CUSTOMER_KMS", key_id=props.encryption_key_arn
            ),
            firewall_policy=nf_policy.NetworkfirewallFirewallPolicyFirewallPolicy(
                stateless_default_actions=["aws:forward_to_sfe"],
                stateless_fragment_default_actions=["aws:forward_to_sfe"],
                stateful_engine_options=nf_policy.NetworkfirewallFirewallPolicyFirewallPolicyStatefulEngineOptions(
                    rule_order="STRICT_ORDER"
                ),
                stateful_default_actions=["aws:drop_established", "aws:alert_established"],
                stateful_rule_group_reference=[
                    nf_policy.NetworkfirewallFirewallPolicyFirewallPolicyStatefulRuleGroupReference(
                        priority=1, resource_arn=rules.arn
                    )
                ],
            ),
        )
        firewall = nf_firewall.NetworkfirewallFirewall(
            self,
            "firewall",
            name=props.firewall_name,
            vpc_id=props.vpc_id,
            firewall_policy_arn=policy.arn,
            encryption_configuration=nf_firewall.NetworkfirewallFirewallEncryptionConfiguration(
                type="CUSTOMER_KMS", key_id=props.encryption_key_arn
            ),
            # The policy itself has no such switch: the firewall's policy-change protection keeps
            # it from being swapped, and the firewall's deletion protection from being removed.
            delete_protection=props.deletion_protection,
            firewall_policy_change_protection=props.deletion_protection,
            subnet_change_protection=props.deletion_protection,
            subnet_mapping=[
                nf_firewall.NetworkfirewallFirewallSubnetMapping(
                    subnet_id=Fn.element(props.firewall_subnet_ids, i)
                )
                for i in range(props.az_count)
            ],
        )
        nf_logging.NetworkfirewallLoggingConfiguration(
            self,
            "logging",
            firewall_arn=firewall.arn,
            logging_configuration=nf_logging.NetworkfirewallLoggingConfigurationLoggingConfiguration(
                log_destination_config=[
                    nf_logging.NetworkfirewallLoggingConfigurationLoggingConfigurationLogDestinationConfig(
                        log_destination={"logGroup": groups[kind].name},
                        log_destination_type="CloudWatchLogs",
                        log_type=kind.upper(),
                    )
                    for kind in ("alert", "flow")
                ]
            ),
        )
        # Zone -> firewall endpoint, from the firewall's sync states (a for expression, written raw).
        address = f"aws_networkfirewall_firewall.{firewall.friendly_unique_id}"
        endpoints = TerraformLocal(
            self,
            "endpoint-by-zone",
            f"${{{{for s in {address}.firewall_status[0].sync_states : "
            "s.availability_zone => s.attachment[0].endpoint_id}}",
        )
        zones = range(props.az_count)

        def via_firewall(construct_id: str, table_ids: list[str], table: int, cidr: str, zone: int) -> None:
            route.Route(
                self,
                construct_id,
                route_table_id=Fn.element(table_ids, table),
                destination_cidr_block=cidr,
                vpc_endpoint_id=Fn.lookup(endpoints.expression, Fn.element(props.availability_zones, zone)),
            )

        for i in zones:
            # Outbound: everything leaving workload subnet i goes to its own zone's firewall endpoint.
            via_firewall(f"workload-default-{i}", props.workload_route_table_ids, i, "0.0.0.0/0", i)
            for j in zones:
                # The local route would deliver endpoint traffic directly: a route per endpoint
                # subnet, more specific than the local one, sends it through the firewall instead.
                via_firewall(
                    f"workload-{i}-to-endpoints-{j}",
                    props.workload_route_table_ids,
                    i,
                    Fn.element(props.endpoint_subnet_cidrs, j),
                    i,
                )
                # Return: answers to workload subnet i go back through the endpoint that saw the
                # request (zone i), whichever zone's endpoint subnet answers.
                via_firewall(
                    f"endpoints-{j}-to-workload-{i}",
                    props.endpoint_route_table_ids,
                    j,
                    Fn.element(props.workload_subnet_cidrs, i),
                    i,
                )
        self.firewall_arn = firewall.arn
        self.rule_group_arn = rules.arn
