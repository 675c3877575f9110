"""Throwaway copies of the PCI stack run by the harness's own command in child processes.

Shared by the fault-injection and parallel-environment tests: each copy has its own run id (so its
own names and state file) and its own "existing" database secret on the emulator.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from harness.aws_target import AwsTarget
from harness.emulator import MotoServer
from harness.emulator_pair import LocalEmulators, write_override
from harness.existing_secret import ensure_database_secret
from harness.ministack import MiniStackServer
from harness.run import HarnessRun
from harness.run_id import new_run_id
from harness.sweep import sweep
from pci_infra.app.paths import PROJECT_ROOT
from pci_infra.app.stack_kind import StackKind
from pci_infra.foundation.service_routing import Emulator

STACK = StackKind.PCI_DATA_PROCESSING


@dataclass(frozen=True)
class PciCopy:
    """One synthesized copy of the PCI stack for one emulator: a harness run of that stack alone."""

    run: HarnessRun
    ministack: MiniStackServer | MotoServer | None = None

    @property
    def run_id(self) -> str:
        """The copy's own run id (its names and its state file)."""
        return self.run.run_id

    @property
    def workdir(self) -> Path:
        """The copy's directory."""
        return self.run.workdir

    @property
    def stack_dir(self) -> Path:
        """The synthesized stack."""
        return self.run.stack_dir(STACK)

    @property
    def state_file(self) -> Path:
        """The copy's local state file."""
        return self.run.state_file(STACK)

    @property
    def endpoint(self) -> str:
        """The URL of the emulator this copy was synthesized for."""
        endpoint = self.run.settings.emulator_endpoint
        assert endpoint is not None  # copies are synthesized for an emulator only
        return endpoint

    @property
    def target(self) -> AwsTarget:
        """The emulator this copy was synthesized for."""
        return self.run.target

    def ensure_secret(self) -> None:
        """The database secret the stack looks up (gone after an emulator restart): create it if absent."""
        ensure_database_secret(self.target, self.run.settings.pci_database_secret)

    def names(self) -> set[str]:
        """Every account-wide literal name the synthesized resources set (``name``, ``bucket``, ...)."""
        document = json.loads((self.stack_dir / "cdk.tf.json").read_text())
        return {
            spec[key]
            for kind, by_name in document.get("resource", {}).items()
            if kind not in NAMES_SCOPED_BY_PARENT
            for spec in by_name.values()
            for key in ("name", "bucket", "name_prefix", "function_name")
            if isinstance(spec.get(key), str) and "${" not in spec[key]
        }


NAMES_SCOPED_BY_PARENT = frozenset(
    {
        "aws_iam_role_policy",  # unique per role
        "aws_cloudwatch_log_metric_filter",  # unique per log group
        "aws_cloudwatch_log_stream",  # unique per log group
    }
)
"""Resource types whose names need only be unique inside their parent, which carries the run id."""


def synthesize_copy(
    emulators: LocalEmulators, workdir: Path, suffix: str, *, own_secret: bool = False
) -> PciCopy:
    """Synthesize the PCI stack for ``emulators`` with a fresh run id (and, if asked, its own secret name).

    On the pair the stack directory gets the routing override, as a run's environment writes it.
    """
    run_id = new_run_id()
    run = HarnessRun.start(
        suffix=suffix,
        run_id=run_id,
        workdir=workdir / run_id,
        endpoint=emulators.endpoint,
        environ=os.environ,
        stacks=(STACK,),
        database_secret_name=f"dev/pci/{suffix}-{run_id}/database" if own_secret else None,
        routes=emulators.routes,
    )
    run.synthesize()
    if run.routes:
        write_override(run.stack_dir(STACK), run.routes)
    copy = PciCopy(run, emulators.servers.get(Emulator.MINISTACK))
    copy.ensure_secret()
    return copy


def start_cycle(
    copy: PciCopy, name: str, stack_dir: Path | None = None
) -> tuple[subprocess.Popen[str], Path]:
    """``python -m harness cycle`` on the copy in a child process; returns it and its working directory."""
    copy.ensure_secret()
    workdir = copy.workdir / name
    workdir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "harness", "cycle", "--stack-dir", str(stack_dir or copy.stack_dir)]
    command += ["--workdir", str(workdir), "--run-id", copy.run_id, "--endpoint", copy.endpoint]
    if copy.ministack is not None:
        command += ["--ministack", copy.ministack.endpoint]
    child = subprocess.Popen(
        command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    )
    return child, workdir


def assert_cleaned(copy: PciCopy, output: str) -> None:
    """The harness destroyed what it had made, said so, and nothing carries the run id."""
    reported = re.search(r"teardown: (\d+) resources in state to destroy", output)
    assert reported and int(reported.group(1)) > 0, output[-3000:]
    assert "orphan sweep: 0 resources left" in output, output[-3000:]
    state = json.loads(copy.state_file.read_text())
    assert state["resources"] == [], [r["type"] for r in state["resources"]][:10]
    assert sweep(copy.target, copy.run_id) == []
