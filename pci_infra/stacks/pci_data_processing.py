"""The PCI-DSS secure data processing environment.

Composes concern-level constructs only: keys, buckets, a private-only network behind AWS Network
Firewall, card tokenization, credential rotation, security monitoring, security events and Config
rules. Names follow ``{environment}-{service}-{resource-type}-{suffix}``.
"""

from __future__ import annotations

from cdktf import TerraformStack
from constructs import Construct

from pci_infra.app.names import PciNames as P
from pci_infra.app.settings import Settings
from pci_infra.app.stack_kind import StackKind
from pci_infra.blocks.node_function import FunctionHome
from pci_infra.foundation.stack_foundation import lay_foundation
from pci_infra.pci.buckets import PciBuckets, PciBucketsProps
from pci_infra.pci.config_rules import PciCompliance, PciComplianceProps
from pci_infra.pci.credential_rotation import CredentialRotation, CredentialRotationProps
from pci_infra.pci.firewall import PciFirewall, PciFirewallProps
from pci_infra.pci.keys import PciKeys, PciKeysProps
from pci_infra.pci.network import PciNetwork, PciNetworkProps
from pci_infra.pci.security_events import SecurityEvents, SecurityEventsProps
from pci_infra.pci.security_monitoring import SecurityMonitoring, SecurityMonitoringProps, trail_arn
from pci_infra.pci.tokenization import CardProcessing, CardProcessingProps
from pci_infra.stacks.outputs import PciDataProcessingOutputs, emit_outputs

STACK_NAME = StackKind.PCI_DATA_PROCESSING


class PciDataProcessingStack(TerraformStack):
    """PCI-DSS data processing environment for one environment."""

    def __init__(self, scope: Construct, *, settings: Settings) -> None:
        """Compose the environment."""
        super().__init__(scope, STACK_NAME)
        namer = settings.namer
        ctx = lay_foundation(self, STACK_NAME, settings)
        keys = PciKeys(
            self,
            "keys",
            props=PciKeysProps(data_alias=namer.name(P.DATA_KEY), logs_alias=namer.name(P.LOGS_KEY)),
        )
        trail_name = namer.name(P.TRAIL)
        buckets = PciBuckets(
            self,
            "data",
            props=PciBucketsProps(
                bucket_names={
                    "raw": namer.name(P.RAW_BUCKET),
                    "processed": namer.name(P.PROCESSED_BUCKET),
                    "flow-logs": namer.name(P.FLOW_LOGS_BUCKET),
                    "trail": namer.name(P.TRAIL_BUCKET),
                },
                access_logs_bucket=namer.name(P.ACCESS_LOGS_BUCKET),
                trail_arn=trail_arn(ctx, trail_name),
                data_key=keys.data,
                logs_key=keys.logs,
                mfa_delete_device=settings.mfa_delete_device,
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
                availability_zones=network.availability_zones,
                firewall_subnet_ids=network.firewall_subnet_ids,
                workload_subnet_cidrs=network.workload_subnet_cidrs,
                workload_route_table_ids=network.workload_route_table_ids,
                endpoint_subnet_cidrs=network.endpoint_subnet_cidrs,
                endpoint_route_table_ids=network.endpoint_route_table_ids,
                logs_key_arn=keys.logs.key_arn,
                encryption_key_arn=keys.logs.key_arn,  # for now: a firewall key of its own may follow
                deletion_protection=settings.deletion_protection,
            ),
        )
        processing = CardProcessing(
            self,
            "processing",
            props=CardProcessingProps(
                function_name=namer.name(P.PROCESSOR_FUNCTION),
                key_rotation_function_name=namer.name(P.KEY_ROTATION_FUNCTION),
                secret_name=namer.name(P.TOKENIZATION_SECRET),
                deletion_protection=settings.deletion_protection,
                raw=buckets.raw,
                processed=buckets.processed,
                data_key=keys.data,
                home=FunctionHome(
                    kms_key_arn=keys.data.key_arn,
                    logs_key_arn=keys.logs.key_arn,
                    subnet_ids=network.workload_subnet_ids,
                    security_group_ids=[network.security_group_ids["tokenizer"]],
                ),
            ),
        )
        rotation = CredentialRotation(
            self,
            "secrets",
            props=CredentialRotationProps(
                secret_name=settings.pci_database_secret,
                function_name=namer.name(P.ROTATION_FUNCTION),
                home=FunctionHome(
                    kms_key_arn=keys.data.key_arn,
                    logs_key_arn=keys.logs.key_arn,
                    subnet_ids=network.workload_subnet_ids,
                    security_group_ids=[network.security_group_ids["rotation"]],
                ),
            ),
        )
        # The card data key names the roles that handle card data, now that they exist.
        keys.allow_card_data_use("keyRotation", processing.key_rotation)
        keys.allow_card_data_use("rotation", rotation.function)
        keys.allow_card_data_use("tokenizer", processing.tokenizer)
        monitoring = SecurityMonitoring(
            self,
            "monitoring",
            props=SecurityMonitoringProps(
                trail_name=trail_name,
                trail_bucket=buckets.trail.bucket_id,
                trail_log_group=namer.name(P.TRAIL_LOG_GROUP),
                trail_role_name=namer.name(P.TRAIL_ROLE),
                topic_name=namer.name(P.SECURITY_TOPIC),
                alarm_prefix=namer.name(P.ALARM_PREFIX),
                metric_namespace=namer.name(P.METRIC_NAMESPACE),
                logs_key=keys.logs,
                alert_email=settings.alert_email,
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
        functions = {
            "tokenizer": processing.tokenizer,
            "rotation": rotation.function,
            "key_rotation": processing.key_rotation,
        }
        emit_outputs(
            self,
            PciDataProcessingOutputs(
                data_key_arn=keys.data.key_arn,
                logs_key_arn=keys.logs.key_arn,
                vpc_id=network.vpc.vpc_id,
                bucket_names={
                    "raw": buckets.raw.bucket_name,
                    "processed": buckets.processed.bucket_name,
                    "flow_logs": buckets.flow_logs.bucket_name,
                    "trail": buckets.trail.bucket_name,
                    "access_logs": buckets.access_logs.bucket_name,
                },
                security_group_ids=network.security_group_ids,
                function_names={key: fn.function_name for key, fn in functions.items()},
                function_log_groups={key: fn.log_group_name for key, fn in functions.items()},
                firewall_log_groups={
                    "alert": firewall.alert_log_group_name,
                    "flow": firewall.flow_log_group_name,
                },
                tokenization_secret_arn=processing.secret_arn,
                database_secret_arn=rotation.secret_arn,
                trail_name=trail_name,
                trail_log_group_name=monitoring.trail_log_group_name,
                security_topic_arn=monitoring.topic_arn,
                alarm_names=monitoring.alarm_names,
                config_rule_names=compliance.rule_names,
                event_rule_names=events.rule_names,
                firewall_arn=firewall.firewall_arn,  # None where the target cannot host it: not emitted
            ),
        )
