"""The catalogue of every name the stacks create.

Settings validation renders each entry for the chosen suffix and run id, so a suffix that would push
any name past its AWS limit is refused before synthesis. A construct never invents a name: the stack
passes it one rendered from this catalogue.
"""

from __future__ import annotations

from constructs_py.naming import NameKind, NameSpec


class PaymentNames:
    """Names of the payment processing platform (``{resource-type}-{environmentSuffix}``)."""

    DATA_KEY = NameSpec(NameKind.KMS_ALIAS, "payment-data")
    AURORA_KEY = NameSpec(NameKind.KMS_ALIAS, "payment-aurora")
    LOGS_KEY = NameSpec(NameKind.KMS_ALIAS, "payment-logs")
    EVENTS_KEY = NameSpec(NameKind.KMS_ALIAS, "payment-events")
    TRANSACTION_LOGS_BUCKET = NameSpec(NameKind.S3_BUCKET, "transaction-logs")
    ALB_LOGS_BUCKET = NameSpec(NameKind.S3_BUCKET, "alb-access-logs")
    WAF_LOGS_BUCKET = NameSpec(NameKind.S3_BUCKET, "aws-waf-logs-payments")
    PAYMENTS_QUEUE = NameSpec(NameKind.SQS_QUEUE, "payments")
    PAYMENTS_DLQ = NameSpec(NameKind.SQS_QUEUE, "payments-dlq")
    ANALYTICS_QUEUE = NameSpec(NameKind.SQS_QUEUE, "payment-analytics")
    ANALYTICS_DLQ = NameSpec(NameKind.SQS_QUEUE, "payment-analytics-dlq")
    EVENTS_DELIVERY_DLQ = NameSpec(NameKind.SQS_QUEUE, "events-delivery-dlq")
    EVENT_BUS = NameSpec(NameKind.EVENT_BUS, "payment-events")
    RULE_SUCCEEDED = NameSpec(NameKind.EVENT_RULE, "payment-succeeded")
    RULE_FAILED = NameSpec(NameKind.EVENT_RULE, "payment-failed")
    RULE_DB_FAILOVER = NameSpec(NameKind.EVENT_RULE, "db-failover")
    ALERTS_TOPIC = NameSpec(NameKind.SNS_TOPIC, "payment-alerts")
    VPC = NameSpec(NameKind.MODULE_PREFIX, "vpc")
    AURORA_CLUSTER = NameSpec(NameKind.AURORA_CLUSTER, "aurora")
    ALB = NameSpec(NameKind.ALB, "alb")
    API_TARGET_GROUP = NameSpec(NameKind.TARGET_GROUP, "tg-api")
    WEB_ACL = NameSpec(NameKind.WAF_ACL, "waf")


def all_specs() -> tuple[NameSpec, ...]:
    """Every name specification of every stack, for up-front validation."""
    return tuple(v for v in vars(PaymentNames).values() if isinstance(v, NameSpec))
