"""Reachability model of a synthesized stack (``cdk.tf.json``), without an AWS account.

The hard part: the route tables, subnets, associations and endpoints are made inside the ``vpc``
HCL module, so ``cdk.tf.json`` holds only the call with its inputs. The ways considered:

1. Re-implement the module's semantics in Python from its inputs: fast, but it would check our copy
   of the module's logic, not the module; a defect in ``routes.tf`` or ``endpoints.tf`` (a gateway
   endpoint on every table, a missing association) would pass unseen.
2. ``terraform plan`` of the AWS synthesis, read with ``terraform show -json``: Terraform evaluates
   the module, but every id is unknown until apply, so which table holds which route and which
   subnet an endpoint sits in survive only as expressions, and the plan's configuration leaves out
   locals (``local.endpoint_subnet_ids``): that cannot be resolved soundly.
3. Chosen: apply the module itself, with exactly the inputs the synthesis gives it, to a throwaway
   emulator (the capability list names nothing in ``modules/vpc``), and read the VPC back with the
   same ``describe_*`` adapter the live check uses (:mod:`harness.reachability_describe`). Real
   Terraform runs the real module against EC2's API semantics (associations, the main table, the
   prefix-list routes of gateway endpoints) and every id is known. The stack-level resources that
   shape routing and only AWS hosts (the firewall's endpoints and its routes) are then laid over
   that VPC from ``cdk.tf.json``, by resolving their references to the module's outputs
   (``module.<m>.<output>[.<key>]``, ``element()``, ``lookup()``) and to the firewall's
   zone-to-endpoint map. Any other routing resource at stack level, or an expression outside that
   grammar, is refused (:class:`UnsupportedConfigurationError`), never guessed.

Cost: about 30 s the first time (``terraform init`` and the apply of ~40 resources, mostly the
provider's waiters), so the emulator's answers are cached under a content hash of the module's
inputs, the module's files and these adapters' code (like ``unit_tests/synth_cache.py``); the
overlay runs every time, in milliseconds, so a change to the firewall's routes needs no new apply.
Left out of the module's inputs: ``flow_logs`` (where flow logs are delivered routes no packet, and
the bucket ARN it names exists only after apply).
"""

from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import inspect
import json
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.aws_target import AwsTarget
from harness.cli_config import write_cli_config
from harness.emulator import MotoServer
from harness.reachability import (
    FirewallEndpoint,
    NetworkModel,
    Route,
    TargetKind,
    with_absent_firewall,
)
from harness.reachability_describe import SNAPSHOT_CODE, model_from_snapshot, snapshot
from harness.terraform import Terraform

