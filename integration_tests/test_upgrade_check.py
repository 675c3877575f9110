"""Upgrade safety, live on the emulator.

Version 1 of a small archive (a CMK and its bucket, kept as test data in ``fixtures/upgrade``) is
deployed once; each newer version is planned against its state and judged by the upgrade check:
a rename without ``moved`` is caught, the same rename with ``moved`` passes, a tag change passes.
Then the real command runs from a git ref of this repository on the PCI stack.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.aws_target import AwsTarget
from harness.cli_config import DEFAULT_MIRROR
from harness.emulator import MotoServer
from harness.environment import EphemeralEnvironment, untyped_outputs
from harness.run_id import new_run_id
from harness.terraform import Terraform
from harness.upgrade_check import UpgradeReport, classify, provider_override, provider_versions_in
from pci_infra.app.paths import PROJECT_ROOT
from pci_infra.app.stack_kind import StackKind

pytestmark = pytest.mark.live

FIXTURES = Path(__file__).parent / "fixtures" / "upgrade"
BASELINE_REF = "05b918f7a6f8331fbbfe2fb2dcf41fb8b89f742d"
"""A commit of this repository both stacks were deployed from (README "Upgrades")."""

Variant = Callable[[str], Path]
Archive = EphemeralEnvironment[dict[str, Any]]


@pytest.fixture(scope="module")
def archive_v1(request: pytest.FixtureRequest) -> Iterator[tuple[Archive, Variant]]:
    """Version 1 deployed on an emulator of its own; a factory for the other versions' directories."""
    if request.config.getoption("--target") != "emulator":
        pytest.skip("the upgrade fixtures deploy to the embedded emulator only")
    run_id = new_run_id()
    workdir = PROJECT_ROOT / ".work" / f"upgrade-fixture-{run_id}"
    state = workdir / "state" / "archive.tfstate"
    with MotoServer(workdir / "moto.log") as server:

        def variant(name: str) -> Path:
            directory = workdir / name
            directory.mkdir(parents=True, exist_ok=True)
            shutil.copy(FIXTURES / "provider.tf", directory)
            shutil.copy(FIXTURES / name / "main.tf", directory)
            backend = {"terraform": {"backend": {"local": {"path": str(state)}}}}
            (directory / "backend.tf.json").write_text(json.dumps(backend))
            return directory

        env = EphemeralEnvironment(
            stack_name="archive",
            run_id=run_id,
            stack_dir=variant("before"),
            workdir=workdir,
            target=AwsTarget.emulator("us-east-1", server.endpoint),
            read_outputs=untyped_outputs,
            before_apply=None,  # a fixture configuration, not one of the stacks the skip file judges
        )
        env.terraform.env = {**env.terraform.env, "TF_VAR_endpoint": server.endpoint, "TF_VAR_run_id": run_id}
        try:
            env.deploy()
            yield env, variant
        finally:
            env.teardown()


def judge(env: Archive, directory: Path, override: dict[str, object] | None = None) -> UpgradeReport:
    """Plan ``directory`` against version 1's state and classify every action."""
    if override is not None:
        (directory / "zz_provider_override.tf.json").write_text(json.dumps(override))
    terraform = Terraform(workdir=directory, log_path=directory / "terraform.log", env=env.terraform.env)
    terraform.run("init", "-input=false", "-no-color", "-upgrade")
    return UpgradeReport(directory.name, classify(terraform.plan_to_file("upgrade.tfplan")))


def test_a_rename_without_moved_is_caught(archive_v1: tuple[Archive, Variant]) -> None:
    env, variant = archive_v1
    report = judge(env, variant("renamed"))
    assert [(a.action, a.address) for a in report.unsafe] == [("delete", "aws_s3_bucket.archive")]
    assert "FAILED: 1 stateful resource(s) would be replaced or destroyed" in report.table()
    assert "loses the S3 bucket: its objects" in report.table()


def test_the_same_rename_with_moved_passes(archive_v1: tuple[Archive, Variant]) -> None:
    env, variant = archive_v1
    report = judge(env, variant("renamed_with_moved"))
    assert report.unsafe == []
    assert {(a.address, a.previous_address) for a in report.actions if a.verdict == "moved"} == {
        ("aws_s3_bucket.records", "aws_s3_bucket.archive"),
        (
            "aws_s3_bucket_server_side_encryption_configuration.records",
            "aws_s3_bucket_server_side_encryption_configuration.archive",
        ),
    }
    assert "moved from aws_s3_bucket.archive" in report.table()


def test_a_tag_change_passes(archive_v1: tuple[Archive, Variant]) -> None:
    env, variant = archive_v1
    report = judge(env, variant("retagged"))
    assert report.unsafe == []
    assert ("update", "aws_s3_bucket.archive") in {(a.action, a.address) for a in report.actions}
    assert "passed: no stateful resource is replaced or destroyed" in report.table()


def test_the_check_runs_with_another_provider_version_when_the_mirror_has_one(
    archive_v1: tuple[Archive, Variant],
) -> None:
    env, variant = archive_v1
    lock = (env.stack_dir / ".terraform.lock.hcl").read_text()
    held = provider_versions_in(DEFAULT_MIRROR)
    others = [v for v in held if f'"{v}"' not in lock]
    if DEFAULT_MIRROR.is_dir() and not others:
        pytest.skip(
            f"the provider mirror at {DEFAULT_MIRROR} holds only AWS provider {', '.join(held)}, the version "
            "already in use: no other version to check against on this machine"
        )
    version = others[0] if others else "5.99.1"  # with registry access: the bindings' own version
    report = judge(env, variant("retagged"), provider_override(version, DEFAULT_MIRROR))
    assert report.unsafe == []
    assert f'"{version}"' in (variant("retagged") / ".terraform.lock.hcl").read_text()


def run_upgrade_check(stacks: str) -> str:
    """Run ``python -m harness upgrade-check --from BASELINE_REF``; return its output, asserted green."""
    result = subprocess.run(
        [sys.executable, "-m", "harness", "upgrade-check", "--from", BASELINE_REF, "--stacks", stacks],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    for stack in stacks.split(","):
        assert f"upgrade check of {stack}:" in output
    assert output.count("passed: no stateful resource is replaced or destroyed") == len(stacks.split(","))
    assert "orphan sweep: 0 resources left" in output
    return output


def test_the_upgrade_check_command_from_a_git_ref() -> None:
    run_upgrade_check(StackKind.PCI_DATA_PROCESSING)


@pytest.mark.nightly
def test_the_upgrade_check_command_on_both_stacks() -> None:
    output = run_upgrade_check(",".join(StackKind))
    assert "aws_s3_bucket.storage_access-logs_bucket" in output  # added since the baseline: a create
