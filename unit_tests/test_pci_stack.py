"""The PCI data processing stack as synthesized: network, firewall, keys, buckets, functions,
secrets, monitoring, events and Config rules, with real values."""

from __future__ import annotations

import json
from typing import Any

from constructs_py.pci.monitoring import CIS_FILTERS
from unit_tests.conftest import Synthesized
from unit_tests.synth_json import StackJson

PREFIX = "dev-pci-"
SUFFIX = "-unit-ut1234"


def arn(stack: StackJson, rtype: str, path: str) -> str:
    return stack.ref(rtype, stack.at(rtype, path)[0], "arn")


def sids(policy: str) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in json.loads(policy)["Statement"]}


def test_network_is_private_only_with_three_tiers_and_endpoints(pci: StackJson) -> None:
    _, vpc = pci.module_at("network/vpc/module")
    assert vpc["create_public_subnets"] is False and vpc["nat_gateway_mode"] == "none"
    assert set(vpc["extra_subnet_tiers"]) == {"firewall", "endpoints"}
    assert vpc["gateway_endpoints"] == ["s3"]
    assert vpc["interface_endpoints"] == ["kms", "secretsmanager", "logs", "sts", "ssm"]
    assert vpc["interface_endpoint_tier"] == "endpoints"
    assert vpc["flow_logs"]["s3_bucket_arn"] == arn(pci, "aws_s3_bucket", "data/flow-logs/bucket")
    assert vpc["flow_logs"]["enable_s3"] is True
    assert "enable_cloudwatch" not in vpc["flow_logs"]


def test_firewall_allows_only_tls_to_the_aws_endpoints_in_strict_order(synthesized: Synthesized) -> None:
    stack = synthesized.aws_pci
    _, rules = stack.at("aws_networkfirewall_rule_group", "firewall/allowlist")
    assert rules["type"] == "STATEFUL"
    group = rules["rule_group"]
    assert group["stateful_rule_options"] == {"rule_order": "STRICT_ORDER"}
    source = group["rules_source"]["rules_source_list"]
    assert (source["generated_rules_type"], source["target_types"]) == ("ALLOWLIST", ["TLS_SNI"])
    assert "kms.us-east-1.amazonaws.com" in source["targets"]
    assert all(t.endswith(".amazonaws.com") for t in source["targets"])
    _, policy = stack.at("aws_networkfirewall_firewall_policy", "firewall/policy")
    body = policy["firewall_policy"]
    assert body["stateful_default_actions"] == ["aws:drop_established", "aws:alert_established"]
    assert body["stateless_default_actions"] == ["aws:forward_to_sfe"]
    assert body["stateful_engine_options"] == {"rule_order": "STRICT_ORDER"}
    _, firewall = stack.at("aws_networkfirewall_firewall", "firewall/firewall")
    assert len(firewall["subnet_mapping"]) == 3
    _, logging = stack.at("aws_networkfirewall_logging_configuration", "firewall/logging")
    kinds = {c["log_type"] for c in logging["logging_configuration"]["log_destination_config"]}
    assert kinds == {"ALERT", "FLOW"}
    routes = [
        b
        for b in stack.resources("aws_route").values()
        if "firewall/workload-default" in b["//"]["metadata"]["path"]
    ]
    assert len(routes) == 3
    assert all(
        r["destination_cidr_block"] == "0.0.0.0/0" and "endpoint-by-zone" in r["vpc_endpoint_id"]
        for r in routes
    )


def test_emulator_leaves_out_the_firewall_but_keeps_its_log_groups(synthesized: Synthesized) -> None:
    types = synthesized.emulator_pci.resource_types()
    assert not {t for t in types if t.startswith("aws_networkfirewall")}
    assert len(synthesized.emulator_pci.resources("aws_cloudwatch_log_group")) == len(
        synthesized.aws_pci.resources("aws_cloudwatch_log_group")
    )