MODULE_NAME = "vpc"
IGNORED_INPUTS = frozenset({"//", "source", "flow_logs"})
"""Module-call keys that are not inputs (``//``, ``source``) or do not route packets (``flow_logs``)."""
ROUTING_TYPES_READ = frozenset(
    {"aws_route", "aws_networkfirewall_firewall", "aws_networkfirewall_rule_group"}
)
ROUTING_TYPES_REFUSED = frozenset(
    {
        "aws_route_table",
        "aws_route_table_association",
        "aws_main_route_table_association",
        "aws_default_route_table",
        "aws_subnet",
        "aws_vpc_endpoint",
        "aws_vpc_endpoint_route_table_association",
        "aws_vpc_endpoint_subnet_association",
        "aws_nat_gateway",
        "aws_internet_gateway",
        "aws_internet_gateway_attachment",
        "aws_egress_only_internet_gateway",
        "aws_ec2_transit_gateway_vpc_attachment",
        "aws_vpc_peering_connection",
        "aws_vpn_gateway",
        "aws_vpn_gateway_attachment",
        "aws_network_acl",
        "aws_network_acl_rule",
        "aws_network_acl_association",
        "aws_default_network_acl",
        "aws_vpc_ipv4_cidr_block_association",
    }
)
"""Stack-level resources that change routing but that this adapter does not lay over the module yet."""
ROUTE_TARGET_ATTRIBUTES: tuple[tuple[str, TargetKind | None], ...] = (
    ("vpc_endpoint_id", None),  # a firewall or gateway endpoint: decided by the id
    ("gateway_id", None),  # internet or VPN gateway, or a gateway endpoint: decided by the id
    ("nat_gateway_id", TargetKind.NAT_GATEWAY),
    ("transit_gateway_id", TargetKind.TRANSIT_GATEWAY),
    ("vpc_peering_connection_id", TargetKind.PEERING),
    ("egress_only_gateway_id", TargetKind.EGRESS_ONLY_INTERNET_GATEWAY),
    ("local_gateway_id", TargetKind.OTHER_GATEWAY),
    ("carrier_gateway_id", TargetKind.OTHER_GATEWAY),
    ("core_network_arn", TargetKind.OTHER_GATEWAY),
    ("network_interface_id", TargetKind.NETWORK_INTERFACE),
)
FIREWALL_ENDPOINT_MAP = re.compile(
    r"^\$\{\{for (\w+) in aws_networkfirewall_firewall\.([\w-]+)\.firewall_status\[0\]\.sync_states : "
    r"\1\.availability_zone => \1\.attachment\[0\]\.endpoint_id\}\}$"
)
"""The local ``pci_infra/pci/firewall.py`` writes: zone -> endpoint id of one firewall."""


class UnsupportedConfigurationError(ValueError):
    """The synthesized stack holds something the adapter cannot model soundly."""


@dataclass(frozen=True)
class ModuleCall:
    """The stack's call of the vpc module.

    Attributes:
        key: Its key under ``module`` in ``cdk.tf.json``.
        directory: The module's files as synthesized (cdktf copies them into the stack).
        inputs: The inputs that shape the network.
        region: The provider's region.
        provider: The stack's ``required_providers.aws`` (same provider version as the stack).
    """

    key: str
    directory: Path
    inputs: dict[str, Any]
    region: str
    provider: dict[str, Any]

    def cache_key(self) -> str:
        """A short hash of everything the emulator's answers depend on."""
        digest = hashlib.sha256(
            json.dumps([self.inputs, self.region, self.provider], sort_keys=True).encode()
        )
        for path in sorted(self.directory.rglob("*")):
            if path.is_file() and ".terraform" not in path.parts and path.name != ".terraform.lock.hcl":
                digest.update(str(path.relative_to(self.directory)).encode() + b"\0" + path.read_bytes())
        for function in _SNAPSHOT_CODE:
            digest.update(inspect.getsource(function).encode())
        return digest.hexdigest()[:20]


def _has_token(value: Any) -> bool:
    return "${" in json.dumps(value)


def module_call(stack_dir: Path, doc: dict[str, Any]) -> ModuleCall:
    """The one call of the vpc module in the stack, with its network inputs.

    Raises:
        UnsupportedConfigurationError: No call, several, or an input only known after apply.
    """
    calls = [
        (key, body) for key, body in doc.get("module", {}).items() if Path(body["source"]).name == MODULE_NAME
    ]
    if len(calls) != 1:
        raise UnsupportedConfigurationError(
            f"expected one call of the {MODULE_NAME} module, found {[k for k, _ in calls]}"
        )
    key, body = calls[0]
    inputs = {name: value for name, value in body.items() if name not in IGNORED_INPUTS}
    unknown = sorted(name for name, value in inputs.items() if _has_token(value))
    if unknown:
        raise UnsupportedConfigurationError(f"module {key}: inputs known only after apply: {unknown}")
    provider = doc["provider"]["aws"][0]
    return ModuleCall(
        key=key,
        directory=(stack_dir / body["source"]).resolve(),
        inputs=inputs,
        region=provider["region"],
        provider=doc["terraform"]["required_providers"]["aws"],
    )


