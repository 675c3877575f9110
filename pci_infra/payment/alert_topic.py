"""Monitoring of the payment platform: the operational alert topic and its e-mail subscription."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_aws import sns_topic, sns_topic_policy, sns_topic_subscription
from constructs import Construct

from pci_infra.policies.policy_document import topic_publish_policy


@dataclass(frozen=True)
class PaymentAlertsProps:
    """Inputs of :class:`PaymentAlerts`.

    Attributes:
        topic_name: Topic name.
        kms_key_arn: CMK encrypting the topic.
        account_id: Account id (token), to limit publishers to this account.
        alert_email: Subscribed address; ``None`` subscribes nobody (emulator runs).
    """

    topic_name: str
    kms_key_arn: str
    account_id: str
    alert_email: str | None = None


class PaymentAlerts(Construct):
    """A CMK-encrypted SNS topic for operational alerts; EventBridge rules of this account may publish.

    Attributes:
        topic_arn: ARN of the topic.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: PaymentAlertsProps) -> None:
        """Create the topic, its policy and the e-mail subscription."""
        super().__init__(scope, construct_id)
        topic = sns_topic.SnsTopic(self, "topic", name=props.topic_name, kms_master_key_id=props.kms_key_arn)
        sns_topic_policy.SnsTopicPolicy(
            self,
            "policy",
            arn=topic.arn,
            policy=topic_publish_policy(
                "PublishFromEventBridgeRulesOfThisAccount",
                topic.arn,
                ["events.amazonaws.com"],
                props.account_id,
            ),
        )
        if props.alert_email:
            sns_topic_subscription.SnsTopicSubscription(
                self, "email", topic_arn=topic.arn, protocol="email", endpoint=props.alert_email
            )
        self.topic_arn: str = topic.arn
