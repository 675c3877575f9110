"""DNS of the payment API: a private hosted zone with PRIMARY/SECONDARY failover records.

``api.<zone>`` answers with the internal ALB while it has a healthy API target, and with the
standby endpoint otherwise. Route 53 health checkers cannot reach an internal load balancer, so the
primary's health check follows a CloudWatch alarm on the target group's healthy hosts; the standby
(reachable from Route 53) is checked over HTTPS on ``/health``.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_aws import (
    cloudwatch_metric_alarm,
    route53_health_check,
    route53_record,
    route53_zone,
)
from constructs import Construct

from pci_infra.foundation.stack_context import StackContext
from pci_infra.hcl_modules.alb import AlbModule

RECORD_TTL_SECONDS = 60
PRIVATE_ZONE_BEHAVIOUR = "behaviour:route53_private_zone"
HEALTH_CHECK_READBACK = "behaviour:route53_health_check_readback"
HEALTH_CHECK_READBACK_ATTRIBUTES = ("request_interval", "port", "insufficient_data_health_status")
"""What the emulator reads back wrong on a CLOUDWATCH_METRIC check (capability list); AWS ignores nothing."""
API_RECORD = "api"


@dataclass(frozen=True)
class PaymentDnsProps:
    """Inputs of :class:`PaymentDns`.

    Attributes:
        zone_name: Private zone name, e.g. ``payments-dev.internal``.
        vpc_id: VPC the zone serves.
        alb: The internal ALB (primary; its API target group's health decides failover).
        standby_endpoint: Host name of the standby API (secondary).
        alarm_name: Name of the primary's health alarm.
        alert_topic_arn: Alert topic told when the primary goes unhealthy (DNS fails over) and back.
    """

    zone_name: str
    vpc_id: str
    alb: AlbModule
    standby_endpoint: str
    alarm_name: str
    alert_topic_arn: str


class PaymentDns(Construct):
    """The zone, the two health checks and the failover records.

    Attributes:
        zone_id: Hosted zone id.
        api_fqdn: Name clients use.
        primary_health_check_id: Health check of the ALB.
        secondary_health_check_id: Health check of the standby.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: PaymentDnsProps) -> None:
        """Create zone, alarm, health checks and records."""
        super().__init__(scope, construct_id)
        ctx = StackContext.of(self)
        zone = route53_zone.Route53Zone(
            self,
            "zone",
            name=props.zone_name,
            comment="Payment API (private)",
            force_destroy=True,
            vpc=[route53_zone.Route53ZoneVpc(vpc_id=props.vpc_id, vpc_region=ctx.region)]
            if ctx.hosts(PRIVATE_ZONE_BEHAVIOUR)
            else None,
        )
        unhealthy = cloudwatch_metric_alarm.CloudwatchMetricAlarm(
            self,
            "primary-unhealthy",
            alarm_name=props.alarm_name,
            alarm_description="The payment API target group has no healthy target (DNS fails over)",
            namespace="AWS/ApplicationELB",
            metric_name="HealthyHostCount",
            dimensions={
                "LoadBalancer": props.alb.lb_arn_suffix,
                "TargetGroup": props.alb.target_group_arn_suffix("api"),
            },
            statistic="Minimum",
            period=60,
            evaluation_periods=2,
            threshold=1,
            comparison_operator="LessThanThreshold",
            treat_missing_data="breaching",
            alarm_actions=[props.alert_topic_arn],
            ok_actions=[props.alert_topic_arn],
        )
        primary_check = route53_health_check.Route53HealthCheck(
            self,
            "primary-check",
            type="CLOUDWATCH_METRIC",
            cloudwatch_alarm_name=unhealthy.alarm_name,
            cloudwatch_alarm_region=ctx.region,
            insufficient_data_health_status="LastKnownStatus",
            tags={"Name": f"{props.zone_name} primary (ALB)"},
            lifecycle=None
            if ctx.hosts(HEALTH_CHECK_READBACK)
            else TerraformResourceLifecycle(ignore_changes=list(HEALTH_CHECK_READBACK_ATTRIBUTES)),
        )
        secondary_check = route53_health_check.Route53HealthCheck(
            self,
            "secondary-check",
            type="HTTPS",
            fqdn=props.standby_endpoint,
            port=443,
            resource_path="/health",
            failure_threshold=3,
            request_interval=30,
            enable_sni=True,
            tags={"Name": f"{props.zone_name} secondary (standby)"},
        )
        fqdn = f"{API_RECORD}.{props.zone_name}"
        for role, target, check in (
            ("PRIMARY", props.alb.lb_dns_name, primary_check),
            ("SECONDARY", props.standby_endpoint, secondary_check),
        ):
            route53_record.Route53Record(
                self,
                f"api-{role.lower()}",
                zone_id=zone.zone_id,
                name=fqdn,
                type="CNAME",
                ttl=RECORD_TTL_SECONDS,
                records=[target],
                set_identifier=role.lower(),
                health_check_id=check.id,
                failover_routing_policy=route53_record.Route53RecordFailoverRoutingPolicy(type=role),
            )
        self.zone_id: str = zone.zone_id
        self.api_fqdn: str = fqdn
        self.primary_health_check_id: str = primary_check.id
        self.secondary_health_check_id: str = secondary_check.id
