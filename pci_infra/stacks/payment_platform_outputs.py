"""The payment platform's outputs, read off its parts (what the harness and the live tests probe)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pci_infra.stacks.outputs import PaymentPlatformOutputs

if TYPE_CHECKING:
    from pci_infra.stacks.payment_platform import PaymentPlatformStack


def payment_platform_outputs(stack: PaymentPlatformStack) -> PaymentPlatformOutputs:
    """The outputs of ``stack``, read off the typed parts it composed."""
    parts = stack
    keys, storage, vpc, alb = parts.keys, parts.storage, parts.network.vpc, parts.load_balancer.alb
    aurora, events, parameters, dns = parts.database.aurora, parts.events, parts.parameters, parts.dns
    payments, firewall, alerts, batch, threats = (
        parts.payments,
        parts.firewall,
        parts.alerts,
        parts.batch,
        parts.threats,
    )
    compliance, stream, alarms, observability = (
        parts.compliance,
        parts.stream,
        parts.alarms,
        parts.observability,
    )
    function_set = parts.function_set
    return PaymentPlatformOutputs(
        data_key_arn=keys.data.key_arn,
        aurora_key_arn=keys.aurora.key_arn,
        logs_key_arn=keys.logs.key_arn,
        transaction_logs_bucket_name=storage.transaction_logs.bucket_name,
        alb_logs_bucket_name=storage.alb_logs.bucket_name,
        waf_logs_bucket_name=storage.waf_logs.bucket_name,
        payments_queue_url=payments.queue_url,
        payments_dlq_url=payments.dlq_url,
        vpc_id=vpc.vpc_id,
        flow_log_group_name=vpc.flow_log_group_name,
        aurora_cluster_identifier=aurora.cluster_identifier,
        aurora_proxy_name=aurora.proxy_name,
        alb_arn=alb.lb_arn,
        web_acl_arn=firewall.web_acl_arn,
        events_key_arn=keys.events.key_arn,
        event_bus_name=events.bus_name,
        analytics_queue_url=events.analytics.queue_url,
        analytics_dlq_url=events.analytics.dlq_url,
        events_delivery_dlq_arn=events.delivery_dlq_arn,
        alerts_topic_arn=alerts.topic_arn,
        event_rule_names=events.rule_names,
        aurora_cluster_arn=aurora.cluster_arn,
        ssm_key_arn=keys.ssm.key_arn,
        parameter_names={
            "connection": parameters.connection_name,
            "api_key": parameters.api_key_name,
            "settings": parameters.settings_name,
        },
        function_names={key: fn.function_name for key, fn in function_set.items()},
        function_dlq_arns={key: fn.dlq_arn for key, fn in function_set.items()},
        api_target_group_arn=alb.target_group_arn("api"),
        batch_group_name=batch.group_name,
        batch_launch_template_id=batch.launch_template_id,
        hosted_zone_id=dns.zone_id,
        api_fqdn=dns.api_fqdn,
        health_check_ids={
            "primary": dns.primary_health_check_id,
            "secondary": dns.secondary_health_check_id,
        },
        guardduty_detector_id=threats.detector_id,
        guardduty_findings_bucket_name=storage.guardduty_findings.bucket_name,
        config_bucket_name=storage.config_snapshots.bucket_name,
        config_rule_names=compliance.rule_names,
        compliance_topic_arn=compliance.topic_arn,
        stream_name=stream.stream_name,
        stream_bucket_name=storage.stream.bucket_name,
        alarm_names=alarms.alarm_names,
        query_names=observability.query_names,
    )
