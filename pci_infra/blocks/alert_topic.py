"""An SNS topic for alerts: CMK-encrypted, published to only by named services of this account."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_aws import sns_topic, sns_topic_policy, sns_topic_subscription
from constructs import Construct

from pci_infra.foundation.stack_context import StackContext
from pci_infra.policies.policy_document import topic_publish_policy


@dataclass(frozen=True)
class AlertTopicSpec:
    """One alert topic.

    Attributes:
        topic_name: Topic name.
        kms_key_arn: CMK encrypting the topic.
        publishers: Service principals that may publish (for this account only).
        publish_sid: Statement id of the publish grant; says who publishes.
        alert_email: Subscribed address; ``None`` subscribes nobody (emulator runs).
        policy_id: Construct id of the topic policy.
    """

    topic_name: str
    kms_key_arn: str
    publishers: tuple[str, ...]
    publish_sid: str
    alert_email: str | None = None
    policy_id: str = "topic-policy"

    def __post_init__(self) -> None:
        """A topic nobody may publish to alerts nobody."""
        if not self.publishers:
            raise ValueError(f"AlertTopicSpec.publishers: {self.topic_name} needs at least one publisher")


def alert_topic(scope: Construct, spec: AlertTopicSpec) -> sns_topic.SnsTopic:
    """Create the topic (``topic``), its publish policy and the e-mail subscription (``email``) in ``scope``.

    A function rather than a construct, so each owner keeps its topic at the address it always had.
    """
    topic = sns_topic.SnsTopic(scope, "topic", name=spec.topic_name, kms_master_key_id=spec.kms_key_arn)
    sns_topic_policy.SnsTopicPolicy(
        scope,
        spec.policy_id,
        arn=topic.arn,
        policy=topic_publish_policy(
            spec.publish_sid, topic.arn, list(spec.publishers), StackContext.of(scope).account_id
        ),
    )
    if spec.alert_email:
        sns_topic_subscription.SnsTopicSubscription(
            scope, "email", topic_arn=topic.arn, protocol="email", endpoint=spec.alert_email
        )
    return topic
