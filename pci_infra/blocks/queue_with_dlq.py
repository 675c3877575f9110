"""An SQS queue with its dead-letter queue, both encrypted with our CMK."""

from __future__ import annotations

import json
from dataclasses import dataclass

from cdktf_cdktf_provider_aws import sqs_queue, sqs_queue_policy, sqs_queue_redrive_allow_policy
from constructs import Construct

from pci_infra.blocks.grants import Grantable
from pci_infra.foundation.stack_context import StackContext
from pci_infra.policies.policy_document import Statement, policy_json

FOURTEEN_DAYS = 14 * 24 * 3600
"""Longest SQS retention: failed messages wait in the DLQ as long as AWS allows."""

REDRIVE_ALLOW_TYPE = "aws_sqs_queue_redrive_allow_policy"


@dataclass(frozen=True)
class QueueWithDlqProps:
    """Inputs of :class:`QueueWithDlq`.

    Attributes:
        queue_name: Name of the work queue, from the naming helper.
        dlq_name: Name of its dead-letter queue, from the naming helper.
        kms_key_arn: CMK encrypting both queues.
        max_receive_count: Receives without delete before a message moves to the DLQ.
        visibility_timeout_seconds: How long a received message stays hidden (>= consumer timeout).
        retention_seconds: How long the work queue keeps a message.
    """

    queue_name: str
    dlq_name: str
    kms_key_arn: str
    max_receive_count: int = 3
    visibility_timeout_seconds: int = 30
    retention_seconds: int = 4 * 24 * 3600

    def __post_init__(self) -> None:
        """Check the SQS limits before anything is created."""
        if not 1 <= self.max_receive_count <= 1000:
            raise ValueError(
                f"QueueWithDlqProps.max_receive_count: SQS allows 1-1000 (got {self.max_receive_count})"
            )
        if not 0 <= self.visibility_timeout_seconds <= 43200:
            raise ValueError(
                "QueueWithDlqProps.visibility_timeout_seconds: SQS allows 0-43200 "
                f"(got {self.visibility_timeout_seconds})"
            )
        if not 60 <= self.retention_seconds <= FOURTEEN_DAYS:
            raise ValueError(
                f"QueueWithDlqProps.retention_seconds: SQS allows 60-1209600 (got {self.retention_seconds})"
            )


def parking_queue(scope: Construct, construct_id: str, *, name: str, kms_key_arn: str) -> sqs_queue.SqsQueue:
    """A CMK-encrypted queue that keeps what lands in it (a DLQ) for the longest time SQS allows."""
    return sqs_queue.SqsQueue(
        scope,
        construct_id,
        name=name,
        kms_master_key_id=kms_key_arn,
        kms_data_key_reuse_period_seconds=300,
        message_retention_seconds=FOURTEEN_DAYS,
    )


class QueueWithDlq(Construct):
    """A work queue that moves a message to its DLQ after ``max_receive_count`` failed receives.

    The redrive is set on the source queue (``redrive_policy``). On AWS the DLQ also gets a
    redrive-allow policy naming the work queue as its only source; moto cannot host that resource
    (see the emulator capability list), so it is left out of synthesis for moto alone.

    Attributes:
        queue_name: Name of the work queue.
        dlq_name: Name of the dead-letter queue.
        queue_arn: ARN of the work queue.
        queue_url: URL of the work queue.
        dlq_arn: ARN of the dead-letter queue.
        dlq_url: URL of the dead-letter queue.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: QueueWithDlqProps) -> None:
        """Create the DLQ, then the work queue redriving into it."""
        super().__init__(scope, construct_id)
        dlq = parking_queue(self, "dlq", name=props.dlq_name, kms_key_arn=props.kms_key_arn)
        queue = sqs_queue.SqsQueue(
            self,
            "queue",
            name=props.queue_name,
            kms_master_key_id=props.kms_key_arn,
            kms_data_key_reuse_period_seconds=300,
            visibility_timeout_seconds=props.visibility_timeout_seconds,
            message_retention_seconds=props.retention_seconds,
            redrive_policy=json.dumps(
                {"deadLetterTargetArn": dlq.arn, "maxReceiveCount": props.max_receive_count}
            ),
        )
        if StackContext.of(self).hosts(REDRIVE_ALLOW_TYPE):
            sqs_queue_redrive_allow_policy.SqsQueueRedriveAllowPolicy(
                self,
                "dlq-redrive-allow",
                queue_url=dlq.url,
                redrive_allow_policy=json.dumps(
                    {"redrivePermission": "byQueue", "sourceQueueArns": [queue.arn]}
                ),
            )
        self.queue_arn: str = queue.arn
        self.queue_url: str = queue.url
        self.dlq_arn: str = dlq.arn
        self.dlq_url: str = dlq.url
        self.queue_name: str = props.queue_name
        self.dlq_name: str = props.dlq_name

    def grant_send(self, grantee: Grantable, *, sid: str) -> None:
        """Let ``grantee`` send messages to the work queue."""
        grantee.add_to_role_policy(Statement(sid, ("sqs:SendMessage",), resources=(self.queue_arn,)))

    def grant_consume(self, grantee: Grantable, *, sid: str) -> None:
        """Let ``grantee`` receive and delete messages of the work queue (an event source mapping)."""
        grantee.add_to_role_policy(
            Statement(
                sid,
                ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"),
                resources=(self.queue_arn,),
            )
        )

    def grant_send_to_service(self, service: str, source_arns: list[str]) -> None:
        """Let ``service`` (``events.amazonaws.com``) send to the work queue for ``source_arns`` only.

        A queue has one policy: call this once.
        """
        sqs_queue_policy.SqsQueuePolicy(
            self,
            "queue-policy",
            queue_url=self.queue_url,
            policy=service_send_policy(self.queue_arn, service, source_arns),
        )


def service_send_policy(queue_arn: str, service: str, source_arns: list[str]) -> str:
    """Queue policy letting ``service`` send to ``queue_arn`` on behalf of ``source_arns`` only."""
    return policy_json(
        Statement(
            "SendFromService",
            ("sqs:SendMessage",),
            resources=(queue_arn,),
            principals={"Service": service},
            conditions={"ArnEquals": {"aws:SourceArn": source_arns}},
        )
    )
