"""The payment event bus: its routes to the analytics queue and the alert topic, and the delivery DLQ."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from cdktf_cdktf_provider_aws import (
    cloudwatch_event_bus,
    cloudwatch_event_rule,
    cloudwatch_event_target,
    sqs_queue_policy,
)
from constructs import Construct

from pci_infra.app.names import PaymentNames as N
from pci_infra.blocks.grants import Grantable
from pci_infra.blocks.kms_key import KmsKey
from pci_infra.blocks.queue_with_dlq import (
    QueueWithDlq,
    QueueWithDlqProps,
    parking_queue,
    service_send_policy,
)
from pci_infra.policies.policy_document import Statement

PAYMENT_SOURCE = "payments.processor"
SUCCEEDED = {"source": [PAYMENT_SOURCE], "detail-type": ["payment.succeeded"]}
FAILED = {"source": [PAYMENT_SOURCE], "detail-type": ["payment.failed"]}
MAX_EVENT_AGE_SECONDS = 3600
MAX_RETRIES = 5
RULE_NAMES = {"succeeded": N.RULE_SUCCEEDED, "failed": N.RULE_FAILED, "db_failover": N.RULE_DB_FAILOVER}
"""The catalogue entry of each route's rule name."""


def db_failover_pattern(cluster_arn: str) -> dict[str, Any]:
    """RDS publishes cluster failover events on the default bus."""
    return {
        "source": ["aws.rds"],
        "detail-type": ["RDS DB Cluster Event"],
        "resources": [cluster_arn],
        "detail": {"EventCategories": ["failover"]},
    }


@dataclass(frozen=True)
class PaymentEventsProps:
    """Inputs of :class:`PaymentEvents`.

    Attributes:
        bus_name: Custom event bus name.
        events_key: CMK encrypting the bus.
        data_key: CMK of the queues.
        analytics_queue_name: Analytics queue name.
        analytics_dlq_name: Its DLQ.
        delivery_dlq_name: Queue receiving events no target accepted.
        rule_names: Rule names by route (``succeeded``, ``failed``, ``db_failover``).
        alerts_topic_arn: Topic receiving failures.
        cluster_arn: Aurora cluster whose failovers alert.
    """

    bus_name: str
    events_key: KmsKey
    data_key: KmsKey
    analytics_queue_name: str
    analytics_dlq_name: str
    delivery_dlq_name: str
    rule_names: dict[str, str]
    alerts_topic_arn: str
    cluster_arn: str

    def __post_init__(self) -> None:
        """Every route needs its rule name."""
        missing = {"succeeded", "failed", "db_failover"} - set(self.rule_names)
        if missing:
            raise ValueError(f"PaymentEventsProps.rule_names: missing {sorted(missing)}")


class PaymentEvents(Construct):
    """Payment lifecycle events: success to the analytics queue, failures and DB failovers to alerts.

    Every target retries for up to an hour and then parks the event in the delivery DLQ.

    Attributes:
        bus_name: Name of the custom bus.
        bus_arn: ARN of the custom bus.
        analytics: Analytics queue and its DLQ.
        delivery_dlq_url: Queue of undeliverable events.
        delivery_dlq_arn: Its ARN.
        rule_arns: Rule ARNs by route.
        rule_names: Rule names by route.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: PaymentEventsProps) -> None:
        """Create the bus, queues, rules and targets."""
        super().__init__(scope, construct_id)
        bus = cloudwatch_event_bus.CloudwatchEventBus(
            self, "bus", name=props.bus_name, kms_key_identifier=props.events_key.key_arn
        )
        self.analytics = QueueWithDlq(
            self,
            "analytics",
            props=QueueWithDlqProps(
                queue_name=props.analytics_queue_name,
                dlq_name=props.analytics_dlq_name,
                kms_key_arn=props.data_key.key_arn,
            ),
        )
        delivery_dlq = parking_queue(
            self, "delivery-dlq", name=props.delivery_dlq_name, kms_key_arn=props.data_key.key_arn
        )
        routes = {
            "succeeded": (bus.name, SUCCEEDED, self.analytics.queue_arn),
            "failed": (bus.name, FAILED, props.alerts_topic_arn),
            "db_failover": ("default", db_failover_pattern(props.cluster_arn), props.alerts_topic_arn),
        }
        self._delivery_dlq = delivery_dlq
        self.rule_arns: dict[str, str] = {}
        self.rule_names: dict[str, str] = {}
        for route, (bus_name, pattern, target_arn) in routes.items():
            self.add_route(route, props.rule_names[route], bus_name, pattern, target_arn)
        self.analytics.grant_send_to_service("events.amazonaws.com", [self.rule_arns["succeeded"]])
        self.delivery_dlq_url: str = delivery_dlq.url
        self.delivery_dlq_arn: str = delivery_dlq.arn
        self.bus_name: str = bus.name
        self.bus_arn: str = bus.arn

    def grant_put_events(self, grantee: Grantable, *, sid: str) -> None:
        """Let ``grantee`` put events on the bus."""
        grantee.add_to_role_policy(Statement(sid, ("events:PutEvents",), resources=(self.bus_arn,)))

    def add_route(
        self, route: str, rule_name: str, bus_name: str, pattern: dict[str, Any], target_arn: str
    ) -> str:
        """Route events matching ``pattern`` on ``bus_name`` to ``target_arn``; return the rule ARN.

        The target gets the retry policy and the delivery DLQ. Call :meth:`seal` after the last route.
        """
        rule = cloudwatch_event_rule.CloudwatchEventRule(
            self,
            f"{route}-rule",
            name=rule_name,
            event_bus_name=bus_name,
            event_pattern=json.dumps(pattern),
        )
        cloudwatch_event_target.CloudwatchEventTarget(
            self,
            f"{route}-target",
            rule=rule.name,
            event_bus_name=bus_name,
            arn=target_arn,
            retry_policy=cloudwatch_event_target.CloudwatchEventTargetRetryPolicy(
                maximum_event_age_in_seconds=MAX_EVENT_AGE_SECONDS, maximum_retry_attempts=MAX_RETRIES
            ),
            dead_letter_config=cloudwatch_event_target.CloudwatchEventTargetDeadLetterConfig(
                arn=self._delivery_dlq.arn
            ),
        )
        self.rule_arns[route] = rule.arn
        self.rule_names[route] = rule.name
        return str(rule.arn)

    def seal(self) -> None:
        """Let exactly the rules routed so far park undeliverable events in the delivery DLQ."""
        sqs_queue_policy.SqsQueuePolicy(
            self,
            "delivery-dlq-policy",
            queue_url=self._delivery_dlq.url,
            policy=service_send_policy(
                self._delivery_dlq.arn, "events.amazonaws.com", list(self.rule_arns.values())
            ),
        )
