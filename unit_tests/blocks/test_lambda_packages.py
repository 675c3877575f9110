"""Lambda packages: deterministic, production code only, and a clear error when npm ci is missing."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from pci_infra.blocks.lambda_package import LAMBDA_ROOT, PackageError, build_package


def test_processor_package_holds_its_code_its_runtime_dependencies_and_nothing_else(tmp_path: Path) -> None:
    package = build_package("payment-processor", build_dir=tmp_path)
    files = set(package.files)
    assert {"index.mjs", "package.json", "src/processor.mjs", "src/ledger.mjs", "src/metrics.mjs"} <= files
    assert "node_modules/pg/package.json" in files
    assert "node_modules/@aws-sdk/rds-signer/package.json" in files
    assert "node_modules/@payment/model/index.mjs" in files, "the shared local package is bundled"
    assert not any(f.startswith("test/") for f in files)
    assert not any(f.startswith("node_modules/@aws-sdk/client-") for f in files), (
        "runtime SDK clients are not bundled"
    )
    with zipfile.ZipFile(package.path) as archive:
        assert sorted(archive.namelist()) == sorted(files)


def test_the_same_sources_give_the_same_bytes(tmp_path: Path) -> None:
    first = build_package("payment-api", build_dir=tmp_path / "a")
    second = build_package("payment-api", build_dir=tmp_path / "b")
    assert first.source_code_hash == second.source_code_hash
    assert first.path.read_bytes() == second.path.read_bytes()


def test_a_missing_npm_ci_is_named_with_the_folder(tmp_path: Path) -> None:
    copy = tmp_path / "lambda" / "payment-processor"
    shutil.copytree(LAMBDA_ROOT / "payment-processor", copy, ignore=shutil.ignore_patterns("node_modules"))
    with pytest.raises(
        PackageError,
        match=r"payment-processor: dependency node_modules/\S+ is not installed; run `npm ci` in .*/payment-",
    ):
        build_package("payment-processor", root=tmp_path / "lambda", build_dir=tmp_path / "build")


def test_every_function_folder_runs_its_tests_on_node_test() -> None:
    folders = sorted(p.parent for p in LAMBDA_ROOT.glob("*/package.json"))
    assert len(folders) >= 6
    for folder in folders:
        manifest = json.loads((folder / "package.json").read_text())
        assert manifest["scripts"]["test"].startswith("node --test"), folder.name
        assert list((folder / "test").glob("*.test.mjs")), f"{folder.name} has no node:test tests"
