"""Unit (synthesized configuration): the payment platform's dns."""

from __future__ import annotations

from unit_tests.conftest import STANDBY, Synthesized


def test_api_name_fails_over_from_the_alb_to_the_standby(synthesized: Synthesized) -> None:
    stack = synthesized.aws
    zone_id, zone = stack.at("aws_route53_zone", "dns/zone")
    assert zone["name"] == "pay-unit-ut1234.internal" and zone["force_destroy"] is True
    assert "vpc_id" in zone["vpc"][0], "a private zone: the ALB is internal"
    _, pair_zone = synthesized.emulator.at("aws_route53_zone", "dns/zone")
    assert "vpc_id" in pair_zone["vpc"][0], "private on the pair too (Route 53 is MiniStack's)"
    _, moto_zone = synthesized.moto_alone.at("aws_route53_zone", "dns/zone")
    assert "vpc" not in moto_zone, "left out on moto alone only (capability list)"
    _, primary = stack.at("aws_route53_record", "dns/api-primary")
    _, secondary = stack.at("aws_route53_record", "dns/api-secondary")
    assert primary["name"] == secondary["name"] == "api.pay-unit-ut1234.internal"
    assert primary["failover_routing_policy"] == {"type": "PRIMARY"}
    assert secondary["failover_routing_policy"] == {"type": "SECONDARY"}
    assert "lb_dns_name" in primary["records"][0]
    assert secondary["records"] == [STANDBY]
    primary_check_id, primary_check = stack.at("aws_route53_health_check", "dns/primary-check")
    secondary_check_id, secondary_check = stack.at("aws_route53_health_check", "dns/secondary-check")
    assert primary["health_check_id"] == stack.ref("aws_route53_health_check", primary_check_id, "id")
    assert secondary["health_check_id"] == stack.ref("aws_route53_health_check", secondary_check_id, "id")
    alarm_id, alarm = stack.at("aws_cloudwatch_metric_alarm", "dns/primary-unhealthy")
    assert primary_check["type"] == "CLOUDWATCH_METRIC"
    assert primary_check["cloudwatch_alarm_name"] == stack.ref(
        "aws_cloudwatch_metric_alarm", alarm_id, "alarm_name"
    )
    assert (alarm["metric_name"], alarm["threshold"], alarm["comparison_operator"]) == (
        "HealthyHostCount",
        1,
        "LessThanThreshold",
    )
    topic = stack.ref("aws_sns_topic", stack.at("aws_sns_topic", "monitoring/topic")[0], "arn")
    assert alarm["alarm_actions"] == alarm["ok_actions"] == [topic], "a failover is announced"
    assert (secondary_check["type"], secondary_check["fqdn"], secondary_check["resource_path"]) == (
        "HTTPS",
        STANDBY,
        "/health",
    )
    assert zone_id
