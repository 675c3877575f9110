"""Local reachability analysis of one VPC: where packets from each workload subnet go, and if they may.

What AWS Reachability Analyzer answers, computed here from a normalized model of the network so it
runs offline, in unit tests and against the emulator: for every workload subnet and every class of
destination (another workload subnet, each interface endpoint's network interface in each zone, S3's
public range, a public address, an RFC 1918 address outside the VPC) the hops a packet takes, both
ways. Each hop is a longest-prefix match in the route table of the subnet the packet is in; a
firewall endpoint hands the packet to the route table of its own (firewall) subnet; the walk ends at
a local delivery, a gateway endpoint, a gateway (internet, NAT, transit, peering, VPN ...), or a drop
(no route, a blackhole route, a network ACL, a routing loop).

:func:`verdict` then applies the environment's rule, "all egress through AWS Network Firewall only":
every path that leaves the workload tier crosses the firewall endpoint of its own zone, both ways,
and ends at a destination the firewall's allow-list admits; nothing reaches a gateway. A drop is
safe; a path that arrives without the firewall is a bypass.

Where the target cannot host the firewall (the emulator, see ``pci_infra/foundation/capabilities.py``),
:func:`with_absent_firewall` puts in the inspection routes the stack gives AWS (the rule of
:func:`inspection_routes`, which the unit tests hold against the AWS synthesis) with a target that
does not exist, as AWS shows a route whose target is gone: paths that would cross the firewall end
"no route (firewall not hosted on this target)", and any path that reaches something without them
is still a bypass.

Modelled: IPv4 routes (CIDR and prefix-list destinations), route-table associations and the main
table, gateway and interface endpoints (with private DNS), firewall endpoints by zone, every
gateway kind a route can name, network ACLs of the source and destination subnets (TCP 443 out,
ephemeral ports back). Not modelled: security groups (the workload groups allow HTTPS to any
address, so they decide nothing here), network ACLs of the firewall subnets, IPv6.

The adapters that build a :class:`NetworkModel` are :mod:`harness.reachability_describe` (a
deployed VPC, from ``describe_*`` calls) and :mod:`harness.reachability_synth` (a synthesized stack,
without an account).
"""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

PUBLIC_ADDRESS = "8.8.8.8"
"""A public address outside AWS: stands for "the internet"."""
PRIVATE_OUTSIDE_ADDRESS = "192.168.1.10"
"""An RFC 1918 address outside the VPC: stands for on-premises or another VPC."""
S3_FALLBACK_ADDRESS = "52.216.0.10"
"""An address in S3's us-east-1 range, used when the model knows no S3 prefix list."""
HTTPS_PORT = 443
EPHEMERAL_PORT = 49152
"""The client's port the answers go back to (the start of the ephemeral range)."""
MAX_HOPS = 8
"""More route-table lookups than any sane path needs: the walk stops there as a loop."""
ABSENT_FIREWALL_END = "no route (firewall not hosted on this target)"


class TargetKind(StrEnum):
    """What a route sends packets to."""

    LOCAL = "local"
    FIREWALL = "firewall endpoint"
    ABSENT_FIREWALL = "firewall endpoint not hosted on this target"
    GATEWAY_ENDPOINT = "gateway endpoint"
    INTERNET_GATEWAY = "internet gateway"
    EGRESS_ONLY_INTERNET_GATEWAY = "egress-only internet gateway"
    NAT_GATEWAY = "NAT gateway"
    TRANSIT_GATEWAY = "transit gateway"
    PEERING = "peering connection"
    VPN_GATEWAY = "virtual private gateway"
    OTHER_GATEWAY = "gateway"
    NETWORK_INTERFACE = "network interface"
    UNKNOWN = "unknown target"


