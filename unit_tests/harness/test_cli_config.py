"""The generated Terraform CLI config uses a provider mirror when one exists, the registry otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli_config import mirrored_providers, render_cli_config, write_cli_config


def make_mirror(root: Path) -> Path:
    (root / "registry.terraform.io" / "hashicorp" / "aws" / "5.100.0" / "linux_amd64").mkdir(parents=True)
    return root


def test_mirror_present_installs_mirrored_providers_from_it(tmp_path: Path) -> None:
    mirror = make_mirror(tmp_path / "plugins")
    assert mirrored_providers(mirror) == ["registry.terraform.io/hashicorp/aws"]
    text = render_cli_config(mirror)
    assert f'path    = "{mirror}"' in text
    assert 'include = ["registry.terraform.io/hashicorp/aws"]' in text
    assert 'exclude = ["registry.terraform.io/hashicorp/aws"]' in text


def test_no_mirror_falls_back_to_the_registry(tmp_path: Path) -> None:
    text = render_cli_config(tmp_path / "absent")
    assert "filesystem_mirror" not in text
    assert "direct {}" in text


@pytest.mark.pci_dss("11")
def test_written_config_lands_where_terraform_is_told_to_look(tmp_path: Path) -> None:
    path = write_cli_config(tmp_path / "deep" / "terraform.rc", make_mirror(tmp_path / "m"))
    assert path.read_text().startswith("# Providers found in")
