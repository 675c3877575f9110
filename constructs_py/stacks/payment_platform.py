"""The payment processing platform stack (brief: payment-platform.md).

Composes concern-level constructs only; every name comes from the catalogue, every setting from
:class:`Settings`, and constructs are wired through their typed attributes.
"""

from __future__ import annotations

from cdktf import TerraformOutput, TerraformStack
from constructs import Construct

from constructs_py.account import AccountContext
from constructs_py.aws_provider import AwsProviderProps, AwsProviderWiring
from constructs_py.names import PaymentNames as N
from constructs_py.payment.compute import PaymentLoadBalancer, PaymentLoadBalancerProps
from constructs_py.payment.database import PaymentDatabase, PaymentDatabaseProps
from constructs_py.payment.monitoring import PaymentAlerts, PaymentAlertsProps
from constructs_py.payment.networking import PaymentNetwork, PaymentNetworkProps
from constructs_py.payment.queuing import PaymentEvents, PaymentEventsProps
from constructs_py.payment.security import (
    PaymentFirewall,
    PaymentFirewallProps,
    PaymentKeys,
    PaymentKeysProps,
)
from constructs_py.payment.storage import PaymentStorage, PaymentStorageProps
from constructs_py.queue_with_dlq import QueueWithDlq, QueueWithDlqProps
from constructs_py.settings import Settings
from constructs_py.state_backend import StateBackendProps, configure_state_backend

STACK_NAME = "payment-platform"


class PaymentPlatformStack(TerraformStack):
    """Payment processing platform for one environment."""

    def __init__(self, scope: Construct, *, settings: Settings) -> None:
        """Compose the platform."""
        super().__init__(scope, STACK_NAME)
        namer = settings.namer
        emulator = settings.emulator_endpoint if settings.is_emulator else None
        AwsProviderWiring(
            self,
            "provider",
            props=AwsProviderProps(
                region=settings.region, default_tags=settings.tags, emulator_endpoint=emulator
            ),
        )
        configure_state_backend(
            self,
            STACK_NAME,
            props=StateBackendProps(
                backend=settings.backend,
                region=settings.region,
                environment_key=namer.full_suffix,
                emulator_endpoint=emulator,
            ),
        )
        account = AccountContext(self, "account")
        where = {"account_id": account.account_id, "partition": account.partition, "region": settings.region}

        keys = PaymentKeys(
            self,
            "keys",
            props=PaymentKeysProps(
                data_alias=namer.name(N.DATA_KEY),
                aurora_alias=namer.name(N.AURORA_KEY),
                logs_alias=namer.name(N.LOGS_KEY),
                events_alias=namer.name(N.EVENTS_KEY),
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
                data_key_arn=keys.data.key_arn,
                **where,
            ),
        )
        network = PaymentNetwork(
            self, "network", props=PaymentNetworkProps(name=namer.name(N.VPC), logs_key_arn=keys.logs.key_arn)
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
            "events_delivery_dlq_arn": events.delivery_dlq_arn,
            "alerts_topic_arn": alerts.topic_arn,
            "event_rule_names": events.rule_names,
            "aurora_cluster_arn": database.aurora.cluster_arn,
        }
        for output_name, value in outputs.items():
            TerraformOutput(self, output_name, value=value)