def _deploy_and_read(call: ModuleCall, workdir: Path) -> dict[str, Any]:
    """Apply the module alone to a fresh emulator and read its VPC back (``describe_*``)."""
    with MotoServer(workdir / "moto.log") as server:
        target = AwsTarget.emulator(call.region, server.endpoint)
        root = {
            "terraform": {"required_providers": {"aws": call.provider}},
            "provider": {
                "aws": [
                    {
                        "region": call.region,
                        "skip_credentials_validation": True,
                        "skip_requesting_account_id": True,
                        "skip_metadata_api_check": "true",
                        "max_retries": 3,
                        "endpoints": [{"ec2": server.endpoint, "sts": server.endpoint}],
                    }
                ]
            },
            "module": {MODULE_NAME: {"source": str(call.directory), **call.inputs}},
            "output": {"module": {"value": f"${{module.{MODULE_NAME}}}"}},
        }
        (workdir / "main.tf.json").write_text(json.dumps(root, indent=2))
        terraform = Terraform(
            workdir=workdir,
            log_path=workdir / "terraform.log",
            env={
                "TF_CLI_CONFIG_FILE": str(write_cli_config(workdir / "terraform.rc")),
                **target.terraform_env(),
            },
        )
        terraform.init()
        terraform.apply()
        outputs = terraform.output()["module"]
        vpc_id = outputs.get("vpc_id")  # the wrapper configuration's own output, not a stack's
        if not isinstance(vpc_id, str):
            raise RuntimeError(f"the vpc module applied alone reported no vpc_id (got {vpc_id!r})")
        snap = snapshot(target, vpc_id, with_firewall=False)
    snap["module_outputs"] = outputs
    return snap


_SNAPSHOT_CODE: tuple[Callable[..., Any], ...] = (*SNAPSHOT_CODE, _deploy_and_read)
"""The code that makes a snapshot: a change to it makes the cached ones stale (reading them does not)."""


def cached_snapshot(call: ModuleCall, cache_root: Path, *, fresh: bool = False) -> dict[str, Any]:
    """The emulator's answers for ``call``: from the cache, or made now (one process at a time)."""
    cache_root.mkdir(parents=True, exist_ok=True)
    key = call.cache_key()
    done = cache_root / key / "snapshot.json"
    with (cache_root / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a second test worker waits here and reads the same file
        if fresh or not done.exists():
            partial = cache_root / f"{key}.partial"
            shutil.rmtree(partial, ignore_errors=True)
            partial.mkdir()
            snap = _deploy_and_read(call, partial)
            (partial / "snapshot.json").write_text(json.dumps(snap, indent=1, sort_keys=True))
            shutil.rmtree(cache_root / key, ignore_errors=True)
            partial.rename(cache_root / key)
            for stale in cache_root.iterdir():  # keep the current inputs' answers only
                if stale.is_dir() and stale.name != key:
                    shutil.rmtree(stale, ignore_errors=True)
    loaded: dict[str, Any] = json.loads(done.read_text())
    return loaded


_TOKEN = re.compile(r'\s*(?:(\d+)|"((?:[^"\\]|\\.)*)"|([A-Za-z_][\w-]*)|(.))')


class _Expression:
    """A small evaluator of the references cdktf writes into a resource's arguments.

    Grammar: ``primary ('.' name | '[' expr ']')*`` where a primary is ``element(e, e)``,
    ``lookup(e, e)``, ``module.<call>``, ``local.<name>``, a number or a string.
    """

    def __init__(self, overlay: _Overlay, text: str) -> None:
        self.overlay = overlay
        self.tokens: list[Any] = []
        for matched in _TOKEN.finditer(text):
            number, string, name, symbol = matched.groups()
            if number is not None:
                self.tokens.append(int(number))
            elif string is not None:
                self.tokens.append(("str", string))
            else:
                self.tokens.append(name or symbol)
        self.text = text
        self.at = 0

    def fail(self, why: str) -> UnsupportedConfigurationError:
        return UnsupportedConfigurationError(f"cannot resolve ${{{self.text}}}: {why}")

    def peek(self) -> Any:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, expected: str | None = None) -> Any:
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            raise self.fail(f"expected {expected or 'more'} at token {self.at}")
        self.at += 1
        return token

    def parse(self) -> Any:
        value = self.expression()
        if self.peek() is not None:
            raise self.fail(f"unexpected {self.peek()!r}")
        return value

    def expression(self) -> Any:
        value = self.primary()
        while self.peek() in (".", "["):
            if self.take() == ".":
                value = self.index(value, self.take())
            else:
                value = self.index(value, self.expression())
                self.take("]")
        return value

    def index(self, value: Any, key: Any) -> Any:
        try:
            return value[key % len(value)] if isinstance(value, list) and isinstance(key, int) else value[key]
        except (KeyError, IndexError, TypeError) as err:
            raise self.fail(f"no {key!r} in {value!r}") from err

    def primary(self) -> Any:
        word = self.take()
        if isinstance(word, int):
            return word
        if isinstance(word, tuple):
            return word[1]
        if word in ("element", "lookup") and self.peek() == "(":
            self.take("(")
            first = self.expression()
            self.take(",")
            second = self.expression()
            self.take(")")
            return self.index(first, second)
        if word == "module":
            self.take(".")
            name = self.take()
            if name != self.overlay.call.key:
                raise self.fail(f"module {name} is not the {MODULE_NAME} module")
            return self.overlay.outputs
        if word == "local":
            self.take(".")
            return self.overlay.local(self.take())
        raise self.fail(f"references to {word!r} are not modelled")


