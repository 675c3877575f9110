"""Reachability model of a deployed VPC, read with ``describe_*`` calls (AWS or the emulator).

:func:`snapshot` asks the target (EC2, and Network Firewall where the target hosts it) and keeps the
answers as plain JSON; :func:`model_from_snapshot` turns that into a
:class:`harness.reachability.NetworkModel` without any call, so the same code reads a live VPC, the
emulator, and the VPC the synthesis adapter deploys for the unit tests
(:mod:`harness.reachability_synth`). :func:`live_model` does both for a run's VPC and, where the
target cannot host the firewall (capability list), adds the inspection routes with an absent target
(:func:`harness.reachability.with_absent_firewall`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from harness.aws_target import AwsTarget
from harness.reachability import (
    AclEntry,
    EndpointAddress,
    FirewallEndpoint,
    Gateway,
    GatewayEndpoint,
    InterfaceEndpoint,
    NetworkAcl,
    NetworkModel,
    PrefixList,
    Route,
    RouteTable,
    Subnet,
    TargetKind,
    with_absent_firewall,
)

WORKLOAD_TIER = "private"
"""The vpc module's ``Tier`` tag of the workload subnets."""
FIREWALL_TIER = "firewall"
KNOWN_PRIVATE_DNS_NAMES: dict[str, tuple[str, ...]] = {
    "s3": ("*.s3.{region}.amazonaws.com",),
}
"""Names a service's SDK uses besides its main private DNS name: S3's virtual-hosted bucket names."""

ROUTE_TARGETS: tuple[tuple[str, TargetKind], ...] = (
    ("NatGatewayId", TargetKind.NAT_GATEWAY),
    ("TransitGatewayId", TargetKind.TRANSIT_GATEWAY),
    ("VpcPeeringConnectionId", TargetKind.PEERING),
    ("EgressOnlyInternetGatewayId", TargetKind.EGRESS_ONLY_INTERNET_GATEWAY),
    ("LocalGatewayId", TargetKind.OTHER_GATEWAY),
    ("CarrierGatewayId", TargetKind.OTHER_GATEWAY),
    ("CoreNetworkArn", TargetKind.OTHER_GATEWAY),
    ("NetworkInterfaceId", TargetKind.NETWORK_INTERFACE),
    ("InstanceId", TargetKind.NETWORK_INTERFACE),
)
"""Route fields naming a target other than ``GatewayId``, and what they are."""


class ReachabilityError(RuntimeError):
    """The VPC could not be found or read."""


def _tags(item: dict[str, Any]) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in item.get("Tags", [])}


def firewall_hosted(target: AwsTarget) -> bool:
    """Whether ``target`` hosts AWS Network Firewall (neither emulator does: capability list)."""
    return target.gap("aws_networkfirewall_firewall") is None


def find_run_vpc(target: AwsTarget, run_id: str) -> str:
    """The VPC of run ``run_id`` that has a firewall tier (the PCI environment's).

    Raises:
        ReachabilityError: None, or more than one, carries the run id and a firewall tier.
    """
    ec2 = target.client("ec2")
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "tag:RunId", "Values": [run_id]}])["Vpcs"]
    candidates = []
    for vpc in vpcs:
        subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["Subnets"]
        if any(_tags(s).get("Tier") == FIREWALL_TIER for s in subnets):
            candidates.append(vpc["VpcId"])
    if len(candidates) != 1:
        raise ReachabilityError(
            f"run {run_id}: expected one VPC with a '{FIREWALL_TIER}' tier, found {candidates or 'none'} "
            f"among {[v['VpcId'] for v in vpcs] or 'no VPC tagged RunId=' + run_id}; pass --vpc-id"
        )
    return str(candidates[0])


def _all(client: Any, operation: str, key: str, **kwargs: Any) -> list[dict[str, Any]]:
    """Every item of a listing, page after page where the API pages."""
    if client.can_paginate(operation):
        return [item for page in client.get_paginator(operation).paginate(**kwargs) for item in page[key]]
    items: list[dict[str, Any]] = getattr(client, operation)(**kwargs)[key]
    return items