LEAVING_GATEWAYS = frozenset(
    {
        TargetKind.INTERNET_GATEWAY,
        TargetKind.EGRESS_ONLY_INTERNET_GATEWAY,
        TargetKind.NAT_GATEWAY,
        TargetKind.TRANSIT_GATEWAY,
        TargetKind.PEERING,
        TargetKind.VPN_GATEWAY,
        TargetKind.OTHER_GATEWAY,
    }
)
"""Targets through which a packet leaves the VPC (or is translated to leave it): never allowed."""


@dataclass(frozen=True)
class Route:
    """One route of a route table.

    Attributes:
        destination: IPv4 CIDR, or a prefix list id (``pl-...``).
        target: What it sends packets to.
        target_id: The target's id (``local`` for the local route).
        blackhole: AWS reports the route's target gone.
        origin: Where the route comes from, for messages (e.g. ``module``, a construct path).
    """

    destination: str
    target: TargetKind
    target_id: str
    blackhole: bool = False
    origin: str = ""

    @property
    def is_prefix_list(self) -> bool:
        """The destination is a prefix list."""
        return self.destination.startswith("pl-")


@dataclass(frozen=True)
class RouteTable:
    """A route table with its routes and the subnets explicitly associated with it.

    Attributes:
        id: Route table id.
        routes: Its routes.
        subnet_ids: Subnets associated with it.
        main: The VPC's main table (used by subnets without an association).
    """

    id: str
    routes: tuple[Route, ...]
    subnet_ids: tuple[str, ...] = ()
    main: bool = False


@dataclass(frozen=True)
class Subnet:
    """A subnet and the tier it belongs to (the vpc module's ``Tier`` tag).

    Attributes:
        id: Subnet id.
        zone: Availability zone.
        cidr: IPv4 CIDR.
        tier: Tier name (``private`` is the workload tier, ``firewall``, ``endpoints`` ...).
    """

    id: str
    zone: str
    cidr: str
    tier: str


@dataclass(frozen=True)
class GatewayEndpoint:
    """A gateway VPC endpoint (S3, DynamoDB): a prefix-list route in each of its route tables.

    Attributes:
        id: Endpoint id.
        service: Short service name (``s3``).
        prefix_list_id: The service's prefix list.
        route_table_ids: Route tables AWS put the prefix-list route into.
    """

    id: str
    service: str
    prefix_list_id: str
    route_table_ids: tuple[str, ...]


@dataclass(frozen=True)
class EndpointAddress:
    """One network interface of an interface endpoint.

    Attributes:
        subnet_id: Subnet of the interface.
        address: Its private IPv4 address.
    """

    subnet_id: str
    address: str


@dataclass(frozen=True)
class InterfaceEndpoint:
    """An interface VPC endpoint: network interfaces in subnets, reached by private DNS.

    Attributes:
        id: Endpoint id.
        service: Short service name (``kms``, ``s3`` ...).
        addresses: Its network interfaces.
        private_dns: Private DNS is on: the service's own names resolve to these interfaces.
        dns_names: The names TLS clients use for it (server name indication); ``*.`` wildcards stand
            for any first label.
    """

    id: str
    service: str
    addresses: tuple[EndpointAddress, ...]
    private_dns: bool
    dns_names: tuple[str, ...]


@dataclass(frozen=True)
class FirewallEndpoint:
    """The endpoint of a Network Firewall in one zone: a route target inside its firewall subnet.

    Attributes:
        id: Endpoint id (``vpce-...``).
        zone: Availability zone.
        subnet_id: The firewall subnet it sits in.
    """

    id: str
    zone: str
    subnet_id: str


@dataclass(frozen=True)
class Gateway:
    """A gateway attached to or created in the VPC.

    Attributes:
        id: Gateway id.
        kind: Its kind.
    """

    id: str
    kind: TargetKind


@dataclass(frozen=True)
class AclEntry:
    """One network ACL rule.

    Attributes:
        rule_number: Evaluation order (lowest first).
        egress: An outbound rule.
        allow: ``allow`` (else ``deny``).
        cidr: IPv4 CIDR matched (destination outbound, source inbound).
        protocol: ``-1`` (all) or an IP protocol number as text (``6`` is TCP).
        port_from: First port (TCP/UDP rules).
        port_to: Last port.
    """

    rule_number: int
    egress: bool
    allow: bool
    cidr: str
    protocol: str = "-1"
    port_from: int = 0
    port_to: int = 65535


