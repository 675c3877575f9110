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

from pci_infra.blocks.node_function import FunctionHome, NodeFunction, NodeFunctionProps
from pci_infra.blocks.queue_with_dlq import QueueWithDlq
from pci_infra.hcl_modules.aurora import AuroraModule
from pci_infra.payment.event_bus import PaymentEvents
from pci_infra.payment.keys import PaymentKeys
from pci_infra.payment.parameters import PaymentParameters

PROCESSOR_BATCH_SIZE = 10
PROCESSOR_CONCURRENCY = 10
API_CONCURRENCY = 20
CURRENCY_ALLOWLIST = ("EUR", "GBP", "USD")
"""Currencies the payment API accepts (ISO 4217); anything else is refused before it is queued."""


@dataclass(frozen=True)
class PaymentFunctionsProps:
    """Inputs of :class:`PaymentFunctions`.

    Attributes:
        processor_name: Processor function name (role and DLQ names derive from it).
        api_name: API function name.
        payments: Queue the API sends to and the processor consumes.
        events: Bus the processor announces outcomes on.
        parameters: Parameters holding the proxy connection string.
        database: Aurora and its proxy (``rds-db:connect`` is granted for the database user only).
        database_user: Database user the processor connects as.
        metric_namespace: Namespace of the failed-payment metric.
        target_group_arn: ALB target group of the API.
        home: Where both run (private subnets, their security group) and the keys of their DLQs,
            environments and logs.
        keys: The platform's keys (events: the bus; ssm: the parameters).
    """

    processor_name: str
    api_name: str
    payments: QueueWithDlq
    events: PaymentEvents
    parameters: PaymentParameters
    database: AuroraModule
    database_user: str
    metric_namespace: str
    target_group_arn: str
    home: FunctionHome
    keys: PaymentKeys


class PaymentFunctions(Construct):
    """The payment API and the payment processor.

    Attributes:
        processor: The processor function.
        api: The API function.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: PaymentFunctionsProps) -> None:
        """Create both functions, the queue trigger and the ALB target."""
        super().__init__(scope, construct_id)
        keys = props.keys
        self.processor = NodeFunction(
            self,
            "processor",
            props=NodeFunctionProps(
                function_name=props.processor_name,
                source="payment-processor",
                description="Records queued payments through the RDS Proxy and announces their outcome",
                reserved_concurrency=PROCESSOR_CONCURRENCY,
                home=props.home,
                timeout_seconds=30,
                environment={
                    "CONNECTION_PARAMETER": props.parameters.connection_name,
                    "EVENT_BUS_NAME": props.events.bus_name,
                    "METRIC_NAMESPACE": props.metric_namespace,
                },
            ),
        )
        props.payments.grant_consume(self.processor, sid="ConsumePayments")
        props.database.grant_connect(
            self.processor, sid="ConnectThroughProxyAsTheDatabaseUser", user=props.database_user
        )
        props.parameters.grant_read_connection(self.processor, sid="ReadConnectionString")
        props.events.grant_put_events(self.processor, sid="AnnounceOutcomes")
        keys.ssm.grant_encrypt_decrypt(self.processor, sid="DecryptConnectionString")
        keys.events.grant_encrypt_decrypt(self.processor, sid="EncryptForBus")
        lambda_event_source_mapping.LambdaEventSourceMapping(
            self,
            "payments-trigger",
            event_source_arn=props.payments.queue_arn,
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
                home=props.home,
                timeout_seconds=10,
                environment={
                    "PAYMENTS_QUEUE_URL": props.payments.queue_url,
                    "CURRENCY_ALLOWLIST": ",".join(CURRENCY_ALLOWLIST),
                },
            ),
        )
        props.payments.grant_send(self.api, sid="QueuePayments")
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
