"""How long the environments keep their CloudWatch logs, and why."""

from __future__ import annotations

AUDIT_LOG_RETENTION_DAYS = 365
"""Function, delivery and security logs: PCI DSS v4.0 10.5.1 asks for 12 months of audit log history."""

FLOW_LOG_RETENTION_DAYS = 30
"""VPC flow logs in CloudWatch: the payment platform's brief sets 30 days (network telemetry, not the
audit trail; the PCI environment keeps its flow logs 90 days in S3)."""
