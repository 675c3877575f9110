"""Each HCL module formats, validates and passes its own native `terraform test` suite (mocked provider).

The four suites load the provider schema for every run block (most of the unit run's CPU): their
passing result is reused while the module, this file, Terraform's version, the CLI configuration and
the mirrored provider versions are byte-identical (``unit_tests/result_cache.py``); any change runs
them again.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from harness.cli_config import DEFAULT_MIRROR, mirrored_providers, render_cli_config, write_cli_config
from pci_infra.app.paths import PROJECT_ROOT
from unit_tests.result_cache import content_key, reused_or_run

MODULES = sorted(p.name for p in (PROJECT_ROOT / "modules").iterdir() if (p / "main.tf").exists())


def terraform(module: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "TF_CLI_CONFIG_FILE": str(write_cli_config(tmp_path / "terraform.rc")),
        "TF_DATA_DIR": str(tmp_path / ".terraform"),
        "CHECKPOINT_DISABLE": "1",
        "TF_IN_AUTOMATION": "1",
    }
    return subprocess.run(
        ["terraform", *args, "-no-color"], cwd=module, env=env, capture_output=True, text=True, timeout=600
    )


def test_every_expected_module_is_present() -> None:
    assert MODULES == ["alb", "aurora", "vpc", "waf"]


STEPS = (
    ("fmt", ("fmt", "-check", "-recursive", "-diff")),
    ("init", ("init", "-backend=false", "-input=false")),
    ("validate", ("validate",)),
    ("test", ("test",)),
)


def inputs_key(module: Path) -> str | None:
    """What the module's checks depend on; ``None`` without a provider mirror (the registry may move)."""
    providers = mirrored_providers(DEFAULT_MIRROR)
    if not providers:
        return None
    version = json.loads(
        subprocess.run(["terraform", "version", "-json"], capture_output=True, text=True).stdout
    )
    versions = [f"{a}@{v.name}" for a in providers for v in sorted((DEFAULT_MIRROR / a).iterdir())]
    facts = [version["terraform_version"], render_cli_config(), *versions]
    return content_key([module, Path(__file__)], facts)


def run_steps(module: Path, tmp_path: Path) -> dict[str, Any]:
    """Each step's exit code and output, stopping at the first failure."""
    record: dict[str, Any] = {}
    for step, args in STEPS:
        result = terraform(module, tmp_path, *args)
        record[step] = {"returncode": result.returncode, "output": result.stdout + result.stderr}
        if result.returncode != 0:
            break
    return record


def all_passed(record: dict[str, Any]) -> bool:
    return len(record) == len(STEPS) and all(step["returncode"] == 0 for step in record.values())


@pytest.mark.parametrize("name", MODULES)
def test_module_is_formatted_valid_and_passes_its_tests(name: str, tmp_path: Path) -> None:
    module = PROJECT_ROOT / "modules" / name
    record = reused_or_run(
        f"module-{name}", inputs_key(module), lambda: run_steps(module, tmp_path), all_passed
    )
    for step, _args in STEPS:
        assert step in record, f"{name}: stopped before terraform {step}"
        assert record[step]["returncode"] == 0, (
            f"terraform {step} failed for {name}:\n{record[step]['output']}"
        )
    assert "0 failed" in record["test"]["output"] and " passed" in record["test"]["output"]
    assert "expect_failures" in "".join(p.read_text() for p in (module / "tests").glob("*.tftest.hcl")), (
        f"{name}: at least one expect_failures case per module"
    )
