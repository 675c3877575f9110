"""Fault injection: an interrupted, a failing and a target-losing deploy each end with nothing left.

The PCI environment is deployed by the harness's own command (``python -m harness cycle``) in a child
process, as a user's run would be, on an emulator of its own that these tests may kill. Each test
breaks the deploy halfway, then checks what the harness said, that state is empty and that the
orphan sweep finds nothing carrying the run id.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.emulator import MotoServer
from harness.emulator_pair import LocalEmulators, local_emulators
from harness.ministack import MiniStackServer
from harness.run_id import new_run_id
from integration_tests.pci_copies import STACK, PciCopy, assert_cleaned, start_cycle, synthesize_copy
from pci_infra.app.paths import PROJECT_ROOT
from pci_infra.foundation.service_routing import Emulator

pytestmark = [pytest.mark.live, pytest.mark.behaviour]

HALFWAY = 25
"""Resources created before the fault is injected (the stack has about 140)."""


@dataclass
class FaultBed:
    """Emulators of the tests' own (they kill one) and the PCI stack synthesized for them."""

    emulators: LocalEmulators
    copy: PciCopy

    @property
    def victim(self) -> MotoServer | MiniStackServer:
        """The emulator a test kills: the one hosting most of the stack (MiniStack on the pair)."""
        return self.emulators.servers.get(Emulator.MINISTACK) or self.emulators.servers[Emulator.MOTO]


@pytest.fixture(scope="module")
def bed(request: pytest.FixtureRequest) -> Iterator[FaultBed]:
    if request.config.getoption("--target") != "emulator":
        pytest.skip("fault injection kills and restarts the embedded emulator: it runs on the emulator only")
    workdir = PROJECT_ROOT / ".work" / f"fault-{new_run_id()}"
    with local_emulators(workdir, os.environ) as emulators:
        yield FaultBed(emulators, synthesize_copy(emulators, workdir, "ft"))


def wait_for(child: subprocess.Popen[str], lines: list[str], pattern: str, timeout: float = 600) -> None:
    """Read the child's output into ``lines`` until a line matches ``pattern``."""
    deadline = time.monotonic() + timeout
    assert child.stdout is not None
    for line in child.stdout:
        lines.append(line)
        if re.search(pattern, line):
            return
        if time.monotonic() > deadline:
            break
    pytest.fail(f"never saw /{pattern}/ from the harness:\n{''.join(lines[-30:])}")


def wait_until_halfway(log: Path, child: subprocess.Popen[str], timeout: float = 600) -> int:
    """Wait until Terraform has created ``HALFWAY`` resources; return how many it had."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        created = log.read_text().count("Creation complete after") if log.exists() else 0
        if created >= HALFWAY:
            return created
        if child.poll() is not None:
            pytest.fail(f"the deploy ended (exit {child.returncode}) before {HALFWAY} resources were created")
        time.sleep(0.5)
    pytest.fail(f"fewer than {HALFWAY} resources created within {timeout:.0f}s")


def finish(child: subprocess.Popen[str], lines: list[str], timeout: float = 900) -> str:
    """The rest of the child's output once it exits."""
    rest, _ = child.communicate(timeout=timeout)
    return "".join(lines) + rest


def test_sigint_halfway_through_apply_stops_terraform_and_tears_down(bed: FaultBed) -> None:
    child, workdir = start_cycle(bed.copy, "sigint")
    created = wait_until_halfway(workdir / f"{STACK}.terraform.log", child)
    child.send_signal(signal.SIGINT)  # what Ctrl-C does to the harness
    output = finish(child, [])
    assert child.returncode == 130, output[-3000:]
    assert "interrupted; teardown has run" in output
    log = (workdir / f"{STACK}.terraform.log").read_text()
    assert "interrupted: asking terraform to stop gracefully (SIGINT)" in log
    assert "Interrupt received" in log  # Terraform stopped cleanly and wrote its state
    destroyed = int(re.search(r"teardown: (\d+) resources in state", output).group(1))  # type: ignore[union-attr]
    assert destroyed >= created - 5, (created, destroyed)  # what was created before the stop is in state
    assert_cleaned(bed.copy, output)


def test_an_apply_failing_on_one_resource_tears_down_what_was_created(bed: FaultBed) -> None:
    # A test-only Terraform override gives the tokenizer's role policy an effect that does not exist:
    # valid JSON to the provider, refused by IAM (MalformedPolicyDocument) mid-apply, not retried.
    stack_dir = bed.copy.workdir / "failing" / STACK
    shutil.copytree(bed.copy.stack_dir, stack_dir, ignore=shutil.ignore_patterns(".terraform", "*.tfplan"))
    document = json.loads((bed.copy.stack_dir / "cdk.tf.json").read_text())
    (policy,) = [
        logical
        for logical, spec in document["resource"]["aws_iam_role_policy"].items()
        if spec["//"]["metadata"]["path"].endswith("/tokenizer/policy")
    ]
    invalid = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Maybe", "Action": "s3:GetObject", "Resource": "*"}],
    }
    override = {"resource": {"aws_iam_role_policy": {policy: {"policy": json.dumps(invalid)}}}}
    (stack_dir / "fault_injection_override.tf.json").write_text(json.dumps(override))
    child, _ = start_cycle(bed.copy, "failing", stack_dir)
    output = finish(child, [])
    assert child.returncode == 1, output[-3000:]
    assert "MalformedPolicyDocument" in output
    assert "deploy: terraform apply FAILED" in output
    assert_cleaned(bed.copy, output)


def test_emulator_killed_mid_apply_teardown_waits_for_it_and_retries(bed: FaultBed) -> None:
    child, workdir = start_cycle(bed.copy, "killed")
    wait_until_halfway(workdir / f"{STACK}.terraform.log", child)
    bed.victim.kill()
    lines: list[str] = []
    wait_for(child, lines, r"does not answer: waiting up to")
    bed.victim.start()  # same port: the synthesized endpoints still point at it
    bed.copy.ensure_secret()  # an existing secret the stack looks up; the restart lost it
    output = finish(child, lines)
    assert child.returncode == 1, output[-3000:]
    assert "deploy: terraform apply FAILED" in output
    assert "the target answers: retrying destroy" in output
    assert_cleaned(bed.copy, output)
