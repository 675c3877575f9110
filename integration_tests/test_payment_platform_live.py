"""Live behaviour of the deployed payment platform (GIVEN / WHEN / THEN).

One file per stack: the stack is deployed once per session on one worker, and the last test
tears it down and proves the orphan sweep clean.
"""

from __future__ import annotations

import json
import uuid

import pytest

from harness import probes
from harness.environment import EphemeralEnvironment
from harness.probes import bucket_default_kms_key, key_rotation_enabled, message_reaches_dlq, queue_kms_key
from harness.stages import skip_requested

pytestmark = pytest.mark.live


def test_data_key_rotates(payment_platform: EphemeralEnvironment) -> None:
    # GIVEN the deployed data key
    key_arn = payment_platform.outputs["data_key_arn"]
    # WHEN KMS is asked for its rotation status THEN rotation is on
    assert key_rotation_enabled(payment_platform.target, key_arn) is True


def test_transaction_log_bucket_encrypts_with_the_data_key(payment_platform: EphemeralEnvironment) -> None:
    # GIVEN the transaction-log bucket WHEN its default encryption is read
    algorithm, key = bucket_default_kms_key(
        payment_platform.target, payment_platform.outputs["transaction_logs_bucket_name"]
    )
    # THEN it is SSE-KMS with our data key, not an AWS-managed key
    assert (algorithm, key) == ("aws:kms", payment_platform.outputs["data_key_arn"])


def test_queues_encrypt_with_the_data_key(payment_platform: EphemeralEnvironment) -> None:
    outputs = payment_platform.outputs
    for url in (outputs["payments_queue_url"], outputs["payments_dlq_url"]):
        assert queue_kms_key(payment_platform.target, url) == outputs["data_key_arn"], url


def test_message_received_three_times_without_delete_lands_in_the_dlq(
    payment_platform: EphemeralEnvironment,
) -> None:
    outputs = payment_platform.outputs
    # GIVEN a payment message WHEN a consumer receives it three times without deleting it
    seen = message_reaches_dlq(
        payment_platform.target, outputs["payments_queue_url"], outputs["payments_dlq_url"], receives=3
    )
    # THEN it is no longer delivered from the work queue and waits in the DLQ
    assert seen.dlq_body.startswith("dlq-probe-")
    assert seen.receives == 3


