"""Teardown is registered before apply: a failed or interrupted apply is still destroyed and swept."""

from __future__ import annotations

import json
import os
import signal
import stat
from pathlib import Path
from typing import Any

import pytest

from harness import cli
from harness import environment as environment_module
from harness.aws_target import AwsTarget
from harness.environment import EphemeralEnvironment, untyped_outputs
from harness.terraform import TerraformError
from pci_infra.app.stack_kind import StackKind

FAKE_TERRAFORM = """#!/usr/bin/env bash
echo "$1" >> "{calls}"
case "$1" in
  apply) {apply} ;;
  output) echo '{{}}' ;;
  show) echo '{{"resource_changes": []}}' ;;
  state) ;;
  *) echo "$1 ok" ;;
esac
"""


def fake_terraform(tmp_path: Path, script: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``script`` installed as the ``terraform`` first on ``PATH``; the stack directory it runs in."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    exe = bindir / "terraform"
    exe.write_text(script)
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bindir}:{os.environ['PATH']}")
    stack_dir = tmp_path / "stack"
    (stack_dir / ".terraform").mkdir(parents=True)
    return stack_dir


def environment(
    tmp_path: Path, mock_target: AwsTarget, apply_script: str, monkeypatch: pytest.MonkeyPatch
) -> EphemeralEnvironment[dict[str, Any]]:
    script = FAKE_TERRAFORM.format(calls=tmp_path / "calls", apply=apply_script)
    stack_dir = fake_terraform(tmp_path, script, monkeypatch)
    return EphemeralEnvironment(
        stack_name=StackKind.PAYMENT_PLATFORM,
        run_id="td1234",
        stack_dir=stack_dir,
        workdir=tmp_path / "work",
        target=mock_target,
        read_outputs=untyped_outputs,
        progress=lambda _m: None,
        environ={},
        before_apply=None,  # a fake terraform: no plan for the gate to scan
    )


def calls(tmp_path: Path) -> list[str]:
    return (tmp_path / "calls").read_text().split()


