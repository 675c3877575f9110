"""Which local emulator hosts each service when two run side by side, and why.

With ``INFRA_EMULATORS=pair`` the harness runs MiniStack (it runs function code and evaluates IAM)
beside moto, and points every provider endpoint of the emulator target
(:data:`pci_infra.foundation.aws_provider.EMULATED_SERVICES`) at the emulator this table names; the
probes' and the sweep's boto3 clients follow the same table. A service goes to moto only where
MiniStack lacks what the stacks need of it, and the reason says what was measured. Everything one of
our functions calls stays on MiniStack: a function's SDK calls always reach MiniStack (its worker's
``AWS_ENDPOINT_URL``), so what it reads or writes must live there.

This table decides hosting only. What the emulator hosting a service cannot host is left out of
emulator synthesis by :mod:`pci_infra.foundation.capabilities`, which stays the one list of gaps and
reads this table to know which emulator that is.

Measured with MiniStack 1.5.33 and moto server 5.2.5 (Terraform 1.11.4, AWS provider 5.100.0).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Literal


class Emulator(StrEnum):
    """A local emulator of the pair."""

    MINISTACK = "ministack"
    MOTO = "moto"


EMULATORS_VARIABLE = "INFRA_EMULATORS"
"""``pair`` (the default: MiniStack and moto, routed by :data:`SERVICE_ROUTES`) or ``moto`` (moto alone)."""
MOTO_ALONE: Final = "moto"
PAIR: Final = "pair"
CHOICES = (PAIR, MOTO_ALONE)
EmulatorSet = Literal["pair", "moto"]


def emulators_wanted(environ: Mapping[str, str]) -> EmulatorSet:
    """``pair`` or ``moto``, from :data:`EMULATORS_VARIABLE` (unset or empty: ``pair``).

    Raises:
        ValueError: Any other value.
    """
    value = environ.get(EMULATORS_VARIABLE, "").strip() or PAIR
    if value == PAIR:
        return PAIR
    if value == MOTO_ALONE:
        return MOTO_ALONE
    raise ValueError(f"{EMULATORS_VARIABLE}: one of {list(CHOICES)} (got {value!r})")


@dataclass(frozen=True)
class Route:
    """Where one provider endpoint service is hosted on the pair.

    Attributes:
        service: The AWS provider's endpoint key (as in ``EMULATED_SERVICES``).
        emulator: The emulator that hosts it.
        reason: Why there, as measured.
    """

    service: str
    emulator: Emulator
    reason: str


_FUNCTIONS_CALL_IT = "our functions call it at run time, and a function's SDK calls reach MiniStack only"

SERVICE_ROUTES: dict[str, Route] = {
    route.service: route
    for route in (
        Route(
            "autoscaling",
            Emulator.MINISTACK,
            "the batch group and its target tracking policy apply there, beside the launch template and "
            "subnets it names",
        ),
        Route(
            "cloudtrail",
            Emulator.MINISTACK,
            "the trail writes to a MiniStack bucket and log group with a MiniStack key and role; its "
            "CloudTrail API answers create, describe and delete",
        ),
        Route(
            "cloudwatch",
            Emulator.MOTO,
            "MiniStack reads alarms back without their actions and dimensions, so every alarm would "
            "lose its notification and drift on each plan; moto reads them back whole, and the Route 53 "
            "health checks (moto) name these alarms",
        ),
        Route(
            "configservice",
            Emulator.MOTO,
            "MiniStack has no remediation configurations and refuses ListTagsForResource and "
            "DeleteDeliveryChannel; the recorder lookup at synthesis asks moto too",
        ),
        Route(
            "ec2",
            Emulator.MINISTACK,
            "the VPC, subnets and security groups are what the ALB, the functions and the batch fleet "
            "there attach to; " + _FUNCTIONS_CALL_IT + " (remediation enables flow logs)",
        ),
        Route(
            "elb",
            Emulator.MINISTACK,
            "the provider's classic endpoint answers with the same ELB module as elbv2 there",
        ),
        Route(
            "elbv2",
            Emulator.MINISTACK,
            "MiniStack's ALB serves HTTP and forwards to the Lambda target it runs, which moto never does",
        ),
        Route("events", Emulator.MINISTACK, _FUNCTIONS_CALL_IT + " (the processor publishes outcomes)"),
        Route(
            "firehose",
            Emulator.MINISTACK,
            "the stream delivers to a MiniStack bucket and names the transformer function, which runs "
            "there only",
        ),
        Route(
            "guardduty",
            Emulator.MOTO,
            "MiniStack 1.5.33 has no GuardDuty API at all; the detector lookup at synthesis asks moto",
        ),
        Route(
            "iam",
            Emulator.MINISTACK,
            "MiniStack evaluates the execution roles' policies when functions call AWS, and refuses "
            "CreateFunction for a role it does not hold",
        ),
        Route(
            "kinesis",
            Emulator.MINISTACK,
            "kept with Firehose, whose delivery it feeds, so a stream and its source share one emulator",
        ),
        Route("kms", Emulator.MINISTACK, _FUNCTIONS_CALL_IT + " (decrypting queues, buckets and parameters)"),
        Route(
            "lambda", Emulator.MINISTACK, "MiniStack runs the function code on Node 22; moto never runs it"
        ),
        Route(
            "logs",
            Emulator.MINISTACK,
            "the functions write their log lines there, which is where a journey is read back",
        ),
        Route(
            "networkfirewall",
            Emulator.MOTO,
            "MiniStack 1.5.33 has no Network Firewall API; emulator synthesis leaves the firewall out "
            "(capability list, measured on moto), so no call is made",
        ),
        Route(
            "rds",
            Emulator.MINISTACK,
            "the DB subnet group names subnets of MiniStack's EC2, which moto refuses "
            "(InvalidSubnetID.NotFound, measured); MiniStack refuses Aurora PostgreSQL 16.6, the aurora "
            "module's default, as absent from AWS's creatable versions it copies (16.8 and later pass)",
        ),
        Route(
            "resourcegroupstaggingapi",
            Emulator.MINISTACK,
            "the sweep's tag listing answers for the emulator holding most resources; what moto hosts "
            "is listed directly by service",
        ),
        Route(
            "route53",
            Emulator.MINISTACK,
            "the private zone is associated there with the VPC it serves and reads back private, and the "
            "health checks read back whole (moto reads the zone back public and the checks without three "
            "attributes); MiniStack lacks GetDNSSEC, which the provider calls before deleting a zone, so "
            "the teardown deletes the zone itself (capability list: behaviour:route53_get_dnssec)",
        ),
        Route("s3", Emulator.MINISTACK, _FUNCTIONS_CALL_IT + " (the tokenizer reads and writes card files)"),
        Route(
            "secretsmanager",
            Emulator.MINISTACK,
            _FUNCTIONS_CALL_IT + " (the rotation function reads and stages the database secret)",
        ),
        Route("sns", Emulator.MINISTACK, _FUNCTIONS_CALL_IT + " (alerts are published by functions)"),
        Route(
            "sqs",
            Emulator.MINISTACK,
            "the API function enqueues and the processor's event source mapping consumes there",
        ),
        Route("ssm", Emulator.MINISTACK, _FUNCTIONS_CALL_IT + " (the API and processor read parameters)"),
        Route(
            "sts",
            Emulator.MINISTACK,
            "MiniStack issues the sessions the functions act with; both emulators answer account "
            "123456789012 for our credentials",
        ),
        Route(
            "wafv2",
            Emulator.MOTO,
            "MiniStack has no WAFv2 logging configuration, and the web ACL must log; moto accepts the "
            "association with the MiniStack ALB's ARN",
        ),
        Route(
            "xray",
            Emulator.MOTO,
            "MiniStack 1.5.33 has no X-Ray API; emulator synthesis leaves the X-Ray resources out "
            "(capability list, measured on moto), so no call is made",
        ),
    )
}
"""Every provider endpoint service of the emulator target, with the emulator that hosts it."""

BOTO3_NAMES: Mapping[str, str] = {"configservice": "config", "networkfirewall": "network-firewall"}
"""Provider endpoint keys whose boto3 service name differs; the others are the same."""


def boto3_name(service: str) -> str:
    """The boto3 service name of a provider endpoint key (``configservice`` -> ``config``)."""
    return BOTO3_NAMES.get(service, service)


def emulator_for(service: str) -> Emulator:
    """The emulator hosting a provider endpoint service.

    Raises:
        KeyError: The service is not routed (add it to :data:`SERVICE_ROUTES` with its reason).
    """
    try:
        return SERVICE_ROUTES[service].emulator
    except KeyError:
        raise KeyError(f"{service}: not in SERVICE_ROUTES; route it to an emulator, with why") from None


def host_of(service: str, emulators: EmulatorSet) -> Emulator:
    """The emulator hosting ``service`` (a provider endpoint key) when ``emulators`` run."""
    return emulator_for(service) if emulators == PAIR else Emulator.MOTO


def provider_endpoints(urls: Mapping[Emulator, str]) -> dict[str, str]:
    """Each provider endpoint key at the URL of its emulator (``urls`` names both emulators)."""
    return {service: urls[route.emulator] for service, route in sorted(SERVICE_ROUTES.items())}


def client_endpoints(provider: Mapping[str, str]) -> dict[str, str]:
    """The same endpoints keyed by boto3 service name (``config``, not ``configservice``)."""
    return {boto3_name(service): url for service, url in provider.items()}
