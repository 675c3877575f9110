"""Unit (synthesized configuration): the PCI environment's security monitoring."""

from __future__ import annotations

import pytest

from unit_tests.synth_json import StackJson

CIS_MONITORING = {
    "unauthorized-api-calls",
    "console-sign-in-without-mfa",
    "root-account-usage",
    "iam-policy-changes",
    "cloudtrail-changes",
    "console-authentication-failures",
    "kms-key-disable-or-delete",
    "s3-bucket-policy-changes",
    "config-changes",
    "security-group-changes",
    "nacl-changes",
    "network-gateway-changes",
    "route-table-changes",
    "vpc-changes",
    "organizations-changes",
}
"""The CIS AWS Foundations (v3.0, 4.1 to 4.15) monitoring controls the environment must alarm on (written
here, not read from the code under test, so dropping one fails)."""


def arn(stack: StackJson, rtype: str, path: str) -> str:
    return stack.ref(rtype, stack.at(rtype, path)[0], "arn")


@pytest.mark.pci_dss("10")
def test_trail_feeds_cis_metric_filters_and_alarms_to_the_security_topic(pci: StackJson) -> None:
    logs_key = arn(pci, "aws_kms_key", "keys/logs/key")
    _, trail = pci.at("aws_cloudtrail", "monitoring/trail")
    assert trail["enable_log_file_validation"] is True and trail["kms_key_id"] == logs_key
    assert trail["insight_selector"] == [
        {"insight_type": "ApiCallRateInsight"},
        {"insight_type": "ApiErrorRateInsight"},
    ]
    group_id, group = pci.at("aws_cloudwatch_log_group", "monitoring/trail-logs")
    assert group["kms_key_id"] == logs_key
    assert trail["cloud_watch_logs_group_arn"] == pci.ref("aws_cloudwatch_log_group", group_id, "arn") + ":*"
    filters = {b["name"]: b for b in pci.resources("aws_cloudwatch_log_metric_filter").values()}
    assert set(filters) == CIS_MONITORING
    assert '$.errorCode = "*UnauthorizedOperation"' in filters["unauthorized-api-calls"]["pattern"]
    assert '$.userIdentity.type = "Root"' in filters["root-account-usage"]["pattern"]
    assert "AuthorizeSecurityGroupIngress" in filters["security-group-changes"]["pattern"]
    topic = arn(pci, "aws_sns_topic", "monitoring/topic")
    alarms = [b for b in pci.resources("aws_cloudwatch_metric_alarm").values()]
    assert len(alarms) == len(CIS_MONITORING) == 15
    for alarm in alarms:
        assert alarm["alarm_actions"] == [topic] and alarm["threshold"] == 1
        assert alarm["comparison_operator"] == "GreaterThanOrEqualToThreshold"
    # one alarm per filter, on that filter's metric
    assert sorted((a["namespace"], a["metric_name"]) for a in alarms) == sorted(
        (f["metric_transformation"]["namespace"], f["metric_transformation"]["name"])
        for f in filters.values()
    )
    for key in CIS_MONITORING:
        assert sum(a["alarm_name"].endswith(f"-{key}") for a in alarms) == 1, key
    _, topic_body = pci.at("aws_sns_topic", "monitoring/topic")
    assert topic_body["kms_master_key_id"] == logs_key
