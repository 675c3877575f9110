"""The payment processing platform stack (brief: payment-platform.md).

Composes concern-level constructs only; every name comes from the catalogue, every setting from
:class:`Settings`, and constructs are wired through their typed attributes.
"""

from __future__ import annotations

from cdktf import TerraformOutput, TerraformStack
from constructs import Construct

from pci_infra.app.names import PaymentNames as N
from pci_infra.app.settings import Settings
from pci_infra.blocks.queue_with_dlq import QueueWithDlq, QueueWithDlqProps
from pci_infra.foundation.stack_foundation import lay_foundation
from pci_infra.hcl_modules.aurora import DATABASE_NAME, MASTER_USERNAME
from pci_infra.payment.alarms import PaymentAlarms, PaymentAlarmsProps
from pci_infra.payment.alert_topic import PaymentAlerts, PaymentAlertsProps
from pci_infra.payment.batch import PaymentBatch, PaymentBatchProps
from pci_infra.payment.buckets import PaymentStorage, PaymentStorageProps
from pci_infra.payment.compliance import Compliance, ComplianceProps, noncompliance_pattern
from pci_infra.payment.database import PaymentDatabase, PaymentDatabaseProps
from pci_infra.payment.dns import PaymentDns, PaymentDnsProps
from pci_infra.payment.event_bus import PaymentEvents, PaymentEventsProps
from pci_infra.payment.functions import PaymentFunctions, PaymentFunctionsProps
from pci_infra.payment.keys import (
    PaymentFirewall,
    PaymentFirewallProps,
    PaymentKeys,
    PaymentKeysProps,
)
from pci_infra.payment.load_balancer import PaymentLoadBalancer, PaymentLoadBalancerProps
from pci_infra.payment.network import PaymentNetwork, PaymentNetworkProps
from pci_infra.payment.observability import Observability, ObservabilityProps
from pci_infra.payment.parameters import PaymentParameters, PaymentParametersProps
from pci_infra.payment.threat_detection import (
    ThreatDetection,
    ThreatDetectionProps,
    high_severity_pattern,
)
from pci_infra.payment.transaction_stream import TransactionStream, TransactionStreamProps

STACK_NAME = "payment-platform"