@dataclass
class _Overlay:
    """Lays the stack-level routing resources of ``cdk.tf.json`` over the module's VPC."""

    doc: dict[str, Any]
    call: ModuleCall
    outputs: dict[str, Any]
    model: NetworkModel
    endpoint_maps: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)

    def value(self, raw: Any) -> Any:
        """``raw`` with its ``${...}`` reference resolved (a plain value stays as it is)."""
        if not isinstance(raw, str) or "${" not in raw:
            return raw
        if not (raw.startswith("${") and raw.endswith("}")):
            raise UnsupportedConfigurationError(f"cannot resolve {raw!r}: interpolation inside text")
        return _Expression(self, raw[2:-1]).parse()

    def local(self, name: str) -> Any:
        """A local: the firewall's zone-to-endpoint map, or a value."""
        raw = self.doc.get("locals", {}).get(name)
        if raw is None:
            raise UnsupportedConfigurationError(f"local.{name} is not defined")
        matched = FIREWALL_ENDPOINT_MAP.match(raw) if isinstance(raw, str) else None
        if matched:
            return self.endpoint_maps[matched.group(2)]
        return self.value(raw)

    def resources(self, rtype: str) -> Iterator[tuple[str, dict[str, Any]]]:
        yield from self.doc.get("resource", {}).get(rtype, {}).items()

    def firewall_endpoints(self) -> list[FirewallEndpoint]:
        """One endpoint per mapped subnet, in that subnet (as Network Firewall places them)."""
        found = []
        firewalls = list(self.resources("aws_networkfirewall_firewall"))
        for index, (logical_id, body) in enumerate(firewalls):
            suffix = f"-{index}" if len(firewalls) > 1 else ""
            by_zone = {}
            for mapping in body["subnet_mapping"]:
                subnet = self.model.subnet(self.value(mapping["subnet_id"]))
                endpoint = FirewallEndpoint(f"nfw-endpoint{suffix}-{subnet.zone}", subnet.zone, subnet.id)
                by_zone[subnet.zone] = endpoint.id
                found.append(endpoint)
            self.endpoint_maps[logical_id] = by_zone
        return found

    def allowed_domains(self) -> tuple[str, ...] | None:
        """The TLS allow-list of the stack's rule groups (``None`` without a firewall)."""
        groups = list(self.resources("aws_networkfirewall_rule_group"))
        if not groups:
            return None
        allowed: list[str] = []
        for _, body in groups:
            source = body["rule_group"]["rules_source"].get("rules_source_list")
            if (
                source
                and source["generated_rules_type"] == "ALLOWLIST"
                and "TLS_SNI" in source["target_types"]
            ):
                allowed += source["targets"]
        return tuple(allowed)

    def route(self, body: dict[str, Any], firewall_ids: set[str]) -> Route:
        destination = self.value(body.get("destination_cidr_block") or body.get("destination_prefix_list_id"))
        origin = body["//"]["metadata"]["path"]
        for attribute, kind in ROUTE_TARGET_ATTRIBUTES:
            if attribute not in body:
                continue
            target = str(self.value(body[attribute]))
            if kind is None:
                gateway_endpoints = {e.id for e in self.model.gateway_endpoints}
                if target in firewall_ids:
                    kind = TargetKind.FIREWALL
                elif target in gateway_endpoints:
                    kind = TargetKind.GATEWAY_ENDPOINT
                elif target.startswith("igw-"):
                    kind = TargetKind.INTERNET_GATEWAY
                elif target.startswith("vgw-"):
                    kind = TargetKind.VPN_GATEWAY
                else:
                    kind = TargetKind.UNKNOWN
            return Route(str(destination), kind, target, origin=origin)
        raise UnsupportedConfigurationError(f"route {origin}: no target attribute the adapter knows")

    def apply(self) -> NetworkModel:
        """The module's VPC with the stack's firewall endpoints, allow-list and routes."""
        present = set(self.doc.get("resource", {}))
        refused = sorted(present & ROUTING_TYPES_REFUSED)
        if refused:
            raise UnsupportedConfigurationError(
                f"stack-level {refused} change routing and are not laid over the module yet: teach "
                "harness/reachability_synth.py to read them"
            )
        endpoints = self.firewall_endpoints()
        model = dataclasses.replace(
            self.model,
            firewall_endpoints=(*self.model.firewall_endpoints, *endpoints),
            firewall_hosted=bool(endpoints),
            allowed_domains=self.allowed_domains(),
        )
        self.model = model
        ids = {e.id for e in endpoints}
        tables = {t.id for t in model.route_tables}
        for _, body in self.resources("aws_route"):
            table_id = self.value(body["route_table_id"])
            if table_id not in tables:
                raise UnsupportedConfigurationError(
                    f"route {body['//']['metadata']['path']}: no table {table_id}"
                )
            model = model.with_routes(table_id, [self.route(body, ids)])
        return model


