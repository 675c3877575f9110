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
from pathlib import Path
from typing import Any

from harness.aws_target import AwsTarget
from harness.cli_config import DEFAULT_MIRROR
from harness.emulator import MotoServer, external_endpoint
from harness.environment import EphemeralEnvironment
from harness.existing_secret import create_database_secret, delete_secret
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
    stacks: Sequence[str],
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
    workdir = PROJECT_ROOT / ".work" / f"upgrade-{run_id}"
    workdir.mkdir(parents=True)
    say(f"upgrade check of {', '.join(stacks)} from {ref} ({commit[:12]}) as run {run_id}; logs in {workdir}")
    reports: list[UpgradeReport] = []
    with ExitStack() as cleanup:
        endpoint = external_endpoint(environ)
        if endpoint is None:
            endpoint = cleanup.enter_context(MotoServer(workdir / "moto.log")).endpoint
        target = AwsTarget.emulator("us-east-1", endpoint)
        flags = ["--environment-suffix", "up", "--run-id", run_id, "--stacks", ",".join(stacks)]
        flags += ["--emulator-endpoint", endpoint, "--state-dir", str(workdir / "state")]
        before = export_tree(commit, workdir / "before")
        say("synthesizing the stacks as of the ref, then as of now")
        before_out = synthesize_tree(before, workdir / "before.out", flags, workdir / "synth.log")
        after_out = synthesize_tree(PROJECT_ROOT, workdir / "after.out", flags, workdir / "synth.log")
        for stack in stacks:
            reports.append(
                _check_stack(
                    stack, run_id, before_out, after_out, workdir, target, say, override, allow, cleanup
                )
            )
    return reports


def _check_stack(
    stack: str,
    run_id: str,
    before_out: Path,
    after_out: Path,
    workdir: Path,
    target: AwsTarget,
    say: Callable[[str], None],
    override: dict[str, Any] | None,
    allow: Sequence[Allowed],
    cleanup: ExitStack,
) -> UpgradeReport:
    before = EphemeralEnvironment(
        stack_name=stack,
        run_id=run_id,
        stack_dir=before_out / "stacks" / stack,
        workdir=workdir / stack,
        target=target,
        progress=say,
    )
    _existing_inputs(stack, before, target, cleanup)
    cleanup.callback(before.teardown)  # registered before apply: runs after any failure below
    before.deploy()
    after_dir = after_out / "stacks" / stack
    if override is not None:
        (after_dir / PROVIDER_OVERRIDE_FILE).write_text(json.dumps(override))
    after = Terraform(
        workdir=after_dir, log_path=workdir / stack / "after.terraform.log", env=before.terraform.env
    )
    with_upgrade = ("-upgrade",) if override is not None else ()
    after.run("init", "-input=false", "-no-color", *with_upgrade)
    if override is not None:
        version = override["terraform"]["required_providers"]["aws"]["version"]
        say(f"[{stack}] planning the current code with AWS provider {version}")
    plan = after.plan_to_file("upgrade.tfplan")
    report = UpgradeReport(stack, classify(plan, allow))
    rows = [
        {"address": a.address, "action": a.action, "verdict": a.verdict, "note": a.note}
        for a in report.actions
    ]
    (workdir / f"{stack}.upgrade.json").write_text(json.dumps(rows, indent=2))
    say(report.table())
    return report


def _existing_inputs(stack: str, env: EphemeralEnvironment, target: AwsTarget, cleanup: ExitStack) -> None:
    """What the stack looks up instead of creating (the PCI database secret): made here, deleted after."""
    if stack != "pci-data-processing":
        return
    document = json.loads((env.stack_dir / "cdk.tf.json").read_text())
    for spec in document.get("data", {}).get("aws_secretsmanager_secret", {}).values():
        cleanup.callback(delete_secret, target, create_database_secret(target, spec["name"]))
