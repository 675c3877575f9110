"""The idempotency check shared by the per-stack live files: a second plan must change nothing.

On the emulator, a change is tolerated only when an entry of the capability list's
``EMULATOR_DRIFTS`` explains it: same resource type, stack and emulator, the action exactly the entry's
(``update``; a ``replace`` forced by the entry's attributes only, where an entry says so) and every
attribute that differs between the plan's ``before`` and ``after`` under one of the entry's paths. An
entry, or a path of one, that explains nothing in the stack's second plan fails the check as stale, as
a checkov skip entry that waives nothing fails the compliance gate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from harness.environment import EphemeralEnvironment
from harness.terraform import changed_paths, resource_type_of
from pci_infra.foundation.capabilities import Drift, drifts_for


@dataclass
class DriftVerdict:
    """A second plan judged against the emulator drifts of its stack.

    Attributes:
        tolerated: One line per tolerated change: address, action, the entry paths it touched, reason.
        unexplained: One line per change no entry explains, naming what is not tolerated.
        stale: One line per entry (or path of one) that explained no change.
    """

    tolerated: list[str] = field(default_factory=list)
    unexplained: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        """What fails the check: unexplained changes, then stale entries."""
        return [*self.unexplained, *self.stale]


def covers(allowed: str, path: str) -> bool:
    """Whether the entry path ``allowed`` covers the differing attribute ``path`` (itself or below it)."""
    return path == allowed or path.startswith((f"{allowed}.", f"{allowed}["))


def judge_drift(changes: Sequence[Mapping[str, Any]], drifts: Sequence[Drift]) -> DriftVerdict:
    """Judge a plan's ``resource_changes`` (no-ops left out) against ``drifts``."""
    verdict = DriftVerdict()
    used: dict[Drift, set[str]] = {drift: set() for drift in drifts}
    for change in changes:
        address = change["address"]
        actions: list[str] = change["change"]["actions"]
        shown = f"{address} ({'/'.join(actions)})"
        resource_type = resource_type_of(address)
        drift = next((d for d in drifts if d.resource_type == resource_type), None)
        if drift is None:
            if actions == ["update"]:
                what = f"changes {', '.join(changed_paths(change['change'])) or 'no attribute'}"
            else:
                what = _not_an_update(change)
            verdict.unexplained.append(f"{shown}: {what}; no emulator drift is listed for {resource_type}")
            continue
        if not _matches_action(actions, drift):
            verdict.unexplained.append(
                f"{shown}: {_not_an_update(change)}; {drift.label()} tolerates {drift.action} only"
            )
            continue
        forced = [_path_text(p) for p in change["change"].get("replace_paths") or []]
        unlisted = [f for f in forced if not any(covers(allowed, f) for allowed in drift.paths)]
        if unlisted:
            verdict.unexplained.append(
                f"{shown}: replace forced by {', '.join(unlisted)}, not by {drift.label()}"
            )
            continue
        # A replacement's every computed attribute is new: what it is judged by is what forces it.
        paths = forced if drift.action == "replace" else changed_paths(change["change"])
        if not paths:
            verdict.unexplained.append(f"{shown}: no attribute differs between before and after")
            continue
        uncovered = [p for p in paths if not any(covers(allowed, p) for allowed in drift.paths)]
        if uncovered:
            verdict.unexplained.append(f"{shown}: {', '.join(uncovered)} not tolerated by {drift.label()}")
            continue
        touched = [allowed for allowed in drift.paths if any(covers(allowed, p) for p in paths)]
        used[drift].update(touched)
        verdict.tolerated.append(f"{shown}: {', '.join(touched)}: {drift.reason}")
    for drift, explained in used.items():
        if not explained:
            verdict.stale.append(f"STALE emulator drift entry (explains nothing): {drift.label()}")
        else:
            verdict.stale += [
                f"STALE path of emulator drift entry {drift.label()} (explains nothing): {allowed}"
                for allowed in drift.paths
                if allowed not in explained
            ]
    return verdict


def _matches_action(actions: Sequence[str], drift: Drift) -> bool:
    """``update`` is ``["update"]``; ``replace`` is delete-then-create or create-then-delete."""
    if drift.action == "replace":
        return sorted(actions) == ["create", "delete"]
    return list(actions) == ["update"]


def _not_an_update(change: Mapping[str, Any]) -> str:
    actions = change["change"]["actions"]
    if sorted(actions) == ["create", "delete"]:
        forced = [_path_text(p) for p in change["change"].get("replace_paths") or []]
        return "a replace" + (f" (forced by {', '.join(forced)})" if forced else "")
    return f"a {'/'.join(actions)}"


def _path_text(steps: Sequence[str | int]) -> str:
    """``["scaling_configuration", 0, "min_capacity"]`` as ``scaling_configuration[0].min_capacity``."""
    text = ""
    for step in steps:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


def unexplained_changes(
    environment: EphemeralEnvironment[object], request: pytest.FixtureRequest
) -> list[str]:
    """What makes the second plan fail the check: unexplained changes and stale drift entries.

    Only an emulator target has drift entries. Each tolerated change is recorded on the test
    (``emulator_drift``) with the attributes it touched and the reason; the run summary lists them.
    """
    drifts = drifts_for(environment.stack_name) if environment.target.is_emulator else ()
    verdict = judge_drift(environment.terraform.planned_resource_changes(), drifts)
    request.node.user_properties += [("emulator_drift", line) for line in verdict.tolerated]
    return verdict.problems
