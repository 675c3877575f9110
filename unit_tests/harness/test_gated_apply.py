"""Every apply is gated: the plan is judged before it is applied, and again after a transient stop."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from harness import compliance_gate
from harness import environment as environment_module
from harness.aws_target import AwsTarget
from harness.compliance_gate import SKIP_FILE, ComplianceGateError, Finding, GateResult, PlanGate, Skip
from harness.environment import EphemeralEnvironment, untyped_outputs
from harness.sweep import SingletonsBefore
from harness.terraform import TerraformError

ENDPOINT = "http://127.0.0.1:4599"

# A stand-in terraform: records each command; `apply <plan>` fails as scripted by APPLY_FAILURES
# (one line per attempt, empty when the attempt succeeds); `show` prints a plan naming the attempt.
FAKE_TERRAFORM = """#!/usr/bin/env bash
echo "$*" >> "{calls}"
case "$1" in
  plan) n=$(grep -c '^plan' "{calls}"); echo "$n" > "{tmp}/plan-number" ;;
  show)
    address="aws_sqs_queue.q$(cat "{tmp}/plan-number")"
    echo '{{"resource_changes": [{{"address": "'"$address"'", "mode": "managed"}}]}}' ;;
  apply)
    n=$(grep -c '^apply' "{calls}")
    failure=$(sed -n "${{n}}p" "{failures}")
    if [ -n "$failure" ]; then printf '%b\\n' "$failure"; exit 1; fi ;;
  output) echo '{{"queue_url": {{"sensitive": false, "type": "string", "value": "q"}}}}' ;;
esac
exit 0
"""

TRANSIENT = "Error: creating SQS Queue: https response error StatusCode: 503, RequestID: 1"
PERMANENT = "Error: creating SQS Queue: InvalidAttributeValue: MessageRetentionPeriod"


def gated_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failures: list[str], gate: object
) -> EphemeralEnvironment[dict[str, object]]:
    """An environment whose terraform is the stand-in above and whose gate is ``gate``."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (tmp_path / "failures").write_text("\n".join(failures) + "\n")
    exe = bindir / "terraform"
    exe.write_text(
        FAKE_TERRAFORM.format(calls=tmp_path / "calls", tmp=tmp_path, failures=tmp_path / "failures")
    )
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bindir}:{os.environ['PATH']}")
    monkeypatch.setattr(
        environment_module,
        "snapshot_singletons",
        lambda _target: SingletonsBefore(frozenset(), frozenset(), frozenset()),
    )
    stack_dir = tmp_path / "stack"
    stack_dir.mkdir()
    return EphemeralEnvironment(
        stack_name="pci-data-processing",
        run_id="ga1234",
        stack_dir=stack_dir,
        workdir=tmp_path / "work",
        target=AwsTarget.emulator("us-east-1", ENDPOINT),
        read_outputs=untyped_outputs,
        progress=lambda _m: None,
        before_apply=gate,  # type: ignore[arg-type]
    )


def commands(tmp_path: Path) -> list[str]:
    return [line.split()[0] for line in (tmp_path / "calls").read_text().splitlines()]


class RecordingGate:
    """A gate that records the plans it was shown and refuses the ones it is told to."""

    def __init__(self, refuse: set[int] = frozenset()) -> None:  # type: ignore[assignment]
        self.seen: list[list[str]] = []
        self.refuse = refuse

    def __call__(self, plan_json: Path) -> None:
        plan = json.loads(plan_json.read_text())
        self.seen.append([change["address"] for change in plan["resource_changes"]])
        if len(self.seen) in self.refuse:
            raise RuntimeError(f"gate refused plan {len(self.seen)}")


def test_a_transient_apply_error_plans_again_and_gates_the_new_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = RecordingGate()
    env = gated_environment(tmp_path, monkeypatch, [TRANSIENT, ""], gate)
    assert env.deploy() == {"queue_url": "q"}
    # the saved plan is never applied twice, nor the configuration applied ungated
    assert commands(tmp_path) == ["init", "plan", "show", "apply", "plan", "show", "apply", "output"]
    assert gate.seen == [["aws_sqs_queue.q1"], ["aws_sqs_queue.q2"]]
    assert [p.name for p in env.plan_json_paths] == [
        "pci-data-processing.plan.json",
        "pci-data-processing.plan-2.json",
    ]
    assert env.plan_json_path == env.plan_json_paths[-1]
    assert env.retries == [f"pci-data-processing: apply re-planned and re-gated after: {TRANSIENT}"]


def test_a_new_plan_the_gate_refuses_is_not_applied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = gated_environment(tmp_path, monkeypatch, [TRANSIENT, ""], RecordingGate(refuse={2}))
    with pytest.raises(RuntimeError, match="gate refused plan 2"):
        env.deploy()
    assert commands(tmp_path) == ["init", "plan", "show", "apply", "plan", "show"]


