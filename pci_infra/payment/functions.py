"""The payment functions: the API behind the ALB and the processor behind the payments queue.

ALB -> payment API (validates, queues, 202) -> payments queue -> processor (writes the ledger
through the RDS Proxy with IAM auth, announces the outcome on the CMK-encrypted event bus, counts
failed payments). Both run in the private subnets with reserved concurrency, X-Ray active tracing
and a DLQ; each may do exactly what that flow needs.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_aws import (
    lambda_event_source_mapping,
    lambda_permission,
    lb_target_group_attachment,
)
from constructs import Construct

from pci_infra.blocks.node_function import NodeFunction, NodeFunctionProps
from pci_infra.policies.policy_document import Statement

PROCESSOR_BATCH_SIZE = 10
PROCESSOR_CONCURRENCY = 10
API_CONCURRENCY = 20


@dataclass(frozen=True)
class PaymentFunctionsProps:
    """Inputs of :class:`PaymentFunctions`.

    Attributes:
        processor_name: Processor function name (role and DLQ names derive from it).
        api_name: API function name.
        payments_queue_arn: Queue the processor consumes.
        payments_queue_url: Queue the API sends to.
        event_bus_arn: Bus the processor announces outcomes on.
        event_bus_name: Its name.
        connection_parameter_arn: SSM SecureString with the proxy connection string.
        connection_parameter_name: Its name.
        proxy_resource_id: RDS Proxy resource id (``rds-db:connect`` is granted on it for the database
            user only).
        database_user: Database user the processor connects as.
        metric_namespace: Namespace of the failed-payment metric.
        target_group_arn: ALB target group of the API.
        subnet_ids: Private subnets.
        security_group_id: Security group of the functions.
        data_key_arn: CMK of the queues, DLQs and function environments.
        events_key_arn: CMK of the event bus.
        ssm_key_arn: CMK of the SSM parameters.
        logs_key_arn: CMK of the log groups.
        account_id: Account id (token).
        partition: Partition (token).
        region: Region.
    """

    processor_name: str
    api_name: str
    payments_queue_arn: str
    payments_queue_url: str
    event_bus_arn: str
    event_bus_name: str
    connection_parameter_arn: str
    connection_parameter_name: str
    proxy_resource_id: str
    database_user: str
    metric_namespace: str
    target_group_arn: str
    subnet_ids: list[str]
    security_group_id: str
    data_key_arn: str
    events_key_arn: str
    ssm_key_arn: str
    logs_key_arn: str
    account_id: str
    partition: str
    region: str


class PaymentFunctions(Construct):
    """The payment API and the payment processor.

    Attributes:
        processor: The processor function.
        api: The API function.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: PaymentFunctionsProps) -> None:
        """Create both functions, the queue trigger and the ALB target."""
        super().__init__(scope, construct_id)
        self.processor = NodeFunction(
            self,
            "processor",
            props=NodeFunctionProps(
                function_name=props.processor_name,
                source="payment-processor",
                description="Records queued payments through the RDS Proxy and announces their outcome",
                reserved_concurrency=PROCESSOR_CONCURRENCY,
                dlq_name=f"{props.processor_name}-dlq",
                kms_key_arn=props.data_key_arn,
                logs_key_arn=props.logs_key_arn,
                partition=props.partition,
                timeout_seconds=30,
                subnet_ids=props.subnet_ids,
                security_group_ids=[props.security_group_id],
                environment={
                    "CONNECTION_PARAMETER": props.connection_parameter_name,
                    "EVENT_BUS_NAME": props.event_bus_name,
                    "METRIC_NAMESPACE": props.metric_namespace,
                },
                statements=(
                    Statement(
                        "ConsumePayments",
                        ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"),
                        resources=(props.payments_queue_arn,),
                    ),
                    Statement(
                        "ConnectThroughProxyAsTheDatabaseUser",
                        ("rds-db:connect",),
                        resources=(
                            f"arn:{props.partition}:rds-db:{props.region}:{props.account_id}:dbuser:"
                            f"{props.proxy_resource_id}/{props.database_user}",
                        ),
                    ),
                    Statement(
                        "ReadConnectionString",
                        ("ssm:GetParameter",),
                        resources=(props.connection_parameter_arn,),
                    ),
                    Statement("AnnounceOutcomes", ("events:PutEvents",), resources=(props.event_bus_arn,)),
                    Statement(
                        "DecryptQueueAndParameterEncryptForBus",
                        ("kms:Decrypt", "kms:GenerateDataKey"),
                        resources=(props.ssm_key_arn, props.events_key_arn),
                    ),
                ),
            ),
        )
        lambda_event_source_mapping.LambdaEventSourceMapping(
            self,
            "payments-trigger",
            event_source_arn=props.payments_queue_arn,
            function_name=self.processor.function_arn,
            batch_size=PROCESSOR_BATCH_SIZE,
            maximum_batching_window_in_seconds=1,
            function_response_types=["ReportBatchItemFailures"],
            scaling_config=lambda_event_source_mapping.LambdaEventSourceMappingScalingConfig(
                maximum_concurrency=PROCESSOR_CONCURRENCY
            ),
        )
        self.api = NodeFunction(
            self,
            "api",
            props=NodeFunctionProps(
                function_name=props.api_name,
                source="payment-api",
                description="Payment API behind the internal ALB: validates and queues payments",
                reserved_concurrency=API_CONCURRENCY,
                dlq_name=f"{props.api_name}-dlq",
                kms_key_arn=props.data_key_arn,
                logs_key_arn=props.logs_key_arn,
                partition=props.partition,
                timeout_seconds=10,
                subnet_ids=props.subnet_ids,
                security_group_ids=[props.security_group_id],
                environment={"PAYMENTS_QUEUE_URL": props.payments_queue_url},
                statements=(
                    Statement("QueuePayments", ("sqs:SendMessage",), resources=(props.payments_queue_arn,)),
                ),
            ),
        )
        permission = lambda_permission.LambdaPermission(
            self,
            "alb-invokes-api",
            statement_id="AllowInvokeFromPaymentAlb",
            action="lambda:InvokeFunction",
            function_name=self.api.function_name,
            principal="elasticloadbalancing.amazonaws.com",
            source_arn=props.target_group_arn,
        )
        lb_target_group_attachment.LbTargetGroupAttachment(
            self,
            "api-target",
            target_group_arn=props.target_group_arn,
            target_id=self.api.function_arn,
            depends_on=[permission],
        )
