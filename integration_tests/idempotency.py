"""The idempotency check shared by the per-stack live files: a second plan must change nothing."""

from __future__ import annotations

import pytest

from harness.environment import EphemeralEnvironment
from harness.terraform import resource_type_of
from pci_infra.foundation.capabilities import drift_for


def unexplained_changes(
    environment: EphemeralEnvironment[object], request: pytest.FixtureRequest
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