@dataclass(frozen=True)
class NetworkAcl:
    """A network ACL and its subnets.

    Attributes:
        id: ACL id.
        subnet_ids: Subnets it applies to.
        entries: Its rules (IPv4).
    """

    id: str
    subnet_ids: tuple[str, ...]
    entries: tuple[AclEntry, ...]


@dataclass(frozen=True)
class PrefixList:
    """A managed prefix list (e.g. ``com.amazonaws.us-east-1.s3``).

    Attributes:
        id: Prefix list id.
        name: Its name.
        cidrs: Its entries.
    """

    id: str
    name: str
    cidrs: tuple[str, ...]


@dataclass(frozen=True)
class NetworkModel:
    """Everything the analysis reads about one VPC.

    Attributes:
        vpc_id: VPC id.
        region: Region (for service names).
        cidrs: The VPC's IPv4 CIDRs.
        subnets: Its subnets.
        route_tables: Its route tables.
        gateway_endpoints: Gateway endpoints.
        interface_endpoints: Interface endpoints.
        firewall_endpoints: Network Firewall endpoints (none where the firewall is not hosted).
        gateways: Internet, NAT, transit, VPN ... gateways of the VPC.
        network_acls: Network ACLs.
        prefix_lists: Prefix lists routes may name.
        firewall_hosted: The target hosts Network Firewall (false on the emulator).
        allowed_domains: The firewall's TLS allow-list; ``None`` when unknown.
        workload_tier: Tier of the workload subnets.
        firewall_tier: Tier of the firewall subnets.
        source: Where the model comes from, for the report.
    """

    vpc_id: str
    region: str
    cidrs: tuple[str, ...]
    subnets: tuple[Subnet, ...]
    route_tables: tuple[RouteTable, ...]
    gateway_endpoints: tuple[GatewayEndpoint, ...] = ()
    interface_endpoints: tuple[InterfaceEndpoint, ...] = ()
    firewall_endpoints: tuple[FirewallEndpoint, ...] = ()
    gateways: tuple[Gateway, ...] = ()
    network_acls: tuple[NetworkAcl, ...] = ()
    prefix_lists: tuple[PrefixList, ...] = ()
    firewall_hosted: bool = True
    allowed_domains: tuple[str, ...] | None = None
    workload_tier: str = "private"
    firewall_tier: str = "firewall"
    source: str = ""

    def subnet(self, subnet_id: str) -> Subnet:
        """The subnet with ``subnet_id``."""
        return next(s for s in self.subnets if s.id == subnet_id)

    def table_of(self, subnet_id: str) -> RouteTable | None:
        """The route table that routes ``subnet_id``: its association, else the main table."""
        associated = [t for t in self.route_tables if subnet_id in t.subnet_ids]
        if associated:
            return associated[0]
        return next((t for t in self.route_tables if t.main), None)

    def table_label(self, table: RouteTable) -> str:
        """``private-us-east-1a``: the tier and zone of the table's subnets (stable across runs)."""
        names = sorted({f"{s.tier}-{s.zone}" for s in self.subnets if s.id in table.subnet_ids})
        if names:
            return "+".join(names)
        return "main" if table.main else table.id

    @property
    def workload_subnets(self) -> tuple[Subnet, ...]:
        """The workload subnets, in zone order."""
        return tuple(sorted((s for s in self.subnets if s.tier == self.workload_tier), key=lambda s: s.zone))

    def with_routes(self, table_id: str, routes: Iterable[Route]) -> NetworkModel:
        """A copy with ``routes`` added to table ``table_id``."""
        tables = tuple(
            dataclasses.replace(t, routes=(*t.routes, *routes)) if t.id == table_id else t
            for t in self.route_tables
        )
        return dataclasses.replace(self, route_tables=tables)

    def without_route(self, table_id: str, destination: str) -> NetworkModel:
        """A copy without the route to ``destination`` in table ``table_id``."""
        tables = tuple(
            dataclasses.replace(t, routes=tuple(r for r in t.routes if r.destination != destination))
            if t.id == table_id
            else t
            for t in self.route_tables
        )
        return dataclasses.replace(self, route_tables=tables)


