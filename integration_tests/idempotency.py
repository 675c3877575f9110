"""The idempotency check shared by the per-stack live files: a second plan must change nothing."""

from __future__ import annotations

import pytest

from constructs_py.capabilities import drift_for
from harness.environment import EphemeralEnvironment


def resource_type_of(address: str) -> str:
    """``aws_flow_log`` of ``module.network_vpc.aws_flow_log.s3[0]``."""
    parts = address.split(".")
    while parts and parts[0] == "module":
        parts = parts[2:]
    return parts[1] if parts[0] == "data" else parts[0]


def unexplained_changes(
    environment: EphemeralEnvironment, request: pytest.FixtureRequest
) -> list[tuple[str, list[str]]]:
    """Planned changes after apply, minus those the capability list explains as emulator drift.

    Explained drift is recorded on the test with its reason; the run summary lists it.
    """
    unexplained = []
    for address, actions in environment.terraform.planned_changes():
        resource_type = resource_type_of(address)
        drift = drift_for(resource_type) if environment.target.is_emulator else None
        if drift is None:
            unexplained.append((address, actions))
        else:
            request.node.user_properties.append(
                ("emulator_drift", f"{address} ({'/'.join(actions)}): {drift}")
            )
    return unexplained
