"""Bucket and key policy statements that let AWS services deliver logs to our buckets."""

from __future__ import annotations

from pci_infra.foundation.stack_context import StackContext
from pci_infra.policies.policy_document import Statement

FLOW_LOG_PREFIX = "vpc-flow-logs/"
"""Where flow logs land inside their bucket (the bucket root on moto alone: capability list)."""


def flow_log_prefix(ctx: StackContext) -> str:
    """The flow-log key prefix the stack's target can take."""
    return FLOW_LOG_PREFIX if ctx.hosts("behaviour:flow_logs_s3_prefix") else ""


ELB_ACCOUNTS = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-central-1": "054676820928",
    "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266",
    "ap-northeast-1": "582318560864",
}
"""Elastic Load Balancing's log-writing account per region; newer regions use a service principal."""


def alb_access_log_delivery(bucket_arn: str, prefix: str, ctx: StackContext) -> tuple[Statement, ...]:
    """Let the load balancer service write access logs under ``<prefix>/AWSLogs/<account>/`` only."""
    account_id, region = ctx.account_id, ctx.region
    principal = (
        {"AWS": ctx.arn("iam", "root", region="", account=ELB_ACCOUNTS[region])}
        if region in ELB_ACCOUNTS
        else {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}
    )
    return (
        Statement(
            "AlbAccessLogDelivery",
            ("s3:PutObject",),
            resources=(f"{bucket_arn}/{prefix}/AWSLogs/{account_id}/*",),
            principals=principal,
        ),
    )


def log_delivery_service(bucket_arn: str, ctx: StackContext, prefix: str = "") -> tuple[Statement, ...]:
    """Let log delivery (WAF, flow logs) write objects and read the bucket ACL, for this account only.

    ``prefix`` is the key prefix the delivery was configured with (e.g. ``vpc-flow-logs/``).
    """
    account_id = ctx.account_id
    source = {
        "StringEquals": {"aws:SourceAccount": account_id},
        "ArnLike": {"aws:SourceArn": ctx.arn("logs", "*")},
    }
    return (
        Statement(
            "LogDeliveryWrite",
            ("s3:PutObject",),
            resources=(f"{bucket_arn}/{prefix}AWSLogs/{account_id}/*",),
            principals={"Service": "delivery.logs.amazonaws.com"},
            conditions={
                "StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", **source["StringEquals"]},
                "ArnLike": source["ArnLike"],
            },
        ),
        Statement(
            "LogDeliveryAclCheck",
            ("s3:GetBucketAcl",),
            resources=(bucket_arn,),
            principals={"Service": "delivery.logs.amazonaws.com"},
            conditions=source,
        ),
    )


def guardduty_findings_export(bucket_arn: str, ctx: StackContext) -> tuple[Statement, ...]:
    """Let GuardDuty (of this account's detectors in this region) export findings into the bucket."""
    source = {
        "StringEquals": {"aws:SourceAccount": ctx.account_id},
        "ArnLike": {"aws:SourceArn": ctx.arn("guardduty", "detector/*")},
    }
    principal = {"Service": "guardduty.amazonaws.com"}
    return (
        Statement(
            "GuardDutyExport",
            ("s3:PutObject",),
            (f"{bucket_arn}/*",),
            principals=principal,
            conditions=source,
        ),
        Statement(
            "GuardDutyBucketLocation",
            ("s3:GetBucketLocation",),
            (bucket_arn,),
            principals=principal,
            conditions=source,
        ),
    )


def config_delivery(bucket_arn: str, ctx: StackContext) -> tuple[Statement, ...]:
    """Let AWS Config check the bucket and deliver snapshots and history under ``AWSLogs/<account>/``."""
    account_id = ctx.account_id
    principal = {"Service": "config.amazonaws.com"}
    source = {"StringEquals": {"AWS:SourceAccount": account_id}}
    return (
        Statement(
            "ConfigBucketCheck",
            ("s3:GetBucketAcl", "s3:ListBucket"),
            (bucket_arn,),
            principals=principal,
            conditions=source,
        ),
        Statement(
            "ConfigDelivery",
            ("s3:PutObject",),
            (f"{bucket_arn}/AWSLogs/{account_id}/Config/*",),
            principals=principal,
            conditions={
                "StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "AWS:SourceAccount": account_id}
            },
        ),
    )


def s3_server_access_logging(bucket_arn: str, ctx: StackContext) -> tuple[Statement, ...]:
    """Let S3 server access logging of this account's buckets write log objects into the bucket."""
    account_id = ctx.account_id
    return (
        Statement(
            "S3ServerAccessLogs",
            ("s3:PutObject",),
            (f"{bucket_arn}/*",),
            principals={"Service": "logging.s3.amazonaws.com"},
            conditions={"StringEquals": {"aws:SourceAccount": account_id}},
            scalar_resource=True,
        ),
    )


def cloudtrail_delivery(bucket_arn: str, trail_arn: str, ctx: StackContext) -> tuple[Statement, ...]:
    """Let CloudTrail (the one trail ``trail_arn``) check the bucket and write its log files."""
    account_id = ctx.account_id
    source = {"StringEquals": {"aws:SourceArn": trail_arn}}
    principal = {"Service": "cloudtrail.amazonaws.com"}
    return (
        Statement(
            "CloudTrailAclCheck", ("s3:GetBucketAcl",), (bucket_arn,), principals=principal, conditions=source
        ),
        Statement(
            "CloudTrailWrite",
            ("s3:PutObject",),
            (f"{bucket_arn}/AWSLogs/{account_id}/*",),
            principals=principal,
            conditions={
                "StringEquals": {"aws:SourceArn": trail_arn, "s3:x-amz-acl": "bucket-owner-full-control"}
            },
        ),
    )