def test_data_key_is_usable_only_by_the_named_roles_and_services(pci: StackJson) -> None:
    _, key = pci.at("aws_kms_key", "keys/data/key")
    assert key["enable_key_rotation"] is True and key["deletion_window_in_days"] == 7
    statements = sids(key["policy"])
    for role in ("tokenizer", "rotation"):
        grant = statements[f"UseBy{role.capitalize()}Role"]
        principal_arn = grant["Condition"]["ArnEquals"]["aws:PrincipalArn"]
        assert principal_arn.endswith(
            f":role/{PREFIX}{'processor' if role == 'tokenizer' else 'rotation'}{SUFFIX}-role"
        )
    assert statements["UseThroughServices"]["Condition"]["ForAnyValue:StringEquals"]["kms:ViaService"] == [
        f"{s}.us-east-1.amazonaws.com" for s in ("s3", "lambda", "sqs", "secretsmanager")
    ]
    _, logs = pci.at("aws_kms_key", "keys/logs/key")
    assert {"UseByLogs", "UseByCloudtrail", "UseByEvents", "UseByCloudwatch"} <= set(sids(logs["policy"]))


def test_card_buckets_refuse_uploads_without_our_key_and_deletes_without_mfa(pci: StackJson) -> None:
    data_key = arn(pci, "aws_kms_key", "keys/data/key")
    for bucket in ("raw", "processed"):
        _, policy = pci.at("aws_s3_bucket_policy", f"data/{bucket}/policy")
        statements = sids(policy["policy"])
        no_kms = statements["DenyUploadsWithoutKms"]
        assert (no_kms["Effect"], no_kms["Action"]) == ("Deny", ["s3:PutObject"])
        assert no_kms["Condition"] == {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}
        other_key = statements["DenyUploadsWithAnotherKey"]
        assert other_key["Condition"] == {
            "StringNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": data_key}
        }
        mfa = statements["DenyDeletesWithoutMfa"]
        assert mfa["Action"] == ["s3:DeleteObject", "s3:DeleteObjectVersion"]
        assert mfa["Condition"] == {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}
        assert statements["DenyInsecureTransport"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        _, versioning = pci.at("aws_s3_bucket_versioning", f"data/{bucket}/versioning")
        assert versioning["versioning_configuration"]["status"] == "Enabled"
        assert "mfa" not in versioning, "MFA delete needs the root user's device: off unless given"


def test_every_bucket_but_the_log_bucket_logs_access_into_it(pci: StackJson) -> None:
    # The target is named through the log bucket's policy, so logging starts only once S3 may deliver.
    log_bucket = pci.ref(
        "aws_s3_bucket_policy", pci.at("aws_s3_bucket_policy", "data/access-logs/policy")[0], "bucket"
    )
    _, log_policy = pci.at("aws_s3_bucket_policy", "data/access-logs/policy")
    admitted = sids(log_policy["policy"])["S3ServerAccessLogs"]
    assert admitted["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert admitted["Resource"].endswith(":::dev-pci-access-logs-unit-ut1234/*")
    for bucket in ("raw", "processed", "flow-logs", "trail"):
        _, logging = pci.at("aws_s3_bucket_logging", f"data/{bucket}/access-logging")
        assert logging["target_bucket"] == log_bucket, bucket
        assert logging["target_prefix"] == f"{bucket}/", bucket
    _, sse = pci.at("aws_s3_bucket_server_side_encryption_configuration", "data/access-logs/encryption")
    assert sse["rule"][0]["apply_server_side_encryption_by_default"]["sse_algorithm"] == "AES256"
    _, flow = pci.at("aws_s3_bucket_lifecycle_configuration", "data/flow-logs/lifecycle")
    assert flow["rule"][0]["expiration"] == [{"days": 90}]
    _, policy = pci.at("aws_s3_bucket_policy", "data/flow-logs/policy")
    (resource,) = sids(policy["policy"])["LogDeliveryWrite"]["Resource"]
    _, vpc = pci.module_at("network/vpc/module")
    prefix = vpc["flow_logs"]["s3_key_prefix"]
    assert prefix in ("vpc-flow-logs/", ""), "the bucket root on the emulator only (capability list)"
    assert f":::dev-pci-flow-logs-unit-ut1234/{prefix}AWSLogs/" in resource


def test_tokenizer_reaches_only_its_buckets_key_and_secret_under_guardrails(pci: StackJson) -> None:
    _, fn = pci.at("aws_lambda_function", "processing/tokenizer/function")
    assert fn["runtime"] == "nodejs22.x" and fn["tracing_config"] == {"mode": "Active"}
    assert fn["reserved_concurrent_executions"] == 5
    sg = pci.ref("aws_security_group", pci.at("aws_security_group", "network/tokenizer-sg")[0], "id")
    assert fn["vpc_config"]["security_group_ids"] == [sg]
    assert "private_subnet_ids" in str(fn["vpc_config"]["subnet_ids"])
    _, policy = pci.at("aws_iam_role_policy", "processing/tokenizer/policy")
    statements = sids(policy["policy"])
    assert statements["ReadRawCardData"]["Resource"] == [arn(pci, "aws_s3_bucket", "data/raw/bucket") + "/*"]
    assert statements["WriteTokenizedData"]["Resource"] == [
        arn(pci, "aws_s3_bucket", "data/processed/bucket") + "/*"
    ]
    assert statements["TokenizationKey"]["Resource"] == [
        arn(pci, "aws_secretsmanager_secret", "processing/tokenization-key")
    ]
    region = statements["DenyOutsideApprovedRegions"]
    assert region["Effect"] == "Deny" and region["Condition"] == {
        "StringNotEquals": {"aws:RequestedRegion": ["us-east-1"]}
    }
    assert "kms:ScheduleKeyDeletion" in statements["DenyKeyTampering"]["Action"]
    assert "logs:DeleteLogGroup" in statements["DenyLogTampering"]["Action"]
    _, notification = pci.at("aws_s3_bucket_notification", "processing/raw-uploads")
    assert notification["lambda_function"][0]["events"] == ["s3:ObjectCreated:*"]


def test_tokenization_key_is_write_only_and_encrypted_with_the_data_key(pci: StackJson) -> None:
    _, secret = pci.at("aws_secretsmanager_secret", "processing/tokenization-key")
    assert secret["kms_key_id"] == arn(pci, "aws_kms_key", "keys/data/key")
    assert secret["recovery_window_in_days"] == 0
    _, version = pci.at("aws_secretsmanager_secret_version", "processing/tokenization-key-value")
    reference = "${var.tokenization_key}"
    assert version["secret_string_wo"] == reference and "secret_string" not in version
    assert pci.doc["variable"]["tokenization_key"]["ephemeral"] is True


def test_database_secret_is_looked_up_and_rotated_every_30_days(synthesized: Synthesized) -> None:
    stack = synthesized.aws_pci
    (lookup,) = stack.doc["data"]["aws_secretsmanager_secret"].values()
    assert lookup["name"] == "dev/pci/unit-ut1234/database"
    assert "aws_secretsmanager_secret" not in {
        t
        for t, _, b in stack.every_resource()
        if b["//"]["metadata"]["path"].startswith("pci-data-processing/secrets")
    }
    _, rotation = stack.at("aws_secretsmanager_secret_rotation", "secrets/schedule")
    assert rotation["rotation_rules"] == {"automatically_after_days": 30}
    assert rotation["rotation_lambda_arn"] == arn(stack, "aws_lambda_function", "secrets/rotation/function")
    _, permission = stack.at("aws_lambda_permission", "secrets/secretsmanager-invokes")
    assert permission["principal"] == "secretsmanager.amazonaws.com"
    assert "aws_secretsmanager_secret_rotation" not in synthesized.emulator_pci.resource_types()


def test_trail_feeds_cis_metric_filters_and_alarms_to_the_security_topic(pci: StackJson) -> None:
    logs_key = arn(pci, "aws_kms_key", "keys/logs/key")
    _, trail = pci.at("aws_cloudtrail", "monitoring/trail")
    assert trail["enable_log_file_validation"] is True and trail["kms_key_id"] == logs_key
    group_id, group = pci.at("aws_cloudwatch_log_group", "monitoring/trail-logs")
    assert group["kms_key_id"] == logs_key
    assert trail["cloud_watch_logs_group_arn"] == pci.ref("aws_cloudwatch_log_group", group_id, "arn") + ":*"
    filters = {b["name"]: b for b in pci.resources("aws_cloudwatch_log_metric_filter").values()}
    assert set(filters) == set(CIS_FILTERS)
    assert '$.errorCode = "*UnauthorizedOperation"' in filters["unauthorized-api-calls"]["pattern"]
    assert '$.userIdentity.type = "Root"' in filters["root-account-usage"]["pattern"]
    assert "AuthorizeSecurityGroupIngress" in filters["security-group-changes"]["pattern"]
    topic = arn(pci, "aws_sns_topic", "monitoring/topic")
    alarms = [b for b in pci.resources("aws_cloudwatch_metric_alarm").values()]
    assert len(alarms) == len(CIS_FILTERS)
    for alarm in alarms:
        assert alarm["alarm_actions"] == [topic] and alarm["threshold"] == 1
        assert alarm["comparison_operator"] == "GreaterThanOrEqualToThreshold"
    _, topic_body = pci.at("aws_sns_topic", "monitoring/topic")
    assert topic_body["kms_master_key_id"] == logs_key


def test_critical_security_events_reach_the_security_topic(pci: StackJson) -> None:
    topic = arn(pci, "aws_sns_topic", "monitoring/topic")
    patterns = {}
    for key in ("guardduty_high", "sg_change", "noncompliant", "root_signin"):
        _, rule = pci.at("aws_cloudwatch_event_rule", f"security-events/{key}-rule")
        _, target = pci.at("aws_cloudwatch_event_target", f"security-events/{key}-target")
        assert target["arn"] == topic
        patterns[key] = json.loads(rule["event_pattern"])
    assert patterns["guardduty_high"]["detail"]["severity"] == [{"numeric": [">=", 7]}]
    assert "AuthorizeSecurityGroupIngress" in patterns["sg_change"]["detail"]["eventName"]
    assert patterns["root_signin"]["detail"]["userIdentity"]["type"] == ["Root"]
    assert len(patterns["noncompliant"]["detail"]["configRuleName"]) == 5


def test_config_rules_check_encryption_and_the_three_required_tags(pci: StackJson) -> None:
    rules = {b["source"]["source_identifier"]: b for b in pci.resources("aws_config_config_rule").values()}
    assert set(rules) == {
        "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED",
        "ENCRYPTED_VOLUMES",
        "RDS_STORAGE_ENCRYPTED",
        "CLOUDWATCH_LOG_GROUP_ENCRYPTED",
        "REQUIRED_TAGS",
    }
    assert json.loads(rules["REQUIRED_TAGS"]["input_parameters"]) == {
        "tag1Key": "DataClassification",
        "tag2Key": "Environment",
        "tag3Key": "Owner",
    }
    assert "aws_config_configuration_recorder" not in pci.resource_types(), (
        "the account's recorder is adopted"
    )


def test_pci_names_follow_environment_service_type_suffix(pci: StackJson) -> None:
    scoped = {"aws_iam_role_policy", "aws_cloudwatch_log_metric_filter", "aws_cloudwatch_log_stream"}
    names = [
        (rtype, body[attr])
        for rtype, _, body in pci.every_resource()
        for attr in ("name", "bucket", "function_name", "alarm_name")
        if rtype not in scoped and isinstance(body.get(attr), str) and not body[attr].startswith("${")
    ]
    assert len(names) > 30
    for rtype, value in names:
        assert PREFIX in value and SUFFIX in value, (rtype, value)
