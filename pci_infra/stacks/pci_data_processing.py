"""The PCI-DSS secure data processing environment (brief: pci-data-processing.md).

Composes concern-level constructs only: keys, buckets, a private-only network behind AWS Network
Firewall, card tokenization, credential rotation, security monitoring, security events and Config
rules. Names follow ``{environment}-{service}-{resource-type}-{suffix}``.
"""

from __future__ import annotations

from cdktf import TerraformOutput, TerraformStack
from constructs import Construct

from pci_infra.app.names import PciNames as P
from pci_infra.app.settings import Settings
from pci_infra.foundation.stack_foundation import lay_foundation
from pci_infra.pci.buckets import PciBuckets, PciBucketsProps
from pci_infra.pci.config_rules import PciCompliance, PciComplianceProps
from pci_infra.pci.credential_rotation import CredentialRotation, CredentialRotationProps
from pci_infra.pci.firewall import PciFirewall, PciFirewallProps
from pci_infra.pci.keys import PciKeys, PciKeysProps
from pci_infra.pci.network import PciNetwork, PciNetworkProps
from pci_infra.pci.security_events import SecurityEvents, SecurityEventsProps
from pci_infra.pci.security_monitoring import SecurityMonitoring, SecurityMonitoringProps
from pci_infra.pci.tokenization import CardProcessing, CardProcessingProps

STACK_NAME = "pci-data-processing"