class DestinationKind(StrEnum):
    """Classes of destination a workload subnet is checked against."""

    WORKLOAD = "workload subnet"
    INTERFACE_ENDPOINT = "interface endpoint"
    S3 = "S3"
    PUBLIC = "public address"
    PRIVATE_OUTSIDE = "RFC 1918 address outside the VPC"


@dataclass(frozen=True)
class Destination:
    """Where a packet is addressed.

    Attributes:
        kind: Its class.
        label: How the report names it.
        address: The IPv4 address the packet carries.
        names: TLS server names a client uses for it (interface endpoints).
        subnet_id: The subnet that should receive it (inside the VPC).
    """

    kind: DestinationKind
    label: str
    address: str
    names: tuple[str, ...] = ()
    subnet_id: str | None = None


class Outcome(StrEnum):
    """How a walk ends."""

    DELIVERED = "delivered"
    GATEWAY_ENDPOINT = "gateway endpoint"
    GATEWAY = "gateway"
    DROPPED = "dropped"
    UNKNOWN = "unknown next hop"


@dataclass(frozen=True)
class Hop:
    """One route-table lookup.

    Attributes:
        table: The table's label.
        route: The route chosen (``None``: no route matched).
        text: The hop as the report prints it.
    """

    table: str
    route: Route | None
    text: str


@dataclass(frozen=True)
class Trace:
    """The walk of one packet from a subnet to an address.

    Attributes:
        hops: Route-table lookups in order.
        firewalls: Firewall endpoints crossed, in order.
        outcome: How it ended.
        end: The end as the report prints it.
        reached: Id of what it ended at (subnet, endpoint, gateway), or empty.
    """

    hops: tuple[Hop, ...]
    firewalls: tuple[FirewallEndpoint, ...]
    outcome: Outcome
    end: str
    reached: str = ""

    def describe(self) -> str:
        """``private-us-east-1a 10.40.31.0/24 -> firewall us-east-1a (...) > ... > delivered to ...``."""
        return " > ".join([*(h.text for h in self.hops), self.end])


@dataclass(frozen=True)
class PathResult:
    """One source subnet and destination: the way there and, for a delivery, the way back.

    Attributes:
        source: The workload subnet.
        destination: The destination.
        forward: From the source to the destination.
        back: From the destination's subnet back to the source (deliveries only).
    """

    source: Subnet
    destination: Destination
    forward: Trace
    back: Trace | None = None


@dataclass(frozen=True)
class Violation:
    """One path that breaks the rule.

    Attributes:
        subnet: The workload subnet it starts from.
        destination: The destination's label.
        leak: What is wrong, as a sentence continuing "workload subnet ... in <zone>".
    """

    subnet: Subnet
    destination: str
    leak: str

    def __str__(self) -> str:
        """``workload subnet subnet-1 in us-east-1a reaches S3 ... without the firewall``."""
        return f"workload subnet {self.subnet.id} in {self.subnet.zone} {self.leak}"


@dataclass(frozen=True)
class Verdict:
    """The rule applied to every path.

    Attributes:
        violations: Each path that breaks it.
        notes: What the check could not see, or saw absent (e.g. the firewall on the emulator).
        paths: The number of paths judged.
    """

    violations: tuple[Violation, ...]
    notes: tuple[str, ...] = ()
    paths: int = 0

    @property
    def ok(self) -> bool:
        """No violation."""
        return not self.violations

    def summary(self) -> str:
        """One line, then one line per violation and note."""
        head = (
            f"reachability: {self.paths} paths, no bypass of the firewall"
            if self.ok
            else f"reachability: {len(self.violations)} of {self.paths} paths break the rule"
        )
        return "\n".join(
            [head, *(f"  VIOLATION {v}" for v in self.violations), *(f"  note: {n}" for n in self.notes)]
        )


