"""Live behaviour of the deployed payment platform (GIVEN / WHEN / THEN).

One file per stack: the stack is deployed once per session on one worker, and the last test
tears it down and proves the orphan sweep clean.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from harness import probes
from harness.journeys import invoke
from harness.node_handler import run_handler
from harness.probes import bucket_default_kms_key, key_rotation_enabled, queue_kms_key
from harness.run import PaymentPlatformEnvironment
from harness.stages import skip_requested
from integration_tests.conftest import record_resent_calls
from integration_tests.idempotency import unexplained_changes
from integration_tests.static_gate import assert_gate_passed_on_what_was_applied
from pci_infra.app.stack_kind import StackKind
from pci_infra.foundation.account_singletons import existing_detector_id, existing_recorder_name

pytestmark = [pytest.mark.live, pytest.mark.xdist_group("payment-platform")]


def test_plan_passed_the_checkov_gate_before_apply(
    payment_platform: PaymentPlatformEnvironment, record_property: Callable[[str, object], None]
) -> None:
    assert_gate_passed_on_what_was_applied(payment_platform, record_property)


@pytest.mark.pci_dss("3")
def test_data_key_rotates(payment_platform: PaymentPlatformEnvironment) -> None:
    # GIVEN the deployed data key
    key_arn = payment_platform.outputs.data_key_arn
    # WHEN KMS is asked for its rotation status THEN rotation is on
    assert key_rotation_enabled(payment_platform.target, key_arn) is True


@pytest.mark.pci_dss("3")
def test_transaction_log_bucket_encrypts_with_the_data_key(
    payment_platform: PaymentPlatformEnvironment,
) -> None:
    # GIVEN the transaction-log bucket WHEN its default encryption is read
    algorithm, key = bucket_default_kms_key(
        payment_platform.target, payment_platform.outputs.transaction_logs_bucket_name
    )
    # THEN it is SSE-KMS with our data key, not an AWS-managed key
    assert (algorithm, key) == ("aws:kms", payment_platform.outputs.data_key_arn)


@pytest.mark.pci_dss("3")
def test_queues_encrypt_with_the_data_key(payment_platform: PaymentPlatformEnvironment) -> None:
    outputs = payment_platform.outputs
    for url in (outputs.payments_queue_url, outputs.payments_dlq_url):
        assert queue_kms_key(payment_platform.target, url) == outputs.data_key_arn, url


MAX_RECEIVE_COUNT = 3
"""Receives without delete after which a message must leave for its DLQ: the requirements' number,
written here and never read from the stack."""


@pytest.mark.behaviour
def test_a_message_received_three_times_without_delete_moves_to_the_dlq(
    payment_platform: PaymentPlatformEnvironment,
) -> None:
    outputs = payment_platform.outputs
    # GIVEN the analytics queue (the payments queue has the processor consuming it; both are the
    # same QueueWithDlq) WHEN a consumer keeps receiving a new message without deleting it
    seen = probes.receives_until_redriven(
        payment_platform.target, outputs.analytics_queue_url, outputs.analytics_dlq_url
    )
    # THEN the work queue delivered it again after each of the first receives (it was still there),
    # SQS counting every one, and stopped after the third: the message waits in the DLQ
    assert seen.receives == MAX_RECEIVE_COUNT, seen
    assert seen.receive_counts == tuple(range(1, MAX_RECEIVE_COUNT + 1))
    assert seen.dlq_body.startswith("redrive-probe-")


@pytest.mark.pci_dss("7")
@pytest.mark.emulator_gap("aws_sqs_queue_redrive_allow_policy")
def test_dlq_accepts_redrive_only_from_the_payments_queue(
    payment_platform: PaymentPlatformEnvironment,
) -> None:
    outputs = payment_platform.outputs
    sqs = payment_platform.target.client("sqs")
    source_arn = sqs.get_queue_attributes(QueueUrl=outputs.payments_queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    allow = sqs.get_queue_attributes(QueueUrl=outputs.payments_dlq_url, AttributeNames=["RedriveAllowPolicy"])
    policy = json.loads(allow["Attributes"]["RedriveAllowPolicy"])
    assert policy == {"redrivePermission": "byQueue", "sourceQueueArns": [source_arn]}


def test_private_subnets_span_three_zones(payment_platform: PaymentPlatformEnvironment) -> None:
    # GIVEN the deployed VPC WHEN its private subnets are listed THEN there is one in each of three zones
    zones = probes.subnet_zones(payment_platform.target, payment_platform.outputs.vpc_id, "private")
    assert len(zones) == 3 and len(set(zones)) == 3, zones


@pytest.mark.pci_dss("3", "10")
def test_flow_logs_reach_a_cmk_encrypted_group_kept_a_year(
    payment_platform: PaymentPlatformEnvironment,
) -> None:
    outputs = payment_platform.outputs
    logs = probes.flow_logs(payment_platform.target, outputs.vpc_id)
    assert [(f["LogDestinationType"], f["TrafficType"]) for f in logs] == [("cloud-watch-logs", "ALL")]
    group = probes.log_group(payment_platform.target, outputs.flow_log_group_name)
    assert group["retentionInDays"] == 365
    assert group["kmsKeyId"] == outputs.logs_key_arn


@pytest.mark.pci_dss("1")
def test_default_security_group_admits_nothing(payment_platform: PaymentPlatformEnvironment) -> None:
    ingress, egress = probes.default_security_group_rules(
        payment_platform.target, payment_platform.outputs.vpc_id
    )
    assert (ingress, egress) == ([], [])


@pytest.mark.pci_dss("3")
def test_aurora_is_serverless_v2_encrypted_with_the_aurora_key(
    payment_platform: PaymentPlatformEnvironment,
) -> None:
    outputs = payment_platform.outputs
    cluster = probes.aurora_cluster(payment_platform.target, outputs.aurora_cluster_identifier)
    assert cluster["Engine"] == "aurora-postgresql"
    assert cluster["StorageEncrypted"] is True
    assert cluster["KmsKeyId"] == outputs.aurora_key_arn
    assert cluster["ServerlessV2ScalingConfiguration"] == {"MinCapacity": 0.5, "MaxCapacity": 4.0}
    assert cluster["IAMDatabaseAuthenticationEnabled"] is True


def test_one_writer_and_two_readers_in_different_zones(payment_platform: PaymentPlatformEnvironment) -> None:
    outputs = payment_platform.outputs
    # GIVEN the cluster's members as RDS reports them, and its instances
    members = probes.aurora_cluster(payment_platform.target, outputs.aurora_cluster_identifier)[
        "DBClusterMembers"
    ]
    instances = {
        i["DBInstanceIdentifier"]: i
        for i in probes.aurora_instances(payment_platform.target, outputs.aurora_cluster_identifier)
    }
    # THEN the cluster has three members, exactly one of them the writer
    assert {m["DBInstanceIdentifier"] for m in members} == set(instances)
    writers = [m["DBInstanceIdentifier"] for m in members if m["IsClusterWriter"]]
    readers = [m["DBInstanceIdentifier"] for m in members if not m["IsClusterWriter"]]
    assert (len(writers), len(readers)) == (1, 2), members
    # AND all three are Serverless v2, each in a zone of its own
    assert sorted(i["DBInstanceClass"] for i in instances.values()) == ["db.serverless"] * 3
    assert len({i["AvailabilityZone"] for i in instances.values()}) == 3


@pytest.mark.pci_dss("4", "8")
def test_proxy_requires_tls_and_iam_auth(payment_platform: PaymentPlatformEnvironment) -> None:
    proxy = probes.db_proxy(payment_platform.target, payment_platform.outputs.aurora_proxy_name)
    assert proxy["RequireTLS"] is True
    assert proxy["EngineFamily"] == "POSTGRESQL"
    assert [a["IAMAuth"] for a in proxy["Auth"]] == ["REQUIRED"]


def test_alb_drops_bad_headers_and_logs_access(payment_platform: PaymentPlatformEnvironment) -> None:
    outputs = payment_platform.outputs
    attrs = probes.load_balancer_attributes(payment_platform.target, outputs.alb_arn)
    assert attrs["routing.http.drop_invalid_header_fields.enabled"] == "true"
    assert attrs["access_logs.s3.enabled"] == "true"
    assert attrs["access_logs.s3.bucket"] == outputs.alb_logs_bucket_name
    assert attrs["access_logs.s3.prefix"] == "alb"


def test_alb_has_its_nodes_in_the_private_subnets_of_three_zones(
    payment_platform: PaymentPlatformEnvironment,
) -> None:
    outputs = payment_platform.outputs
    target = payment_platform.target
    # GIVEN the VPC's private tier, as EC2 lists it by the subnets' Tier tag
    private = probes.tier_subnets(target, outputs.vpc_id, "private")
    # WHEN the load balancing API is asked where the (internal) ALB has its nodes
    nodes = probes.load_balancer_subnets(target, outputs.alb_arn)
    # THEN in exactly those subnets, which EC2 places one in each of three zones: it balances across
    # all three (the zone of each subnet is EC2's word, not the load balancer's)
    assert sorted(nodes) == sorted(private)
    assert len(set(private.values())) == 3, private


@pytest.mark.pci_dss("1")
def test_waf_rate_limits_each_ip_to_1000_per_5_minutes(payment_platform: PaymentPlatformEnvironment) -> None:
    acl = probes.web_acl(payment_platform.target, payment_platform.outputs.web_acl_arn)
    rules = {r["Name"]: r for r in acl["Rules"]}
    rate = rules["rate-limit-per-ip"]["Statement"]["RateBasedStatement"]
    assert (rate["Limit"], rate["AggregateKeyType"]) == (1000, "IP")
    assert {"sql-injection", "cross-site-scripting", "payment-api-methods", "payment-api-json-only"} <= set(
        rules
    )


@pytest.mark.pci_dss("1")
def test_waf_protects_the_alb_and_logs_blocked_requests(payment_platform: PaymentPlatformEnvironment) -> None:
    outputs = payment_platform.outputs
    assert probes.web_acl_of(payment_platform.target, outputs.alb_arn) == outputs.web_acl_arn
    logging = probes.web_acl_logging(payment_platform.target, outputs.web_acl_arn)
    assert logging["LogDestinationConfigs"] == [f"arn:aws:s3:::{outputs.waf_logs_bucket_name}"]


@pytest.mark.behaviour
def test_payment_succeeded_event_reaches_the_analytics_queue(
    payment_platform: PaymentPlatformEnvironment,
) -> None:
    outputs = payment_platform.outputs
    payment_id = f"pay-{uuid.uuid4()}"
    # GIVEN the payment bus WHEN the processor publishes payment.succeeded
    probes.put_payment_event(
        payment_platform.target, outputs.event_bus_name, "payment.succeeded", {"paymentId": payment_id}
    )
    # THEN the event lands in the analytics queue
    body = json.loads(
        probes.message_containing(payment_platform.target, outputs.analytics_queue_url, payment_id)
    )
    assert body["detail-type"] == "payment.succeeded"
    assert body["detail"] == {"paymentId": payment_id}


def test_payment_failed_event_routes_to_the_alert_topic_with_retries_and_dlq(
    payment_platform: PaymentPlatformEnvironment,
) -> None:
    outputs = payment_platform.outputs
    rule = outputs.event_rule_names["failed"]
    bus = outputs.event_bus_name
    failed = {
        "source": "payments.processor",
        "detail-type": "payment.failed",
        "detail": {"reason": "declined"},
    }
    succeeded = {**failed, "detail-type": "payment.succeeded"}
    # WHEN a payment.failed event is matched against the deployed rule THEN it goes to the alert topic
    (target,) = probes.rule_routes(payment_platform.target, rule, bus, failed)
    assert target["Arn"] == outputs.alerts_topic_arn
    assert target["DeadLetterConfig"]["Arn"] == outputs.events_delivery_dlq_arn
    assert target["RetryPolicy"] == {"MaximumRetryAttempts": 5, "MaximumEventAgeInSeconds": 3600}
    # AND a success event does not
    assert probes.rule_routes(payment_platform.target, rule, bus, succeeded) == []


def test_database_failover_event_routes_to_the_alert_topic(
    payment_platform: PaymentPlatformEnvironment,
) -> None:
    outputs = payment_platform.outputs
    failover = {
        "source": "aws.rds",
        "detail-type": "RDS DB Cluster Event",
        "resources": [outputs.aurora_cluster_arn],
        "detail": {"EventCategories": ["failover"], "EventID": "RDS-EVENT-0071"},
    }
    rule = outputs.event_rule_names["db_failover"]
    (target,) = probes.rule_routes(payment_platform.target, rule, "default", failover)
    assert target["Arn"] == outputs.alerts_topic_arn
    other_cluster = {**failover, "resources": ["arn:aws:rds:us-east-1:123456789012:cluster:someone-else"]}
    assert probes.rule_routes(payment_platform.target, rule, "default", other_cluster) == []


@pytest.mark.pci_dss("3", "8")
@pytest.mark.behaviour
def test_parameters_decrypt_with_the_ssm_key_and_hold_no_password(
    payment_platform: PaymentPlatformEnvironment,
) -> None:
    outputs = payment_platform.outputs
    ssm = payment_platform.target.client("ssm")
    names = outputs.parameter_names
    described = {
        p["Name"]: p
        for p in ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": list(names.values())}])[
            "Parameters"
        ]
    }
    # GIVEN the three parameters THEN each is a SecureString under the SSM key
    assert {p["Type"] for p in described.values()} == {"SecureString"}
    assert {p["KeyId"] for p in described.values()} == {outputs.ssm_key_arn}
    # WHEN they are read with decryption THEN the values are the ones deployed
    value = ssm.get_parameter(Name=names["api_key"], WithDecryption=True)["Parameter"]["Value"]
    assert value == payment_platform.secrets["payment_api_key"]
    connection = ssm.get_parameter(Name=names["connection"], WithDecryption=True)["Parameter"]["Value"]
    assert connection.startswith("postgresql://payments_admin@") and ":" not in connection.split("@")[0][13:]
    assert json.loads(ssm.get_parameter(Name=names["settings"], WithDecryption=True)["Parameter"]["Value"])[
        "currency_allowlist"
    ] == ["EUR", "GBP", "USD"]


@pytest.mark.pci_dss("3")
def test_functions_run_node22_capped_traced_with_encrypted_dlqs_and_environment(
    payment_platform: PaymentPlatformEnvironment,
) -> None:
    outputs = payment_platform.outputs
    lam = payment_platform.target.client("lambda")
    for key, name in outputs.function_names.items():
        config = lam.get_function_configuration(FunctionName=name)
        assert config["Runtime"] == "nodejs22.x", key
        assert config["TracingConfig"] == {"Mode": "Active"}, key
        assert config["KMSKeyArn"] == outputs.data_key_arn, key
        assert lam.get_function_concurrency(FunctionName=name)["ReservedConcurrentExecutions"] >= 1, key
        dlq_url = payment_platform.target.client("sqs").get_queue_url(QueueName=f"{name}-dlq")["QueueUrl"]
        assert queue_kms_key(payment_platform.target, dlq_url) == outputs.data_key_arn, key


@pytest.mark.emulator_gap("behaviour:lambda_dead_letter_config")
def test_functions_send_failed_invocations_to_their_dlq(payment_platform: PaymentPlatformEnvironment) -> None:
    outputs = payment_platform.outputs
    lam = payment_platform.target.client("lambda")
    for key, name in outputs.function_names.items():
        config = lam.get_function_configuration(FunctionName=name)
        assert config["DeadLetterConfig"]["TargetArn"] == outputs.function_dlq_arns[key], key


def test_processor_is_triggered_by_the_payments_queue_with_partial_failures(
    payment_platform: PaymentPlatformEnvironment,
) -> None:
    outputs = payment_platform.outputs
    lam = payment_platform.target.client("lambda")
    arn = lam.get_function_configuration(FunctionName=outputs.function_names["processor"])["FunctionArn"]
    (mapping,) = lam.list_event_source_mappings(FunctionName=arn)["EventSourceMappings"]
    queue_arn = payment_platform.target.client("sqs").get_queue_attributes(
        QueueUrl=outputs.payments_queue_url, AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    assert mapping["EventSourceArn"] == queue_arn
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


@pytest.mark.emulator_gap("behaviour:lambda_invoke")
@pytest.mark.behaviour
def test_a_payment_handed_to_the_api_function_comes_out_as_an_analytics_event(
    payment_platform: PaymentPlatformEnvironment,
) -> None:
    outputs = payment_platform.outputs
    payment_id = f"pay-{uuid.uuid4().hex[:12]}"
    # GIVEN the request the ALB hands the API function for a POSTed payment
    request = {
        "httpMethod": "POST",
        "path": "/api/payments",
        "isBase64Encoded": False,
        "body": json.dumps(
            {"paymentId": payment_id, "merchantId": "m-1", "amount": "9.99", "currency": "EUR"}
        ),
    }
    # WHEN the deployed function handles it
    answer = invoke(payment_platform.target, outputs.function_names["api"], request)
    # THEN it accepts it, and the queue, the processor and the bus carry it on to the analytics queue
    assert answer.error is None, answer.error_message
    assert answer.payload["statusCode"] == 202
    event = json.loads(
        probes.message_containing(
            payment_platform.target, outputs.analytics_queue_url, payment_id, timeout=120
        )
    )
    assert (event["detail-type"], event["detail"]["amountCents"]) == ("payment.succeeded", 999)


@pytest.mark.pci_dss("3")
def test_batch_instances_require_imdsv2_and_encrypted_volumes(
    payment_platform: PaymentPlatformEnvironment,
) -> None:
    outputs = payment_platform.outputs
    (group,) = payment_platform.target.client("autoscaling").describe_auto_scaling_groups(
        AutoScalingGroupNames=[outputs.batch_group_name]
    )["AutoScalingGroups"]
    assert (group["MinSize"], group["MaxSize"]) == (1, 4)
    assert len(group["VPCZoneIdentifier"].split(",")) == 3
    (version,) = payment_platform.target.client("ec2").describe_launch_template_versions(
        LaunchTemplateId=outputs.batch_launch_template_id, Versions=["$Latest"]
    )["LaunchTemplateVersions"]
    data = version["LaunchTemplateData"]
    assert data["MetadataOptions"]["HttpTokens"] == "required"
    (device,) = data["BlockDeviceMappings"]
    assert device["Ebs"]["Encrypted"] is True
    if not (payment_platform.target.gap(VOLUME_KEY_GAP)):
        assert device["Ebs"]["KmsKeyId"] == outputs.data_key_arn


VOLUME_KEY_GAP = "behaviour:launch_template_volume_key"


def test_api_name_fails_over_between_two_health_checked_records(
    payment_platform: PaymentPlatformEnvironment,
) -> None:
    outputs = payment_platform.outputs
    route53 = payment_platform.target.client("route53")
    records = [
        r
        for r in route53.list_resource_record_sets(HostedZoneId=outputs.hosted_zone_id)["ResourceRecordSets"]
        if r["Name"].rstrip(".") == outputs.api_fqdn
    ]
    by_role = {r["Failover"]: r for r in records}
    assert set(by_role) == {"PRIMARY", "SECONDARY"}
    assert by_role["PRIMARY"]["HealthCheckId"] == outputs.health_check_ids["primary"]
    assert by_role["SECONDARY"]["HealthCheckId"] == outputs.health_check_ids["secondary"]
    primary = route53.get_health_check(HealthCheckId=outputs.health_check_ids["primary"])["HealthCheck"]
    secondary = route53.get_health_check(HealthCheckId=outputs.health_check_ids["secondary"])["HealthCheck"]
    assert primary["HealthCheckConfig"]["Type"] == "CLOUDWATCH_METRIC"
    assert secondary["HealthCheckConfig"]["Type"] == "HTTPS"
    assert secondary["HealthCheckConfig"]["ResourcePath"] == "/health"


@pytest.mark.emulator_gap("behaviour:route53_private_zone")
def test_api_zone_is_private_to_the_platform_vpc(payment_platform: PaymentPlatformEnvironment) -> None:
    outputs = payment_platform.outputs
    zone = payment_platform.target.client("route53").get_hosted_zone(Id=outputs.hosted_zone_id)
    assert zone["HostedZone"]["Config"]["PrivateZone"] is True
    assert [v["VPCId"] for v in zone["VPCs"]] == [outputs.vpc_id]


@pytest.mark.pci_dss("11")
def test_guardduty_publishes_every_six_hours_and_a_second_deployment_would_adopt_it(
    payment_platform: PaymentPlatformEnvironment,
) -> None:
    outputs = payment_platform.outputs
    target = payment_platform.target
    detector = target.client("guardduty").get_detector(DetectorId=outputs.guardduty_detector_id)
    assert detector["FindingPublishingFrequency"] == "SIX_HOURS"
    # WHEN the next synthesis asks the account for a detector THEN it finds this one and adopts it
    assert existing_detector_id(target.client) == outputs.guardduty_detector_id


@pytest.mark.pci_dss("11")
def test_high_severity_findings_route_to_the_alert_topic(
    payment_platform: PaymentPlatformEnvironment,
) -> None:
    outputs = payment_platform.outputs
    rule = outputs.event_rule_names["guardduty_high"]
    finding = {"source": "aws.guardduty", "detail-type": "GuardDuty Finding", "detail": {"severity": 8.0}}
    (target,) = probes.rule_routes(payment_platform.target, rule, "default", finding)
    assert target["Arn"] == outputs.alerts_topic_arn
    medium = {**finding, "detail": {"severity": 5.0}}
    assert probes.rule_routes(payment_platform.target, rule, "default", medium) == []


@pytest.mark.pci_dss("11")
def test_findings_and_stream_buckets_keep_their_lifecycle(
    payment_platform: PaymentPlatformEnvironment,
) -> None:
    outputs = payment_platform.outputs
    s3 = payment_platform.target.client("s3")
    findings = s3.get_bucket_lifecycle_configuration(Bucket=outputs.guardduty_findings_bucket_name)["Rules"]
    assert {r["ID"]: r.get("Expiration", {}).get("Days") for r in findings} == {
        "hot-90-days-archive-to-1-year": 365
    }
    stream = s3.get_bucket_lifecycle_configuration(Bucket=outputs.stream_bucket_name)["Rules"]
    (tiering,) = [r for r in stream if r["ID"] == "intelligent-tiering"]
    assert tiering["Transitions"] == [{"Days": 0, "StorageClass": "INTELLIGENT_TIERING"}]
    for bucket in (
        outputs.guardduty_findings_bucket_name,
        outputs.config_bucket_name,
        outputs.stream_bucket_name,
    ):
        assert bucket_default_kms_key(payment_platform.target, bucket) == ("aws:kms", outputs.data_key_arn), (
            bucket
        )


@pytest.mark.pci_dss("11")
def test_config_records_to_its_bucket_and_checks_three_managed_rules(
    payment_platform: PaymentPlatformEnvironment,
) -> None:
    outputs = payment_platform.outputs
    config = payment_platform.target.client("config")
    (channel,) = config.describe_delivery_channels()["DeliveryChannels"]
    assert channel["s3BucketName"] == outputs.config_bucket_name
    assert channel["snsTopicARN"] == outputs.compliance_topic_arn
    rules = config.describe_config_rules(ConfigRuleNames=list(outputs.config_rule_names.values()))[
        "ConfigRules"
    ]
    assert {r["Source"]["SourceIdentifier"] for r in rules} == {
        "ENCRYPTED_VOLUMES",
        "RDS_STORAGE_ENCRYPTED",
        "VPC_FLOW_LOGS_ENABLED",
    }
    assert existing_recorder_name(payment_platform.target.client) is not None


@pytest.mark.pci_dss("11")
def test_non_compliance_reaches_the_remediation_function(
    payment_platform: PaymentPlatformEnvironment,
) -> None:
    outputs = payment_platform.outputs
    rule = outputs.event_rule_names["config_noncompliant"]
    detail: dict[str, Any] = {
        "configRuleName": outputs.config_rule_names["flow_logs"],
        "newEvaluationResult": {"complianceType": "NON_COMPLIANT"},
    }
    change = {"source": "aws.config", "detail-type": "Config Rules Compliance Change", "detail": detail}
    (target,) = probes.rule_routes(payment_platform.target, rule, "default", change)
    assert target["Arn"].endswith(f":function:{outputs.function_names['remediation']}")
    compliant = {
        **change,
        "detail": {**detail, "newEvaluationResult": {"complianceType": "COMPLIANT"}},
    }
    assert probes.rule_routes(payment_platform.target, rule, "default", compliant) == []


@pytest.mark.pci_dss("10")
@pytest.mark.behaviour
def test_a_vpc_found_without_flow_logs_gets_one_from_the_remediation_function(
    payment_platform: PaymentPlatformEnvironment,
) -> None:
    outputs = payment_platform.outputs
    target = payment_platform.target
    ec2 = target.client("ec2")
    settings = target.client("lambda").get_function_configuration(
        FunctionName=outputs.function_names["remediation"]
    )["Environment"]["Variables"]
    # GIVEN a VPC without flow logs
    vpc_id = ec2.create_vpc(CidrBlock="10.99.0.0/24")["Vpc"]["VpcId"]

    def flow_logs() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = ec2.describe_flow_logs(
            Filters=[{"Name": "resource-id", "Values": [vpc_id]}]
        )["FlowLogs"]
        return found

    try:
        event = {
            "source": "aws.config",
            "detail-type": "Config Rules Compliance Change",
            "detail": {
                "configRuleName": outputs.config_rule_names["flow_logs"],
                "resourceType": "AWS::EC2::VPC",
                "resourceId": vpc_id,
                "newEvaluationResult": {"complianceType": "NON_COMPLIANT"},
            },
        }
        runs_as_its_role = not (target.gap(INVOKE_GAP) or target.gap(FLOW_LOG_GRANT_GAP))
        if runs_as_its_role:
            # WHEN the deployed function runs (as its own role) on Config's event, as the rule delivers
            # it (the rule's match: test_non_compliance_reaches_the_remediation_function)
            first = invoke(target, outputs.function_names["remediation"], event)
            assert first.error is None, first.error_message
            assert first.payload["action"] == "flow_log_created", first.payload
            (flow_log,) = flow_logs()
            again = invoke(target, outputs.function_names["remediation"], event)
            assert again.error is None, again.error_message
            second_action = again.payload["action"]
        else:  # the function cannot run here: its code runs with node, with the deployed settings
            assert run_handler(target, "config-remediation", event, settings)["action"] == "flow_log_created"
            (flow_log,) = flow_logs()
            second_action = run_handler(target, "config-remediation", event, settings)["action"]
        # THEN the VPC has a flow log into the remediation log group, delivered by the remediation role
        if target.gap(FLOW_LOG_READBACK_GAP):  # read back as its destination, without the role
            assert flow_log["LogDestination"] == settings["FLOW_LOGS_LOG_GROUP"]
        else:
            assert flow_log["LogGroupName"] == settings["FLOW_LOGS_LOG_GROUP"]
            assert flow_log["DeliverLogsPermissionArn"] == settings["FLOW_LOGS_ROLE_ARN"]
        # AND handling the same event again changes nothing
        assert second_action == "none"
        assert len(flow_logs()) == 1
    finally:
        for log in flow_logs():
            ec2.delete_flow_logs(FlowLogIds=[log["FlowLogId"]])
        ec2.delete_vpc(VpcId=vpc_id)


GZIP_GAP = "behaviour:firehose_gzip"
INVOKE_GAP = "behaviour:lambda_invoke"
FLOW_LOG_GRANT_GAP = "behaviour:iam_flow_log_resources"
FLOW_LOG_READBACK_GAP = "behaviour:flow_log_readback"
DELIVERY_PREFIXES = ("transactions/", "errors/")
"""Where the stream writes: transformed records, and records the transformer failed. A raw-record
backup would be written anywhere else (the requirements: no clear card number at rest)."""


@pytest.mark.pci_dss("3")
@pytest.mark.behaviour
def test_firehose_delivers_a_record_once_under_its_prefix_encrypted_with_the_data_key(
    payment_platform: PaymentPlatformEnvironment,
) -> None:
    outputs = payment_platform.outputs
    target = payment_platform.target
    firehose = target.client("firehose")
    description = firehose.describe_delivery_stream(DeliveryStreamName=outputs.stream_name)[
        "DeliveryStreamDescription"
    ]
    (destination,) = description["Destinations"]
    s3 = destination["ExtendedS3DestinationDescription"]
    assert s3["S3BackupMode"] == "Disabled"  # raw records carry full card numbers
    (processor,) = s3["ProcessingConfiguration"]["Processors"]
    assert (
        processor["Parameters"][0]["ParameterValue"]
        .split(":function:")[1]
        .startswith(outputs.function_names["transformer"])
    )
    # WHEN a transaction log record carrying a marker goes through the stream (buffer: 60 s)
    marker = f"deliver-{uuid.uuid4().hex[:12]}"
    record = json.dumps({"paymentId": marker, "currency": "EUR", "amount": "1.00"}).encode() + b"\n"
    firehose.put_record(DeliveryStreamName=outputs.stream_name, Record={"Data": record})
    bucket = outputs.stream_bucket_name
    with probes.bucket_readable(target, bucket):
        delivered = probes.objects_containing(target, bucket, marker, timeout=300)
        keys = probes.object_keys(target, bucket)
    # THEN exactly one object holds it (a raw-record backup would be a second copy), under the
    # transformed records' prefix, encrypted with the data key
    (stored,) = delivered
    assert stored.key.startswith("transactions/"), stored.key
    assert (stored.encryption, stored.kms_key_id) == ("aws:kms", outputs.data_key_arn)
    # AND GZIP-compressed, unless the emulator is the target and writes records uncompressed
    assert stored.gzip or (target.gap(GZIP_GAP) is not None)
    # AND nothing in the bucket lies outside the stream's two prefixes: no raw backup anywhere
    assert [key for key in keys if not key.startswith(DELIVERY_PREFIXES)] == []


@pytest.mark.pci_dss("3")
def test_every_platform_key_rotates(payment_platform: PaymentPlatformEnvironment) -> None:
    outputs = payment_platform.outputs
    keys = {
        "data": outputs.data_key_arn,
        "aurora": outputs.aurora_key_arn,
        "logs": outputs.logs_key_arn,
        "events": outputs.events_key_arn,
        "ssm": outputs.ssm_key_arn,
    }
    for name, key_arn in keys.items():
        assert key_rotation_enabled(payment_platform.target, key_arn) is True, name


@pytest.mark.pci_dss("3", "11")
@pytest.mark.emulator_gap("aws_guardduty_publishing_destination")
def test_findings_are_exported_to_the_encrypted_findings_bucket(
    payment_platform: PaymentPlatformEnvironment,
) -> None:
    outputs = payment_platform.outputs
    guardduty = payment_platform.target.client("guardduty")
    (destination,) = guardduty.list_publishing_destinations(DetectorId=outputs.guardduty_detector_id)[
        "Destinations"
    ]
    described = guardduty.describe_publishing_destination(
        DetectorId=outputs.guardduty_detector_id, DestinationId=destination["DestinationId"]
    )["DestinationProperties"]
    assert described["DestinationArn"].endswith(f":::{outputs.guardduty_findings_bucket_name}")
    assert described["KmsKeyArn"] == outputs.data_key_arn


@pytest.mark.pci_dss("3", "10")
@pytest.mark.emulator_gap("aws_xray_sampling_rule")
@pytest.mark.emulator_gap("aws_xray_encryption_config")
def test_payment_requests_are_all_traced_and_traces_encrypted_with_the_data_key(
    payment_platform: PaymentPlatformEnvironment,
) -> None:
    xray = payment_platform.target.client("xray")
    rules = xray.get_sampling_rules()["SamplingRuleRecords"]
    payment_rules = [r["SamplingRule"] for r in rules if r["SamplingRule"]["URLPath"] == "/api/payments*"]
    assert [r["FixedRate"] for r in payment_rules] == [1.0]
    config = xray.get_encryption_config()["EncryptionConfig"]
    assert (config["Type"], config["KeyId"]) == ("KMS", payment_platform.outputs.data_key_arn)


@pytest.mark.emulator_gap("aws_cloudwatch_query_definition")
def test_security_queries_are_saved(payment_platform: PaymentPlatformEnvironment) -> None:
    outputs = payment_platform.outputs
    saved = payment_platform.target.client("logs").describe_query_definitions()["queryDefinitions"]
    names = {q["name"] for q in saved}
    assert set(outputs.query_names.values()) <= names


@pytest.mark.pci_dss("10")
def test_alarms_watch_the_thresholds_and_notify_the_alert_topic(
    payment_platform: PaymentPlatformEnvironment,
) -> None:
    outputs = payment_platform.outputs
    names = outputs.alarm_names
    alarms = {
        a["AlarmName"]: a
        for a in payment_platform.target.client("cloudwatch").describe_alarms(
            AlarmNames=list(names.values())
        )["MetricAlarms"]
    }
    assert set(alarms) == set(names.values())
    assert alarms[names["failed-payments"]]["Threshold"] == 5
    assert alarms[names["payments-queue-depth"]]["Threshold"] == 100
    assert alarms[names["batch-memory-high"]]["MetricName"] == "mem_used_percent"
    assert {tuple(a["AlarmActions"]) for a in alarms.values()} == {(outputs.alerts_topic_arn,)}


@pytest.mark.pci_dss("11")
@pytest.mark.behaviour
def test_a_second_plan_changes_nothing(
    payment_platform: PaymentPlatformEnvironment, request: pytest.FixtureRequest
) -> None:
    # WHEN the same configuration is planned against the deployed environment THEN nothing changes
    # (beyond what the capability list explains as emulator drift, listed in the run summary)
    problems = unexplained_changes(payment_platform, request)
    assert problems == [], "\n".join(problems)


@pytest.mark.behaviour
def test_teardown_destroys_everything_and_the_sweep_finds_no_orphans(
    request: pytest.FixtureRequest,
    payment_platform: PaymentPlatformEnvironment,
    record_property: Callable[[str, object], None],
) -> None:
    if skip_requested("teardown", payment_platform.environ):
        pytest.skip("SKIP_teardown is set: the environment is kept for inspection")
    # WHEN the environment is destroyed THEN nothing tagged or named with the run id remains
    try:
        assert payment_platform.teardown() == []
        assert payment_platform.torn_down
    finally:
        for retry in payment_platform.retries:  # a retried destroy is said in the run summary, with its error
            record_property("retry", retry)
        record_resent_calls(request, StackKind.PAYMENT_PLATFORM, record_property)
    scan = getattr(payment_platform, "pan_scan", None)  # PAN discovery scan, run right before the destroy
    if scan is not None:
        record_property("pan_scan", scan.summary(payment_platform.stack_name))
