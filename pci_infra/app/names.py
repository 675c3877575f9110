"""The catalogue of every name the stacks create.

Settings validation renders each entry for the chosen suffix and run id, so a suffix that would push
any name past its AWS limit is refused before synthesis. A construct never invents a name: the stack
passes it one rendered from this catalogue.
"""

from __future__ import annotations

from pci_infra.app.naming import Convention, NameKind, NameSpec


class PaymentNames:
    """Names of the payment processing platform (``{resource-type}-{environmentSuffix}``)."""

    DATA_KEY = NameSpec(NameKind.KMS_ALIAS, "payment-data")
    AURORA_KEY = NameSpec(NameKind.KMS_ALIAS, "payment-aurora")
    LOGS_KEY = NameSpec(NameKind.KMS_ALIAS, "payment-logs")
    EVENTS_KEY = NameSpec(NameKind.KMS_ALIAS, "payment-events")
    TRANSACTION_LOGS_BUCKET = NameSpec(NameKind.S3_BUCKET, "transaction-logs")
    ALB_LOGS_BUCKET = NameSpec(NameKind.S3_BUCKET, "alb-access-logs")
    WAF_LOGS_BUCKET = NameSpec(NameKind.S3_BUCKET, "aws-waf-logs-payments")
    ACCESS_LOGS_BUCKET = NameSpec(NameKind.S3_BUCKET, "payment-access-logs")
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
    SSM_KEY = NameSpec(NameKind.KMS_ALIAS, "payment-ssm")
    PROCESSOR_FUNCTION = NameSpec(NameKind.FUNCTION_BASE, "payment-processor")
    API_FUNCTION = NameSpec(NameKind.FUNCTION_BASE, "payment-api")
    TRANSFORMER_FUNCTION = NameSpec(NameKind.FUNCTION_BASE, "firehose-transformer")
    REMEDIATION_FUNCTION = NameSpec(NameKind.FUNCTION_BASE, "config-remediation")
    PROCESSOR_SECURITY_GROUP = NameSpec(NameKind.SECURITY_GROUP, "payment-processor-sg")
    BATCH_SECURITY_GROUP = NameSpec(NameKind.SECURITY_GROUP, "payment-batch-sg")
    BATCH_GROUP = NameSpec(NameKind.AUTOSCALING_GROUP, "payment-batch")
    BATCH_LAUNCH_TEMPLATE = NameSpec(NameKind.LAUNCH_TEMPLATE, "payment-batch-lt")
    BATCH_ROLE = NameSpec(NameKind.IAM_ROLE, "payment-batch-instance")
    SSM_PREFIX = NameSpec(NameKind.SSM_PARAMETER, "/payments")
    HOSTED_ZONE = NameSpec(NameKind.DNS_LABEL, "pay")
    GUARDDUTY_BUCKET = NameSpec(NameKind.S3_BUCKET, "guardduty-findings")
    RULE_GUARDDUTY_HIGH = NameSpec(NameKind.EVENT_RULE, "guardduty-high-severity")
    CONFIG_BUCKET = NameSpec(NameKind.S3_BUCKET, "config-snapshots")
    CONFIG_ROLE = NameSpec(NameKind.IAM_ROLE, "config-recorder-role")
    CONFIG_RECORDER = NameSpec(NameKind.GENERIC, "config-recorder")
    COMPLIANCE_TOPIC = NameSpec(NameKind.SNS_TOPIC, "compliance-alerts")
    CONFIG_RULE_VOLUMES = NameSpec(NameKind.CONFIG_RULE, "encrypted-volumes")
    CONFIG_RULE_RDS = NameSpec(NameKind.CONFIG_RULE, "rds-storage-encrypted")
    CONFIG_RULE_FLOW_LOGS = NameSpec(NameKind.CONFIG_RULE, "vpc-flow-logs-enabled")
    RULE_NONCOMPLIANT = NameSpec(NameKind.EVENT_RULE, "config-noncompliant")
    REMEDIATION_FLOW_LOGS_ROLE = NameSpec(NameKind.IAM_ROLE, "remediation-flow-logs")
    REMEDIATION_FLOW_LOG_GROUP = NameSpec(NameKind.LOG_GROUP, "/payments/remediation-flow-logs")
    STREAM_BUCKET = NameSpec(NameKind.S3_BUCKET, "transaction-stream")
    STREAM = NameSpec(NameKind.FIREHOSE_STREAM, "payment-transactions")
    STREAM_ROLE = NameSpec(NameKind.IAM_ROLE, "firehose-delivery")
    ALARM_PREFIX = NameSpec(NameKind.CLOUDWATCH_ALARM, "payments-alarm")
    METRIC_NAMESPACE = NameSpec(NameKind.METRIC_NAMESPACE, "PaymentPlatform")
    SAMPLING_RULE = NameSpec(NameKind.XRAY_SAMPLING_RULE, "payapi")
    QUERY_FOLDER = NameSpec(NameKind.GENERIC, "security-queries")