@dataclass
class _Walk:
    """Mutable state of one walk (internal)."""

    hops: list[Hop] = field(default_factory=list)
    firewalls: list[FirewallEndpoint] = field(default_factory=list)


def _network(cidr: str) -> ipaddress.IPv4Network:
    return ipaddress.IPv4Network(cidr, strict=False)


def _contains(cidr: str, address: str) -> bool:
    return ipaddress.IPv4Address(address) in _network(cidr)


def representative_address(cidr: str, offset: int = 10) -> str:
    """An address inside ``cidr`` that AWS does not reserve (the ``offset``-th host)."""
    return str(_network(cidr).network_address + offset)


def domain_allowed(name: str, allowed: Iterable[str]) -> bool:
    """Whether a Network Firewall domain list admits ``name`` (case-insensitive).

    AWS's semantics: ``abc.example.com`` matches that name only; ``.example.com`` matches
    ``example.com`` and every subdomain of it. A ``*.`` wildcard in ``name`` (a private DNS name such
    as ``*.s3.us-east-1.amazonaws.com``) stands for any first label, so it is tested with one.
    """
    host = name.lower().rstrip(".")
    if host.startswith("*."):
        host = "examplebucket" + host[1:]
    for entry in (e.lower().rstrip(".") for e in allowed):
        if entry.startswith("."):
            if host == entry[1:] or host.endswith(entry):
                return True
        elif host == entry:
            return True
    return False


def _match_length(model: NetworkModel, route: Route, address: str) -> int | None:
    """The prefix length by which ``route`` matches ``address``, or ``None`` when it does not."""
    if route.is_prefix_list:
        listed = next((p for p in model.prefix_lists if p.id == route.destination), None)
        if listed is None:
            return None
        lengths = [_network(c).prefixlen for c in listed.cidrs if _contains(c, address)]
        return max(lengths) if lengths else None
    return _network(route.destination).prefixlen if _contains(route.destination, address) else None


def longest_match(model: NetworkModel, table: RouteTable, address: str) -> Route | None:
    """The route of ``table`` that ``address`` takes: the longest prefix that contains it."""
    best: tuple[int, Route] | None = None
    for route in table.routes:
        length = _match_length(model, route, address)
        if length is not None and (best is None or length > best[0]):
            best = (length, route)
    return best[1] if best else None


def _acl_allows(model: NetworkModel, subnet_id: str, *, egress: bool, peer: str, port: int) -> str | None:
    """``None`` when the subnet's network ACL lets the packet pass, else the ACL's id."""
    acl = next((a for a in model.network_acls if subnet_id in a.subnet_ids), None)
    if acl is None:
        return None
    for entry in sorted(acl.entries, key=lambda e: e.rule_number):
        if entry.egress != egress or not _contains(entry.cidr, peer):
            continue
        if entry.protocol not in ("-1", "6", "tcp", "all"):
            continue
        if entry.protocol not in ("-1", "all") and not entry.port_from <= port <= entry.port_to:
            continue
        return None if entry.allow else acl.id
    return acl.id  # the implicit final deny


def _target_text(model: NetworkModel, route: Route) -> str:
    if route.target is TargetKind.FIREWALL:
        endpoint = next((f for f in model.firewall_endpoints if f.id == route.target_id), None)
        return f"firewall {endpoint.zone if endpoint else '?'} ({route.target_id})"
    if route.target is TargetKind.ABSENT_FIREWALL:
        return f"firewall {route.target_id} (not hosted on this target)"
    if route.target is TargetKind.LOCAL:
        return "local"
    return f"{route.target.value} {route.target_id}"


def _subnet_containing(model: NetworkModel, address: str) -> Subnet | None:
    return next((s for s in model.subnets if _contains(s.cidr, address)), None)