def test_a_permanent_apply_error_is_not_retried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = gated_environment(tmp_path, monkeypatch, [PERMANENT], RecordingGate())
    with pytest.raises(TerraformError, match="InvalidAttributeValue"):
        env.deploy()
    assert commands(tmp_path) == ["init", "plan", "show", "apply"]
    assert env.retries == []


def test_transient_errors_stop_after_three_rounds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = gated_environment(tmp_path, monkeypatch, [TRANSIENT] * 4, RecordingGate())
    with pytest.raises(TerraformError, match="StatusCode: 503"):
        env.deploy()
    assert commands(tmp_path).count("apply") == 3 and len(env.retries) == 2


@pytest.mark.parametrize(
    ("target", "kind"),
    [
        (AwsTarget.emulator("us-east-1", ENDPOINT), "moto"),
        (AwsTarget.emulator("us-east-1", ENDPOINT, {"sqs": "http://127.0.0.1:4600"}), "emulator"),
        (AwsTarget(region="us-east-1"), "aws"),
    ],
    ids=["moto-alone", "pair", "aws"],
)
def test_an_environment_is_gated_by_checkov_for_its_target_unless_told_otherwise(
    tmp_path: Path, target: AwsTarget, kind: str
) -> None:
    env = EphemeralEnvironment(
        stack_name="payment-platform",
        run_id="ga1234",
        stack_dir=tmp_path,
        workdir=tmp_path / "work",
        target=target,
        read_outputs=untyped_outputs,
    )
    assert isinstance(env.gate, PlanGate)
    assert (env.gate.stack, env.gate.target, env.gate.skip_file) == ("payment-platform", kind, SKIP_FILE)


def gate_result(*, failed: bool, stale: bool) -> GateResult:
    skip = Skip("CKV_AWS_18", "pci-data-processing", ("aws_s3_bucket.logs_*",), "x" * 40)
    finding = Finding("CKV_AWS_67", "Ensure CloudTrail is enabled in all Regions", "aws_cloudtrail.trail")
    return GateResult(
        "pci-data-processing", 200, failed=[finding] if failed else [], stale=[skip] if stale else []
    )


@pytest.mark.parametrize(
    ("gate_options", "result", "refused"),
    [
        ({}, gate_result(failed=True, stale=False), "CKV_AWS_67"),
        ({}, gate_result(failed=False, stale=True), "STALE"),
        ({"judge_stale": False}, gate_result(failed=True, stale=True), "CKV_AWS_67"),
        ({"judge_stale": False}, gate_result(failed=False, stale=True), None),  # an upgrade plan
        ({"blocking": False}, gate_result(failed=True, stale=True), None),  # a replica of the deployed ref
    ],
)
def test_the_gate_refuses_unless_it_is_advisory_or_only_stale_entries_of_an_upgrade_plan(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    gate_options: dict[str, bool],
    result: GateResult,
    refused: str | None,
) -> None:
    monkeypatch.setattr(compliance_gate, "scan_plan", lambda *_a, **_k: result)
    monkeypatch.setattr(compliance_gate, "load_skips", lambda *_a, **_k: [])
    said: list[str] = []
    gate = PlanGate(
        "pci-data-processing",
        tmp_path,
        "emulator",
        said.append,
        blocking=gate_options.get("blocking", True),
        judge_stale=gate_options.get("judge_stale", True),
    )
    if refused is None:
        gate(tmp_path / "plan.json")
        assert any("CKV_AWS_67" in line or "unused by this plan" in line for line in said), said
    else:
        with pytest.raises(ComplianceGateError, match=refused):
            gate(tmp_path / "plan.json")
    assert compliance_gate.record_path(tmp_path, "pci-data-processing").exists()  # recorded either way


def test_what_a_plan_leaves_as_it_is_or_only_reads_is_untouched() -> None:
    plan = {
        "resource_changes": [
            {"address": "aws_security_group.kept", "change": {"actions": ["no-op"]}},
            {"address": "data.aws_region.current", "change": {"actions": ["read"]}},
            {"address": "aws_lambda_permission.new", "change": {"actions": ["create"]}},
            {"address": "aws_flow_log.s3[0]", "change": {"actions": ["delete", "create"]}},
        ]
    }
    assert compliance_gate.untouched_addresses(plan) == {"aws_security_group.kept", "data.aws_region.current"}


@dataclass(frozen=True)
class FlagRecordingGate(PlanGate):
    """A PlanGate that records the flags it was called with instead of scanning."""

    calls: list[tuple[bool, bool]] = field(default_factory=list)

    def __call__(self, plan_json: Path) -> None:
        self.calls.append((self.judge_stale, self.changes_only))


def test_a_re_plan_is_gated_on_what_it_changes_with_stale_entries_only_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[bool, bool]] = []
    gate = FlagRecordingGate("pci-data-processing", tmp_path, "emulator", lambda _m: None, calls=calls)
    env = gated_environment(tmp_path, monkeypatch, [TRANSIENT, ""], gate)
    env.deploy()
    # the first plan is fresh: judged whole; the re-plan runs against a half-applied state
    assert calls == [(True, False), (False, True)]
