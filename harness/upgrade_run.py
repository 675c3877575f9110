"""The upgrade check end to end: deploy the environment as of a git ref, plan today's code against it.

1. Export the "before" ref with ``git archive`` (the working tree is not touched) and synthesize it
   with its own ``main.py``; synthesize the current code with the same run id and state path.
2. Deploy the "before" stacks on the emulator (throwaway, unique run id).
3. Plan the current code against that state (optionally with another AWS provider version) and
   judge every action (:mod:`harness.upgrade_check`).
4. Destroy with the "before" code and sweep, whatever happened.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.cli_config import DEFAULT_MIRROR
from harness.compliance_gate import SKIP_FILE, PlanGate
from harness.emulator import MotoServer, external_endpoint
from harness.environment import EphemeralEnvironment, untyped_outputs
from harness.existing_secret import create_database_secret, delete_secret
from harness.run import WORK_ROOT, HarnessRun
from harness.run_id import new_run_id
from harness.terraform import Terraform
from harness.upgrade_check import (
    Allowed,
    UpgradeCheckError,
    UpgradeReport,
    classify,
    load_allow_list,
    provider_override,
)
from pci_infra.app.paths import PROJECT_ROOT
from pci_infra.app.stack_kind import StackKind

PROVIDER_OVERRIDE_FILE = "zz_upgrade_provider_override.tf.json"


def resolve_ref(ref: str, repo: Path = PROJECT_ROOT) -> str:
    """The commit ``ref`` names, or a clear error (unknown ref, shallow clone)."""
    result = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise UpgradeCheckError(
            f"--from {ref}: not a commit of this repository "
            "(a shallow clone may lack it: git fetch --unshallow)"
        )
    return result.stdout.strip()


def export_tree(commit: str, destination: Path, repo: Path = PROJECT_ROOT) -> Path:
    """The files of ``commit`` in ``destination`` (``git archive``), with the current Lambda dependencies.

    ``node_modules`` are not in git: each function's are linked from the current tree when its lock
    file is unchanged, else installed with ``npm ci``.
    """
    destination.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile() as archive:
        subprocess.run(["git", "archive", "--format=tar", commit], cwd=repo, stdout=archive, check=True)
        archive.seek(0)
        with tarfile.open(fileobj=archive) as tar:
            tar.extractall(destination, filter="data")
    for lock in sorted(destination.glob("lambda/*/package-lock.json")):
        current = repo / lock.relative_to(destination)
        modules = current.parent / "node_modules"
        if current.exists() and current.read_bytes() == lock.read_bytes() and modules.is_dir():
            (lock.parent / "node_modules").symlink_to(modules, target_is_directory=True)
        else:
            subprocess.run(
                ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=lock.parent, check=True
            )
    return destination


def synthesize_tree(tree: Path, outdir: Path, flags: Sequence[str], log: Path) -> Path:
    """Run ``tree``'s own ``main.py`` (its own constructs) to synthesize into ``outdir``."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    with log.open("a") as handle:
        result = subprocess.run(
            [sys.executable, "main.py", *flags, "--outdir", str(outdir)],
            cwd=tree,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if result.returncode != 0:
        raise UpgradeCheckError(f"synthesis of {tree} failed (exit {result.returncode}); see {log}")
    return outdir


def run_upgrade_check(
    ref: str,
    stacks: Sequence[StackKind],
    *,
    say: Callable[[str], None],
    provider_version: str | None = None,
    mirror: Path = DEFAULT_MIRROR,
    environ: Mapping[str, str] | None = None,
) -> list[UpgradeReport]:
    """Deploy ``stacks`` as of ``ref``, plan the current code against them, judge, destroy; return reports."""
    environ = os.environ if environ is None else environ
    commit = resolve_ref(ref)
    override = provider_override(provider_version, mirror) if provider_version else None
    allow = load_allow_list()
    run_id = new_run_id()
    workdir = WORK_ROOT / f"upgrade-{run_id}"
    workdir.mkdir(parents=True)
    say(f"upgrade check of {', '.join(stacks)} from {ref} ({commit[:12]}) as run {run_id}; logs in {workdir}")
    reports: list[UpgradeReport] = []
    with ExitStack() as cleanup:
        endpoint = external_endpoint(environ)
        if endpoint is None:
            endpoint = cleanup.enter_context(MotoServer(workdir / "moto.log")).endpoint
        run = HarnessRun.start(
            suffix="up",
            run_id=run_id,
            workdir=workdir,
            endpoint=endpoint,
            environ=environ,
            stacks=stacks,
            outdir=workdir / "before.out",
        )
        before = export_tree(commit, workdir / "before")
        say("synthesizing the stacks as of the ref, then as of now")
        flags = run.main_py_flags()
        synthesize_tree(before, run.outdir, flags, workdir / "synth.log")
        after_out = synthesize_tree(PROJECT_ROOT, workdir / "after.out", flags, workdir / "synth.log")
        upgrade = UpgradeRun(run, before, after_out, say, cleanup, allow, override)
        reports += [upgrade.check_stack(stack) for stack in stacks]
    return reports


@dataclass(frozen=True)
class UpgradeRun:
    """One upgrade check under way.

    Attributes:
        run: The harness run: its settings, emulator and run id; its ``outdir`` holds the stacks as of
            the ref, which are deployed.
        before_tree: The ref's exported sources (its skip file gates its deploy).
        after_out: The stacks as of now, synthesized with the same settings (planned, never applied).
        say: Progress lines.
        cleanup: Where teardowns and deletions are registered; closed after the last stack.
        allow: The allow-list of stateful replacements accepted on purpose.
        override: Terraform override pinning another AWS provider version for the plan, if asked.
    """

    run: HarnessRun
    before_tree: Path
    after_out: Path
    say: Callable[[str], None]
    cleanup: ExitStack
    allow: Sequence[Allowed] = ()
    override: dict[str, Any] | None = None

    def check_stack(self, stack: StackKind) -> UpgradeReport:
        """Deploy ``stack`` as of the ref, plan the current code against its state, judge every action."""
        workdir = self.run.workdir / stack
        before = EphemeralEnvironment(  # the ref's code: its outputs are whatever it emitted, so untyped
            stack_name=stack,
            run_id=self.run.run_id,
            stack_dir=self.run.stack_dir(stack),
            workdir=workdir,
            target=self.run.target,
            read_outputs=untyped_outputs,
            progress=self.say,
            before_apply=self._gate_of_the_ref(stack, workdir),
        )
        self._existing_inputs(stack)
        self.cleanup.callback(before.teardown)  # registered before apply: runs after any failure below
        before.deploy()
        after_dir = self.after_out / "stacks" / stack
        if self.override is not None:
            (after_dir / PROVIDER_OVERRIDE_FILE).write_text(json.dumps(self.override))
        after = Terraform(
            workdir=after_dir, log_path=workdir / "after.terraform.log", env=before.terraform.env
        )
        with_upgrade = ("-upgrade",) if self.override is not None else ()
        after.run("init", "-input=false", "-no-color", *with_upgrade)
        if self.override is not None:
            version = self.override["terraform"]["required_providers"]["aws"]["version"]
            self.say(f"[{stack}] planning the current code with AWS provider {version}")
        plan = after.plan_to_file("upgrade.tfplan")
        plan_json = workdir / f"{stack}.upgrade-plan.json"
        plan_json.write_text(json.dumps(plan))
        # The upgrade is what would be applied to the environment: gated as every apply is.
        PlanGate(
            stack,
            workdir,
            self.run.target.plan_target,
            lambda line: self.say(f"[{stack}, upgrade] {line}"),
            judge_stale=False,
        )(plan_json)
        report = UpgradeReport(stack, classify(plan, self.allow))
        rows = [
            {"address": a.address, "action": a.action, "verdict": a.verdict, "note": a.note}
            for a in report.actions
        ]
        (self.run.workdir / f"{stack}.upgrade.json").write_text(json.dumps(rows, indent=2))
        self.say(report.table())
        return report

    def _gate_of_the_ref(self, stack: StackKind, workdir: Path) -> PlanGate:
        """The checkov gate for the ref's deploy: advisory, by the ref's own skip file.

        The ref is what is deployed today; its replica is scanned and what fails is said, but it is
        deployed whatever the scan finds, so an old ref can always be checked. The plan that an
        upgrade would apply is gated blocking (:meth:`check_stack`).
        """
        ref_skips = self.before_tree / SKIP_FILE.relative_to(PROJECT_ROOT)
        return PlanGate(
            stack,
            workdir / "as-of-the-ref",
            self.run.target.plan_target,
            lambda line: self.say(f"[{stack}, as of the ref] {line}"),
            skip_file=ref_skips if ref_skips.exists() else SKIP_FILE,
            blocking=False,
        )

    def _existing_inputs(self, stack: StackKind) -> None:
        """What the stack looks up instead of creating (the PCI database secret): made here, deleted after."""
        if stack is not StackKind.PCI_DATA_PROCESSING:
            return
        target = self.run.target
        secret_arn = create_database_secret(target, self.run.settings.pci_database_secret)
        self.cleanup.callback(delete_secret, target, secret_arn)