def _tolerant(notes: list[str], what: str, call: Callable[[], list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """``call()``, or an empty list and a note when the target cannot answer it."""
    try:
        return call()
    except (ClientError, BotoCoreError) as err:
        notes.append(f"could not list {what}: {err}")
        return []


def _firewalls(target: AwsTarget, vpc_id: str) -> list[dict[str, Any]]:
    """Each Network Firewall of the VPC: its sync states and the TLS allow-list of its policy."""
    nfw = target.client("network-firewall")
    found = []
    for listed in nfw.list_firewalls(VpcIds=[vpc_id]).get("Firewalls", []):
        described = nfw.describe_firewall(FirewallArn=listed["FirewallArn"])
        policy = nfw.describe_firewall_policy(FirewallPolicyArn=described["Firewall"]["FirewallPolicyArn"])
        allowed: list[str] = []
        for reference in policy["FirewallPolicy"].get("StatefulRuleGroupReferences", []):
            group = nfw.describe_rule_group(RuleGroupArn=reference["ResourceArn"])["RuleGroup"]
            source = group.get("RulesSource", {}).get("RulesSourceList")
            if source and source["GeneratedRulesType"] == "ALLOWLIST" and "TLS_SNI" in source["TargetTypes"]:
                allowed += source["Targets"]
        found.append(
            {
                "name": listed["FirewallName"],
                "sync_states": described.get("FirewallStatus", {}).get("SyncStates", {}),
                "allowed_domains": allowed,
            }
        )
    return found


def snapshot(target: AwsTarget, vpc_id: str, *, with_firewall: bool) -> dict[str, Any]:
    """Everything about ``vpc_id`` the model needs, as the target's API answers it (JSON-safe).

    Args:
        target: Where the VPC is.
        vpc_id: The VPC.
        with_firewall: Ask Network Firewall too (only where the target hosts it).
    """
    ec2 = target.client("ec2")
    in_vpc = [{"Name": "vpc-id", "Values": [vpc_id]}]
    notes: list[str] = []
    vpcs = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"]
    endpoints = [
        e
        for e in _all(ec2, "describe_vpc_endpoints", "VpcEndpoints", Filters=in_vpc)
        if e.get("State", "").lower() not in ("deleted", "deleting", "failed", "rejected")
    ]
    eni_ids = [i for e in endpoints for i in e.get("NetworkInterfaceIds", [])]
    interfaces = (
        ec2.describe_network_interfaces(NetworkInterfaceIds=eni_ids)["NetworkInterfaces"] if eni_ids else []
    )
    interface_services = sorted(
        {e["ServiceName"] for e in endpoints if e.get("VpcEndpointType") == "Interface"}
    )
    services = _tolerant(
        notes,
        "endpoint services",
        lambda: (
            ec2.describe_vpc_endpoint_services(ServiceNames=interface_services)["ServiceDetails"]
            if interface_services
            else []
        ),
    )
    route_tables = _all(ec2, "describe_route_tables", "RouteTables", Filters=in_vpc)
    region = target.region
    list_ids = {
        r["DestinationPrefixListId"]
        for t in route_tables
        for r in t["Routes"]
        if "DestinationPrefixListId" in r
    }
    prefix_lists = []
    for listed in _all(ec2, "describe_managed_prefix_lists", "PrefixLists"):
        if listed["PrefixListId"] in list_ids or listed["PrefixListName"] == f"com.amazonaws.{region}.s3":
            entries = _all(
                ec2, "get_managed_prefix_list_entries", "Entries", PrefixListId=listed["PrefixListId"]
            )
            prefix_lists.append({**listed, "Cidrs": [e["Cidr"] for e in entries]})
    raw = {
        "vpc_id": vpc_id,
        "region": region,
        "vpc": vpcs[0],
        "subnets": _all(ec2, "describe_subnets", "Subnets", Filters=in_vpc),
        "route_tables": route_tables,
        "vpc_endpoints": endpoints,
        "network_interfaces": interfaces,
        "endpoint_services": services,
        "prefix_lists": prefix_lists,
        "network_acls": _all(ec2, "describe_network_acls", "NetworkAcls", Filters=in_vpc),
        "nat_gateways": _tolerant(
            notes, "NAT gateways", lambda: ec2.describe_nat_gateways(Filters=in_vpc)["NatGateways"]
        ),
        "internet_gateways": _tolerant(
            notes,
            "internet gateways",
            lambda: ec2.describe_internet_gateways(
                Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}]
            )["InternetGateways"],
        ),
        "transit_gateway_attachments": _tolerant(
            notes,
            "transit gateway attachments",
            lambda: ec2.describe_transit_gateway_vpc_attachments(Filters=in_vpc)[
                "TransitGatewayVpcAttachments"
            ],
        ),
        "peering_connections": _tolerant(
            notes,
            "peering connections",
            lambda: (
                ec2.describe_vpc_peering_connections(
                    Filters=[{"Name": "requester-vpc-info.vpc-id", "Values": [vpc_id]}]
                )["VpcPeeringConnections"]
                + ec2.describe_vpc_peering_connections(
                    Filters=[{"Name": "accepter-vpc-info.vpc-id", "Values": [vpc_id]}]
                )["VpcPeeringConnections"]
            ),
        ),
        "firewalls": _firewalls(target, vpc_id) if with_firewall else None,
        "notes": notes,
    }
    # Round-trip through JSON: datetimes become text, so a snapshot can be cached and compared.
    snap: dict[str, Any] = json.loads(json.dumps(raw, default=str))
    return snap