def trace(model: NetworkModel, subnet_id: str, address: str, *, source: str, port: int) -> Trace:
    """Walk a packet from ``subnet_id`` (sent from ``source``) to ``address`` on TCP ``port``.

    Returns:
        The hops, the firewall endpoints crossed and how the walk ended.
    """
    walk = _Walk()

    def end(outcome: Outcome, text: str, reached: str = "") -> Trace:
        return Trace(tuple(walk.hops), tuple(walk.firewalls), outcome, text, reached)

    blocked = _acl_allows(model, subnet_id, egress=True, peer=address, port=port)
    if blocked:
        return end(Outcome.DROPPED, f"dropped by network ACL {blocked} (outbound)")
    table = model.table_of(subnet_id)
    for _ in range(MAX_HOPS):
        if table is None:
            return end(Outcome.DROPPED, "no route (no route table)")
        label = model.table_label(table)
        route = longest_match(model, table, address)
        if route is None:
            walk.hops.append(Hop(label, None, f"{label}: no route"))
            return end(Outcome.DROPPED, "dropped")
        walk.hops.append(Hop(label, route, f"{label} {route.destination} -> {_target_text(model, route)}"))
        if route.blackhole:
            return end(Outcome.DROPPED, "blackhole (the route's target is gone)")
        if route.target is TargetKind.LOCAL:
            subnet = _subnet_containing(model, address)
            if subnet is None:
                return end(Outcome.DROPPED, "no subnet holds the address")
            blocked = _acl_allows(model, subnet.id, egress=False, peer=source, port=port)
            if blocked:
                return end(Outcome.DROPPED, f"dropped by network ACL {blocked} (inbound)")
            return end(Outcome.DELIVERED, f"delivered to {subnet.tier}-{subnet.zone}", subnet.id)
        if route.target is TargetKind.FIREWALL:
            endpoint = next((f for f in model.firewall_endpoints if f.id == route.target_id), None)
            if endpoint is None:
                return end(Outcome.UNKNOWN, f"unknown firewall endpoint {route.target_id}", route.target_id)
            if endpoint in walk.firewalls:
                return end(Outcome.DROPPED, f"routing loop through {endpoint.id}")
            walk.firewalls.append(endpoint)
            table = model.table_of(endpoint.subnet_id)  # inspected traffic goes on from here
            continue
        if route.target is TargetKind.ABSENT_FIREWALL:
            return end(Outcome.DROPPED, ABSENT_FIREWALL_END)
        if route.target is TargetKind.GATEWAY_ENDPOINT:
            return end(Outcome.GATEWAY_ENDPOINT, f"gateway endpoint {route.target_id}", route.target_id)
        if route.target in LEAVING_GATEWAYS:
            return end(Outcome.GATEWAY, f"{route.target.value} {route.target_id}", route.target_id)
        return end(Outcome.UNKNOWN, f"{route.target.value} {route.target_id}", route.target_id)
    return end(Outcome.DROPPED, f"routing loop (more than {MAX_HOPS} lookups)")


