"""Local reachability analysis: the PCI stack's workload egress goes only through its zone's firewall.

The AWS-target synthesis is modelled with its vpc module applied to an emulator (cached by content
hash, see harness/reachability_synth.py) and the stack's firewall routes laid over it; negative
cases change that configuration or model one defect at a time and must be reported with the subnet
and the leak.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from harness.aws_target import AwsTarget
from harness.reachability import (
    AclEntry,
    FirewallEndpoint,
    GatewayEndpoint,
    NetworkAcl,
    NetworkModel,
    PathResult,
    PrefixList,
    Route,
    RouteTable,
    Subnet,
    TargetKind,
    Verdict,
    analyse,
    domain_allowed,
    inspection_routes,
    render_table,
    trace,
    verdict,
    with_absent_firewall,
)
from harness.reachability_describe import find_run_vpc, model_from_snapshot, snapshot
from harness.reachability_synth import UnsupportedConfigurationError, model_of_document, model_of_synthesis
from pci_infra.app.paths import PROJECT_ROOT
from unit_tests.conftest import Synthesized

CACHE = PROJECT_ROOT / ".work" / "unit-reachability"
FRESH = os.environ.get("UNIT_SYNTH_CACHE", "1") == "0"
PCI = "pci-data-processing"
SERVICES = ("kms", "logs", "s3", "secretsmanager", "ssm", "sts")
SUBNET = r"subnet-[0-9a-f]+"
WHO = rf"workload subnet {SUBNET} in"


@pytest.fixture(scope="module")
def aws_stack_dir(synthesized: Synthesized) -> Path:
    return synthesized.aws_outdir / "stacks" / PCI


@pytest.fixture(scope="module")
def aws_model(aws_stack_dir: Path) -> NetworkModel:
    return model_of_synthesis(aws_stack_dir, cache_root=CACHE, fresh=FRESH)


def judged(model: NetworkModel) -> tuple[list[PathResult], Verdict]:
    paths = analyse(model)
    result = verdict(model, paths)
    print(render_table(model, paths, result))
    return paths, result


def path_to(paths: list[PathResult], zone: str, destination: str) -> PathResult:
    (found,) = [p for p in paths if p.source.zone == zone and p.destination.label == destination]
    return found


def table_id(model: NetworkModel, label: str) -> str:
    (found,) = [t.id for t in model.route_tables if model.table_label(t) == label]
    return found


def leaks(result: Verdict) -> list[str]:
    return sorted(str(v) for v in result.violations)


# --- the real stack -----------------------------------------------------------------------------


@pytest.mark.pci_dss("1")
def test_every_path_leaving_the_workload_tier_crosses_its_own_zones_firewall_both_ways(
    aws_model: NetworkModel,
) -> None:
    # GIVEN the AWS synthesis of the PCI stack WHEN every workload path is traced
    paths, result = judged(aws_model)
    # THEN no path breaks the rule (3 zones x: 2 workload subnets, 6 endpoints x 3 zones, 3 outside)
    assert result.ok, result.summary()
    assert result.paths == 69
    assert {e.service for e in aws_model.interface_endpoints} == set(SERVICES)
    assert aws_model.gateway_endpoints == () and aws_model.gateways == ()
    kms = path_to(paths, "us-east-1a", "kms endpoint us-east-1b")
    assert kms.forward.describe() == (
        "private-us-east-1a 10.40.31.0/24 -> firewall us-east-1a (nfw-endpoint-us-east-1a) > "
        "firewall-us-east-1a 10.40.0.0/16 -> local > delivered to endpoints-us-east-1b"
    )
    assert kms.back is not None and kms.back.describe() == (
        "endpoints-us-east-1b 10.40.0.0/24 -> firewall us-east-1a (nfw-endpoint-us-east-1a) > "
        "firewall-us-east-1a 10.40.0.0/16 -> local > delivered to private-us-east-1a"
    )
    internet = path_to(paths, "us-east-1c", "public 8.8.8.8")
    assert internet.forward.describe() == (
        "private-us-east-1c 0.0.0.0/0 -> firewall us-east-1c (nfw-endpoint-us-east-1c) > "
        "firewall-us-east-1c: no route > dropped"
    )
    s3 = path_to(paths, "us-east-1b", "S3 public range 52.216.0.10")
    assert s3.forward.end == "dropped" and [f.zone for f in s3.forward.firewalls] == ["us-east-1b"]
    assert Counter(p.forward.end for p in paths) == {
        "delivered to endpoints-us-east-1a": 18,
        "delivered to endpoints-us-east-1b": 18,
        "delivered to endpoints-us-east-1c": 18,
        "delivered to private-us-east-1a": 2,
        "delivered to private-us-east-1b": 2,
        "delivered to private-us-east-1c": 2,
        "dropped": 9,
    }


def test_the_inspection_design_is_exactly_the_routes_the_stack_gives_aws(aws_model: NetworkModel) -> None:
    # The emulator check models the firewall's absent routes by this rule: it must match the stack.
    given = {
        (aws_model.table_label(t), r.destination, r.target_id)
        for t in aws_model.route_tables
        for r in t.routes
        if r.target is TargetKind.FIREWALL
    }
    without = dataclasses.replace(
        aws_model,
        route_tables=tuple(
            dataclasses.replace(t, routes=tuple(r for r in t.routes if r.target is not TargetKind.FIREWALL))
            for t in aws_model.route_tables
        ),
    )
    zones = {
        z: (TargetKind.FIREWALL, f"nfw-endpoint-{z}") for z in ("us-east-1a", "us-east-1b", "us-east-1c")
    }
    planned = {
        (
            without.table_label(next(t for t in without.route_tables if t.id == tid)),
            r.destination,
            r.target_id,
        )
        for tid, routes in inspection_routes(without, zones).items()
        for r in routes
    }
    assert planned == given
    assert len(given) == 21
    assert ("private-us-east-1b", "10.40.32.0/24", "nfw-endpoint-us-east-1b") in given
    assert ("endpoints-us-east-1c", "10.40.1.0/24", "nfw-endpoint-us-east-1b") in given
    assert not any(label.startswith("firewall-") for label, _, _ in given)


def test_the_allow_list_admits_every_interface_endpoints_private_dns_names(aws_model: NetworkModel) -> None:
    assert aws_model.allowed_domains is not None
    names = {n for e in aws_model.interface_endpoints for n in e.dns_names}
    assert names == {
        "kms.us-east-1.amazonaws.com",
        "logs.us-east-1.amazonaws.com",
        "s3.us-east-1.amazonaws.com",
        "*.s3.us-east-1.amazonaws.com",
        "secretsmanager.us-east-1.amazonaws.com",
        "ssm.us-east-1.amazonaws.com",
        "sts.us-east-1.amazonaws.com",
    }
    assert all(domain_allowed(n, aws_model.allowed_domains) for n in names)


# --- one defect at a time -----------------------------------------------------------------------


@pytest.mark.pci_dss("1")
def test_a_firewall_route_removed_from_the_configuration_is_a_bypass_of_its_subnet(
    aws_stack_dir: Path,
) -> None:
    # GIVEN the synthesized configuration without the route from zone a's workloads to zone b's endpoints
    doc = json.loads((aws_stack_dir / "cdk.tf.json").read_text())
    routes = doc["resource"]["aws_route"]
    (gone,) = [
        k for k, b in routes.items() if b["//"]["metadata"]["path"].endswith("/workload-0-to-endpoints-1")
    ]
    del routes[gone]
    # WHEN it is analysed
    _, result = judged(model_of_document(aws_stack_dir, doc, cache_root=CACHE))
    # THEN each endpoint of zone b is reached from zone a by the local route, without the firewall
    assert len(result.violations) == 6
    for violation, service in zip(leaks(result), SERVICES, strict=True):
        assert re.fullmatch(
            rf"{WHO} us-east-1a reaches {service} endpoint us-east-1b via the local "
            "route without the firewall",
            violation,
        ), violation


@pytest.mark.pci_dss("1")
def test_an_s3_gateway_endpoint_route_on_a_workload_table_is_a_bypass(aws_model: NetworkModel) -> None:
    (s3_list,) = [p for p in aws_model.prefix_lists if p.name == "com.amazonaws.us-east-1.s3"]
    workload_a = table_id(aws_model, "private-us-east-1a")
    model = dataclasses.replace(
        aws_model, gateway_endpoints=(GatewayEndpoint("vpce-0gw0test", "s3", s3_list.id, (workload_a,)),)
    ).with_routes(workload_a, [Route(s3_list.id, TargetKind.GATEWAY_ENDPOINT, "vpce-0gw0test")])
    _, result = judged(model)
    (violation,) = leaks(result)
    assert re.fullmatch(
        rf"{WHO} us-east-1a reaches S3 public range 52\.216\.0\.10 via gateway endpoint "
        r"vpce-0gw0test without the firewall",
        violation,
    ), violation
    assert result.violations[0].subnet.zone == "us-east-1a"


def test_an_s3_gateway_endpoint_behind_the_firewall_is_asymmetric(aws_model: NetworkModel) -> None:
    # The S3 alternative the network rejects: the gateway endpoint only on the firewall subnets' table.
    (s3_list,) = [p for p in aws_model.prefix_lists if p.name == "com.amazonaws.us-east-1.s3"]
    firewall_b = table_id(aws_model, "firewall-us-east-1b")
    model = aws_model.with_routes(
        firewall_b, [Route(s3_list.id, TargetKind.GATEWAY_ENDPOINT, "vpce-0gw0test")]
    )
    _, result = judged(model)
    (violation,) = leaks(result)
    assert re.fullmatch(
        rf"{WHO} us-east-1b reaches S3 public range 52\.216\.0\.10 via gateway endpoint "
        r"vpce-0gw0test after the firewall, but the answers come back through the gateway endpoint, not the "
        r"firewall \(asymmetric\)",
        violation,
    ), violation


@pytest.mark.pci_dss("1")
def test_a_nat_gateway_default_route_is_reported_for_each_destination_it_carries(
    aws_model: NetworkModel,
) -> None:
    workload_b = table_id(aws_model, "private-us-east-1b")
    model = aws_model.without_route(workload_b, "0.0.0.0/0").with_routes(
        workload_b, [Route("0.0.0.0/0", TargetKind.NAT_GATEWAY, "nat-0test")]
    )
    _, result = judged(model)
    assert len(result.violations) == 3
    expected = (
        r"S3 public range 52\.216\.0\.10 via NAT gateway nat-0test without the firewall",
        r"outside 192\.168\.1\.10 via NAT gateway nat-0test without the firewall",
        r"public 8\.8\.8\.8 via NAT gateway nat-0test without the firewall",
    )
    for violation, leak in zip(leaks(result), expected, strict=True):
        assert re.fullmatch(rf"{WHO} us-east-1b reaches {leak}", violation), violation


def test_a_nat_gateway_after_the_firewall_is_reported_too(aws_model: NetworkModel) -> None:
    firewall_c = table_id(aws_model, "firewall-us-east-1c")
    model = aws_model.with_routes(firewall_c, [Route("0.0.0.0/0", TargetKind.NAT_GATEWAY, "nat-0test")])
    _, result = judged(model)
    assert len(result.violations) == 3
    assert any(
        re.fullmatch(
            rf"{WHO} us-east-1c reaches public 8\.8\.8\.8 via NAT gateway nat-0test after "
            "the firewall",
            v,
        )
        for v in leaks(result)
    )


def test_a_missing_return_route_makes_the_flow_asymmetric(aws_model: NetworkModel) -> None:
    endpoints_b = table_id(aws_model, "endpoints-us-east-1b")
    _, result = judged(aws_model.without_route(endpoints_b, "10.40.0.0/24"))
    assert len(result.violations) == 6
    for violation, service in zip(leaks(result), SERVICES, strict=True):
        assert re.fullmatch(
            rf"{WHO} us-east-1a gets answers from {service} endpoint us-east-1b through "
            r"no firewall, not back through nfw-endpoint-us-east-1a \(asymmetric\)",
            violation,
        ), violation


def test_the_firewall_endpoint_of_another_zone_is_reported(aws_model: NetworkModel) -> None:
    workload_a = table_id(aws_model, "private-us-east-1a")
    model = aws_model.without_route(workload_a, "10.40.30.0/24").with_routes(
        workload_a, [Route("10.40.30.0/24", TargetKind.FIREWALL, "nfw-endpoint-us-east-1b")]
    )
    _, result = judged(model)
    kms = [str(v) for v in result.violations if v.destination == "kms endpoint us-east-1a"]
    assert len(kms) == 2
    assert re.fullmatch(
        rf"{WHO} us-east-1a reaches kms endpoint us-east-1a through the firewall endpoint "
        "of us-east-1b, not of its own zone",
        kms[0],
    ), kms
    assert kms[1].endswith(
        "gets answers from kms endpoint us-east-1a through nfw-endpoint-us-east-1a, not back through "
        "nfw-endpoint-us-east-1b (asymmetric)"
    )


def test_a_name_the_allow_list_refuses_is_reported(aws_model: NetworkModel) -> None:
    allowed = tuple(d for d in aws_model.allowed_domains or () if not d.startswith("sts."))
    _, result = judged(dataclasses.replace(aws_model, allowed_domains=allowed))
    assert len(result.violations) == 9
    assert all(
        v.leak.endswith("whose allow-list refuses sts.us-east-1.amazonaws.com") for v in result.violations
    )


def test_routing_the_adapter_cannot_model_is_refused_not_guessed(aws_stack_dir: Path) -> None:
    doc = json.loads((aws_stack_dir / "cdk.tf.json").read_text())
    with_nat = copy.deepcopy(doc)
    with_nat["resource"]["aws_nat_gateway"] = {
        "extra": {"subnet_id": "subnet-1", "allocation_id": "eipalloc-1"}
    }
    with pytest.raises(UnsupportedConfigurationError, match=r"\['aws_nat_gateway'\] change routing"):
        model_of_document(aws_stack_dir, with_nat, cache_root=CACHE)
    odd = copy.deepcopy(doc)
    route = next(iter(odd["resource"]["aws_route"].values()))
    route["destination_cidr_block"] = "${cidrsubnet(var.cidr, 8, 1)}"
    with pytest.raises(UnsupportedConfigurationError, match="cannot resolve"):
        model_of_document(aws_stack_dir, odd, cache_root=CACHE)


# --- the emulator target ------------------------------------------------------------------------


def test_on_the_emulator_synthesis_every_path_out_ends_at_the_absent_firewall(
    synthesized: Synthesized,
) -> None:
    # GIVEN the emulator synthesis, which leaves the firewall and its routes out (capability list)
    stack_dir = synthesized.aws_outdir.parent / "emulator" / "stacks" / PCI
    model = model_of_synthesis(stack_dir, cache_root=CACHE, fresh=False)
    # WHEN analysed THEN nothing bypasses the absent firewall, and the report says it is absent
    paths, result = judged(model)
    assert result.ok, result.summary()
    assert result.notes[0].startswith("the firewall is not hosted on this target: 63 paths end")
    assert {p.forward.end for p in paths if p.destination.kind != "workload subnet"} == {
        "no route (firewall not hosted on this target)"
    }
    # AND a bypass is still a failure there
    (s3_list,) = [p for p in model.prefix_lists if p.name == "com.amazonaws.us-east-1.s3"]
    workload_c = table_id(model, "private-us-east-1c")
    leaky = model.with_routes(workload_c, [Route(s3_list.id, TargetKind.GATEWAY_ENDPOINT, "vpce-0gw0test")])
    _, leaked = judged(leaky)
    (violation,) = leaks(leaked)
    assert re.fullmatch(
        rf"{WHO} us-east-1c reaches S3 public range 52\.216\.0\.10 via gateway endpoint "
        r"vpce-0gw0test without the firewall",
        violation,
    ), violation


# --- the analysis itself, on small hand-made networks ------------------------------------------


def tiny(*extra: Route, acl: NetworkAcl | None = None) -> NetworkModel:
    """Workloads 10.0.0.0/24 (a), 10.0.1.0/24 (b); firewall 10.0.20.0/24; endpoints 10.0.30.0/24."""
    subnets = (
        Subnet("subnet-wa", "zone-a", "10.0.0.0/24", "private"),
        Subnet("subnet-wb", "zone-b", "10.0.1.0/24", "private"),
        Subnet("subnet-fa", "zone-a", "10.0.20.0/24", "firewall"),
        Subnet("subnet-ea", "zone-a", "10.0.30.0/24", "endpoints"),
    )
    local = Route("10.0.0.0/16", TargetKind.LOCAL, "local")
    return NetworkModel(
        vpc_id="vpc-tiny",
        region="us-east-1",
        cidrs=("10.0.0.0/16",),
        subnets=subnets,
        route_tables=(
            RouteTable("rtb-wa", (local, *extra), ("subnet-wa",)),
            RouteTable("rtb-main", (local,), (), main=True),
        ),
        firewall_endpoints=(FirewallEndpoint("vpce-fwa", "zone-a", "subnet-fa"),),
        prefix_lists=(PrefixList("pl-s3", "com.amazonaws.us-east-1.s3", ("52.216.0.0/15",)),),
        network_acls=(acl,) if acl else (),
    )


def walk(model: NetworkModel, address: str) -> Any:
    return trace(model, "subnet-wa", address, source="10.0.0.10", port=443)


def test_the_longest_prefix_wins_and_a_firewall_hands_over_to_its_subnets_table() -> None:
    model = tiny(
        Route("10.0.30.0/24", TargetKind.FIREWALL, "vpce-fwa"),
        Route("0.0.0.0/0", TargetKind.NAT_GATEWAY, "nat-1"),
        Route("pl-s3", TargetKind.GATEWAY_ENDPOINT, "vpce-s3"),
    )
    endpoint = walk(model, "10.0.30.4")
    assert endpoint.describe() == (
        "private-zone-a 10.0.30.0/24 -> firewall zone-a (vpce-fwa) > main 10.0.0.0/16 -> local > "
        "delivered to endpoints-zone-a"
    )
    assert walk(model, "10.0.1.10").end == "delivered to private-zone-b"
    assert walk(model, "52.216.0.10").end == "gateway endpoint vpce-s3"  # the prefix list beats 0.0.0.0/0
    assert walk(model, "8.8.8.8").end == "NAT gateway nat-1"


def test_blackholes_loops_unknown_targets_and_network_acls_end_the_walk() -> None:
    assert walk(tiny(Route("0.0.0.0/0", TargetKind.NAT_GATEWAY, "nat-1", blackhole=True)), "8.8.8.8").end == (
        "blackhole (the route's target is gone)"
    )
    looping = tiny(Route("0.0.0.0/0", TargetKind.FIREWALL, "vpce-fwa"))
    looping = looping.with_routes("rtb-main", [Route("0.0.0.0/0", TargetKind.FIREWALL, "vpce-fwa")])
    assert walk(looping, "8.8.8.8").end == "routing loop through vpce-fwa"
    assert (
        walk(tiny(Route("0.0.0.0/0", TargetKind.UNKNOWN, "vpce-who")), "8.8.8.8").end
        == "unknown target vpce-who"
    )
    deny_out = NetworkAcl(
        "acl-1",
        ("subnet-wa",),
        (AclEntry(100, True, False, "10.0.30.0/24"), AclEntry(200, True, True, "0.0.0.0/0")),
    )
    assert walk(tiny(acl=deny_out), "10.0.30.4").end == "dropped by network ACL acl-1 (outbound)"
    assert walk(tiny(acl=deny_out), "10.0.1.10").end == "delivered to private-zone-b"


def test_an_absent_firewall_turns_its_routes_into_drops_and_keeps_real_routes() -> None:
    model = dataclasses.replace(tiny(), firewall_endpoints=(), firewall_hosted=False)
    absent = with_absent_firewall(model)
    assert walk(absent, "10.0.30.4").end == "no route (firewall not hosted on this target)"
    assert walk(absent, "8.8.8.8").end == "no route (firewall not hosted on this target)"
    assert walk(absent, "10.0.1.10").end == "delivered to private-zone-b"
    kept = with_absent_firewall(
        dataclasses.replace(model).with_routes(
            "rtb-wa", [Route("0.0.0.0/0", TargetKind.INTERNET_GATEWAY, "igw-1")]
        )
    )
    assert walk(kept, "8.8.8.8").end == "internet gateway igw-1"


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("kms.us-east-1.amazonaws.com", True),
        ("KMS.us-east-1.amazonaws.com.", True),
        ("s3.us-east-1.amazonaws.com", True),
        ("my-bucket.s3.us-east-1.amazonaws.com", True),
        ("*.s3.us-east-1.amazonaws.com", True),
        ("evil-kms.us-east-1.amazonaws.com", False),
        ("kms.us-east-1.amazonaws.com.evil.example", False),
        ("s3.us-west-2.amazonaws.com", False),
        ("xs3.us-east-1.amazonaws.com", False),
    ],
)
def test_domain_list_semantics_exact_names_and_a_leading_dot_for_the_suffix(name: str, allowed: bool) -> None:
    entries = ("kms.us-east-1.amazonaws.com", ".s3.us-east-1.amazonaws.com")
    assert domain_allowed(name, entries) is allowed


# --- the describe_* adapter ---------------------------------------------------------------------


def test_the_describe_adapter_reads_tiers_associations_and_gateway_endpoints(mock_target: AwsTarget) -> None:
    # GIVEN a VPC with a workload and an endpoint subnet, and an S3 gateway endpoint on the workload table
    ec2 = mock_target.client("ec2")
    vpc = ec2.create_vpc(
        CidrBlock="10.7.0.0/16",
        TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "RunId", "Value": "rx1234"}]}],
    )["Vpc"]["VpcId"]

    def subnet(cidr: str, zone: str, tier: str) -> str:
        tags = [{"ResourceType": "subnet", "Tags": [{"Key": "Tier", "Value": tier}]}]
        made: str = ec2.create_subnet(
            VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone, TagSpecifications=tags
        )["Subnet"]["SubnetId"]
        return made

    workload = subnet("10.7.0.0/24", "us-east-1a", "private")
    endpoints = subnet("10.7.30.0/24", "us-east-1a", "endpoints")
    subnet("10.7.20.0/24", "us-east-1a", "firewall")
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=table, SubnetId=workload)
    ec2.create_vpc_endpoint(
        VpcId=vpc, ServiceName="com.amazonaws.us-east-1.s3", VpcEndpointType="Gateway", RouteTableIds=[table]
    )
    ec2.create_vpc_endpoint(
        VpcId=vpc,
        ServiceName="com.amazonaws.us-east-1.kms",
        VpcEndpointType="Interface",
        SubnetIds=[endpoints],
    )
    # WHEN it is read from describe_* calls
    assert find_run_vpc(mock_target, "rx1234") == vpc
    model = with_absent_firewall(
        model_from_snapshot(snapshot(mock_target, vpc, with_firewall=False), source="describe_* on moto")
    )
    # THEN tiers, the association, both endpoints and the gateway endpoint's route are in the model
    assert {(s.tier, s.cidr) for s in model.subnets} == {
        ("private", "10.7.0.0/24"),
        ("endpoints", "10.7.30.0/24"),
        ("firewall", "10.7.20.0/24"),
    }
    assert model.table_label(next(t for t in model.route_tables if t.id == table)) == "private-us-east-1a"
    assert [e.service for e in model.gateway_endpoints] == ["s3"]
    assert [(e.service, e.dns_names) for e in model.interface_endpoints] == [
        ("kms", ("kms.us-east-1.amazonaws.com",))
    ]
    paths, result = judged(model)
    (violation,) = leaks(result)
    assert re.fullmatch(
        rf"{WHO} us-east-1a reaches S3 public range 52\.216\.0\.10 via gateway endpoint "
        r"vpce-[0-9a-f]+ without the firewall",
        violation,
    ), violation
    assert path_to(paths, "us-east-1a", "kms endpoint us-east-1a").forward.end == (
        "no route (firewall not hosted on this target)"
    )


# --- python -m harness reachability ---------------------------------------------------------------


def test_the_command_finds_the_runs_vpc_prints_the_table_and_fails_on_a_bypass(tmp_path: Path) -> None:
    from harness.emulator import MotoServer
    from harness.reachability_command import command

    with MotoServer(tmp_path / "moto.log") as server:
        ec2 = AwsTarget.emulator("us-east-1", server.endpoint).client("ec2")
        tagged = [{"ResourceType": "vpc", "Tags": [{"Key": "RunId", "Value": "cm1234"}]}]
        vpc = ec2.create_vpc(CidrBlock="10.8.0.0/16", TagSpecifications=tagged)["Vpc"]["VpcId"]
        for cidr, tier in (("10.8.0.0/24", "private"), ("10.8.20.0/24", "firewall")):
            ec2.create_subnet(
                VpcId=vpc,
                CidrBlock=cidr,
                AvailabilityZone="us-east-1a",
                TagSpecifications=[{"ResourceType": "subnet", "Tags": [{"Key": "Tier", "Value": tier}]}],
            )
        lines: list[str] = []
        assert command("cm1234", "emulator", server.endpoint, "us-east-1", None, say=lines.append) == 0
        assert lines[0].startswith(f"reachability of {vpc} (describe_* on emulator http://127.0.0.1:")
        assert "private-us-east-1a  public 8.8.8.8" in "\n".join(lines)
        assert lines[-3:] == [
            "reachability: 3 paths, no bypass of the firewall",
            "  note: the firewall is not hosted on this target: 3 paths end 'no route (firewall not hosted "
            "on this target)'; checked here: no path bypasses it and none reaches a gateway",
            "  note: the firewall's allow-list is not known here: endpoint names not checked against it",
        ]
        igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
        (main,) = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"]
        ec2.create_route(RouteTableId=main["RouteTableId"], DestinationCidrBlock="8.8.8.0/24", GatewayId=igw)
        lines.clear()
        assert command("cm1234", "emulator", server.endpoint, "us-east-1", vpc, say=lines.append) == 1
        assert any(
            re.fullmatch(
                rf"  VIOLATION {WHO} us-east-1a reaches public 8\.8\.8\.8 via internet gateway {igw} "
                "without the firewall",
                line,
            )
            for line in lines
        ), lines


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (("ab12cd", "gcp", None, None), "reachability: --target must be one of emulator, aws (got 'gcp')"),
        (
            ("AB12CD", "aws", None, None),
            "reachability: --run-id must be 6 lowercase letters or digits (got 'AB12CD')",
        ),
        (
            ("ab12cd", "aws", None, "vpc_1"),
            "reachability: --vpc-id must look like vpc-0123abcd (got 'vpc_1')",
        ),
        (
            ("ab12cd", "aws", "http://x:1", None),
            "reachability: --emulator-endpoint goes with --target emulator only",
        ),
        (
            ("ab12cd", "emulator", "ftp://x", None),
            "reachability: --emulator-endpoint must be http(s)://host[:port] (got 'ftp://x')",
        ),
    ],
)
def test_the_command_refuses_bad_input_before_asking_anything(
    argv: tuple[str, str, str | None, str | None], said: str
) -> None:
    from harness.reachability_command import command

    lines: list[str] = []
    run_id, target, endpoint, vpc_id = argv
    assert command(run_id, target, endpoint, "us-east-1", vpc_id, say=lines.append) == 2
    assert lines == [said]