class PciDataProcessingStack(TerraformStack):
    """PCI-DSS data processing environment for one environment."""

    def __init__(self, scope: Construct, *, settings: Settings) -> None:
        """Compose the environment."""
        super().__init__(scope, STACK_NAME)
        namer = settings.namer
        foundation = lay_foundation(self, STACK_NAME, settings)
        account, where = foundation.account, foundation.where
        tokenizer_name = namer.name(P.PROCESSOR_FUNCTION)
        rotation_name = namer.name(P.ROTATION_FUNCTION)

        def role_arn(function_name: str) -> str:
            return f"arn:{account.partition}:iam::{account.account_id}:role/{function_name}-role"

        keys = PciKeys(
            self,
            "keys",
            props=PciKeysProps(
                data_alias=namer.name(P.DATA_KEY),
                logs_alias=namer.name(P.LOGS_KEY),
                data_user_role_arns={
                    "tokenizer": role_arn(tokenizer_name),
                    "rotation": role_arn(rotation_name),
                },
                **where,
            ),
        )
        trail_name = namer.name(P.TRAIL)
        trail_arn = (
            f"arn:{account.partition}:cloudtrail:{settings.region}:{account.account_id}:trail/{trail_name}"
        )
        buckets = PciBuckets(
            self,
            "data",
            props=PciBucketsProps(
                raw_bucket=namer.name(P.RAW_BUCKET),
                processed_bucket=namer.name(P.PROCESSED_BUCKET),
                flow_logs_bucket=namer.name(P.FLOW_LOGS_BUCKET),
                trail_bucket=namer.name(P.TRAIL_BUCKET),
                access_logs_bucket=namer.name(P.ACCESS_LOGS_BUCKET),
                trail_arn=trail_arn,
                data_key_arn=keys.data.key_arn,
                logs_key_arn=keys.logs.key_arn,
                mfa_delete_device=settings.mfa_delete_device,
                target=settings.target,
                **where,
            ),
        )
        network = PciNetwork(
            self,
            "network",
            props=PciNetworkProps(
                name=namer.name(P.VPC),
                flow_log_bucket_arn=buckets.flow_logs.bucket_arn,
                flow_log_prefix=buckets.flow_log_prefix,
                workload_groups={
                    "tokenizer": namer.name(P.PROCESSOR_SECURITY_GROUP),
                    "rotation": namer.name(P.ROTATION_SECURITY_GROUP),
                },
                database_clients=("rotation",),
            ),
        )
        firewall = PciFirewall(
            self,
            "firewall",
            props=PciFirewallProps(
                firewall_name=namer.name(P.FIREWALL),
                policy_name=namer.name(P.FIREWALL_POLICY),
                rule_group_name=namer.name(P.FIREWALL_RULES),
                alert_log_group=namer.name(P.FIREWALL_ALERT_LOGS),
                flow_log_group=namer.name(P.FIREWALL_FLOW_LOGS),
                vpc_id=network.vpc.vpc_id,
                firewall_subnet_ids=network.firewall_subnet_ids,
                workload_route_table_ids=network.vpc.private_route_table_ids,
                availability_zones=network.vpc.availability_zones,
                logs_key_arn=keys.logs.key_arn,
                region=settings.region,
                target=settings.target,
            ),
        )
        processing = CardProcessing(
            self,
            "processing",
            props=CardProcessingProps(
                function_name=tokenizer_name,
                secret_name=namer.name(P.TOKENIZATION_SECRET),
                raw_bucket_arn=buckets.raw.bucket_arn,
                raw_bucket_id=buckets.raw.bucket_id,
                processed_bucket_arn=buckets.processed.bucket_arn,
                processed_bucket_name=buckets.processed.bucket_name,
                data_key_arn=keys.data.key_arn,
                logs_key_arn=keys.logs.key_arn,
                subnet_ids=network.workload_subnet_ids,
                security_group_id=network.security_group_ids["tokenizer"],
                partition=account.partition,
                region=settings.region,
            ),
        )
        rotation = CredentialRotation(
            self,
            "secrets",
            props=CredentialRotationProps(
                secret_name=settings.pci_database_secret,
                function_name=rotation_name,
                data_key_arn=keys.data.key_arn,
                logs_key_arn=keys.logs.key_arn,
                subnet_ids=network.workload_subnet_ids,
                security_group_id=network.security_group_ids["rotation"],
                account_id=account.account_id,
                partition=account.partition,
                region=settings.region,
                target=settings.target,
            ),
        )
        monitoring = SecurityMonitoring(
            self,
            "monitoring",
            props=SecurityMonitoringProps(
                trail_name=trail_name,
                trail_arn=trail_arn,
                trail_bucket=buckets.trail.bucket_id,
                trail_log_group=namer.name(P.TRAIL_LOG_GROUP),
                trail_role_name=namer.name(P.TRAIL_ROLE),
                topic_name=namer.name(P.SECURITY_TOPIC),
                alarm_prefix=namer.name(P.ALARM_PREFIX),
                metric_namespace=namer.name(P.METRIC_NAMESPACE),
                logs_key_arn=keys.logs.key_arn,
                alert_email=settings.alert_email,
                account_id=account.account_id,
            ),
        )
        compliance = PciCompliance(
            self,
            "compliance",
            props=PciComplianceProps(
                rule_names={
                    "s3_sse": namer.name(P.CONFIG_RULE_S3_SSE),
                    "volumes": namer.name(P.CONFIG_RULE_VOLUMES),
                    "rds": namer.name(P.CONFIG_RULE_RDS),
                    "log_groups": namer.name(P.CONFIG_RULE_LOG_GROUPS),
                    "tags": namer.name(P.CONFIG_RULE_TAGS),
                }
            ),
        )
        events = SecurityEvents(
            self,
            "security-events",
            props=SecurityEventsProps(
                rule_names={
                    "guardduty_high": namer.name(P.RULE_GUARDDUTY),
                    "sg_change": namer.name(P.RULE_SG_CHANGE),
                    "noncompliant": namer.name(P.RULE_NONCOMPLIANT),
                    "root_signin": namer.name(P.RULE_ROOT_SIGNIN),
                },
                config_rule_names=list(compliance.rule_names.values()),
                topic_arn=monitoring.topic_arn,
            ),
        )
        functions = {"tokenizer": processing.tokenizer, "rotation": rotation.function}
        outputs = {
            "data_key_arn": keys.data.key_arn,
            "logs_key_arn": keys.logs.key_arn,
            "vpc_id": network.vpc.vpc_id,
            "bucket_names": {
                "raw": buckets.raw.bucket_name,
                "processed": buckets.processed.bucket_name,
                "flow_logs": buckets.flow_logs.bucket_name,
                "trail": buckets.trail.bucket_name,
                "access_logs": buckets.access_logs.bucket_name,
            },
            "security_group_ids": network.security_group_ids,
            "function_names": {key: fn.function_name for key, fn in functions.items()},
            "function_log_groups": {key: fn.log_group_name for key, fn in functions.items()},
            "firewall_log_groups": {
                "alert": firewall.alert_log_group_name,
                "flow": firewall.flow_log_group_name,
            },
            "tokenization_secret_arn": processing.secret_arn,
            "database_secret_arn": rotation.secret_arn,
            "trail_name": trail_name,
            "trail_log_group_name": monitoring.trail_log_group_name,
            "security_topic_arn": monitoring.topic_arn,
            "alarm_names": monitoring.alarm_names,
            "config_rule_names": compliance.rule_names,
            "event_rule_names": events.rule_names,
        }
        if firewall.firewall_arn:
            outputs["firewall_arn"] = firewall.firewall_arn
        for output_name, value in outputs.items():
            TerraformOutput(self, output_name, value=value)