def destinations(model: NetworkModel, source: Subnet) -> list[Destination]:
    """Every destination class checked from ``source``, in report order."""
    found = [
        Destination(
            DestinationKind.WORKLOAD,
            f"workload {other.zone}",
            representative_address(other.cidr),
            subnet_id=other.id,
        )
        for other in model.workload_subnets
        if other.id != source.id
    ]
    for endpoint in sorted(model.interface_endpoints, key=lambda e: e.service):
        for where in sorted(endpoint.addresses, key=lambda a: model.subnet(a.subnet_id).zone):
            subnet = model.subnet(where.subnet_id)
            # The emulator hands out addresses outside the subnet; AWS never does. Routing depends
            # on the subnet only, so an address of the subnet stands in.
            address = (
                where.address
                if _contains(subnet.cidr, where.address)
                else representative_address(subnet.cidr, 4)
            )
            found.append(
                Destination(
                    DestinationKind.INTERFACE_ENDPOINT,
                    f"{endpoint.service} endpoint {subnet.zone}",
                    address,
                    names=endpoint.dns_names,
                    subnet_id=subnet.id,
                )
            )
    s3_list = next((p for p in model.prefix_lists if p.name == f"com.amazonaws.{model.region}.s3"), None)
    s3_address = (
        representative_address(s3_list.cidrs[0]) if s3_list and s3_list.cidrs else S3_FALLBACK_ADDRESS
    )
    found += [
        Destination(DestinationKind.S3, f"S3 public range {s3_address}", s3_address),
        Destination(DestinationKind.PUBLIC, f"public {PUBLIC_ADDRESS}", PUBLIC_ADDRESS),
        Destination(
            DestinationKind.PRIVATE_OUTSIDE, f"outside {PRIVATE_OUTSIDE_ADDRESS}", PRIVATE_OUTSIDE_ADDRESS
        ),
    ]
    return found


def analyse(model: NetworkModel) -> list[PathResult]:
    """Every path from every workload subnet to every destination class, with the way back."""
    results = []
    for source in model.workload_subnets:
        source_address = representative_address(source.cidr)
        for destination in destinations(model, source):
            forward = trace(model, source.id, destination.address, source=source_address, port=HTTPS_PORT)
            back = None
            if forward.outcome is Outcome.DELIVERED and forward.reached:
                back = trace(
                    model, forward.reached, source_address, source=destination.address, port=EPHEMERAL_PORT
                )
            results.append(PathResult(source, destination, forward, back))
    return results


def _judge(model: NetworkModel, path: PathResult) -> list[str]:
    """What is wrong with one path (empty: nothing)."""
    source, destination, forward = path.source, path.destination, path.forward
    crossed = forward.firewalls
    via = "after the firewall" if crossed else "without the firewall"
    if forward.outcome is Outcome.GATEWAY:
        return [f"reaches {destination.label} via {forward.end} {via}"]
    if forward.outcome is Outcome.UNKNOWN:
        return [f"reaches {destination.label} via {forward.end}: where it leads is not known"]
    if forward.outcome is Outcome.DROPPED or destination.kind is DestinationKind.WORKLOAD:
        return []
    if not crossed:
        how = forward.end if forward.outcome is Outcome.GATEWAY_ENDPOINT else "the local route"
        return [f"reaches {destination.label} via {how} without the firewall"]
    problems = []
    if crossed[0].zone != source.zone:
        problems.append(
            f"reaches {destination.label} through the firewall endpoint of {crossed[0].zone}, "
            f"not of its own zone"
        )
    if forward.outcome is Outcome.GATEWAY_ENDPOINT:
        problems.append(
            f"reaches {destination.label} via {forward.end} after the firewall, but the answers come "
            "back through the gateway endpoint, not the firewall (asymmetric)"
        )
        return problems
    if model.allowed_domains is not None and destination.names:
        refused = [n for n in destination.names if not domain_allowed(n, model.allowed_domains)]
        if refused:
            problems.append(
                f"reaches {destination.label} through the firewall, whose allow-list refuses "
                f"{', '.join(refused)}"
            )
    back = path.back
    if back is None or back.outcome is not Outcome.DELIVERED:
        problems.append(
            f"gets no answer from {destination.label}: the way back ends {back.end if back else 'nowhere'}"
        )
    elif tuple(reversed(back.firewalls)) != crossed:
        returned = ", ".join(f.id for f in back.firewalls) or "no firewall"
        problems.append(
            f"gets answers from {destination.label} through {returned}, not back through "
            f"{', '.join(f.id for f in crossed)} (asymmetric)"
        )
    return problems


