"""The operational alert topic of the payment platform and its e-mail subscription."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from pci_infra.blocks.alert_topic import AlertTopicSpec, alert_topic
from pci_infra.blocks.kms_key import KmsKey


@dataclass(frozen=True)
class PaymentAlertsProps:
    """Inputs of :class:`PaymentAlerts`.

    Attributes:
        topic_name: Topic name.
        key: CMK encrypting the topic.
        alert_email: Subscribed address; ``None`` subscribes nobody (emulator runs).
    """

    topic_name: str
    key: KmsKey
    alert_email: str | None = None


class PaymentAlerts(Construct):
    """A CMK-encrypted SNS topic for operational alerts; EventBridge rules and alarms of this account publish.

    Attributes:
        topic_arn: ARN of the topic.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: PaymentAlertsProps) -> None:
        """Create the topic, its policy and the e-mail subscription."""
        super().__init__(scope, construct_id)
        topic = alert_topic(
            self,
            AlertTopicSpec(
                topic_name=props.topic_name,
                kms_key_arn=props.key.key_arn,
                publishers=("events.amazonaws.com", "cloudwatch.amazonaws.com"),
                publish_sid="PublishFromRulesAndAlarmsOfThisAccount",
                alert_email=props.alert_email,
                policy_id="policy",
            ),
        )
        self.topic_arn: str = topic.arn