SNAPSHOT_CODE: tuple[Callable[..., Any], ...] = (snapshot, _all, _tolerant, _firewalls)
"""The functions that ask the target: cached snapshots are stale when these change."""


def _route(raw: dict[str, Any], gateway_endpoints: set[str], firewall_endpoints: set[str]) -> Route | None:
    """One route of ``describe_route_tables`` (``None`` for IPv6-only routes, not modelled)."""
    destination = raw.get("DestinationCidrBlock") or raw.get("DestinationPrefixListId")
    if not destination:
        return None
    blackhole = raw.get("State") == "blackhole"
    gateway = raw.get("GatewayId")
    if gateway == "local":
        return Route(destination, TargetKind.LOCAL, "local", blackhole)
    if gateway:
        if gateway.startswith("igw-"):
            kind = TargetKind.INTERNET_GATEWAY
        elif gateway.startswith("vgw-"):
            kind = TargetKind.VPN_GATEWAY
        elif gateway in firewall_endpoints:
            kind = TargetKind.FIREWALL  # AWS reports a route to a firewall endpoint as a GatewayId vpce-...
        elif gateway in gateway_endpoints:
            kind = TargetKind.GATEWAY_ENDPOINT
        else:
            kind = TargetKind.UNKNOWN
        return Route(destination, kind, gateway, blackhole)
    for field_name, kind in ROUTE_TARGETS:
        if raw.get(field_name):
            return Route(destination, kind, str(raw[field_name]), blackhole)
    return Route(destination, TargetKind.UNKNOWN, "?", blackhole)


def _acl_entries(raw: Iterable[dict[str, Any]]) -> tuple[AclEntry, ...]:
    entries = []
    for entry in raw:
        if "CidrBlock" not in entry:
            continue  # IPv6 rules: not modelled
        ports = entry.get("PortRange") or {}
        entries.append(
            AclEntry(
                rule_number=int(entry["RuleNumber"]),
                egress=bool(entry["Egress"]),
                allow=entry["RuleAction"] == "allow",
                cidr=entry["CidrBlock"],
                protocol=str(entry.get("Protocol", "-1")),
                port_from=int(ports.get("From", 0)),
                port_to=int(ports.get("To", 65535)),
            )
        )
    return tuple(entries)