def model_of_synthesis(stack_dir: Path, *, cache_root: Path, fresh: bool = False) -> NetworkModel:
    """The network of a synthesized stack: the module applied to an emulator, the stack laid over it.

    Where the stack has no firewall (an emulator synthesis), its routes are modelled with an absent
    target, as on a live emulator deployment (:func:`harness.reachability.with_absent_firewall`).

    Args:
        stack_dir: ``cdktf.out/stacks/<stack>``.
        cache_root: Where the emulator's answers are kept between runs.
        fresh: Apply again even when the cache holds an answer.
    """
    doc = json.loads((stack_dir / "cdk.tf.json").read_text())
    return model_of_document(stack_dir, doc, cache_root=cache_root, fresh=fresh)


def model_of_document(
    stack_dir: Path, doc: dict[str, Any], *, cache_root: Path, fresh: bool = False
) -> NetworkModel:
    """As :func:`model_of_synthesis`, for a (possibly altered) ``cdk.tf.json`` document."""
    call = module_call(stack_dir, doc)
    snap = cached_snapshot(call, cache_root, fresh=fresh)
    base = model_from_snapshot(
        snap, source=f"synthesized {stack_dir.name}: module on an emulator + stack routes"
    )
    model = _Overlay(doc, call, snap["module_outputs"], base).apply()
    return with_absent_firewall(model)
