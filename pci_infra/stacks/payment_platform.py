"""The payment processing platform stack.

Composes concern-level constructs only; every name comes from the catalogue, every setting from
:class:`Settings`, account and region from the stack's context, and constructs are wired through
their typed handles (keys, buckets, queues, functions), never through names or ARNs.
"""

from __future__ import annotations

from cdktf import TerraformStack
from constructs import Construct

from pci_infra.app.names import PaymentNames as N
from pci_infra.app.settings import Settings
from pci_infra.app.stack_kind import StackKind
from pci_infra.blocks.queue_with_dlq import QueueWithDlq, QueueWithDlqProps
from pci_infra.foundation.stack_foundation import lay_foundation
from pci_infra.hcl_modules.aurora import DATABASE_NAME, MASTER_USERNAME
from pci_infra.payment.alarms import PaymentAlarms, PaymentAlarmsProps
from pci_infra.payment.alert_topic import PaymentAlerts, PaymentAlertsProps
from pci_infra.payment.batch import PaymentBatch, PaymentBatchProps
from pci_infra.payment.buckets import BUCKET_NAMES, PaymentStorage, PaymentStorageProps
from pci_infra.payment.compliance import RULE_NAMES as CONFIG_RULE_NAMES
from pci_infra.payment.compliance import Compliance, ComplianceProps
from pci_infra.payment.database import PaymentDatabase, PaymentDatabaseProps
from pci_infra.payment.dns import PaymentDns, PaymentDnsProps
from pci_infra.payment.event_bus import RULE_NAMES as EVENT_RULE_NAMES
from pci_infra.payment.event_bus import PaymentEvents, PaymentEventsProps
from pci_infra.payment.functions import CURRENCY_ALLOWLIST, PaymentFunctions, PaymentFunctionsProps
from pci_infra.payment.keys import KEY_NAMES, PaymentKeys, PaymentKeysProps
from pci_infra.payment.load_balancer import PaymentLoadBalancer, PaymentLoadBalancerProps
from pci_infra.payment.network import PaymentNetwork, PaymentNetworkProps
from pci_infra.payment.observability import Observability, ObservabilityProps
from pci_infra.payment.parameters import PaymentParameters, PaymentParametersProps
from pci_infra.payment.threat_detection import ThreatDetection, ThreatDetectionProps
from pci_infra.payment.transaction_stream import TransactionStream, TransactionStreamProps
from pci_infra.payment.web_acl import PaymentFirewall, PaymentFirewallProps
from pci_infra.policies.event_patterns import high_severity_pattern, noncompliance_pattern
from pci_infra.stacks.outputs import emit_outputs
from pci_infra.stacks.payment_platform_outputs import payment_platform_outputs

STACK_NAME = StackKind.PAYMENT_PLATFORM


