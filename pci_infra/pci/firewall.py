"""AWS Network Firewall for the PCI VPC: egress only as TLS to an allow-list of AWS service names.

A stateful rule group in strict order allows TLS whose SNI is one of the listed AWS service
domains; the policy drops every other established flow and alerts on it, and sends everything the
stateless engine sees to the stateful one. Alert and flow logs go to CloudWatch Logs groups
encrypted with the logs key. Workload subnets route their default route through the firewall
endpoint of their own zone.

The emulator cannot host the firewall resources (capability list); they are left out there, and
with them the workload default routes.
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

from pci_infra.app.settings import Target
from pci_infra.foundation.capabilities import hosts
from pci_infra.policies.log_retention import AUDIT_LOG_RETENTION_DAYS

ALLOWED_SERVICES = ("s3", "kms", "secretsmanager", "logs", "sts", "ssm", "lambda", "sqs")
"""AWS services the workloads call; their regional endpoints are the only TLS destinations allowed."""
FIREWALL_TYPES = (
    "aws_networkfirewall_rule_group",
    "aws_networkfirewall_firewall_policy",
    "aws_networkfirewall_firewall",
    "aws_networkfirewall_logging_configuration",
)


def allowed_domains(region: str) -> list[str]:
    """TLS server names the firewall lets through: the services' regional endpoints.

    S3's virtual-hosted bucket names are admitted by their domain suffix.
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
        firewall_subnet_ids: Firewall subnets, one per zone.
        workload_route_table_ids: Route tables of the workload subnets, one per zone.
        availability_zones: Zones, in the same order.
        logs_key_arn: CMK of the log groups.
        region: Region.
        target: Deployment target.
        az_count: Number of zones.
    """

    firewall_name: str
    policy_name: str
    rule_group_name: str
    alert_log_group: str
    flow_log_group: str
    vpc_id: str
    firewall_subnet_ids: list[str]
    workload_route_table_ids: list[str]
    availability_zones: list[str]
    logs_key_arn: str
    region: str
    target: Target
    az_count: int = 3


class PciFirewall(Construct):
    """Rule group, policy, firewall, logging and the workload routes through it.

    Attributes:
        firewall_arn: Firewall ARN (``None`` where not hosted).
        rule_group_arn: Rule group ARN (``None`` where not hosted).
        alert_log_group_name: Alert log group.
        flow_log_group_name: Flow log group.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: PciFirewallProps) -> None:
        """Create the log groups always, the firewall where hosted."""
        super().__init__(scope, construct_id)
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
        if not all(hosts(props.target, t) for t in FIREWALL_TYPES):
            return
        rules = nf_rules.NetworkfirewallRuleGroup(
            self,
            "allowlist",
            name=props.rule_group_name,
            type="STATEFUL",
            capacity=100,
            description="TLS to the AWS service endpoints the workloads use; nothing else",
            rule_group=nf_rules.NetworkfirewallRuleGroupRuleGroup(
                stateful_rule_options=nf_rules.NetworkfirewallRuleGroupRuleGroupStatefulRuleOptions(
                    rule_order="STRICT_ORDER"
                ),
                rules_source=nf_rules.NetworkfirewallRuleGroupRuleGroupRulesSource(
                    rules_source_list=nf_rules.NetworkfirewallRuleGroupRuleGroupRulesSourceRulesSourceListStruct(
                        generated_rules_type="ALLOWLIST",
                        target_types=["TLS_SNI"],
                        targets=allowed_domains(props.region),
                    )
                ),
            ),
        )
        policy = nf_policy.NetworkfirewallFirewallPolicy(
            self,
            "policy",
            name=props.policy_name,
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
            delete_protection=False,
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
        for i in range(props.az_count):
            route.Route(
                self,
                f"workload-default-{i}",
                route_table_id=Fn.element(props.workload_route_table_ids, i),
                destination_cidr_block="0.0.0.0/0",
                vpc_endpoint_id=Fn.lookup(endpoints.expression, Fn.element(props.availability_zones, i)),
            )
        self.firewall_arn = firewall.arn
        self.rule_group_arn = rules.arn