@pytest.mark.emulator_gap("aws_sqs_queue_redrive_allow_policy")
def test_dlq_accepts_redrive_only_from_the_payments_queue(payment_platform: EphemeralEnvironment) -> None:
    outputs = payment_platform.outputs
    sqs = payment_platform.target.client("sqs")
    source_arn = sqs.get_queue_attributes(
        QueueUrl=outputs["payments_queue_url"], AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    allow = sqs.get_queue_attributes(
        QueueUrl=outputs["payments_dlq_url"], AttributeNames=["RedriveAllowPolicy"]
    )
    policy = json.loads(allow["Attributes"]["RedriveAllowPolicy"])
    assert policy == {"redrivePermission": "byQueue", "sourceQueueArns": [source_arn]}


def test_private_subnets_span_three_zones(payment_platform: EphemeralEnvironment) -> None:
    # GIVEN the deployed VPC WHEN its private subnets are listed THEN there is one in each of three zones
    zones = probes.subnet_zones(payment_platform.target, payment_platform.outputs["vpc_id"], "private")
    assert len(zones) == 3 and len(set(zones)) == 3, zones


def test_flow_logs_reach_a_cmk_encrypted_group_kept_30_days(payment_platform: EphemeralEnvironment) -> None:
    outputs = payment_platform.outputs
    logs = probes.flow_logs(payment_platform.target, outputs["vpc_id"])
    assert [(f["LogDestinationType"], f["TrafficType"]) for f in logs] == [("cloud-watch-logs", "ALL")]
    group = probes.log_group(payment_platform.target, outputs["flow_log_group_name"])
    assert group["retentionInDays"] == 30
    assert group["kmsKeyId"] == outputs["logs_key_arn"]


def test_default_security_group_admits_nothing(payment_platform: EphemeralEnvironment) -> None:
    ingress, egress = probes.default_security_group_rules(
        payment_platform.target, payment_platform.outputs["vpc_id"]
    )
    assert (ingress, egress) == ([], [])


def test_aurora_is_serverless_v2_encrypted_with_the_aurora_key(
    payment_platform: EphemeralEnvironment,
) -> None:
    outputs = payment_platform.outputs
    cluster = probes.aurora_cluster(payment_platform.target, outputs["aurora_cluster_identifier"])
    assert cluster["Engine"] == "aurora-postgresql"
    assert cluster["StorageEncrypted"] is True
    assert cluster["KmsKeyId"] == outputs["aurora_key_arn"]
    assert cluster["ServerlessV2ScalingConfiguration"] == {"MinCapacity": 0.5, "MaxCapacity": 4.0}
    assert cluster["IAMDatabaseAuthenticationEnabled"] is True


def test_one_writer_and_two_readers_in_different_zones(payment_platform: EphemeralEnvironment) -> None:
    instances = probes.aurora_instances(
        payment_platform.target, payment_platform.outputs["aurora_cluster_identifier"]
    )
    assert sorted(i["DBInstanceClass"] for i in instances) == ["db.serverless"] * 3
    assert len({i["AvailabilityZone"] for i in instances}) == 3


def test_proxy_requires_tls_and_iam_auth(payment_platform: EphemeralEnvironment) -> None:
    proxy = probes.db_proxy(payment_platform.target, payment_platform.outputs["aurora_proxy_name"])
    assert proxy["RequireTLS"] is True
    assert proxy["EngineFamily"] == "POSTGRESQL"
    assert [a["IAMAuth"] for a in proxy["Auth"]] == ["REQUIRED"]


def test_alb_drops_bad_headers_and_logs_access(payment_platform: EphemeralEnvironment) -> None:
    outputs = payment_platform.outputs
    attrs = probes.load_balancer_attributes(payment_platform.target, outputs["alb_arn"])
    assert attrs["routing.http.drop_invalid_header_fields.enabled"] == "true"
    assert attrs["access_logs.s3.enabled"] == "true"
    assert attrs["access_logs.s3.bucket"] == outputs["alb_logs_bucket_name"]
    assert attrs["access_logs.s3.prefix"] == "alb"


@pytest.mark.emulator_gap("behaviour:alb_cross_zone_attribute")
def test_alb_balances_across_zones(payment_platform: EphemeralEnvironment) -> None:
    attrs = probes.load_balancer_attributes(payment_platform.target, payment_platform.outputs["alb_arn"])
    assert attrs["load_balancing.cross_zone.enabled"] == "true"


def test_waf_rate_limits_each_ip_to_1000_per_5_minutes(payment_platform: EphemeralEnvironment) -> None:
    acl = probes.web_acl(payment_platform.target, payment_platform.outputs["web_acl_arn"])
    rules = {r["Name"]: r for r in acl["Rules"]}
    rate = rules["rate-limit-per-ip"]["Statement"]["RateBasedStatement"]
    assert (rate["Limit"], rate["AggregateKeyType"]) == (1000, "IP")
    assert {"sql-injection", "cross-site-scripting", "payment-api-methods", "payment-api-json-only"} <= set(
        rules
    )


def test_waf_protects_the_alb_and_logs_blocked_requests(payment_platform: EphemeralEnvironment) -> None:
    outputs = payment_platform.outputs
    assert probes.web_acl_of(payment_platform.target, outputs["alb_arn"]) == outputs["web_acl_arn"]
    logging = probes.web_acl_logging(payment_platform.target, outputs["web_acl_arn"])
    assert logging["LogDestinationConfigs"] == [f"arn:aws:s3:::{outputs['waf_logs_bucket_name']}"]


def test_payment_succeeded_event_reaches_the_analytics_queue(payment_platform: EphemeralEnvironment) -> None:
    outputs = payment_platform.outputs
    payment_id = f"pay-{uuid.uuid4()}"
    # GIVEN the payment bus WHEN the processor publishes payment.succeeded
    probes.put_payment_event(
        payment_platform.target, outputs["event_bus_name"], "payment.succeeded", {"paymentId": payment_id}
    )
    # THEN the event lands in the analytics queue
    body = json.loads(
        probes.message_containing(payment_platform.target, outputs["analytics_queue_url"], payment_id)
    )
    assert body["detail-type"] == "payment.succeeded"
    assert body["detail"] == {"paymentId": payment_id}


def test_payment_failed_event_routes_to_the_alert_topic_with_retries_and_dlq(
    payment_platform: EphemeralEnvironment,
) -> None:
    outputs = payment_platform.outputs
    rule = outputs["event_rule_names"]["failed"]
    bus = outputs["event_bus_name"]
    failed = {
        "source": "payments.processor",
        "detail-type": "payment.failed",
        "detail": {"reason": "declined"},
    }
    succeeded = {**failed, "detail-type": "payment.succeeded"}
    # WHEN a payment.failed event is matched against the deployed rule THEN it goes to the alert topic
    (target,) = probes.rule_routes(payment_platform.target, rule, bus, failed)
    assert target["Arn"] == outputs["alerts_topic_arn"]
    assert target["DeadLetterConfig"]["Arn"] == outputs["events_delivery_dlq_arn"]
    assert target["RetryPolicy"] == {"MaximumRetryAttempts": 5, "MaximumEventAgeInSeconds": 3600}
    # AND a success event does not
    assert probes.rule_routes(payment_platform.target, rule, bus, succeeded) == []


def test_database_failover_event_routes_to_the_alert_topic(payment_platform: EphemeralEnvironment) -> None:
    outputs = payment_platform.outputs
    failover = {
        "source": "aws.rds",
        "detail-type": "RDS DB Cluster Event",
        "resources": [outputs["aurora_cluster_arn"]],
        "detail": {"EventCategories": ["failover"], "EventID": "RDS-EVENT-0071"},
    }
    rule = outputs["event_rule_names"]["db_failover"]
    (target,) = probes.rule_routes(payment_platform.target, rule, "default", failover)
    assert target["Arn"] == outputs["alerts_topic_arn"]
    other_cluster = {**failover, "resources": ["arn:aws:rds:us-east-1:123456789012:cluster:someone-else"]}
    assert probes.rule_routes(payment_platform.target, rule, "default", other_cluster) == []


def test_teardown_destroys_everything_and_the_sweep_finds_no_orphans(
    payment_platform: EphemeralEnvironment,
) -> None:
    if skip_requested("teardown", payment_platform.environ):
        pytest.skip("SKIP_teardown is set: the environment is kept for inspection")
    # WHEN the environment is destroyed THEN nothing tagged or named with the run id remains
    assert payment_platform.teardown() == []
    assert payment_platform.torn_down