def model_from_snapshot(snap: dict[str, Any], *, source: str) -> NetworkModel:
    """The :class:`NetworkModel` of a :func:`snapshot` (no API call)."""
    region = snap["region"]
    subnets = tuple(
        Subnet(s["SubnetId"], s["AvailabilityZone"], s["CidrBlock"], _tags(s).get("Tier", "untiered"))
        for s in snap["subnets"]
    )
    firewall_endpoints = tuple(
        FirewallEndpoint(state["Attachment"]["EndpointId"], zone, state["Attachment"]["SubnetId"])
        for firewall in snap["firewalls"] or []
        for zone, state in sorted(firewall["sync_states"].items())
        if state.get("Attachment", {}).get("EndpointId")
    )
    gateway_raw = [e for e in snap["vpc_endpoints"] if e.get("VpcEndpointType", "Gateway") == "Gateway"]
    lists_by_name = {p["PrefixListName"]: p["PrefixListId"] for p in snap["prefix_lists"]}
    gateway_endpoints = tuple(
        GatewayEndpoint(
            e["VpcEndpointId"],
            e["ServiceName"].rsplit(".", 1)[-1],
            lists_by_name.get(e["ServiceName"], ""),
            tuple(e.get("RouteTableIds", [])),
        )
        for e in gateway_raw
    )
    gateway_ids = {e.id for e in gateway_endpoints}
    firewall_ids = {f.id for f in firewall_endpoints}
    tables = []
    for raw in snap["route_tables"]:
        routes = [r for r in (_route(x, gateway_ids, firewall_ids) for x in raw["Routes"]) if r is not None]
        # AWS writes a gateway endpoint's prefix-list route into each of its tables; be sure it is here.
        for endpoint in gateway_endpoints:
            listed = endpoint.prefix_list_id
            if (
                raw["RouteTableId"] in endpoint.route_table_ids
                and listed
                and all(r.destination != listed for r in routes)
            ):
                routes.append(Route(listed, TargetKind.GATEWAY_ENDPOINT, endpoint.id))
        associations = raw.get("Associations", [])
        tables.append(
            RouteTable(
                raw["RouteTableId"],
                tuple(routes),
                tuple(a["SubnetId"] for a in associations if a.get("SubnetId")),
                main=any(a.get("Main") for a in associations),
            )
        )
    addresses = {
        i["NetworkInterfaceId"]: (i["SubnetId"], i["PrivateIpAddress"]) for i in snap["network_interfaces"]
    }
    # The service's main private DNS name (what its SDK calls), not every name it lists: S3 also
    # lists its control and access-point names, which the workloads do not use and the allow-list
    # rightly leaves out.
    names_by_service: dict[str, list[str]] = {}
    for service in snap["endpoint_services"]:
        if service.get("PrivateDnsName"):
            names_by_service.setdefault(service["ServiceName"], []).append(service["PrivateDnsName"])
    interface_endpoints = []
    for e in snap["vpc_endpoints"]:
        if e.get("VpcEndpointType") != "Interface":
            continue
        short = e["ServiceName"].rsplit(".", 1)[-1]
        names = names_by_service.get(e["ServiceName"]) or [f"{short}.{region}.amazonaws.com"]
        names += [n.format(region=region) for n in KNOWN_PRIVATE_DNS_NAMES.get(short, ())]
        interface_endpoints.append(
            InterfaceEndpoint(
                e["VpcEndpointId"],
                short,
                tuple(
                    EndpointAddress(*addresses[i]) for i in e.get("NetworkInterfaceIds", []) if i in addresses
                ),
                bool(e.get("PrivateDnsEnabled")),
                tuple(sorted(set(names))),
            )
        )
    gateways = [
        Gateway(g["NatGatewayId"], TargetKind.NAT_GATEWAY)
        for g in snap["nat_gateways"]
        if g.get("State") != "deleted"
    ]
    gateways += [
        Gateway(g["InternetGatewayId"], TargetKind.INTERNET_GATEWAY) for g in snap["internet_gateways"]
    ]
    gateways += [
        Gateway(a["TransitGatewayAttachmentId"], TargetKind.TRANSIT_GATEWAY)
        for a in snap["transit_gateway_attachments"]
        if a.get("State") not in ("deleted", "deleting")
    ]
    gateways += [
        Gateway(p["VpcPeeringConnectionId"], TargetKind.PEERING)
        for p in snap["peering_connections"]
        if p.get("Status", {}).get("Code") not in ("deleted", "rejected", "failed", "expired")
    ]
    acls = tuple(
        NetworkAcl(
            a["NetworkAclId"],
            tuple(x["SubnetId"] for x in a.get("Associations", []) if x.get("SubnetId")),
            _acl_entries(a.get("Entries", [])),
        )
        for a in snap["network_acls"]
    )
    firewalls = snap["firewalls"]
    allowed = tuple(d for f in firewalls for d in f["allowed_domains"]) if firewalls else None
    vpc = snap["vpc"]
    cidrs = tuple(c["CidrBlock"] for c in vpc.get("CidrBlockAssociationSet", [])) or (vpc["CidrBlock"],)
    return NetworkModel(
        vpc_id=snap["vpc_id"],
        region=region,
        cidrs=cidrs,
        subnets=subnets,
        route_tables=tuple(tables),
        gateway_endpoints=gateway_endpoints,
        interface_endpoints=tuple(interface_endpoints),
        firewall_endpoints=firewall_endpoints,
        gateways=tuple(gateways),
        network_acls=acls,
        prefix_lists=tuple(
            PrefixList(p["PrefixListId"], p["PrefixListName"], tuple(p["Cidrs"]))
            for p in snap["prefix_lists"]
        ),
        firewall_hosted=firewalls is not None,
        allowed_domains=allowed,
        workload_tier=WORKLOAD_TIER,
        firewall_tier=FIREWALL_TIER,
        source=source,
    )


def live_model(target: AwsTarget, vpc_id: str) -> NetworkModel:
    """The model of a deployed VPC; where the firewall is not hosted, its routes with an absent target."""
    hosted = firewall_hosted(target)
    where = f"emulator {target.endpoint}" if target.is_emulator else f"AWS {target.region}"
    model = model_from_snapshot(
        snapshot(target, vpc_id, with_firewall=hosted), source=f"describe_* on {where}"
    )
    return with_absent_firewall(model)