def verdict(model: NetworkModel, paths: Sequence[PathResult]) -> Verdict:
    """Apply "all egress through the firewall of the own zone, both ways, to allowed names only"."""
    violations = tuple(
        Violation(path.source, path.destination.label, problem)
        for path in paths
        for problem in _judge(model, path)
    )
    notes = []
    absent = sum(1 for p in paths if p.forward.end == ABSENT_FIREWALL_END)
    if not model.firewall_hosted:
        notes.append(
            f"the firewall is not hosted on this target: {absent} paths end '{ABSENT_FIREWALL_END}'; "
            "checked here: no path bypasses it and none reaches a gateway"
        )
    if model.allowed_domains is None:
        notes.append("the firewall's allow-list is not known here: endpoint names not checked against it")
    if not model.workload_subnets:
        notes.append(f"no subnet of the workload tier '{model.workload_tier}': nothing to check")
    return Verdict(violations, tuple(notes), len(paths))


def inspection_routes(
    model: NetworkModel, zone_target: Mapping[str, tuple[TargetKind, str]]
) -> dict[str, list[Route]]:
    """The routes that put the firewall between the workload tier and every other tier, by table id.

    The stack's design (``pci_infra/pci/firewall.py``): each workload table sends ``0.0.0.0/0`` and
    each subnet CIDR of the other non-firewall tiers to the firewall endpoint of its zone; each table
    of those tiers sends each workload subnet's CIDR to the firewall endpoint of that subnet's zone.

    Args:
        model: The network.
        zone_target: The firewall endpoint (kind and id) to use for each zone.
    """
    guarded = {model.workload_tier, model.firewall_tier}
    others = [s for s in model.subnets if s.tier not in guarded]
    planned: dict[str, list[Route]] = {}

    def add(table: RouteTable | None, destination: str, zone: str) -> None:
        if table is None or zone not in zone_target:
            return
        kind, target_id = zone_target[zone]
        routes = planned.setdefault(table.id, [])
        if all(r.destination != destination for r in routes):
            routes.append(Route(destination, kind, target_id, origin="inspection design"))

    for workload in model.workload_subnets:
        table = model.table_of(workload.id)
        add(table, "0.0.0.0/0", workload.zone)
        for other in others:
            add(table, other.cidr, workload.zone)
        for other in others:
            add(model.table_of(other.id), workload.cidr, workload.zone)
    return planned


def with_absent_firewall(model: NetworkModel) -> NetworkModel:
    """On a target without the firewall: the inspection routes, each to a target that is not there.

    AWS shows a route whose target is gone as a blackhole; here the route carries
    :attr:`TargetKind.ABSENT_FIREWALL`, so a path that would cross the firewall ends
    ":data:`ABSENT_FIREWALL_END`", and a path that gets anywhere without these routes is a bypass. A
    route the table already has for the same destination is kept as it is.
    """
    if model.firewall_hosted:
        return model
    zones = {s.zone for s in model.subnets}
    planned = inspection_routes(model, {zone: (TargetKind.ABSENT_FIREWALL, zone) for zone in zones})
    for table_id, routes in planned.items():
        table = next(t for t in model.route_tables if t.id == table_id)
        existing = {r.destination for r in table.routes}
        model = model.with_routes(table_id, [r for r in routes if r.destination not in existing])
    return model


def render_table(model: NetworkModel, paths: Sequence[PathResult], result: Verdict) -> str:
    """The paths as a fixed-width table, then the verdict."""
    flagged = {(v.subnet.id, v.destination) for v in result.violations}
    rows = [("SOURCE", "DESTINATION", "FORWARD", "RETURN", "VERDICT")]
    for path in paths:
        rows.append(
            (
                f"{path.source.tier}-{path.source.zone}",
                path.destination.label,
                path.forward.describe(),
                path.back.describe() if path.back else "-",
                "VIOLATION" if (path.source.id, path.destination.label) in flagged else "ok",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [f"reachability of {model.vpc_id} ({model.source or 'model'}):"]
    lines += [
        "  ".join([*(cell.ljust(w) for cell, w in zip(row[:4], widths, strict=True)), row[4]]) for row in rows
    ]
    lines.append(result.summary())
    return "\n".join(lines)
