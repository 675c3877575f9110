"""Each HCL module formats, validates and passes its own native `terraform test` suite (mocked provider)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from harness.cli_config import write_cli_config
from pci_infra.app.paths import PROJECT_ROOT

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


@pytest.mark.parametrize("name", MODULES)
def test_module_is_formatted_valid_and_passes_its_tests(name: str, tmp_path: Path) -> None:
    module = PROJECT_ROOT / "modules" / name
    fmt = terraform(module, tmp_path, "fmt", "-check", "-recursive", "-diff")
    assert fmt.returncode == 0, f"terraform fmt would change {name}:\n{fmt.stdout}"
    init = terraform(module, tmp_path, "init", "-backend=false", "-input=false")
    assert init.returncode == 0, init.stdout + init.stderr
    validate = terraform(module, tmp_path, "validate")
    assert validate.returncode == 0, validate.stdout + validate.stderr
    tests = terraform(module, tmp_path, "test")
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "0 failed" in tests.stdout and " passed" in tests.stdout
    assert "expect_failures" in "".join(p.read_text() for p in (module / "tests").glob("*.tftest.hcl")), (
        f"{name}: at least one expect_failures case per module"
    )
