"""How long the environments keep their logs, and why (PCI DSS v4.0 requirement 10.5.1).

10.5.1 asks for audit log history of at least 12 months, the most recent three months immediately
available for analysis. Where the requirements set a shorter period, the stronger one wins:
CloudWatch log groups (VPC flow logs of the payment platform included, asked for 30 days) keep a
year; log buckets asked to keep 90 days hold those 90 days in S3 Standard, then move objects to
Glacier Instant Retrieval (still readable at once) and delete them after a year.
"""

from __future__ import annotations

AUDIT_LOG_RETENTION_DAYS = 365
"""Every CloudWatch log group: PCI DSS v4.0 10.5.1 asks for 12 months of audit log history."""

FLOW_LOG_RETENTION_DAYS = AUDIT_LOG_RETENTION_DAYS
"""VPC flow logs in CloudWatch: a year (the requirements' 30 days fall short of 10.5.1)."""

HOT_LOG_DAYS = 90
"""How long log objects stay in S3 Standard: the requirements' 90 days, and 10.5.1's three months."""
