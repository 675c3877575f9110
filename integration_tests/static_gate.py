"""The live side of the static compliance gate: what checkov passed is what was applied."""

from __future__ import annotations

import json
from collections.abc import Callable

from harness.compliance_gate import record_path
from harness.environment import EphemeralEnvironment


def assert_gate_passed_on_what_was_applied(
    env: EphemeralEnvironment[object], record_property: Callable[[str, object], None]
) -> None:
    """The gate ran on this deploy's plan, passed, and that plan covers every resource now in state.

    The gate's figures go to the run summary (``record_property("checkov", ...)``).
    """
    record = json.loads(record_path(env.workdir, env.stack_name).read_text())
    record_property(
        "checkov",
        f"{env.stack_name} plan: {record['passed']} passed, {len(record['failed'])} failed, "
        f"{len(record['waived'])} waived by .ci/checkov/skips.toml",
    )
    assert record["failed"] == [] and record["stale"] == [], record
    assert record["passed"] >= 100, f"checkov ran only {record['passed']} checks on {env.stack_name}"
    assert all(len(w["reason"]) >= 40 for w in record["waived"]), record["waived"]
    planned = {  # every plan the deploy gated: more than one when an apply was re-planned
        change["address"]
        for path in env.plan_json_paths
        for change in json.loads(path.read_text())["resource_changes"]
        if change["mode"] == "managed"
    }
    applied = {address for address in env.terraform.state_list() if not _is_data_source(address)}
    assert applied, f"{env.stack_name}: nothing in state"
    assert applied <= planned, f"applied but never scanned: {sorted(applied - planned)[:10]}"


def _is_data_source(address: str) -> bool:
    return address.startswith("data.") or ".data." in address