class PaymentPlatformStack(TerraformStack):
    """Payment processing platform for one environment."""

    def __init__(self, scope: Construct, *, settings: Settings) -> None:
        """Compose the platform."""
        super().__init__(scope, STACK_NAME)
        namer = settings.namer
        foundation = lay_foundation(self, STACK_NAME, settings)
        account, where = foundation.account, foundation.where

        keys = PaymentKeys(
            self,
            "keys",
            props=PaymentKeysProps(
                data_alias=namer.name(N.DATA_KEY),
                aurora_alias=namer.name(N.AURORA_KEY),
                logs_alias=namer.name(N.LOGS_KEY),
                events_alias=namer.name(N.EVENTS_KEY),
                ssm_alias=namer.name(N.SSM_KEY),
                **where,
            ),
        )
        storage = PaymentStorage(
            self,
            "storage",
            props=PaymentStorageProps(
                transaction_logs_bucket=namer.name(N.TRANSACTION_LOGS_BUCKET),
                alb_logs_bucket=namer.name(N.ALB_LOGS_BUCKET),
                waf_logs_bucket=namer.name(N.WAF_LOGS_BUCKET),
                guardduty_bucket=namer.name(N.GUARDDUTY_BUCKET),
                config_bucket=namer.name(N.CONFIG_BUCKET),
                stream_bucket=namer.name(N.STREAM_BUCKET),
                access_logs_bucket=namer.name(N.ACCESS_LOGS_BUCKET),
                data_key_arn=keys.data.key_arn,
                **where,
            ),
        )
        network = PaymentNetwork(
            self,
            "network",
            props=PaymentNetworkProps(
                name=namer.name(N.VPC),
                logs_key_arn=keys.logs.key_arn,
                processor_group_name=namer.name(N.PROCESSOR_SECURITY_GROUP),
                batch_group_name=namer.name(N.BATCH_SECURITY_GROUP),
            ),
        )
        vpc = network.vpc
        database = PaymentDatabase(
            self,
            "database",
            props=PaymentDatabaseProps(
                cluster_name=namer.name(N.AURORA_CLUSTER),
                vpc_id=vpc.vpc_id,
                subnet_ids=vpc.private_subnet_ids,
                availability_zones=vpc.availability_zones,
                kms_key_arn=keys.aurora.key_arn,
                client_security_groups={"payment-functions": network.processor_security_group_id},
                deletion_protection=settings.deletion_protection,
            ),
        )
        load_balancer = PaymentLoadBalancer(
            self,
            "compute",
            props=PaymentLoadBalancerProps(
                name=namer.name(N.ALB),
                api_target_group_name=namer.name(N.API_TARGET_GROUP),
                vpc_id=vpc.vpc_id,
                vpc_cidr_block=vpc.vpc_cidr_block,
                subnet_ids=vpc.private_subnet_ids,
                access_logs_bucket=storage.alb_logs.bucket_name,
                access_logs_prefix=storage.alb_log_prefix,
                certificate_arn=settings.api_certificate_arn,
                deletion_protection=settings.deletion_protection,
            ),
        )
        firewall = PaymentFirewall(
            self,
            "security",
            props=PaymentFirewallProps(
                acl_name=namer.name(N.WEB_ACL),
                alb_arn=load_balancer.alb.lb_arn,
                log_bucket_arn=storage.waf_logs.bucket_arn,
                geo_block_countries=settings.geo_block_countries,
            ),
        )
        payments = QueueWithDlq(
            self,
            "payments-queue",
            props=QueueWithDlqProps(
                queue_name=namer.name(N.PAYMENTS_QUEUE),
                dlq_name=namer.name(N.PAYMENTS_DLQ),
                kms_key_arn=keys.data.key_arn,
                target=settings.target,
            ),
        )
        alerts = PaymentAlerts(
            self,
            "monitoring",
            props=PaymentAlertsProps(
                topic_name=namer.name(N.ALERTS_TOPIC),
                kms_key_arn=keys.events.key_arn,
                account_id=account.account_id,
                alert_email=settings.alert_email,
            ),
        )
        events = PaymentEvents(
            self,
            "queuing",
            props=PaymentEventsProps(
                bus_name=namer.name(N.EVENT_BUS),
                events_key_arn=keys.events.key_arn,
                data_key_arn=keys.data.key_arn,
                analytics_queue_name=namer.name(N.ANALYTICS_QUEUE),
                analytics_dlq_name=namer.name(N.ANALYTICS_DLQ),
                delivery_dlq_name=namer.name(N.EVENTS_DELIVERY_DLQ),
                rule_names={
                    "succeeded": namer.name(N.RULE_SUCCEEDED),
                    "failed": namer.name(N.RULE_FAILED),
                    "db_failover": namer.name(N.RULE_DB_FAILOVER),
                },
                alerts_topic_arn=alerts.topic_arn,
                cluster_arn=database.aurora.cluster_arn,
                target=settings.target,
            ),
        )
        parameters = PaymentParameters(
            self,
            "parameters",
            props=PaymentParametersProps(
                prefix=namer.name(N.SSM_PREFIX),
                ssm_key_arn=keys.ssm.key_arn,
                proxy_endpoint=database.aurora.proxy_endpoint,
                database_name=DATABASE_NAME,
                database_user=MASTER_USERNAME,
                settings={"currency_allowlist": ["EUR", "GBP", "USD"], "event_bus": namer.name(N.EVENT_BUS)},
            ),
        )
        metric_namespace = namer.name(N.METRIC_NAMESPACE)
        functions = PaymentFunctions(
            self,
            "functions",
            props=PaymentFunctionsProps(
                processor_name=namer.name(N.PROCESSOR_FUNCTION),
                api_name=namer.name(N.API_FUNCTION),
                payments_queue_arn=payments.queue_arn,
                payments_queue_url=payments.queue_url,
                event_bus_arn=events.bus_arn,
                event_bus_name=events.bus_name,
                connection_parameter_arn=parameters.connection_arn,
                connection_parameter_name=parameters.connection_name,
                proxy_resource_id=database.aurora.proxy_resource_id,
                database_user=MASTER_USERNAME,
                metric_namespace=metric_namespace,
                target_group_arn=load_balancer.alb.target_group_arn("api"),
                subnet_ids=vpc.private_subnet_ids,
                security_group_id=network.processor_security_group_id,
                data_key_arn=keys.data.key_arn,
                events_key_arn=keys.events.key_arn,
                ssm_key_arn=keys.ssm.key_arn,
                logs_key_arn=keys.logs.key_arn,
                **where,
            ),
        )
        batch = PaymentBatch(
            self,
            "batch",
            props=PaymentBatchProps(
                group_name=namer.name(N.BATCH_GROUP),
                launch_template_name=namer.name(N.BATCH_LAUNCH_TEMPLATE),
                role_name=namer.name(N.BATCH_ROLE),
                subnet_ids=vpc.private_subnet_ids,
                security_group_id=network.batch_security_group_id,
                ebs_key_arn=keys.data.key_arn,
                partition=account.partition,
                instance_tags=settings.tags,
            ),
        )
        zone_name = f"{namer.name(N.HOSTED_ZONE)}.internal"
        dns = PaymentDns(
            self,
            "dns",
            props=PaymentDnsProps(
                zone_name=zone_name,
                vpc_id=vpc.vpc_id,
                region=settings.region,
                alb_dns_name=load_balancer.alb.lb_dns_name,
                alb_arn_suffix=load_balancer.alb.lb_arn_suffix,
                target_group_arn_suffix=load_balancer.alb.target_group_arn_suffix("api"),
                standby_endpoint=settings.standby_endpoint or f"standby.{zone_name}",
                alarm_name=f"{namer.name(N.ALARM_PREFIX)}-api-unhealthy",
                target=settings.target,
            ),
        )
        threats = ThreatDetection(
            self,
            "threat-detection",
            props=ThreatDetectionProps(
                detector=settings.guardduty_detector,
                findings_bucket_arn=storage.guardduty_findings.bucket_arn,
                findings_key_arn=keys.data.key_arn,
                findings_bucket_policy=storage.guardduty_findings.policy,
                target=settings.target,
            ),
        )
        events.add_route(
            "guardduty_high",
            namer.name(N.RULE_GUARDDUTY_HIGH),
            "default",
            high_severity_pattern(),
            alerts.topic_arn,
        )
        compliance = Compliance(
            self,
            "compliance",
            props=ComplianceProps(
                recorder=settings.config_recorder,
                recorder_name=namer.name(N.CONFIG_RECORDER),
                role_name=namer.name(N.CONFIG_ROLE),
                bucket_name=storage.config_snapshots.bucket_name,
                bucket_arn=storage.config_snapshots.bucket_arn,
                topic_name=namer.name(N.COMPLIANCE_TOPIC),
                rule_names={
                    "volumes": namer.name(N.CONFIG_RULE_VOLUMES),
                    "rds": namer.name(N.CONFIG_RULE_RDS),
                    "flow_logs": namer.name(N.CONFIG_RULE_FLOW_LOGS),
                },
                remediation_name=namer.name(N.REMEDIATION_FUNCTION),
                flow_logs_role_name=namer.name(N.REMEDIATION_FLOW_LOGS_ROLE),
                flow_log_group_name=namer.name(N.REMEDIATION_FLOW_LOG_GROUP),
                data_key_arn=keys.data.key_arn,
                events_key_arn=keys.events.key_arn,
                logs_key_arn=keys.logs.key_arn,
                account_id=account.account_id,
                partition=account.partition,
            ),
        )
        noncompliant_rule = events.add_route(
            "config_noncompliant",
            namer.name(N.RULE_NONCOMPLIANT),
            "default",
            noncompliance_pattern(list(compliance.rule_names.values())),
            compliance.remediation.function_arn,
        )
        compliance.allow_invocation_by_rule(noncompliant_rule)
        events.seal()
        stream = TransactionStream(
            self,
            "streaming",
            props=TransactionStreamProps(
                stream_name=namer.name(N.STREAM),
                role_name=namer.name(N.STREAM_ROLE),
                transformer_name=namer.name(N.TRANSFORMER_FUNCTION),
                bucket_arn=storage.stream.bucket_arn,
                data_key_arn=keys.data.key_arn,
                logs_key_arn=keys.logs.key_arn,
                **where,
            ),
        )
        function_set = {
            "processor": functions.processor,
            "api": functions.api,
            "transformer": stream.transformer,
            "remediation": compliance.remediation,
        }
        alarms = PaymentAlarms(
            self,
            "alarms",
            props=PaymentAlarmsProps(
                name_prefix=namer.name(N.ALARM_PREFIX),
                topic_arn=alerts.topic_arn,
                batch_group_name=batch.group_name,
                payments_queue_name=namer.name(N.PAYMENTS_QUEUE),
                dlq_names={
                    "payments": namer.name(N.PAYMENTS_DLQ),
                    "analytics": namer.name(N.ANALYTICS_DLQ),
                    "events-delivery": namer.name(N.EVENTS_DELIVERY_DLQ),
                    **{key: f"{fn.function_name}-dlq" for key, fn in function_set.items()},
                },
                function_names={key: fn.function_name for key, fn in function_set.items()},
                metric_namespace=metric_namespace,
                proxy_name=database.aurora.proxy_name,
            ),
        )
        observability = Observability(
            self,
            "observability",
            props=ObservabilityProps(
                sampling_rule_name=namer.name(N.SAMPLING_RULE),
                query_folder=namer.name(N.QUERY_FOLDER),
                flow_log_group_name=vpc.flow_log_group_name,
                processor_log_group_name=functions.processor.log_group_name,
                traces_key_arn=keys.data.key_arn,
                target=settings.target,
            ),
        )

        outputs = {
            "data_key_arn": keys.data.key_arn,
            "aurora_key_arn": keys.aurora.key_arn,
            "logs_key_arn": keys.logs.key_arn,
            "transaction_logs_bucket_name": storage.transaction_logs.bucket_name,
            "alb_logs_bucket_name": storage.alb_logs.bucket_name,
            "waf_logs_bucket_name": storage.waf_logs.bucket_name,
            "payments_queue_url": payments.queue_url,
            "payments_dlq_url": payments.dlq_url,
            "vpc_id": vpc.vpc_id,
            "flow_log_group_name": vpc.flow_log_group_name,
            "aurora_cluster_identifier": database.aurora.cluster_identifier,
            "aurora_proxy_name": database.aurora.proxy_name,
            "alb_arn": load_balancer.alb.lb_arn,
            "web_acl_arn": firewall.web_acl_arn,
            "events_key_arn": keys.events.key_arn,
            "event_bus_name": events.bus_name,
            "analytics_queue_url": events.analytics.queue_url,
            "analytics_dlq_url": events.analytics.dlq_url,
            "events_delivery_dlq_arn": events.delivery_dlq_arn,
            "alerts_topic_arn": alerts.topic_arn,
            "event_rule_names": events.rule_names,
            "aurora_cluster_arn": database.aurora.cluster_arn,
            "ssm_key_arn": keys.ssm.key_arn,
            "parameter_names": {
                "connection": parameters.connection_name,
                "api_key": parameters.api_key_name,
                "settings": parameters.settings_name,
            },
            "function_names": {key: fn.function_name for key, fn in function_set.items()},
            "function_dlq_arns": {key: fn.dlq_arn for key, fn in function_set.items()},
            "api_target_group_arn": load_balancer.alb.target_group_arn("api"),
            "batch_group_name": batch.group_name,
            "batch_launch_template_id": batch.launch_template_id,
            "hosted_zone_id": dns.zone_id,
            "api_fqdn": dns.api_fqdn,
            "health_check_ids": {
                "primary": dns.primary_health_check_id,
                "secondary": dns.secondary_health_check_id,
            },
            "guardduty_detector_id": threats.detector_id,
            "guardduty_findings_bucket_name": storage.guardduty_findings.bucket_name,
            "config_bucket_name": storage.config_snapshots.bucket_name,
            "config_rule_names": compliance.rule_names,
            "compliance_topic_arn": compliance.topic_arn,
            "stream_name": stream.stream_name,
            "stream_bucket_name": storage.stream.bucket_name,
            "alarm_names": alarms.alarm_names,
            "query_names": observability.query_names,
        }
        for output_name, value in outputs.items():
            TerraformOutput(self, output_name, value=value)