class PaymentPlatformStack(TerraformStack):
    """Payment processing platform for one environment."""

    def __init__(self, scope: Construct, *, settings: Settings) -> None:
        """Compose the platform."""
        super().__init__(scope, STACK_NAME)
        name = settings.namer.name
        lay_foundation(self, STACK_NAME, settings)

        keys = self.keys = PaymentKeys(
            self, "keys", props=PaymentKeysProps(aliases={k: name(spec) for k, spec in KEY_NAMES.items()})
        )
        storage = self.storage = PaymentStorage(
            self,
            "storage",
            props=PaymentStorageProps(
                bucket_names={k: name(spec) for k, spec in BUCKET_NAMES.items()},
                access_logs_bucket=name(N.ACCESS_LOGS_BUCKET),
                data_key=keys.data,
            ),
        )
        network = self.network = PaymentNetwork(
            self,
            "network",
            props=PaymentNetworkProps(
                name=name(N.VPC),
                logs_key_arn=keys.logs.key_arn,
                processor_group_name=name(N.PROCESSOR_SECURITY_GROUP),
                batch_group_name=name(N.BATCH_SECURITY_GROUP),
            ),
        )
        vpc = network.vpc
        home = network.function_home(keys)
        database = self.database = PaymentDatabase(
            self,
            "database",
            props=PaymentDatabaseProps(
                cluster_name=name(N.AURORA_CLUSTER),
                vpc=vpc,
                kms_key_arn=keys.aurora.key_arn,
                client_security_groups={"payment-functions": network.processor_security_group_id},
                deletion_protection=settings.deletion_protection,
            ),
        )
        load_balancer = self.load_balancer = PaymentLoadBalancer(
            self,
            "compute",
            props=PaymentLoadBalancerProps(
                name=name(N.ALB),
                api_target_group_name=name(N.API_TARGET_GROUP),
                vpc=vpc,
                access_logs=storage.alb_logs,
                access_logs_prefix=storage.alb_log_prefix,
                certificate_arn=settings.api_certificate_arn,
                deletion_protection=settings.deletion_protection,
            ),
        )
        alb = load_balancer.alb
        self.firewall = PaymentFirewall(
            self,
            "security",
            props=PaymentFirewallProps(
                acl_name=name(N.WEB_ACL),
                alb_arn=alb.lb_arn,
                log_bucket_arn=storage.waf_logs.bucket_arn,
                geo_block_countries=settings.geo_block_countries,
            ),
        )
        payments = self.payments = QueueWithDlq(
            self,
            "payments-queue",
            props=QueueWithDlqProps(
                queue_name=name(N.PAYMENTS_QUEUE),
                dlq_name=name(N.PAYMENTS_DLQ),
                kms_key_arn=keys.data.key_arn,
            ),
        )
        alerts = self.alerts = PaymentAlerts(
            self,
            "monitoring",
            props=PaymentAlertsProps(
                topic_name=name(N.ALERTS_TOPIC), key=keys.events, alert_email=settings.alert_email
            ),
        )
        events = self.events = PaymentEvents(
            self,
            "queuing",
            props=PaymentEventsProps(
                bus_name=name(N.EVENT_BUS),
                events_key=keys.events,
                data_key=keys.data,
                analytics_queue_name=name(N.ANALYTICS_QUEUE),
                analytics_dlq_name=name(N.ANALYTICS_DLQ),
                delivery_dlq_name=name(N.EVENTS_DELIVERY_DLQ),
                rule_names={k: name(spec) for k, spec in EVENT_RULE_NAMES.items()},
                alerts_topic_arn=alerts.topic_arn,
                cluster_arn=database.aurora.cluster_arn,
            ),
        )
        parameters = self.parameters = PaymentParameters(
            self,
            "parameters",
            props=PaymentParametersProps(
                prefix=name(N.SSM_PREFIX),
                ssm_key_arn=keys.ssm.key_arn,
                proxy_endpoint=database.aurora.proxy_endpoint,
                database_name=DATABASE_NAME,
                database_user=MASTER_USERNAME,
                settings={"currency_allowlist": list(CURRENCY_ALLOWLIST), "event_bus": name(N.EVENT_BUS)},
            ),
        )
        metric_namespace = name(N.METRIC_NAMESPACE)
        functions = PaymentFunctions(
            self,
            "functions",
            props=PaymentFunctionsProps(
                processor_name=name(N.PROCESSOR_FUNCTION),
                api_name=name(N.API_FUNCTION),
                payments=payments,
                events=events,
                parameters=parameters,
                database=database.aurora,
                database_user=MASTER_USERNAME,
                metric_namespace=metric_namespace,
                target_group_arn=alb.target_group_arn("api"),
                home=home,
                keys=keys,
            ),
        )
        batch = self.batch = PaymentBatch(
            self,
            "batch",
            props=PaymentBatchProps(
                group_name=name(N.BATCH_GROUP),
                launch_template_name=name(N.BATCH_LAUNCH_TEMPLATE),
                role_name=name(N.BATCH_ROLE),
                subnet_ids=vpc.private_subnet_ids,
                security_group_id=network.batch_security_group_id,
                ebs_key_arn=keys.data.key_arn,
                instance_tags=settings.tags,
            ),
        )
        zone_name = f"{name(N.HOSTED_ZONE)}.internal"
        self.dns = PaymentDns(
            self,
            "dns",
            props=PaymentDnsProps(
                zone_name=zone_name,
                vpc_id=vpc.vpc_id,
                alb=alb,
                standby_endpoint=settings.standby_endpoint or f"standby.{zone_name}",
                alarm_name=f"{name(N.ALARM_PREFIX)}-api-unhealthy",
                alert_topic_arn=alerts.topic_arn,
            ),
        )
        self.threats = ThreatDetection(
            self,
            "threat-detection",
            props=ThreatDetectionProps(
                detector=settings.guardduty_detector,
                findings_bucket=storage.guardduty_findings,
                findings_key=keys.data,
            ),
        )
        events.add_route(
            "guardduty_high",
            name(N.RULE_GUARDDUTY_HIGH),
            "default",
            high_severity_pattern(),
            alerts.topic_arn,
        )
        compliance = self.compliance = Compliance(
            self,
            "compliance",
            props=ComplianceProps(
                recorder=settings.config_recorder,
                recorder_name=name(N.CONFIG_RECORDER),
                role_name=name(N.CONFIG_ROLE),
                bucket=storage.config_snapshots,
                topic_name=name(N.COMPLIANCE_TOPIC),
                rule_names={k: name(spec) for k, spec in CONFIG_RULE_NAMES.items()},
                remediation_name=name(N.REMEDIATION_FUNCTION),
                flow_logs_role_name=name(N.REMEDIATION_FLOW_LOGS_ROLE),
                flow_log_group_name=name(N.REMEDIATION_FLOW_LOG_GROUP),
                data_key=keys.data,
                events_key=keys.events,
                logs_key=keys.logs,
                home=home.outside_vpc(),
            ),
        )
        noncompliant_rule = events.add_route(
            "config_noncompliant",
            name(N.RULE_NONCOMPLIANT),
            "default",
            noncompliance_pattern(list(compliance.rule_names.values())),
            compliance.remediation.function_arn,
        )
        compliance.allow_invocation_by_rule(noncompliant_rule)
        events.seal()
        stream = self.stream = TransactionStream(
            self,
            "streaming",
            props=TransactionStreamProps(
                stream_name=name(N.STREAM),
                role_name=name(N.STREAM_ROLE),
                transformer_name=name(N.TRANSFORMER_FUNCTION),
                bucket=storage.stream,
                data_key=keys.data,
                home=home,
            ),
        )
        function_set = self.function_set = {
            "processor": functions.processor,
            "api": functions.api,
            "transformer": stream.transformer,
            "remediation": compliance.remediation,
        }
        self.alarms = PaymentAlarms(
            self,
            "alarms",
            props=PaymentAlarmsProps(
                name_prefix=name(N.ALARM_PREFIX),
                topic_arn=alerts.topic_arn,
                batch_group_name=batch.group_name,
                payments_queue_name=payments.queue_name,
                dlq_names={
                    "payments": payments.dlq_name,
                    "analytics": events.analytics.dlq_name,
                    "events-delivery": name(N.EVENTS_DELIVERY_DLQ),
                    **{key: fn.dlq_name for key, fn in function_set.items()},
                },
                function_names={key: fn.function_name for key, fn in function_set.items()},
                metric_namespace=metric_namespace,
                proxy_name=database.aurora.proxy_name,
            ),
        )
        self.observability = Observability(
            self,
            "observability",
            props=ObservabilityProps(
                sampling_rule_name=name(N.SAMPLING_RULE),
                query_folder=name(N.QUERY_FOLDER),
                flow_log_group_name=vpc.flow_log_group_name,
                processor_log_group_name=functions.processor.log_group_name,
                traces_key_arn=keys.data.key_arn,
            ),
        )
        emit_outputs(self, payment_platform_outputs(self))
