"""CloudWatch alarms of the payment platform, all notifying the alert topic.

CPU and memory of the batch fleet, depth of the payments queue and of every DLQ, failed payments
(the processor's own metric), Lambda errors and throttles, and RDS Proxy client connections.
Thresholds live in :func:`alarm_specs`, one place to review them.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_aws import cloudwatch_metric_alarm
from constructs import Construct

from pci_infra.payment.batch import AGENT_NAMESPACE, MEMORY_METRIC

FAILED_PAYMENTS_METRIC = "FailedPayments"
"""Emitted by lambda/payment-processor (embedded metric format), namespace from the catalogue."""
PROXY_CONNECTION_LIMIT = 500


@dataclass(frozen=True)
class AlarmSpec:
    """One alarm.

    Attributes:
        key: Short id, appended to the alarm name prefix.
        description: What is wrong when it fires.
        namespace: Metric namespace.
        metric: Metric name.
        dimensions: Metric dimensions.
        statistic: Statistic.
        threshold: Threshold.
        comparison: Comparison operator.
        period: Seconds per datapoint.
        evaluation_periods: Datapoints evaluated.
    """

    key: str
    description: str
    namespace: str
    metric: str
    dimensions: dict[str, str]
    statistic: str
    threshold: float
    comparison: str = "GreaterThanThreshold"
    period: int = 300
    evaluation_periods: int = 1


@dataclass(frozen=True)
class PaymentAlarmsProps:
    """Inputs of :class:`PaymentAlarms`.

    Attributes:
        name_prefix: Alarm name prefix from the catalogue.
        topic_arn: Alert topic.
        batch_group_name: Auto Scaling group of the batch fleet.
        payments_queue_name: Payments queue name.
        dlq_names: DLQ names by key (every DLQ of the platform).
        function_names: Lambda function names by key.
        metric_namespace: Namespace of the failed-payment metric.
        proxy_name: RDS Proxy name.
    """

    name_prefix: str
    topic_arn: str
    batch_group_name: str
    payments_queue_name: str
    dlq_names: dict[str, str]
    function_names: dict[str, str]
    metric_namespace: str
    proxy_name: str


def alarm_specs(props: PaymentAlarmsProps) -> list[AlarmSpec]:
    """Every alarm of the platform, with its threshold."""
    asg = {"AutoScalingGroupName": props.batch_group_name}
    specs = [
        AlarmSpec(
            "batch-cpu-high",
            "Batch fleet CPU above 80% for 10 minutes",
            "AWS/EC2",
            "CPUUtilization",
            asg,
            "Average",
            80,
            evaluation_periods=2,
        ),
        AlarmSpec(
            "batch-memory-high",
            "Batch fleet memory above 80% for 10 minutes (CloudWatch agent)",
            AGENT_NAMESPACE,
            MEMORY_METRIC,
            asg,
            "Average",
            80,
            evaluation_periods=2,
        ),
        AlarmSpec(
            "payments-queue-depth",
            "More than 100 payments waiting for 10 minutes",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            {"QueueName": props.payments_queue_name},
            "Maximum",
            100,
            evaluation_periods=2,
        ),
        AlarmSpec(
            "failed-payments",
            "More than 5 failed payments in 5 minutes",
            props.metric_namespace,
            FAILED_PAYMENTS_METRIC,
            {},
            "Sum",
            5,
        ),
        AlarmSpec(
            "proxy-connections",
            f"RDS Proxy above {PROXY_CONNECTION_LIMIT} client connections",
            "AWS/RDS",
            "ClientConnections",
            {"ProxyName": props.proxy_name},
            "Maximum",
            PROXY_CONNECTION_LIMIT,
        ),
    ]
    for key, queue in props.dlq_names.items():
        specs.append(
            AlarmSpec(
                f"{key}-dlq-not-empty",
                f"Messages parked in the {key} DLQ",
                "AWS/SQS",
                "ApproximateNumberOfMessagesVisible",
                {"QueueName": queue},
                "Maximum",
                0,
                period=60,
            )
        )
    for key, function in props.function_names.items():
        dims = {"FunctionName": function}
        specs.append(
            AlarmSpec(f"{key}-errors", f"{key} function errors", "AWS/Lambda", "Errors", dims, "Sum", 0)
        )
        specs.append(
            AlarmSpec(
                f"{key}-throttles",
                f"{key} function throttled (reserved concurrency reached)",
                "AWS/Lambda",
                "Throttles",
                dims,
                "Sum",
                0,
            )
        )
    return specs


class PaymentAlarms(Construct):
    """The alarms.

    Attributes:
        alarm_names: Alarm names by spec key.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: PaymentAlarmsProps) -> None:
        """Create one metric alarm per spec."""
        super().__init__(scope, construct_id)
        self.alarm_names: dict[str, str] = {}
        for spec in alarm_specs(props):
            alarm = cloudwatch_metric_alarm.CloudwatchMetricAlarm(
                self,
                spec.key,
                alarm_name=f"{props.name_prefix}-{spec.key}",
                alarm_description=spec.description,
                namespace=spec.namespace,
                metric_name=spec.metric,
                dimensions=spec.dimensions or None,
                statistic=spec.statistic,
                threshold=spec.threshold,
                comparison_operator=spec.comparison,
                period=spec.period,
                evaluation_periods=spec.evaluation_periods,
                treat_missing_data="notBreaching",
                alarm_actions=[props.topic_arn],
                ok_actions=[props.topic_arn],
            )
            self.alarm_names[spec.key] = alarm.alarm_name