def _pci(kind: NameKind, resource_type: str) -> NameSpec:
    return NameSpec(kind, resource_type, Convention.PCI, service="pci")


class PciNames:
    """Names of the PCI-DSS environment (``{environment}-{service}-{resource-type}-{suffix}``)."""

    DATA_KEY = _pci(NameKind.KMS_ALIAS, "data-key")
    LOGS_KEY = _pci(NameKind.KMS_ALIAS, "logs-key")
    VPC = _pci(NameKind.MODULE_PREFIX, "vpc")
    FIREWALL = _pci(NameKind.NETWORK_FIREWALL, "egress-fw")
    FIREWALL_POLICY = _pci(NameKind.NETWORK_FIREWALL, "egress-fw-policy")
    FIREWALL_RULES = _pci(NameKind.NETWORK_FIREWALL, "egress-allowlist")
    FIREWALL_ALERT_LOGS = _pci(NameKind.LOG_GROUP, "fw-alert-logs")
    FIREWALL_FLOW_LOGS = _pci(NameKind.LOG_GROUP, "fw-flow-logs")
    RAW_BUCKET = _pci(NameKind.S3_BUCKET, "raw-data")
    PROCESSED_BUCKET = _pci(NameKind.S3_BUCKET, "processed-data")
    ACCESS_LOGS_BUCKET = _pci(NameKind.S3_BUCKET, "access-logs")
    FLOW_LOGS_BUCKET = _pci(NameKind.S3_BUCKET, "flow-logs")
    TRAIL_BUCKET = _pci(NameKind.S3_BUCKET, "trail-archive")
    PROCESSOR_FUNCTION = _pci(NameKind.FUNCTION_BASE, "processor")
    ROTATION_FUNCTION = _pci(NameKind.FUNCTION_BASE, "rotation")
    KEY_ROTATION_FUNCTION = _pci(NameKind.FUNCTION_BASE, "key-rotation")
    PROCESSOR_SECURITY_GROUP = _pci(NameKind.SECURITY_GROUP, "processor-sg")
    ROTATION_SECURITY_GROUP = _pci(NameKind.SECURITY_GROUP, "rotation-sg")
    TRAIL = _pci(NameKind.CLOUDTRAIL, "trail")
    TRAIL_LOG_GROUP = _pci(NameKind.LOG_GROUP, "trail-logs")
    TRAIL_ROLE = _pci(NameKind.IAM_ROLE, "trail-logs-role")
    SECURITY_TOPIC = _pci(NameKind.SNS_TOPIC, "security-alerts")
    ALARM_PREFIX = _pci(NameKind.CLOUDWATCH_ALARM, "cis")
    METRIC_NAMESPACE = _pci(NameKind.METRIC_NAMESPACE, "cis-metrics")
    RULE_GUARDDUTY = _pci(NameKind.EVENT_RULE, "guardduty-high")
    RULE_SG_CHANGE = _pci(NameKind.EVENT_RULE, "sg-change")
    RULE_NONCOMPLIANT = _pci(NameKind.EVENT_RULE, "noncompliant")
    RULE_ROOT_SIGNIN = _pci(NameKind.EVENT_RULE, "root-signin")
    CONFIG_RULE_S3_SSE = _pci(NameKind.CONFIG_RULE, "s3-sse")
    CONFIG_RULE_VOLUMES = _pci(NameKind.CONFIG_RULE, "encrypted-volumes")
    CONFIG_RULE_RDS = _pci(NameKind.CONFIG_RULE, "rds-storage-encrypted")
    CONFIG_RULE_LOG_GROUPS = _pci(NameKind.CONFIG_RULE, "log-group-encrypted")
    CONFIG_RULE_TAGS = _pci(NameKind.CONFIG_RULE, "required-tags")
    TOKENIZATION_SECRET = _pci(NameKind.SECRET, "tokenization-key")


def all_specs() -> tuple[NameSpec, ...]:
    """Every name specification of every stack, for up-front validation."""
    return tuple(
        v for names in (PaymentNames, PciNames) for v in vars(names).values() if isinstance(v, NameSpec)
    )
