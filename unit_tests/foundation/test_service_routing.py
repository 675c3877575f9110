"""The routing table of the emulator pair: every emulated service has a host, and a reason that says why."""

from __future__ import annotations

import re

import botocore.session
import pytest

from pci_infra.foundation.service_routing import (
    SERVICE_ROUTES,
    Emulator,
    boto3_name,
    client_endpoints,
    emulator_for,
    provider_endpoints,
)
from unit_tests.conftest import BINDINGS_GROUP

MOTO = "http://127.0.0.1:5001"
MINISTACK = "http://127.0.0.1:5002"

SAYS_WHY = re.compile(
    r"\b(has no|refuses?|fails?|reads?|answers?|accepts?|runs?|calls?|evaluates?|serves?|issues?|writes?|"
    r"names?|lacks?|leaves?|feeds?|consumes?)\b"
)
"""Verbs of something the emulator or the stack was seen to do."""
VAGUE = re.compile(
    r"\b(TODO|TBD|FIXME|unknown|unsupported|not supported|broken|flaky|better|simpler)\b", re.I
)


def reason_of_substance(reason: str) -> bool:
    """A reason names an emulator or a resource, says what was seen, in 8+ words, and is not vague."""
    return len(reason.split()) >= 8 and bool(SAYS_WHY.search(reason)) and not VAGUE.search(reason)


@pytest.mark.xdist_group(BINDINGS_GROUP)
def test_every_emulated_service_is_routed_and_nothing_else() -> None:
    from pci_infra.foundation.aws_provider import EMULATED_SERVICES  # imports the provider bindings

    assert sorted(SERVICE_ROUTES) == sorted(EMULATED_SERVICES)


def test_each_route_is_keyed_by_its_service_and_gives_a_reason_of_substance() -> None:
    assert all(route.service == key for key, route in SERVICE_ROUTES.items())
    vague = {
        key: route.reason for key, route in SERVICE_ROUTES.items() if not reason_of_substance(route.reason)
    }
    assert vague == {}


@pytest.mark.parametrize(
    ("reason", "substantial"),
    [
        ("MiniStack 1.5.33 has no GuardDuty API at all; the detector lookup asks moto", True),
        ("moto is better for this one", False),
        ("not supported on MiniStack", False),
        ("TODO: check why the destroy of this service fails", False),
    ],
)
def test_the_substance_rule_refuses_vague_reasons(reason: str, substantial: bool) -> None:
    assert reason_of_substance(reason) is substantial


def test_what_ministack_lacks_or_mishandles_goes_to_moto_and_the_functions_world_stays_on_ministack() -> None:
    on_moto = {service for service, route in SERVICE_ROUTES.items() if route.emulator is Emulator.MOTO}
    assert on_moto == {
        "cloudwatch",
        "configservice",
        "guardduty",
        "networkfirewall",
        "wafv2",
        "xray",
    }
    # What a function calls or runs in must live where the function runs.
    for service in (
        "lambda",
        "iam",
        "sts",
        "sqs",
        "sns",
        "s3",
        "kms",
        "ssm",
        "secretsmanager",
        "events",
        "logs",
    ):
        assert emulator_for(service) is Emulator.MINISTACK, service
    with pytest.raises(KeyError, match="dynamodb: not in SERVICE_ROUTES"):
        emulator_for("dynamodb")


def test_endpoints_follow_the_table_for_the_provider_and_for_boto3() -> None:
    provider = provider_endpoints({Emulator.MOTO: MOTO, Emulator.MINISTACK: MINISTACK})
    assert set(provider) == set(SERVICE_ROUTES)
    assert (provider["guardduty"], provider["configservice"], provider["lambda"]) == (MOTO, MOTO, MINISTACK)
    clients = client_endpoints(provider)
    assert (clients["config"], clients["network-firewall"], clients["sqs"]) == (MOTO, MOTO, MINISTACK)
    assert "configservice" not in clients and len(clients) == len(provider)


def test_every_boto3_name_is_a_botocore_service() -> None:
    available = set(botocore.session.Session().get_available_services())
    assert (
        sorted(boto3_name(service) for service in SERVICE_ROUTES if boto3_name(service) not in available)
        == []
    )