def test_failed_apply_is_destroyed_and_swept(
    tmp_path: Path, mock_target: AwsTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = environment(
        tmp_path, mock_target, 'echo "Error: creating SQS Queue: InvalidAttributeValue"; exit 1', monkeypatch
    )
    with pytest.raises(TerraformError, match="InvalidAttributeValue"), env.deployed():
        pytest.fail("the body must not run when apply fails")
    assert calls(tmp_path) == ["init", "apply", "state", "destroy"]
    assert env.torn_down and env.orphans == []


def test_interrupted_apply_is_destroyed_and_swept(
    tmp_path: Path, mock_target: AwsTarget, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    # GIVEN SIGINT ignored, as a runner started from a shell's background job inherits it
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    request.addfinalizer(lambda: signal.signal(signal.SIGINT, previous))
    # The fake apply delivers Ctrl-C to the harness process, then stops as Terraform does on SIGINT.
    env = environment(
        tmp_path, mock_target, 'kill -INT "$PPID"; sleep 1; echo "Interrupt received"; exit 1', monkeypatch
    )
    with pytest.raises(KeyboardInterrupt), env.deployed():
        pytest.fail("the body must not run when apply is interrupted")
    assert calls(tmp_path) == ["init", "apply", "state", "destroy"]
    assert env.torn_down


def test_skip_teardown_leaves_the_environment(
    tmp_path: Path, mock_target: AwsTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = environment(tmp_path, mock_target, 'echo "Apply complete"', monkeypatch)
    env.environ = {"SKIP_teardown": "1"}
    with pytest.raises(RuntimeError, match="no outputs in state"), env.deployed():
        pass
    assert "destroy" not in calls(tmp_path)


def test_destroy_command_tears_down_a_kept_environment_from_its_metadata(
    tmp_path: Path,
    mock_target: AwsTarget,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    env = environment(tmp_path, mock_target, "exit 0", monkeypatch)
    kept = tmp_path / "kept"
    kept.mkdir()
    meta = {"run_id": "td1234", "stack": StackKind.PCI_DATA_PROCESSING, "stack_dir": str(env.stack_dir)}
    (kept / f"{StackKind.PCI_DATA_PROCESSING}.run.json").write_text(
        json.dumps({**meta, "region": "us-east-1"})
    )
    assert cli.main(["destroy", "--workdir", str(kept)]) == 0
    assert calls(tmp_path) == ["state", "destroy"]
    assert "orphan sweep: 0 resources left" in capsys.readouterr().out
    assert cli.main(["destroy", "--workdir", str(tmp_path / "nothing-here")]) == 2


def test_a_retried_destroy_is_recorded_with_its_first_error(
    tmp_path: Path, mock_target: AwsTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN an environment whose first destroy fails on one resource
    env = environment(tmp_path, mock_target, "echo applied", monkeypatch)
    flaky = tmp_path / "bin" / "terraform"
    flaky.write_text(
        flaky.read_text().replace(
            'case "$1" in',
            'if [ "$1" = destroy ] && [ ! -e "{marker}" ]; then touch "{marker}"; '
            'echo "Error: deleting Security Group (sg-1): DependencyViolation: in use" >&2; exit 1; fi\n'
            'case "$1" in'.format(marker=tmp_path / "failed-once"),
        )
    )
    # WHEN it is torn down THEN the second destroy succeeds and the retry is kept with its error
    assert env.teardown() == []
    assert env.retries == [
        "payment-platform: destroy retried after: "
        "['Error: deleting Security Group (sg-1): DependencyViolation: in use']"
    ]
    assert calls(tmp_path).count("destroy") == 2


STATE_TERRAFORM = """#!/usr/bin/env bash
echo "$*" >> "{calls}"
if [ "$1 $2" = "state list" ]; then
  printf '%s\\n' aws_sqs_queue.q {forgettable}
fi
exit 0
"""

FORGETTABLE = {
    "aws_secretsmanager_secret_rotation.schedule": "behaviour:cancel_rotate_secret",
    "module.m.aws_secretsmanager_secret_rotation.r[0]": "behaviour:cancel_rotate_secret",
    "aws_route53_zone.dns_zone": "behaviour:route53_get_dnssec",
}
"""Addresses in the stand-in state a destroy on MiniStack cannot delete, with the gap saying so."""


@pytest.mark.parametrize(
    ("routes", "forgotten"),
    [
        # the pair: Secrets Manager and Route 53 on MiniStack, where both gaps hold
        ({"secretsmanager": "http://127.0.0.1:4600", "route53": "http://127.0.0.1:4600"}, list(FORGETTABLE)),
        ({}, []),  # moto alone: no gap holds, nothing is forgotten
    ],
    ids=["pair", "moto-alone"],
)
def test_what_the_emulator_cannot_destroy_is_forgotten_before_destroy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, routes: dict[str, str], forgotten: list[str]
) -> None:
    script = STATE_TERRAFORM.format(calls=tmp_path / "calls", forgettable=" ".join(FORGETTABLE))
    stack_dir = fake_terraform(tmp_path, script, monkeypatch)
    monkeypatch.setattr(environment_module, "clear_emulator_gaps", lambda _target, _run_id: [])
    monkeypatch.setattr(environment_module, "sweep", lambda _target, _run_id, singletons_before: [])
    said: list[str] = []
    env = EphemeralEnvironment(
        stack_name=StackKind.PCI_DATA_PROCESSING,
        run_id="td1234",
        stack_dir=stack_dir,
        workdir=tmp_path / "work",
        target=AwsTarget.emulator("us-east-1", "http://127.0.0.1:4599", routes),
        read_outputs=untyped_outputs,
        progress=said.append,
        environ={},
        before_apply=None,
    )
    env.teardown()
    lines = (tmp_path / "calls").read_text().splitlines()
    removed = [line.removeprefix("state rm -no-color ") for line in lines if line.startswith("state rm")]
    assert sorted(removed) == sorted(forgotten)
    assert lines[-1].startswith("destroy")  # after every removal
    assert sorted(m for m in said if "forgotten before destroy" in m) == sorted(
        f"[pci-data-processing td1234] teardown: {address} forgotten before destroy "
        f"(emulator gap {FORGETTABLE[address]})"
        for address in forgotten
    )
