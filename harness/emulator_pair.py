"""Two local emulators, one target: MiniStack and moto side by side, each service on the one that hosts it.

The default of the live tests and ``bin/demo`` (``INFRA_EMULATORS=pair``); ``INFRA_EMULATORS=moto``
runs moto alone, as before MiniStack joined (no function runs then). The run synthesizes
for the emulator target with moto's URL as its emulator endpoint, so the account-singleton lookups at
synthesis (GuardDuty, Config) ask moto, which hosts both. Then, as ``harness/aws_plan.py`` does for
the AWS-target plan, a Terraform override file (:data:`OVERRIDE_FILE`) in the stack directory replaces
the provider's ``endpoints`` block: every endpoint key the synthesized provider names, at the URL of
the emulator :data:`pci_infra.foundation.service_routing.SERVICE_ROUTES` routes it to. Nothing else
of the provider (region, default tags, retries, path-style S3, skipped checks) or of the stack
changes. The run's :class:`~harness.aws_target.AwsTarget` gets the same routing per boto3 service, so
probes, the orphan sweep and the PAN scan read each service where Terraform wrote it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.emulator import EmulatorError, MotoServer
from harness.ministack import MiniStackServer
from pci_infra.foundation.capabilities import gap_for
from pci_infra.foundation.service_routing import (
    PAIR,
    Emulator,
    emulator_for,
    emulators_wanted,
    provider_endpoints,
)

OVERRIDE_FILE = "zz_emulator_routing_override.tf.json"
"""Terraform merges ``*_override.tf.json`` last: its ``endpoints`` block replaces the synthesized one."""

INSIGHTS_GAP = "behaviour:cloudtrail_insight_selectors"
"""MiniStack creates a trail but refuses PutInsightSelectors (``pci_infra/foundation/capabilities.py``)."""


def synthesized_endpoint_keys(stack_dir: Path) -> list[str]:
    """The endpoint keys of the synthesized AWS provider (the emulator target's ``EMULATED_SERVICES``).

    Raises:
        EmulatorError: The stack has not exactly one AWS provider with an ``endpoints`` block.
    """
    document = json.loads((stack_dir / "cdk.tf.json").read_text())
    providers = document.get("provider", {}).get("aws", [])
    if len(providers) != 1 or len(providers[0].get("endpoints") or []) != 1:
        raise EmulatorError(
            f"{stack_dir}: expected one AWS provider with one endpoints block (an emulator-target synthesis)"
        )
    return sorted(providers[0]["endpoints"][0])


def gap_overrides(document: Mapping[str, Any]) -> dict[str, Any]:
    """Resource overrides for what MiniStack cannot apply as synthesized, each while its gap is recorded.

    Today: trails lose their ``insight_selector`` blocks (:data:`INSIGHTS_GAP`) when MiniStack hosts
    CloudTrail. An empty ``dynamic`` block of the same type is what replaces the synthesized blocks (an
    empty list in an override file leaves them in place).
    """
    resources: dict[str, Any] = {}
    if gap_for(INSIGHTS_GAP, PAIR) and emulator_for("cloudtrail") is Emulator.MINISTACK:
        no_insights = {"for_each": [], "content": {"insight_type": "${insight_selector.value}"}}
        trails = {
            name: {"dynamic": {"insight_selector": no_insights}}
            for name, body in document.get("resource", {}).get("aws_cloudtrail", {}).items()
            if body.get("insight_selector")
        }
        if trails:
            resources["aws_cloudtrail"] = trails
    return resources


def override_document(
    routes: Mapping[str, str], keys: list[str], resources: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The override file: each of ``keys`` at its routed URL, and ``resources`` (:func:`gap_overrides`).

    Raises:
        EmulatorError: A key has no route (``SERVICE_ROUTES`` must name every emulated service).
    """
    unrouted = sorted(set(keys) - set(routes))
    if unrouted:
        raise EmulatorError(f"endpoint keys without a route in SERVICE_ROUTES: {unrouted}")
    document: dict[str, Any] = {
        "//": "Written by harness/emulator_pair.py: each service at the emulator that hosts it.",
        "provider": {"aws": [{"endpoints": [{key: routes[key] for key in keys}]}]},
    }
    if resources:
        document["resource"] = dict(resources)
    return document


def write_override(stack_dir: Path, routes: Mapping[str, str]) -> Path:
    """Write :data:`OVERRIDE_FILE` into ``stack_dir``: its provider's endpoints, the gaps' overrides."""
    path = stack_dir / OVERRIDE_FILE
    synthesized = json.loads((stack_dir / "cdk.tf.json").read_text())
    document = override_document(routes, synthesized_endpoint_keys(stack_dir), gap_overrides(synthesized))
    path.write_text(json.dumps(document, indent=1) + "\n")
    return path


@dataclass
class LocalEmulators:
    """The local emulators of a run.

    Attributes:
        endpoint: moto's URL: the settings' emulator endpoint (synthesis lookups, unrouted clients).
        routes: Provider endpoint key to URL; empty for moto alone.
        servers: What was started, for logs and listeners (moto, then MiniStack).
    """

    endpoint: str
    routes: dict[str, str] = field(default_factory=dict)
    servers: dict[Emulator, MotoServer | MiniStackServer] = field(default_factory=dict)


@contextmanager
def local_emulators(workdir: Path, environ: Mapping[str, str]) -> Iterator[LocalEmulators]:
    """The run's emulators: moto and MiniStack (moto alone with ``INFRA_EMULATORS=moto``); stopped on exit."""
    wanted = emulators_wanted(environ)
    with ExitStack() as stack:
        moto = stack.enter_context(MotoServer(workdir / "moto.log"))
        emulators = LocalEmulators(endpoint=moto.endpoint, servers={Emulator.MOTO: moto})
        if wanted == PAIR:
            ministack = stack.enter_context(MiniStackServer(workdir / "ministack", auth=True))
            emulators.servers[Emulator.MINISTACK] = ministack
            emulators.routes = provider_endpoints(
                {Emulator.MOTO: moto.endpoint, Emulator.MINISTACK: ministack.endpoint}
            )
        yield emulators
